import Foundation
import SVDCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Byte-level field parsing for the hot path: no String, no Foundation, no allocation.
// Every function takes a field as `b[s..<e]` and never reads outside it.

typealias Bytes = UnsafePointer<UInt8>

@inline(__always) func isBlankByte(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

/// The field without leading and trailing spaces and tabs.
@inline(__always) func trim(_ b: Bytes, _ s: Int, _ e: Int) -> (Int, Int) {
    // Almost every field starts and ends with neither: one test each.
    if s < e && b[s] > 0x20 && b[e - 1] > 0x20 { return (s, e) }
    var s = s, e = e
    while s < e && isBlankByte(b[s]) { s += 1 }
    while e > s && isBlankByte(b[e - 1]) { e -= 1 }
    return (s, e)
}

/// A whole number of at most 9 digits, or nil.
@inline(__always) func parseUnsigned(_ b: Bytes, _ s: Int, _ e: Int) -> Int? {
    guard e > s, e - s <= 9 else { return nil }
    var v = 0
    for i in s..<e {
        let d = Int(b[i]) &- 48
        guard d >= 0 && d <= 9 else { return nil }
        v = v * 10 + d
    }
    return v
}

/// 10^n for n in 0...15 (exact doubles), as literals: a global array cost a lazy-initialisation check per read.
@inline(__always) func exactPowerOfTen(_ n: Int) -> Double {
    switch n {
    case 0: return 1
    case 1: return 1e1
    case 2: return 1e2
    case 3: return 1e3
    case 4: return 1e4
    case 5: return 1e5
    case 6: return 1e6
    case 7: return 1e7
    case 8: return 1e8
    case 9: return 1e9
    case 10: return 1e10
    case 11: return 1e11
    case 12: return 1e12
    case 13: return 1e13
    case 14: return 1e14
    default: return 1e15
    }
}

/// A decimal such as `-0.12345`, `530123`, `+51.5`, `.5`. Up to 15 digits is computed exactly (integer mantissa
/// over an exact power of ten: one correctly rounded division); longer input or an exponent goes to `strtod`.
/// Never produces NaN or infinity.
@inline(__always) func parseDecimal(_ b: Bytes, _ s: Int, _ e: Int) -> Double? {
    guard e > s else { return nil }
    var i = s
    let negative = b[i] == UInt8(ascii: "-")
    if negative || b[i] == UInt8(ascii: "+") { i += 1 }
    var mantissa: UInt64 = 0
    let intStart = i
    while i < e {
        let d = b[i] &- 48
        if d > 9 { break }
        mantissa = mantissa &* 10 &+ UInt64(d)
        i += 1
    }
    let intDigits = i - intStart
    var fracDigits = 0
    if i < e && b[i] == UInt8(ascii: ".") {
        i += 1
        let fracStart = i
        while i < e {
            let d = b[i] &- 48
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        fracDigits = i - fracStart
    }
    guard intDigits + fracDigits > 0 else { return nil }
    if i < e {
        return b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") ? parseDecimalSlow(b, s, e) : nil
    }
    if intDigits + fracDigits > 15 { return parseDecimalSlow(b, s, e) }
    let v = Double(mantissa) / exactPowerOfTen(fracDigits)
    return negative ? -v : v
}

/// Long or exponent decimals: rare, so a copy and libc is fine. Only digits, sign, point and exponent pass.
func parseDecimalSlow(_ b: Bytes, _ s: Int, _ e: Int) -> Double? {
    guard e - s < 64 else { return nil }
    for i in s..<e {
        let c = b[i]
        guard (c >= 48 && c <= 57) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
            || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { return nil }
    }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 65) { tmp -> Double? in
        for i in s..<e { tmp[i - s] = CChar(bitPattern: b[i]) }
        tmp[e - s] = 0
        var endp: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(tmp.baseAddress!, &endp)
        guard let endp, endp - tmp.baseAddress! == e - s, v.isFinite else { return nil }
        return v
    }
}

/// A parsed timestamp: days since epoch (or `Incident.unknownDay`), month key and hour (or -1).
struct When {
    var day: Int32
    var month: Int32
    var hour: Int8
}

@inline(__always) func digit(_ b: Bytes, _ i: Int) -> Int? {
    let d = Int(b[i]) &- 48
    return d >= 0 && d <= 9 ? d : nil
}

@inline(__always) func twoDigits(_ b: Bytes, _ i: Int) -> Int? {
    guard let a = digit(b, i), let c = digit(b, i + 1) else { return nil }
    return a * 10 + c
}

let validYears = 1900...2200

@inline(__always) func makeWhen(year: Int, month: Int, day: Int?, hour: Int?) -> When? {
    guard validYears.contains(year), month >= 1, month <= 12 else { return nil }
    let monthKey = Int32(year * 12 + month - 1)
    guard let day else { return When(day: Incident.unknownDay, month: monthKey, hour: Incident.unknownHour) }
    guard day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
    return When(day: Int32(CivilDate.daysSinceEpoch(year: year, month: month, day: day)), month: monthKey,
                hour: hour.map { Int8($0) } ?? Incident.unknownHour)
}

/// `HH:MM[:SS[.fff]]` starting at i and running to e; returns the hour.
@inline(__always) func parseClock(_ b: Bytes, _ i: Int, _ e: Int) -> Int? {
    guard e - i >= 5, b[i + 2] == UInt8(ascii: ":"), let h = twoDigits(b, i), let m = twoDigits(b, i + 3), h <= 23, m <= 59
    else { return nil }
    var j = i + 5
    if j < e {
        guard e - j >= 3, b[j] == UInt8(ascii: ":"), let sec = twoDigits(b, j + 1), sec <= 60 else { return nil }
        j += 3
        if j < e && b[j] == UInt8(ascii: ".") {
            j += 1
            guard j < e else { return nil }
            while j < e, digit(b, j) != nil { j += 1 }
        }
        if j < e && b[j] == UInt8(ascii: "Z") { j += 1 }
        guard j == e else { return nil }
    }
    return h
}

/// The native schema's datetime forms: `2024-03-15T23:40[:SS]`, `2024-03-15 23:40`, `2024-03-15`,
/// `15/03/2024 23:40`, `15/03/2024` (day and month may be one digit in the UK form).
func parseNativeDateTime(_ b: Bytes, _ s: Int, _ e: Int) -> When? {
    let n = e - s
    guard n >= 8 else { return nil }
    if n >= 10 && b[s + 4] == UInt8(ascii: "-") {
        guard b[s + 7] == UInt8(ascii: "-"), let y1 = twoDigits(b, s), let y2 = twoDigits(b, s + 2),
              let mo = twoDigits(b, s + 5), let d = twoDigits(b, s + 8) else { return nil }
        if n == 10 { return makeWhen(year: y1 * 100 + y2, month: mo, day: d, hour: nil) }
        guard b[s + 10] == UInt8(ascii: "T") || b[s + 10] == UInt8(ascii: " "), let h = parseClock(b, s + 11, e) else { return nil }
        return makeWhen(year: y1 * 100 + y2, month: mo, day: d, hour: h)
    }
    // UK: d/m/yyyy
    var i = s
    func smallNumber(_ i: inout Int) -> Int? {
        guard i < e, let a = digit(b, i) else { return nil }
        i += 1
        if i < e, let c = digit(b, i) { i += 1; return a * 10 + c }
        return a
    }
    guard let d = smallNumber(&i), i < e, b[i] == UInt8(ascii: "/") else { return nil }
    i += 1
    guard let mo = smallNumber(&i), i < e, b[i] == UInt8(ascii: "/"), e - i >= 5,
          let y1 = twoDigits(b, i + 1), let y2 = twoDigits(b, i + 3) else { return nil }
    i += 5
    if i == e { return makeWhen(year: y1 * 100 + y2, month: mo, day: d, hour: nil) }
    guard b[i] == UInt8(ascii: " "), let h = parseClock(b, i + 1, e) else { return nil }
    return makeWhen(year: y1 * 100 + y2, month: mo, day: d, hour: h)
}

/// data.police.uk `YYYY-MM`.
func parseYearMonth(_ b: Bytes, _ s: Int, _ e: Int) -> When? {
    guard e - s == 7, b[s + 4] == UInt8(ascii: "-"), let y1 = twoDigits(b, s), let y2 = twoDigits(b, s + 2),
          let mo = twoDigits(b, s + 5) else { return nil }
    return makeWhen(year: y1 * 100 + y2, month: mo, day: nil, hour: nil)
}

/// True when the bytes are well-formed UTF-8.
func isValidUTF8(_ b: Bytes, _ s: Int, _ e: Int) -> Bool {
    var i = s
    while i < e && b[i] < 0x80 { i += 1 }
    if i == e { return true }
    return String(validating: UnsafeBufferPointer(start: b + s, count: e - s), as: UTF8.self) != nil
}

/// True when a byte below 0x20 other than tab, CR or LF occurs.
func hasControlByte(_ b: Bytes, _ s: Int, _ e: Int) -> Bool {
    for i in s..<e where b[i] < 0x20 && b[i] != 0x09 && b[i] != 0x0A && b[i] != 0x0D { return true }
    return false
}

// MARK: - Date patterns for mapped extracts

/// A compiled date/time pattern such as `dd/MM/yyyy HH:mm`, `d-MMM-yyyy`, `yyyyMMdd`, `HHmm`.
///
/// Tokens: `yyyy`, `MM` (2 digits), `M` (1–2), `MMM` (Jan…Dec), `dd`, `d`, `HH`, `H`, `mm`, `ss`;
/// any other character must match literally. The whole (trimmed) field must match.
struct DatePattern: Sendable {
    enum Token: Sendable, Equatable {
        case year4, month2, month1or2, monthName, day2, day1or2, hour2, hour1or2, minute2, second2
        case literal(UInt8)
    }

    let source: String
    let tokens: [Token]
    var hasDate: Bool { tokens.contains(.year4) }
    var hasDay: Bool { tokens.contains(.day2) || tokens.contains(.day1or2) }
    var hasHour: Bool { tokens.contains(.hour2) || tokens.contains(.hour1or2) }

    struct Invalid: Error { let reason: String }

    init(_ pattern: String) throws {
        source = pattern
        var out: [Token] = []
        let chars = Array(pattern.utf8)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var run = 1
            while i + run < chars.count && chars[i + run] == c { run += 1 }
            switch (c, run) {
            case (UInt8(ascii: "y"), 4): out.append(.year4)
            case (UInt8(ascii: "M"), 1): out.append(.month1or2)
            case (UInt8(ascii: "M"), 2): out.append(.month2)
            case (UInt8(ascii: "M"), 3): out.append(.monthName)
            case (UInt8(ascii: "d"), 1): out.append(.day1or2)
            case (UInt8(ascii: "d"), 2): out.append(.day2)
            case (UInt8(ascii: "H"), 1): out.append(.hour1or2)
            case (UInt8(ascii: "H"), 2): out.append(.hour2)
            case (UInt8(ascii: "m"), 2): out.append(.minute2)
            case (UInt8(ascii: "s"), 2): out.append(.second2)
            case (UInt8(ascii: "y"), _), (UInt8(ascii: "M"), _), (UInt8(ascii: "d"), _), (UInt8(ascii: "H"), _),
                 (UInt8(ascii: "m"), _), (UInt8(ascii: "s"), _), (UInt8(ascii: "h"), _), (UInt8(ascii: "a"), _):
                throw Invalid(reason: "date format '\(pattern)': unsupported token '\(String(repeating: Character(Unicode.Scalar(c)), count: run))' "
                    + "(use yyyy, MM, M, MMM, dd, d, HH, H, mm, ss)")
            default:
                for _ in 0..<run { out.append(.literal(c)) }
            }
            i += run
        }
        tokens = out
    }

    static let monthNames: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .map { Array($0.utf8) }

    /// Matched fields; nil on mismatch. Values not in the pattern stay nil.
    func match(_ b: Bytes, _ s: Int, _ e: Int) -> (year: Int?, month: Int?, day: Int?, hour: Int?)? {
        var i = s
        var year: Int?, month: Int?, day: Int?, hour: Int?
        func fixed(_ n: Int) -> Int? {
            guard e - i >= n else { return nil }
            var v = 0
            for k in 0..<n { guard let d = digit(b, i + k) else { return nil }; v = v * 10 + d }
            i += n
            return v
        }
        func oneOrTwo() -> Int? {
            guard i < e, let a = digit(b, i) else { return nil }
            i += 1
            if i < e, let c = digit(b, i) { i += 1; return a * 10 + c }
            return a
        }
        for t in tokens {
            switch t {
            case .year4: guard let v = fixed(4) else { return nil }; year = v
            case .month2: guard let v = fixed(2) else { return nil }; month = v
            case .month1or2: guard let v = oneOrTwo() else { return nil }; month = v
            case .monthName:
                guard e - i >= 3 else { return nil }
                let lower = (b[i] | 0x20, b[i + 1] | 0x20, b[i + 2] | 0x20)
                guard let m = Self.monthNames.firstIndex(where: { $0[0] == lower.0 && $0[1] == lower.1 && $0[2] == lower.2 })
                else { return nil }
                month = m + 1
                i += 3
            case .day2: guard let v = fixed(2) else { return nil }; day = v
            case .day1or2: guard let v = oneOrTwo() else { return nil }; day = v
            case .hour2: guard let v = fixed(2), v <= 23 else { return nil }; hour = v
            case .hour1or2: guard let v = oneOrTwo(), v <= 23 else { return nil }; hour = v
            case .minute2: guard let v = fixed(2), v <= 59 else { return nil }
            case .second2: guard let v = fixed(2), v <= 60 else { return nil }
            case .literal(let c): guard i < e, b[i] == c else { return nil }; i += 1
            }
        }
        guard i == e else { return nil }
        return (year, month, day, hour)
    }
}

