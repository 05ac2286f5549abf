#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// CSV grammar (RFC 4180, lenient). A record ends at LF outside quotes; CR before LF is dropped.
// A quote opens a quoted field only at the start of a field; inside, "" is a quote and a lone quote closes it.
// Text after a closing quote (`"ab"c`) continues the field, without the quotes. A quote inside an unquoted field
// is an ordinary byte. The boundary scanner and the tokenizer implement exactly this automaton, so where a
// file is cut into chunks cannot change how it is read.

let quoteByte = UInt8(ascii: "\"")
let commaByte = UInt8(ascii: ",")
let lfByte: UInt8 = 0x0A
let crByte: UInt8 = 0x0D

/// Finds record ends in a byte stream, carrying quote state across calls.
struct BoundaryScanner {
    enum State: UInt8 { case fieldStart, unquoted, quoted, quoteInQuoted }
    var state: State = .fieldStart

    /// Scans b[s..<e]; returns the index just past the last record-ending LF in it, or nil.
    mutating func lastRecordEnd(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        guard e > s else { return nil }
        if state == .fieldStart || state == .unquoted, memchr(b + s, Int32(quoteByte), e - s) == nil {
            // No quotes: every LF ends a record.
            let last = b[e - 1]
            state = last == commaByte || last == lfByte ? .fieldStart : .unquoted
            var i = e - 1
            while i >= s { if b[i] == lfByte { return i + 1 }; i -= 1 }
            return nil
        }
        var found: Int?
        var st = state
        for i in s..<e {
            let c = b[i]
            switch st {
            case .fieldStart, .unquoted:
                if c == commaByte { st = .fieldStart } else if c == lfByte { st = .fieldStart; found = i + 1 }
                else if c == quoteByte && st == .fieldStart { st = .quoted } else { st = .unquoted }
            case .quoted:
                if c == quoteByte { st = .quoteInQuoted }
            case .quoteInQuoted:
                if c == quoteByte { st = .quoted } else if c == commaByte { st = .fieldStart }
                else if c == lfByte { st = .fieldStart; found = i + 1 } else { st = .unquoted }
            }
        }
        state = st
        return found
    }

    /// Scans b[s..<e] for the first record end; returns its index (past the LF) or nil, and the LFs passed.
    mutating func firstRecordEnd(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> (end: Int?, lineFeeds: Int) {
        var st = state
        var lfs = 0
        for i in s..<e {
            let c = b[i]
            if c == lfByte { lfs += 1 }
            switch st {
            case .fieldStart, .unquoted:
                if c == commaByte { st = .fieldStart } else if c == lfByte { state = .fieldStart; return (i + 1, lfs) }
                else if c == quoteByte && st == .fieldStart { st = .quoted } else { st = .unquoted }
            case .quoted:
                if c == quoteByte { st = .quoteInQuoted }
            case .quoteInQuoted:
                if c == quoteByte { st = .quoted } else if c == commaByte { st = .fieldStart }
                else if c == lfByte { state = .fieldStart; return (i + 1, lfs) } else { st = .unquoted }
            }
        }
        state = st
        return (nil, lfs)
    }

    var insideQuotes: Bool { state == .quoted }
}

/// One field of the current record: b[start..<end], with quotes already stripped when `plain`.
struct FieldRef {
    var start: Int
    var end: Int
    /// False when the content holds "" escapes or text after a closing quote, so it must be unescaped to be read.
    var plain: Bool
}

/// What `RecordTokenizer.next` found.
struct RecordScan {
    /// Index where the record starts and where its content ends (before LF/CR LF, or at the chunk end).
    var start: Int
    var contentEnd: Int
    /// Where the next record starts.
    var next: Int
    /// Fields seen (only the first `capacity` are stored).
    var fieldCount: Int
    /// LFs inside the record plus its terminating LF.
    var lineFeeds: Int
    var unterminatedQuote: Bool
}

/// Splits a chunk of whole records into fields, storing at most `capacity` field positions (ragged rows just count).
struct RecordTokenizer {
    private(set) var fields: UnsafeMutablePointer<FieldRef>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        fields = .allocate(capacity: self.capacity)
    }

    func deallocate() { fields.deallocate() }

    @inline(__always) private func store(_ n: Int, _ f: FieldRef) {
        if n < capacity { fields[n] = f }
    }

