import Synchronization

/// Interns offence category names to small codes, shared by all ingest threads of a run.
///
/// Each code carries its scope under the run's definitions, worked out once when the name is first seen,
/// so classifying a row costs an array load instead of string comparisons.
public final class OffenceCatalog: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let scope: Definitions.Scope
    }

    public let definitions: Definitions
    private let state = Mutex<(codes: [String: UInt16], entries: [Entry])>(([:], []))

    public init(definitions: Definitions) {
        self.definitions = definitions
    }

    /// Code for a category (normalised here). Returns nil once 65,535 distinct names exist,
    /// which only a corrupt file produces; the caller rejects that row.
    public func code<S: StringProtocol>(for rawCategory: S) -> UInt16? {
        code(normalised: normaliseCategory(rawCategory))
    }

    /// `code(for:)` of a name already normalised.
    public func code(normalised name: String) -> UInt16? {
        state.withLock { s in
            if let c = s.codes[name] { return c }
            guard s.entries.count < Int(UInt16.max) else { return nil }
            let c = UInt16(s.entries.count)
            s.codes[name] = c
            s.entries.append(Entry(name: name, scope: definitions.scope(ofCategory: name)))
            return c
        }
    }

    /// The code of a name (normalised) the catalogue already has, without adding it: ingest workers look names up
    /// while they parse and add new ones only in file order (`RowWorker.commit`).
    public func existingCode(normalised name: String) -> UInt16? {
        state.withLock { $0.codes[name] }
    }

    public func entry(_ code: UInt16) -> Entry {
        state.withLock { $0.entries[Int(code)] }
    }

    /// A snapshot of all entries, indexed by code.
    public var entries: [Entry] { state.withLock { $0.entries } }

    /// The entries from code `start` on (empty when there are none yet): what a classifier that knows the first
    /// `start` codes lacks, copied without copying the rest.
    public func entries(from start: Int) -> ArraySlice<Entry> {
        state.withLock { s in start < s.entries.count ? s.entries[start...] : [] }
    }

    /// Entries known so far.
    public var count: Int { state.withLock { $0.entries.count } }
}

/// Strand membership for incidents, compiled against a snapshot of the catalog for speed:
/// conditions become plain-data tests (offence lists become bit tests on a per-code mask),
/// so classifying a row touches no string, set or reference count.
/// Immutable once built except for `catchUp(with:)`, which appends codes the catalog gained since; a classifier
/// shared across threads must not be caught up while others read it (the binning run gives each worker its own).
public final class StrandClassifier: @unchecked Sendable {
    struct Test: Hashable {
        enum Kind: UInt8 { case offence, domestic, publicPlace, alcohol, drugs, weapon, ageUnder, ageAtLeast, ageBetween, sex, locationType }
        var kind: Kind
        var flag: Flag = .unknown
        /// Offence condition bit, or a mask of `Weapon` raw values.
        var bits: UInt64 = 0
        var age: Int8 = 0
        /// Upper age (inclusive) of an age range.
        var ageTo: Int8 = 0
        var role: Definitions.Role = .victim
        var sex: Sex = .unknown
    }

    public let definitions: Definitions
    // Unchecked exclusivity: read per incident on the hot path, changed only by `catchUp` on the owning thread.
    @exclusivity(unchecked) private var scopes: [Definitions.Scope]
    /// Per offence code: bit j set when the category is in offence condition j.
    @exclusivity(unchecked) private var offenceBits: [UInt64]
    /// The distinct offence lists of the conditions, in bit order.
    private let offenceSets: [Set<String>]
    /// Every distinct condition of the strands and measures, each evaluated once per incident into one bit.
    private let tests: [Test]
    /// Per condition set (strands, then measures): the bits that must all hold, of which one must hold (none
    /// required when zero), and of which none may hold.
    private let allMasks: [UInt64]
    private let anyMasks: [UInt64]
    private let noneMasks: [UInt64]
    private let strandCount: Int
    /// Per offence code: the tests' bits its offence conditions set (from `offenceBits`).
    @exclusivity(unchecked) private var offenceHolding: [UInt64]
    /// The other tests' bits by attribute value, so `masks` ORs eleven table entries instead of evaluating each
    /// test (it was about 600 instructions an incident): victim and suspect age by `UInt8(bitPattern:)` (256 each),
    /// then 16 entries each by raw value for victim sex, suspect sex, domestic, public place, alcohol, drugs,
    /// weapon and location type (every raw value is under 16).
    private let attributeBits: UnsafeMutablePointer<UInt64>
    private static let victimAgeAt = 0, suspectAgeAt = 256, victimSexAt = 512, suspectSexAt = 528, domesticAt = 544,
                       publicPlaceAt = 560, alcoholAt = 576, drugsAt = 592, weaponAt = 608, locationTypeAt = 624, attributeCount = 640