// MARK: - Categorical vocabularies

/// Maps normalised text (ASCII lower case, trimmed, runs of space/_/-// folded to one space) to a small code.
/// Open addressing over a power-of-two table; immutable once built, so shared by all workers.
struct ValueTable: Sendable {
    struct Slot {
        var offset: Int32
        var length: Int32
        var value: UInt8
        var used: Bool
    }

    private var keys: [UInt8] = []
    private var slots: [Slot]
    private let mask: Int
    /// Longest normalised key; longer input cannot match.
    static let maxKey = 64

    /// Later pairs override earlier ones with the same normalised key.
    init(_ pairs: [(String, UInt8)]) {
        var size = 16
        while size < pairs.count * 4 { size *= 2 }
        mask = size - 1
        slots = Array(repeating: Slot(offset: 0, length: 0, value: 0, used: false), count: size)
        for (k, v) in pairs { insert(Array(k.utf8), v) }
    }

    private mutating func insert(_ raw: [UInt8], _ value: UInt8) {
        let capacity = raw.count + 1
        let norm: [UInt8] = raw.withUnsafeBufferPointer { p in
            [UInt8](unsafeUninitializedCapacity: capacity) { out, n in
                n = Self.normalise(p.baseAddress ?? UnsafePointer(out.baseAddress!), 0, raw.count, into: out.baseAddress!, capacity: capacity)
            }
        }
        guard !norm.isEmpty, norm.count <= Self.maxKey else { return }
        var i = norm.withUnsafeBufferPointer { Self.hash($0.baseAddress!, norm.count) } & mask
        while slots[i].used {
            if Int(slots[i].length) == norm.count && Array(keys[Int(slots[i].offset)..<Int(slots[i].offset + slots[i].length)]) == norm {
                slots[i].value = value
                return
            }
            i = (i + 1) & mask
        }
        slots[i] = Slot(offset: Int32(keys.count), length: Int32(norm.count), value: value, used: true)
        keys.append(contentsOf: norm)
    }