    /// High bit set in exactly the bytes of `x` that are zero (no false positives, unlike the borrow trick).
    @inline(__always) static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// Tokenizes the record starting at `s` in b[..<e].
    @inline(__always) func next(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> RecordScan {
        if let fast = nextWithoutQuotes(b, s, e) { return fast }
        return nextGeneral(b, s, e)
    }

    /// The common case, a record with no quote byte, eight bytes at a time; nil (and nothing decided) at the
    /// first quote, so the general path keeps the grammar in one place.
    @inline(__always) func nextWithoutQuotes(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> RecordScan? {
        let commas: UInt64 = 0x2C2C_2C2C_2C2C_2C2C, lfs: UInt64 = 0x0A0A_0A0A_0A0A_0A0A, quotes: UInt64 = 0x2222_2222_2222_2222
        var p = s
        var fs = s
        var n = 0
        while p + 8 <= e {
            let v = UnsafeRawPointer(b + p).loadUnaligned(as: UInt64.self)
            let lf = Self.zeroBytes(v ^ lfs)
            var hits = Self.zeroBytes(v ^ commas) | lf
            let q = Self.zeroBytes(v ^ quotes)
            if q != 0 {
                // A quote before the record's end: leave the record to the general path.
                if lf == 0 || q.trailingZeroBitCount < lf.trailingZeroBitCount { return nil }
            }
            while hits != 0 {
                let i = p + hits.trailingZeroBitCount >> 3
                // The lowest hit is an LF when its bit is in `lf` (no reload of the byte).
                if lf & hits & (0 &- hits) != 0 {
                    var fe = i
                    if fe > fs && b[fe - 1] == crByte { fe -= 1 }
                    store(n, FieldRef(start: fs, end: fe, plain: true))
                    return RecordScan(start: s, contentEnd: i > s && b[i - 1] == crByte ? i - 1 : i,
                                      next: i + 1, fieldCount: n + 1, lineFeeds: 1, unterminatedQuote: false)
                }
                store(n, FieldRef(start: fs, end: i, plain: true))
                n += 1
                fs = i + 1
                hits &= hits &- 1
            }
            p += 8
        }
        while p < e {
            let c = b[p]
            if c == quoteByte { return nil }
            if c == lfByte {
                var fe = p
                if fe > fs && b[fe - 1] == crByte { fe -= 1 }
                store(n, FieldRef(start: fs, end: fe, plain: true))
                return RecordScan(start: s, contentEnd: p > s && b[p - 1] == crByte ? p - 1 : p,
                                  next: p + 1, fieldCount: n + 1, lineFeeds: 1, unterminatedQuote: false)
            }
            if c == commaByte {
                store(n, FieldRef(start: fs, end: p, plain: true))
                n += 1
                fs = p + 1
            }
            p += 1
        }
        // End of data without a line feed: the general path handles the last record.
        return nil
    }

    @inline(__always) func nextGeneral(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> RecordScan {
        var p = s
        var n = 0
        var lfs = 0
        while true {
            if p < e && b[p] == quoteByte {
                p += 1
                let fs = p
                var plain = true
                var closed = false
                while p < e {
                    let c = b[p]
                    if c == quoteByte {
                        if p + 1 < e && b[p + 1] == quoteByte { plain = false; p += 2; continue }
                        closed = true
                        break
                    }
                    if c == lfByte { lfs += 1 }
                    p += 1
                }
                guard closed else {
                    store(n, FieldRef(start: fs, end: e, plain: false))
                    return RecordScan(start: s, contentEnd: e, next: e, fieldCount: n + 1, lineFeeds: lfs, unterminatedQuote: true)
                }
                var fe = p
                p += 1
                if p < e && b[p] != commaByte && b[p] != lfByte {
                    let tail = p
                    while p < e && b[p] != commaByte && b[p] != lfByte { p += 1 }
                    if !(p - tail == 1 && b[tail] == crByte && (p == e || b[p] == lfByte)) {
                        // Irregular: keep the raw bytes from the opening quote's successor; unescaping drops lone quotes.
                        plain = false
                        fe = p
                    }
                }
                store(n, FieldRef(start: fs, end: fe, plain: plain))
            } else {
                let fs = p
                // Eight bytes at a time: the lowest byte equal to ',' or LF ends the field.
                var found = false
                while p + 8 <= e {
                    let v = UnsafeRawPointer(b + p).loadUnaligned(as: UInt64.self)
                    let x = v ^ 0x2C2C_2C2C_2C2C_2C2C, y = v ^ 0x0A0A_0A0A_0A0A_0A0A
                    let hits = ((x &- 0x0101_0101_0101_0101) & ~x | (y &- 0x0101_0101_0101_0101) & ~y) & 0x8080_8080_8080_8080
                    if hits != 0 { p += hits.trailingZeroBitCount >> 3; found = true; break }
                    p += 8
                }
                if !found {
                    while p < e {
                        let c = b[p]
                        if c == commaByte || c == lfByte { break }
                        p += 1
                    }
                }
                var fe = p
                if (p == e || b[p] == lfByte) && fe > fs && b[fe - 1] == crByte { fe -= 1 }
                store(n, FieldRef(start: fs, end: fe, plain: true))
            }
            n += 1
            if p >= e {
                var ce = e
                if ce > s && b[ce - 1] == crByte { ce -= 1 }
                return RecordScan(start: s, contentEnd: ce, next: e, fieldCount: n, lineFeeds: lfs, unterminatedQuote: false)
            }
            if b[p] == lfByte {
                var ce = p
                if ce > s && b[ce - 1] == crByte { ce -= 1 }
                return RecordScan(start: s, contentEnd: ce, next: p + 1, fieldCount: n, lineFeeds: lfs + 1, unterminatedQuote: false)
            }
            p += 1
        }
    }
}

/// Unescapes a non-plain field into `out` (capacity ≥ e - s): `""` → `"`, lone quotes dropped.
@inline(never) func unescapeField(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
    var n = 0
    var i = s
    while i < e {
        let c = b[i]
        if c == quoteByte {
            if i + 1 < e && b[i + 1] == quoteByte { out[n] = quoteByte; n += 1; i += 2; continue }
            i += 1
            continue
        }
        out[n] = c
        n += 1
        i += 1
    }
    return n
}

/// True for a record of nothing but spaces, tabs and CRs.
@inline(__always) func isBlankRecord(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
    var i = s
    while i < e {
        let c = b[i]
        if c != 0x20 && c != 0x09 && c != crByte { return false }
        i += 1
    }
    return true
}