    public init(catalog: OffenceCatalog) {
        definitions = catalog.definitions
        let entries = catalog.entries
        scopes = entries.map(\.scope)
        var sets: [Set<String>] = []
        func compile(_ c: Definitions.Condition) -> Test {
            switch c {
            case .offence(let set):
                // One bit per distinct list, so measures repeating a strand's offences cost nothing more.
                if sets.firstIndex(of: set) == nil { sets.append(set) }
                return Test(kind: .offence, bits: 1 << UInt64(sets.firstIndex(of: set)!))
            case .domestic(let f): return Test(kind: .domestic, flag: f)
            case .publicPlace(let f): return Test(kind: .publicPlace, flag: f)
            case .alcohol(let f): return Test(kind: .alcohol, flag: f)
            case .drugs(let f): return Test(kind: .drugs, flag: f)
            case .weapon(let w): return Test(kind: .weapon, bits: w.reduce(0) { $0 | 1 << UInt64($1.rawValue) })
            case .ageUnder(let age, let role): return Test(kind: .ageUnder, age: Int8(clamping: age), role: role)
            case .ageAtLeast(let age, let role): return Test(kind: .ageAtLeast, age: Int8(clamping: age), role: role)
            case .ageBetween(let lo, let hi, let role): return Test(kind: .ageBetween, age: Int8(clamping: lo), ageTo: Int8(clamping: hi), role: role)
            case .sex(let sex, let role): return Test(kind: .sex, role: role, sex: sex)
            case .locationType(let t): return Test(kind: .locationType, bits: t.reduce(0) { $0 | 1 << UInt64($1.rawValue) })
            }
        }
        var tests: [Test] = [], allMasks: [UInt64] = [], anyMasks: [UInt64] = [], noneMasks: [UInt64] = []
        func mask(_ conditions: [Definitions.Condition]) -> UInt64 {
            conditions.reduce(0) { m, c in
                let t = compile(c)
                if tests.firstIndex(of: t) == nil { tests.append(t) }
                return m | 1 << UInt64(tests.firstIndex(of: t)!)
            }
        }
        for set in definitions.strands + definitions.measures {
            allMasks.append(mask(set.all))
            anyMasks.append(mask(set.any))
            noneMasks.append(mask(set.none))
        }
        // Definitions refuses more (Definitions.maxDistinctConditions), so this never fires on a parsed file.
        precondition(sets.count <= 64 && tests.count <= 64, "at most 64 distinct conditions and offence lists across strands and measures")
        self.tests = tests
        self.allMasks = allMasks
        self.anyMasks = anyMasks
        self.noneMasks = noneMasks
        strandCount = definitions.strands.count
        offenceSets = sets
        offenceBits = entries.map { e in Self.bits(of: e.name, in: sets) }
        offenceHolding = offenceBits.map { Self.holding(offenceBits: $0, tests: tests) }
        attributeBits = Self.attributeTable(tests)
    }

    deinit { attributeBits.deallocate() }

    /// The offence tests that hold for a category in the offence lists `offenceBits`.
    private static func holding(offenceBits: UInt64, tests: [Test]) -> UInt64 {
        var bits: UInt64 = 0
        for (j, t) in tests.enumerated() where t.kind == .offence && offenceBits & t.bits != 0 { bits |= 1 << UInt64(j) }
        return bits
    }