    /// A copy as raw memory for one worker: lookups then touch no reference counts.
    func makeFast() -> FastTable {
        let k = UnsafeMutablePointer<UInt8>.allocate(capacity: max(keys.count, 1))
        k.initialize(from: keys, count: keys.count)
        let sl = UnsafeMutablePointer<Slot>.allocate(capacity: slots.count)
        sl.initialize(from: slots, count: slots.count)
        // Keys of up to 8 letters and digits also go in a table of packed words, the common case.
        var short: [(UInt64, UInt8)] = []
        for slot in slots where slot.used && slot.length <= 8 {
            let bytes = keys[Int(slot.offset)..<Int(slot.offset + slot.length)]
            guard bytes.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }) else { continue }
            short.append((FastTable.pack(bytes), slot.value))
        }
        var size = 64
        while size < short.count * 4 { size *= 2 }
        let sk = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        sk.initialize(repeating: 0, count: size)
        let sv = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        sv.initialize(repeating: 0, count: size)
        for (key, value) in short {
            var i = FastTable.slot(key, size - 1)
            while sk[i] != 0 { i = (i + 1) & (size - 1) }
            sk[i] = key
            sv[i] = value
        }
        return FastTable(keys: k, slots: sl, mask: mask, shortKeys: sk, shortValues: sv, shortMask: size - 1)
    }

    /// Writes the normalised form of b[s..<e] into `out`; returns its length or -1 when longer than `capacity`.
    @inline(__always) static func normalise(_ b: Bytes, _ s: Int, _ e: Int, into out: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        var n = 0
        var pendingSpace = false
        for i in s..<e {
            var c = b[i]
            if c == 0x20 || c == 0x09 || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "/") {
                pendingSpace = n > 0
                continue
            }
            if c >= 65 && c <= 90 { c |= 0x20 }
            if pendingSpace {
                guard n < capacity else { return -1 }
                out[n] = 0x20; n += 1; pendingSpace = false
            }
            guard n < capacity else { return -1 }
            out[n] = c; n += 1
        }
        return n
    }

    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt64 = 0xcbf29ce484222325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100000001b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The code for b[s..<e], or nil. Blank input is the caller's business.
    func lookup(_ b: Bytes, _ s: Int, _ e: Int) -> UInt8? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxKey) { tmp -> UInt8? in
            let n = Self.normalise(b, s, e, into: tmp.baseAddress!, capacity: Self.maxKey)
            guard n > 0 else { return nil }
            let h = Self.hash(tmp.baseAddress!, n)
            return keys.withUnsafeBufferPointer { k -> UInt8? in
                var i = h & mask
                while true {
                    let slot = slots[i]
                    guard slot.used else { return nil }
                    if Int(slot.length) == n && memcmp(k.baseAddress! + Int(slot.offset), tmp.baseAddress!, n) == 0 { return slot.value }
                    i = (i + 1) & mask
                }
            }
        }
    }
}