    /// `attributeBits`, filled by evaluating every non-offence test (`holds`) on incidents varying one attribute.
    private static func attributeTable(_ tests: [Test]) -> UnsafeMutablePointer<UInt64> {
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: attributeCount)
        table.initialize(repeating: 0, count: attributeCount)
        let blank = Incident(location: BNGPoint(easting: 0, northing: 0), month: 0, day: Incident.unknownDay, hour: Incident.unknownHour,
                             offence: 0, victimAge: Incident.unknownAge, victimSex: .unknown, suspectAge: Incident.unknownAge,
                             suspectSex: .unknown, locationType: .unknown, publicPlace: .unknown, domestic: .unknown,
                             weapon: .unknown, alcohol: .unknown, drugs: .unknown, source: 0, recordKey: 0)
        func fill(_ at: Int, _ count: Int, _ kinds: Set<Test.Kind>, role: Definitions.Role? = nil, _ set: (inout Incident, Int) -> Void) {
            for v in 0..<count {
                var i = blank
                set(&i, v)
                for (j, t) in tests.enumerated() where kinds.contains(t.kind) {
                    // A test of either role holds when the victim's or the suspect's attribute meets it: both role
                    // tables carry it, each judged as a test of its own role, and `masks` ORs the two.
                    var t = t
                    if let role {
                        guard t.role == role || t.role == .either else { continue }
                        t.role = role
                    }
                    if holds(t, i, 0) { table[at + v] |= 1 << UInt64(j) }
                }
            }
        }
        let ages: Set<Test.Kind> = [.ageUnder, .ageAtLeast, .ageBetween]
        fill(victimAgeAt, 256, ages, role: .victim) { $0.victimAge = Int8(bitPattern: UInt8($1)) }
        fill(suspectAgeAt, 256, ages, role: .suspect) { $0.suspectAge = Int8(bitPattern: UInt8($1)) }
        fill(victimSexAt, Sex.allCases.count, [.sex], role: .victim) { $0.victimSex = Sex(rawValue: UInt8($1))! }
        fill(suspectSexAt, Sex.allCases.count, [.sex], role: .suspect) { $0.suspectSex = Sex(rawValue: UInt8($1))! }
        fill(domesticAt, Flag.allCases.count, [.domestic]) { $0.domestic = Flag(rawValue: UInt8($1))! }
        fill(alcoholAt, Flag.allCases.count, [.alcohol]) { $0.alcohol = Flag(rawValue: UInt8($1))! }
        fill(drugsAt, Flag.allCases.count, [.drugs]) { $0.drugs = Flag(rawValue: UInt8($1))! }
        fill(weaponAt, Weapon.allCases.count, [.weapon]) { $0.weapon = Weapon(rawValue: UInt8($1))! }
        // Public place is judged on the incident's `isPublicPlace`: its flag when known, else its location type's.
        fill(publicPlaceAt, Flag.allCases.count, [.publicPlace]) { $0.publicPlace = Flag(rawValue: UInt8($1))! }
        fill(locationTypeAt, LocationType.allCases.count, [.locationType]) { $0.locationType = LocationType(rawValue: UInt8($1))! }
        return table
    }

    private static func bits(of name: String, in sets: [Set<String>]) -> UInt64 {
        sets.enumerated().reduce(UInt64(0)) { bits, s in s.element.contains(name) ? bits | (1 << UInt64(s.offset)) : bits }
    }

    /// Codes this classifier knows; a larger code needs `catchUp(with:)`.
    public var knownCodes: Int { scopes.count }

    /// Learns the codes the catalog gained since this classifier was built or last caught up: work in proportion
    /// to the new codes only (rebuilding the classifier for each new name was quadratic in distinct names).
    public func catchUp(with catalog: OffenceCatalog) {
        for e in catalog.entries(from: scopes.count) {
            scopes.append(e.scope)
            offenceBits.append(Self.bits(of: e.name, in: offenceSets))
            offenceHolding.append(Self.holding(offenceBits: offenceBits[offenceBits.count - 1], tests: tests))
        }
    }

    @inline(__always) private static func holds(_ t: Test, _ i: Incident, _ offence: UInt64) -> Bool {
        switch t.kind {
        case .offence: return offence & t.bits != 0
        case .domestic: return i.domestic == t.flag
        case .publicPlace: return i.isPublicPlace == t.flag
        case .alcohol: return i.alcohol == t.flag
        case .drugs: return i.drugs == t.flag
        case .weapon: return t.bits >> UInt64(i.weapon.rawValue) & 1 == 1
        case .ageUnder:
            let v = i.victimAge >= 0 && i.victimAge < t.age
            let s = i.suspectAge >= 0 && i.suspectAge < t.age
            switch t.role {
            case .victim: return v
            case .suspect: return s
            case .either: return v || s
            }
        case .ageAtLeast:
            let v = i.victimAge >= 0 && i.victimAge >= t.age
            let s = i.suspectAge >= 0 && i.suspectAge >= t.age
            switch t.role {
            case .victim: return v
            case .suspect: return s
            case .either: return v || s
            }
        case .ageBetween:
            let v = i.victimAge >= 0 && i.victimAge >= t.age && i.victimAge <= t.ageTo
            let s = i.suspectAge >= 0 && i.suspectAge >= t.age && i.suspectAge <= t.ageTo
            switch t.role {
            case .victim: return v
            case .suspect: return s
            case .either: return v || s
            }
        case .sex:
            switch t.role {
            case .victim: return i.victimSex == t.sex
            case .suspect: return i.suspectSex == t.sex
            case .either: return i.victimSex == t.sex || i.suspectSex == t.sex
            }
        case .locationType: return t.bits >> UInt64(i.locationType.rawValue) & 1 == 1
        }
    }

    /// Bit k set when the incident belongs to strand k. Only meaningful for in-scope incidents.
    public func strandMask(_ i: Incident) -> UInt8 { UInt8(truncatingIfNeeded: masks(i) & strandBits) }

    /// The low bits of `masks` that are strands (the measures' bits start above them).
    public var strandBits: UInt32 { (1 << UInt32(strandCount)) - 1 }

    /// Bit k set when the incident counts in measure k. Only meaningful for in-scope incidents.
    public func measureMask(_ i: Incident) -> UInt16 { UInt16(truncatingIfNeeded: masks(i) >> UInt32(strandCount)) }

    /// Strands (low bits) and measures (from bit `strandCount`) at once: each distinct condition is evaluated once.
    @inline(__always) public func masks(_ i: Incident) -> UInt32 {
        let a = attributeBits
        let holding = offenceHolding[Int(i.offence)]
            | a[Self.victimAgeAt + Int(UInt8(bitPattern: i.victimAge))] | a[Self.suspectAgeAt + Int(UInt8(bitPattern: i.suspectAge))]
            | a[Self.victimSexAt + Int(i.victimSex.rawValue & 15)] | a[Self.suspectSexAt + Int(i.suspectSex.rawValue & 15)]
            | a[Self.domesticAt + Int(i.domestic.rawValue & 15)] | a[Self.publicPlaceAt + Int(i.isPublicPlace.rawValue & 15)]
            | a[Self.alcoholAt + Int(i.alcohol.rawValue & 15)] | a[Self.drugsAt + Int(i.drugs.rawValue & 15)]
            | a[Self.weaponAt + Int(i.weapon.rawValue & 15)] | a[Self.locationTypeAt + Int(i.locationType.rawValue & 15)]
        return mask(holding: holding)
    }

    /// `masks` evaluated test by test, the definition the tables above are built from (kept for the tests).
    func masksTestByTest(_ i: Incident) -> UInt32 {
        let offence = offenceBits[Int(i.offence)]
        var holding: UInt64 = 0
        tests.withUnsafeBufferPointer { t in
            for j in 0..<t.count where Self.holds(t[j], i, offence) { holding |= 1 << UInt64(j) }
        }
        return mask(holding: holding)
    }

    @inline(__always) private func mask(holding: UInt64) -> UInt32 {
        var mask: UInt32 = 0
        for k in 0..<allMasks.count {
            let all = allMasks[k], any = anyMasks[k]
            if holding & all == all && (any == 0 || holding & any != 0) && holding & noneMasks[k] == 0 { mask |= 1 << UInt32(k) }
        }
        return mask
    }

    /// How many strands the low bits of `masks` hold.
    public var strands: Int { strandCount }

    @inline(__always) public func scope(_ i: Incident) -> Definitions.Scope { scopes[Int(i.offence)] }
}