/// A worker's private copy of a `ValueTable`.
struct FastTable {
    let keys: UnsafeMutablePointer<UInt8>
    let slots: UnsafeMutablePointer<ValueTable.Slot>
    let mask: Int
    /// Packed little-endian keys of ≤ 8 lower-case letters/digits; 0 marks an empty slot.
    let shortKeys: UnsafeMutablePointer<UInt64>
    let shortValues: UnsafeMutablePointer<UInt8>
    let shortMask: Int

    func deallocate() {
        keys.deallocate()
        slots.deallocate()
        shortKeys.deallocate()
        shortValues.deallocate()
    }

    static func pack<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        var key: UInt64 = 0
        for (i, c) in bytes.enumerated() { key |= UInt64(c) << (8 * UInt64(i)) }
        return key
    }

    @inline(__always) static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E3779B97F4A7C15) >> 40) & mask
    }

    @inline(__always) func lookup(_ b: Bytes, _ s: Int, _ e: Int) -> UInt8? {
        let n = e - s
        if n > 0 && n <= 8 {
            // Letters and digits only: the normalised form is just the lower-cased bytes. Classified eight bytes at
            // once (a byte-by-byte test branched on every byte of every categorical field).
            var raw: UInt64 = 0
            for i in 0..<n { raw |= UInt64(b[s &+ i]) &<< UInt64(8 &* i) }
            let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
            let present = high & (n == 8 ? UInt64.max : (UInt64(1) << UInt64(8 * n)) &- 1)
            // For ASCII bytes (high bit clear), x + 128 - c sets the byte's high bit exactly when x ≥ c, and never
            // carries into the next byte (at most 127 + 80).
            @inline(__always) func atLeast(_ c: UInt64) -> UInt64 { (raw &+ ones &* (128 - c)) & high }
            let upper = atLeast(65) & ~atLeast(91)
            let letterOrDigit = upper | (atLeast(97) & ~atLeast(123)) | (atLeast(48) & ~atLeast(58))
            if raw & high == 0 && letterOrDigit & present == present {
                let key = raw | upper >> 2
                var i = Self.slot(key, shortMask)
                while true {
                    let k = shortKeys[i]
                    if k == key { return shortValues[i] }
                    if k == 0 { return nil }
                    i = (i + 1) & shortMask
                }
            }
        }
        return lookupNormalised(b, s, e)
    }

    @inline(never) func lookupNormalised(_ b: Bytes, _ s: Int, _ e: Int) -> UInt8? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ValueTable.maxKey) { tmp -> UInt8? in
            let n = ValueTable.normalise(b, s, e, into: tmp.baseAddress!, capacity: ValueTable.maxKey)
            guard n > 0 else { return nil }
            var i = ValueTable.hash(tmp.baseAddress!, n) & mask
            while true {
                let slot = slots[i]
                guard slot.used else { return nil }
                if Int(slot.length) == n && memcmp(keys + Int(slot.offset), tmp.baseAddress!, n) == 0 { return slot.value }
                i = (i + 1) & mask
            }
        }
    }
}

/// The categorical columns of the native schema, in the order rows are checked.
enum CategoricalField: Int, CaseIterable, Sendable {
    case victimSex, suspectSex, locationType, publicPlace, domestic, alcohol, drugs, weapon

    /// Native column name and mapping key.
    var key: String {
        switch self {
        case .victimSex: "victim_sex"
        case .suspectSex: "suspect_sex"
        case .locationType: "location_type"
        case .publicPlace: "public_place"
        case .domestic: "domestic"
        case .alcohol: "alcohol"
        case .drugs: "drugs"
        case .weapon: "weapon"
        }
    }

    /// The accepted words for each field. Blank is always "unknown" and is handled before lookup.
    var vocabulary: [(String, UInt8)] {
        switch self {
        case .victimSex, .suspectSex:
            [("f", Sex.female.rawValue), ("female", Sex.female.rawValue), ("m", Sex.male.rawValue), ("male", Sex.male.rawValue),
             ("u", Sex.unknown.rawValue), ("unknown", Sex.unknown.rawValue), ("not known", Sex.unknown.rawValue)]
        case .publicPlace, .domestic, .alcohol, .drugs:
            [("yes", Flag.yes.rawValue), ("y", Flag.yes.rawValue), ("true", Flag.yes.rawValue), ("1", Flag.yes.rawValue),
             ("no", Flag.no.rawValue), ("n", Flag.no.rawValue), ("false", Flag.no.rawValue), ("0", Flag.no.rawValue),
             ("unknown", Flag.unknown.rawValue), ("u", Flag.unknown.rawValue), ("not known", Flag.unknown.rawValue)]
        case .weapon:
            [("knife", Weapon.knife.rawValue), ("bladed", Weapon.knife.rawValue), ("bladed article", Weapon.knife.rawValue),
             ("sharp instrument", Weapon.knife.rawValue), ("knife or sharp instrument", Weapon.knife.rawValue),
             ("knife sharp instrument", Weapon.knife.rawValue), ("firearm", Weapon.firearm.rawValue), ("gun", Weapon.firearm.rawValue),
             ("other", Weapon.other.rawValue), ("other weapon", Weapon.other.rawValue), ("none", Weapon.none.rawValue),
             ("no weapon", Weapon.none.rawValue), ("unknown", Weapon.unknown.rawValue)]
        case .locationType:
            [("street", LocationType.street.rawValue), ("high street", LocationType.highStreet.rawValue), ("road", LocationType.street.rawValue),
             ("transport hub", LocationType.transportHub.rawValue), ("bus station", LocationType.transportHub.rawValue),
             ("railway station", LocationType.transportHub.rawValue), ("train", LocationType.transportHub.rawValue),
             ("train station", LocationType.transportHub.rawValue),
             ("park", LocationType.park.rawValue), ("open space", LocationType.park.rawValue),
             ("licensed premises", LocationType.licensedPremises.rawValue), ("pub", LocationType.licensedPremises.rawValue),
             ("bar", LocationType.licensedPremises.rawValue), ("nightclub", LocationType.licensedPremises.rawValue),
             ("dwelling", LocationType.dwelling.rawValue), ("home", LocationType.dwelling.rawValue),
             ("residential", LocationType.dwelling.rawValue), ("school", LocationType.school.rawValue),
             ("college", LocationType.school.rawValue), ("shop", LocationType.retail.rawValue), ("retail", LocationType.retail.rawValue),
             ("other", LocationType.other.rawValue), ("unknown", LocationType.unknown.rawValue)]
        }
    }

    static let vocabularyTables: [ValueTable] = allCases.map { ValueTable($0.vocabulary) }
}

/// Dates a row may carry: from the first day of `earliest` to `latest` (the run date by default). A date outside
/// is rejected as `implausible_date`: one mistyped year (2100 for 2010) would otherwise move the default period.
public struct PlausibleDates: Sendable, Equatable {
    /// The earliest month accepted (`--earliest`, default 1990-01).
    public var earliest: MonthKey
    /// The last day accepted, as days since 1970-01-01: the run date.
    public var latestDay: Int32

    public static let defaultEarliest = MonthKey(year: 1990, month: 1)

    public init(earliest: MonthKey = PlausibleDates.defaultEarliest, latestDay: Int32 = PlausibleDates.today) {
        self.earliest = earliest
        self.latestDay = latestDay
    }

    /// Today (UTC) as days since 1970-01-01.
    public static var today: Int32 { Int32((Date().timeIntervalSince1970 / 86_400).rounded(.down)) }

    public var latestMonth: Int32 {
        let c = CivilDate.civil(daysSinceEpoch: Int(latestDay))
        return Int32(c.year * 12 + c.month - 1)
    }

    var latestText: String {
        let c = CivilDate.civil(daysSinceEpoch: Int(latestDay))
        return String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
    }
}
