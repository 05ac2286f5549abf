#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CMemory
import SVDCore

/// Counts of incidents by district × age band × hour × weekday × month × strand, plus the side tables
/// a needs assessment prints (victim/suspect age and sex, single year of age, location type, offence category).
///
/// The cube is *mergeable*: the cube of two disjoint inputs is the sum of their cubes, so work can be split
/// by file or by thread and added up at the end. Month blocks are allocated on first use, so memory
/// grows with the span of months covered, never with the number of rows.
/// Not thread-safe: each worker fills its own cube and the cubes are merged on one thread (so not `Sendable`).
public final class IncidentCube {
    public struct Shape: Sendable, Equatable {
        /// Districts of the area; index `districts` means "outside the area".
        public let districts: Int
        public let ageBands: AgeBands
        /// Strand slices: slice 0 is all serious violence, slice k is definitions strand k-1.
        public let strandSlices: Int
        public let strandLabels: [String]
        /// Measures of the definitions (KPIs and the like), counted by district and month only.
        public let measures: Int

        public static let hours = 25        // 0–23, 24 = unknown
        public static let weekdays = 8      // Mon…Sun, 7 = unknown
        public static let sexes = Sex.allCases.count
        public static let roles = 2         // victim, suspect
        public static let locationTypes = LocationType.allCases.count
        /// Single years of age 0–120, then 121 = unknown.
        public static let singleAges = 122
        public static let unknownSingleAge = 121

        public init(districts: Int, definitions: Definitions) {
            self.districts = districts
            ageBands = definitions.ageBands
            strandSlices = definitions.strands.count + 1
            strandLabels = ["All serious violence"] + definitions.strands.map(\.label)
            measures = definitions.measures.count
        }

        /// Districts plus the outside bucket.
        @inlinable public var districtSlots: Int { districts + 1 }
        @inlinable var mainBlock: Int { districtSlots * ageBands.count * Shape.hours * Shape.weekdays * strandSlices }
        /// The two projections of the main block that the tables read (`Layout.marginal`).
        @inlinable var districtAgeBlock: Int { districtSlots * ageBands.count * strandSlices }
        @inlinable var hourWeekdayBlock: Int { districtSlots * Shape.hours * Shape.weekdays * strandSlices }
        @inlinable var peopleBlock: Int { Shape.roles * districtSlots * ageBands.count * Shape.sexes * strandSlices }
        @inlinable var placeBlock: Int { Shape.locationTypes * districtSlots * strandSlices }
        @inlinable var measureBlock: Int { max(1, districtSlots * measures) }
        @inlinable var singleAgeBlock: Int { Shape.singleAges * Shape.roles * districtSlots * strandSlices }
    }

    /// Months from 1900-01 to 2199-12: a direct index, so a row costs no hashing.
    public static let firstSupportedMonth = MonthKey(year: 1900, month: 1)
    public static let supportedMonths = 300 * 12

    /// What the cube keeps of the district × age band × hour × weekday × strand counts.
    public enum Layout: Sendable, Equatable {
        /// The whole joint count per month (`forEachCell`, `forEachMainBlock`): 8 bytes × districts × bands × 25 ×
        /// 8 × strands a month, 0.9 MB for Kent & Medway's definitions.
        case full
        /// Only its two projections every table is built from (`forEachMarginalBlock`): [district][band][strand] and
        /// [district][hour][weekday][strand], about an eighth of the memory. Sums of keyed counts are exact (wrapping
        /// adds), so the tables are the same to the bit as from the full block.
        case marginal
    }

    public let shape: Shape
    public let layout: Layout
    /// Per month slot (`.marginal`): [district][ageBand][strand] (victim age band).
    private let districtAges: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Per month slot (`.marginal`): [district][hour][weekday][strand].
    private let hourWeekdays: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Per month slot (`.full`): main keyed counts (`KeyedCount.bits`) [district][ageBand][hour][weekday][strand] (victim age band).
    private let main: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Per month slot: [role][district][ageBand][sex][strand].
    private let people: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Per month slot: [locationType][district][strand].
    private let places: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Per month slot: [single year of age 0…120, 121 unknown][role][district][strand]. Age outermost, so the pages of
    /// ages no incident has (over 100, say) are never touched and never mapped.
    private let singleAges: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Per month slot: every accepted incident, in scope or not, by [offence code][district], for the first
    /// `denseOffenceCodes` codes (every real extract's categories); higher codes are counted in `rareOffences`.
    private let offences: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Offence codes from `denseOffenceCodes` on, keyed by month slot, code and district (see `rareKey`): only a
    /// corrupt or hostile file has hundreds of names, and a dense block per month for up to 65,535 codes took
    /// 65,535 × districts × 8 bytes for every month (0.9 GB for 100,000 distinct names over five years).
    private var rareOffences: [UInt64: UInt64] = [:]
    /// Month slots holding a rare-code cell.
    private var rareMonths = Set<Int>()
    /// Per month slot: in-scope incidents by [district][measure].
    private let measureCounts: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Offence codes counted in the dense per-month block.
    public static let denseOffenceCodes = 256
    /// Incidents whose month lies outside 1900–2199 (ingest should already have rejected them).
    public private(set) var outsideSupportedMonths = 0
    /// Age → band for every Int8 bit pattern (negative = unknown), so the hot path needs no array of the shape.
    private let bandOfAge: UnsafeMutablePointer<UInt8>
    /// Age → offset of its stretch in the single-age block (unknown for negative or over 120).
    private let singleAgeOffset: UnsafeMutablePointer<Int>
    private let bands: Int, slots: Int, slices: Int

    public init(shape: Shape, layout: Layout = .full) {
        self.shape = shape
        self.layout = layout
        bands = shape.ageBands.count
        slots = shape.districtSlots
        slices = shape.strandSlices
        bandOfAge = .allocate(capacity: 256)
        for b in 0..<256 { bandOfAge[b] = UInt8(shape.ageBands.index(ofAge: Int8(truncatingIfNeeded: b) > 120 ? -1 : Int8(truncatingIfNeeded: b))) }
        singleAgeOffset = .allocate(capacity: 256)
        let ageStride = Shape.roles * shape.districtSlots * shape.strandSlices
        for b in 0..<256 {
            let age = Int(Int8(truncatingIfNeeded: b))
            singleAgeOffset[b] = (age >= 0 && age <= 120 ? age : Shape.unknownSingleAge) * ageStride
        }
        func table() -> UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?> {
            let t = UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>.allocate(capacity: Self.supportedMonths)
            t.initialize(repeating: nil, count: Self.supportedMonths)
            return t
        }
        main = table()
        people = table()
        places = table()
        singleAges = table()
        offences = table()
        measureCounts = table()
        districtAges = table()
        hourWeekdays = table()
    }

    deinit {
        for t in [main, people, places, singleAges, offences, measureCounts, districtAges, hourWeekdays] {
            for m in 0..<Self.supportedMonths { t[m].map { free($0) } }
            t.deallocate()
        }
        bandOfAge.deallocate()
        singleAgeOffset.deallocate()
    }

    /// A zeroed block from calloc: pages no incident touches are never mapped, so sparse months cost no memory.
    private static func block(_ n: Int) -> UnsafeMutablePointer<UInt64> {
        guard let raw = calloc(n, MemoryLayout<UInt64>.stride) else { fatalError("out of memory for a cube block of \(n) cells") }
        return raw.assumingMemoryBound(to: UInt64.self)
    }

    @inline(__always) private func slot(_ month: Int32) -> Int? {
        let m = Int(month) - Int(Self.firstSupportedMonth.index)
        return m >= 0 && m < Self.supportedMonths ? m : nil
    }

    private var offenceBlock: Int { Self.denseOffenceCodes * slots }

    @inline(__always) private static func rareKey(month m: Int, code: Int, district d: Int) -> UInt64 {
        UInt64(m) << 40 | UInt64(code) << 20 | UInt64(d)
    }

    private func ensureBlocks(_ m: Int) {
        if offences[m] == nil {
            if layout == .full {
                main[m] = Self.block(shape.mainBlock)
            } else {
                districtAges[m] = Self.block(shape.districtAgeBlock)
                hourWeekdays[m] = Self.block(shape.hourWeekdayBlock)
            }
            people[m] = Self.block(shape.peopleBlock)
            places[m] = Self.block(shape.placeBlock)
            singleAges[m] = Self.block(shape.singleAgeBlock)
            offences[m] = Self.block(offenceBlock)
            measureCounts[m] = Self.block(shape.measureBlock)
        }
    }

    @inline(never) private func addRare(month m: Int, code: Int, district d: Int, _ unit: UInt64) {
        rareOffences[Self.rareKey(month: m, code: code, district: d), default: 0] &+= unit
        rareMonths.insert(m)
    }

    /// Adds one incident. `district` is an index, or `shape.districts` for outside the area.
    /// `strandMask` bit k = strand k, `measureMask` bit k = measure k; `inScope` false records the offence category only.
    public func add(_ i: Incident, district d: Int, inScope: Bool, strandMask: UInt8, measureMask: UInt16 = 0) {
        guard let m = slot(i.month) else { outsideSupportedMonths += 1; return }
        let offence = Int(i.offence)
        ensureBlocks(m)
        // Count and cell key in one add (see KeyedCount).
        let unit = KeyedCount.record(key: i.recordKey).bits
        if offence < Self.denseOffenceCodes {
            offences[m].unsafelyUnwrapped[offence * slots + d] &+= unit
        } else {
            addRare(month: m, code: offence, district: d, unit)
        }
        guard inScope else { return }
        let band = Int(bandOfAge[Int(UInt8(bitPattern: i.victimAge))])
        let hour = i.hour < 0 ? 24 : Int(i.hour)
        let weekday = i.day == Incident.unknownDay ? 7 : CivilDate.weekday(daysSinceEpoch: Int(i.day))
        let mainBase = (((d * bands + band) * Shape.hours + hour) * Shape.weekdays + weekday) * slices
        let districtAgeBase = (d * bands + band) * slices
        let hourWeekdayBase = ((d * Shape.hours + hour) * Shape.weekdays + weekday) * slices
        let victimBase = ((d * bands + band) * Shape.sexes + Int(i.victimSex.rawValue)) * slices
        let suspectBand = Int(bandOfAge[Int(UInt8(bitPattern: i.suspectAge))])
        let suspectBase = (((slots + d) * bands + suspectBand) * Shape.sexes + Int(i.suspectSex.rawValue)) * slices
        let placeBase = (Int(i.locationType.rawValue) * slots + d) * slices
        if measureMask != 0 {
            let xb = measureCounts[m].unsafelyUnwrapped
            var bits = measureMask, k = 0
            while bits != 0 {
                if bits & 1 != 0 { xb[d * shape.measures + k] &+= unit }
                bits >>= 1
                k += 1
            }
        }
        // [age][role][district][strand]: the victim's age with role 0, the suspect's with role 1.
        let victimAgeBase = singleAgeOffset[Int(UInt8(bitPattern: i.victimAge))] + d * slices
        let suspectAgeBase = singleAgeOffset[Int(UInt8(bitPattern: i.suspectAge))] + (slots + d) * slices
        let pb = people[m].unsafelyUnwrapped, lb = places[m].unsafelyUnwrapped
        let ab = singleAges[m].unsafelyUnwrapped
        // `.full` writes the joint cell; `.marginal` its two projections (the same pointer twice in neither case).
        let full = layout == .full
        let mb = full ? main[m].unsafelyUnwrapped : districtAges[m].unsafelyUnwrapped
        let hb = full ? mb : hourWeekdays[m].unsafelyUnwrapped
        let firstBase = full ? mainBase : districtAgeBase
        var mask = UInt(strandMask) << 1 | 1
        var k = 0
        while mask != 0 {
            if mask & 1 != 0 {
                mb[firstBase + k] &+= unit
                if !full { hb[hourWeekdayBase + k] &+= unit }
                pb[victimBase + k] &+= unit
                pb[suspectBase + k] &+= unit
                lb[placeBase + k] &+= unit
                ab[victimAgeBase + k] &+= unit
                ab[suspectAgeBase + k] &+= unit
            }
            mask >>= 1
            k += 1
        }
    }

    /// Prefetches the hour × weekday, people and single-age cells `add` will write for an in-scope incident. Called
    /// a few rows ahead of `add`: a month's hour × weekday and single-age blocks are 112 and 137 kB, so a worker's
    /// months outgrow L2, and waiting for those lines was over half of `add`'s time. A hint: counts are unchanged.
    @inline(__always) public func prefetch(_ i: Incident, district d: Int) {
        guard let m = slot(i.month), let hb = hourWeekdays[m], let ab = singleAges[m], let pb = people[m] else { return }
        let band = Int(bandOfAge[Int(UInt8(bitPattern: i.victimAge))])
        let suspectBand = Int(bandOfAge[Int(UInt8(bitPattern: i.suspectAge))])
        svd_prefetch_for_write(pb + ((d * bands + band) * Shape.sexes + Int(i.victimSex.rawValue)) * slices)
        svd_prefetch_for_write(pb + (((slots + d) * bands + suspectBand) * Shape.sexes + Int(i.suspectSex.rawValue)) * slices)
        let hour = i.hour < 0 ? 24 : Int(i.hour)
        let weekday = i.day == Incident.unknownDay ? 7 : CivilDate.weekday(daysSinceEpoch: Int(i.day))
        svd_prefetch_for_write(hb + ((d * Shape.hours + hour) * Shape.weekdays + weekday) * slices)
        svd_prefetch_for_write(ab + singleAgeOffset[Int(UInt8(bitPattern: i.victimAge))] + d * slices)
        svd_prefetch_for_write(ab + singleAgeOffset[Int(UInt8(bitPattern: i.suspectAge))] + (slots + d) * slices)
    }

    /// Adds another cube's counts into this one (the cubes must share a shape).
    public func merge(_ other: IncidentCube) {
        precondition(shape == other.shape && layout == other.layout, "cubes of different shapes or layouts cannot merge")
        for (k, v) in other.rareOffences { rareOffences[k, default: 0] &+= v }
        rareMonths.formUnion(other.rareMonths)
        for m in 0..<Self.supportedMonths {
            guard other.offences[m] != nil else { continue }
            ensureBlocks(m)
            addMonth(m, of: other)
        }
        outsideSupportedMonths += other.outsideSupportedMonths
    }

    /// Adds `other`'s blocks of month `m` into this cube's (both hold the month; same shape and layout).
    private func addMonth(_ m: Int, of other: IncidentCube) {
        if layout == .full {
            Self.addBlock(main[m]!, other.main[m]!, shape.mainBlock)
        } else {
            Self.addBlock(districtAges[m]!, other.districtAges[m]!, shape.districtAgeBlock)
            Self.addBlock(hourWeekdays[m]!, other.hourWeekdays[m]!, shape.hourWeekdayBlock)
        }
        Self.addBlock(people[m]!, other.people[m]!, shape.peopleBlock)
        Self.addBlock(places[m]!, other.places[m]!, shape.placeBlock)
        Self.addBlock(singleAges[m]!, other.singleAges[m]!, shape.singleAgeBlock)
        Self.addBlock(offences[m]!, other.offences[m]!, offenceBlock)
        Self.addBlock(measureCounts[m]!, other.measureCounts[m]!, shape.measureBlock)
    }

    /// Adds `other`'s counts into this cube and empties `other`: a month only `other` holds moves over without a copy
    /// (workers that own disjoint months merge for nothing), and each month's blocks are freed as they are added.
    public func absorb(_ other: IncidentCube) {
        precondition(shape == other.shape && layout == other.layout, "cubes of different shapes or layouts cannot merge")
        for (k, v) in other.rareOffences { rareOffences[k, default: 0] &+= v }
        rareMonths.formUnion(other.rareMonths)
        other.rareOffences = [:]
        other.rareMonths = []
        let tables = [main, people, places, singleAges, offences, measureCounts, districtAges, hourWeekdays]
        let theirs = [other.main, other.people, other.places, other.singleAges, other.offences, other.measureCounts,
                      other.districtAges, other.hourWeekdays]
        for m in 0..<Self.supportedMonths where other.offences[m] != nil {
            if offences[m] == nil {
                for (t, o) in zip(tables, theirs) { t[m] = o[m]; o[m] = nil }
                continue
            }
            addMonth(m, of: other)
            for o in theirs { o[m].map { free($0) }; o[m] = nil }
        }
        outsideSupportedMonths += other.outsideSupportedMonths
        other.outsideSupportedMonths = 0
    }

    private static func addBlock(_ dst: UnsafeMutablePointer<UInt64>, _ src: UnsafeMutablePointer<UInt64>, _ n: Int) {
        for j in 0..<n { dst[j] &+= src[j] }
    }
}

// MARK: - Reading the cube

extension IncidentCube {
    /// Months that hold at least one incident (any scope), ascending.
    public var months: [MonthKey] {
        (0..<Self.supportedMonths).filter { m in
            rareMonths.contains(m) || (offences[m].map { b in (0..<offenceBlock).contains { b[$0] != 0 } } ?? false)
        }.map { MonthKey(index: Self.firstSupportedMonth.index + Int32($0)) }
    }

    /// One non-zero main cell.
    public struct Cell: Sendable {
        public var month: MonthKey
        public var district: Int
        public var ageBand: Int
        /// 0–23, or 24 unknown
        public var hour: Int
        /// 0 = Monday … 6, or 7 unknown
        public var weekday: Int
        public var strand: Int
        public var keyed: KeyedCount
        public var count: Int { keyed.count }
    }

    /// Calls `body` with each month's two projections of the main counts: [district][ageBand][strand] and
    /// [district][hour][weekday][strand]. A `.full` cube sums them from its main block (exactly: wrapping adds).
    public func forEachMarginalBlock(in months: ClosedRange<MonthKey>? = nil,
                                     _ body: (MonthKey, UnsafePointer<UInt64>, UnsafePointer<UInt64>) -> Void) {
        let s = shape
        if layout == .marginal {
            for m in 0..<Self.supportedMonths {
                guard let da = districtAges[m], let hw = hourWeekdays[m] else { continue }
                let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
                if let months, !months.contains(key) { continue }
                body(key, UnsafePointer(da), UnsafePointer(hw))
            }
            return
        }
        let da = UnsafeMutablePointer<UInt64>.allocate(capacity: s.districtAgeBlock)
        let hw = UnsafeMutablePointer<UInt64>.allocate(capacity: s.hourWeekdayBlock)
        defer { da.deallocate(); hw.deallocate() }
        let bands = s.ageBands.count, slices = s.strandSlices
        forEachMainBlock(in: months) { key, b in
            da.initialize(repeating: 0, count: s.districtAgeBlock)
            hw.initialize(repeating: 0, count: s.hourWeekdayBlock)
            var j = 0
            for d in 0..<s.districtSlots {
                for a in 0..<bands {
                    for h in 0..<Shape.hours {
                        for w in 0..<Shape.weekdays {
                            for k in 0..<slices {
                                let c = b[j]
                                j += 1
                                guard c != 0 else { continue }
                                da[(d * bands + a) * slices + k] &+= c
                                hw[((d * Shape.hours + h) * Shape.weekdays + w) * slices + k] &+= c
                            }
                        }
                    }
                }
            }
            body(key, UnsafePointer(da), UnsafePointer(hw))
        }
    }

    /// Calls `body` with each month's main block, laid out [district][ageBand][hour][weekday][strand] (`.full` only).
    public func forEachMainBlock(in months: ClosedRange<MonthKey>? = nil, _ body: (MonthKey, UnsafePointer<UInt64>) -> Void) {
        precondition(layout == .full, "a .marginal cube keeps no joint main block")
        for m in 0..<Self.supportedMonths {
            guard let b = main[m] else { continue }
            let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
            if let months, !months.contains(key) { continue }
            body(key, UnsafePointer(b))
        }
    }

    /// Visits every non-zero main cell in months within `months` (inclusive), in a fixed order.
    public func forEachCell(in months: ClosedRange<MonthKey>? = nil, _ body: (Cell) -> Void) {
        precondition(layout == .full, "a .marginal cube keeps no joint main cells")
        let s = shape
        for m in 0..<Self.supportedMonths {
            guard let b = main[m] else { continue }
            let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
            if let months, !months.contains(key) { continue }
            var j = 0
            for d in 0..<s.districtSlots {
                for a in 0..<s.ageBands.count {
                    for h in 0..<Shape.hours {
                        for w in 0..<Shape.weekdays {
                            for k in 0..<s.strandSlices {
                                let c = b[j]
                                j += 1
                                if c != 0 { body(Cell(month: key, district: d, ageBand: a, hour: h, weekday: w, strand: k, keyed: KeyedCount(bits: c))) }
                            }
                        }
                    }
                }
            }
        }
    }

    public enum Role: Int, Sendable, CaseIterable { case victim = 0, suspect = 1 }

    public struct PersonCell: Sendable {
        public var month: MonthKey
        public var role: Role
        public var district: Int
        public var ageBand: Int
        public var sex: Sex
        public var strand: Int
        public var keyed: KeyedCount
        public var count: Int { keyed.count }
    }

    public func forEachPersonCell(in months: ClosedRange<MonthKey>? = nil, _ body: (PersonCell) -> Void) {
        let s = shape
        for m in 0..<Self.supportedMonths {
            guard let b = people[m] else { continue }
            let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
            if let months, !months.contains(key) { continue }
            var j = 0
            for r in Role.allCases {
                for d in 0..<s.districtSlots {
                    for a in 0..<s.ageBands.count {
                        for x in Sex.allCases {
                            for k in 0..<s.strandSlices {
                                let c = b[j]
                                j += 1
                                if c != 0 { body(PersonCell(month: key, role: r, district: d, ageBand: a, sex: x, strand: k, keyed: KeyedCount(bits: c))) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with each month's single-age block, laid out [age 0…120, 121 unknown][role][district][strand].
    public func forEachSingleAgeBlock(in months: ClosedRange<MonthKey>? = nil, _ body: (MonthKey, UnsafePointer<UInt64>) -> Void) {
        for m in 0..<Self.supportedMonths {
            guard let b = singleAges[m] else { continue }
            let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
            if let months, !months.contains(key) { continue }
            body(key, UnsafePointer(b))
        }
    }

    public struct PlaceCell: Sendable {
        public var month: MonthKey
        public var locationType: LocationType
        public var district: Int
        public var strand: Int
        public var keyed: KeyedCount
        public var count: Int { keyed.count }
    }

    public func forEachPlaceCell(in months: ClosedRange<MonthKey>? = nil, _ body: (PlaceCell) -> Void) {
        let s = shape
        for m in 0..<Self.supportedMonths {
            guard let b = places[m] else { continue }
            let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
            if let months, !months.contains(key) { continue }
            var j = 0
            for t in LocationType.allCases {
                for d in 0..<s.districtSlots {
                    for k in 0..<s.strandSlices {
                        let c = b[j]
                        j += 1
                        if c != 0 { body(PlaceCell(month: key, locationType: t, district: d, strand: k, keyed: KeyedCount(bits: c))) }
                    }
                }
            }
        }
    }

    public struct OffenceCell: Sendable {
        public var month: MonthKey
        public var offence: UInt16
        public var district: Int
        public var keyed: KeyedCount
        public var count: Int { keyed.count }
    }

    /// Each month's in-scope incidents by [district slot][measure], for months within `months`.
    public func forEachMeasureBlock(in months: ClosedRange<MonthKey>? = nil, _ body: (MonthKey, UnsafePointer<UInt64>) -> Void) {
        guard shape.measures > 0 else { return }
        for m in 0..<Self.supportedMonths {
            guard let b = measureCounts[m] else { continue }
            let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
            if let months, !months.contains(key) { continue }
            body(key, UnsafePointer(b))
        }
    }

    /// Every accepted incident (in scope or not) by offence code and district.
    public func forEachOffenceCell(in months: ClosedRange<MonthKey>? = nil, _ body: (OffenceCell) -> Void) {
        let stride = shape.districtSlots
        // Rare codes by month, in code then district order (after the dense codes, so the order is by code).
        var rare: [Int: [(UInt64, UInt64)]] = [:]
        for (k, v) in rareOffences { rare[Int(k >> 40), default: []].append((k, v)) }
        for m in 0..<Self.supportedMonths {
            guard let b = offences[m] else { continue }
            let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
            if let months, !months.contains(key) { continue }
            for j in 0..<offenceBlock where b[j] != 0 {
                let c = b[j]
                body(OffenceCell(month: key, offence: UInt16(j / stride), district: j % stride, keyed: KeyedCount(bits: c)))
            }
            for (k, v) in (rare[m] ?? []).sorted(by: { $0.0 < $1.0 }) {
                body(OffenceCell(month: key, offence: UInt16(truncatingIfNeeded: k >> 20), district: Int(k & 0xFFFFF), keyed: KeyedCount(bits: v)))
            }
        }
    }
}

/// One cube per worker thread, for `IncidentReader.read`'s per-worker callback. Worker `w` may touch only
/// `self[w]`: that contract, not a lock, is what makes sharing the set across threads safe. Merge after the read.
public final class WorkerCubes: @unchecked Sendable {
    private let cubes: [IncidentCube]

    public init(count: Int, shape: IncidentCube.Shape) {
        cubes = (0..<max(1, count)).map { _ in IncidentCube(shape: shape) }
    }

    public subscript(worker: Int) -> IncidentCube { cubes[worker] }

    /// All workers' counts in the first cube (the cube is mergeable, so the split changes nothing).
    public func merged() -> IncidentCube {
        for other in cubes.dropFirst() { cubes[0].merge(other) }
        return cubes[0]
    }
}

// MARK: - Stored form

/// A malformed stored cube: the bytes do not describe a cube of this shape.
public struct CubeDecodingError: Error, CustomStringConvertible {
    public let description: String
}

extension IncidentCube {
    /// The blocks of a month slot, in the stored order for this cube's layout, with their sizes.
    private func storedBlocks(_ m: Int) -> [(UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>, Int)] {
        let joint: [(UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>, Int)] = layout == .full
            ? [(main, shape.mainBlock)] : [(districtAges, shape.districtAgeBlock), (hourWeekdays, shape.hourWeekdayBlock)]
        return joint + [(people, shape.peopleBlock), (places, shape.placeBlock), (singleAges, shape.singleAgeBlock),
                        (offences, offenceBlock), (measureCounts, shape.measureBlock)]
    }

    /// The cube as bytes: its layout, then per month held, each block's non-zero cells as (index, keyed count),
    /// then the rare offence cells. Little-endian; `init(shape:decoding:)` reads it back exactly.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(UInt8(layout == .full ? 1 : 2))
        put(Int64(outsideSupportedMonths))
        let held = (0..<Self.supportedMonths).filter { offences[$0] != nil }
        put(UInt32(held.count))
        for m in held {
            put(UInt32(m))
            for (table, n) in storedBlocks(m) {
                let b = table[m]!
                let nonZero = (0..<n).reduce(0) { $0 + (b[$1] != 0 ? 1 : 0) }
                put(UInt32(nonZero))
                for j in 0..<n where b[j] != 0 { put(UInt32(j)); put(b[j]) }
            }
        }
        put(UInt32(rareOffences.count))
        for (k, v) in rareOffences.sorted(by: { $0.key < $1.key }) { put(k); put(v) }
        return out
    }

    /// Reads `encoded()`'s bytes for a cube of `shape`; throws on anything out of place (never trusts an index).
    public convenience init(shape: Shape, decoding bytes: UnsafeRawBufferPointer) throws {
        var at = 0
        func get<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard at + MemoryLayout<T>.size <= bytes.count else { throw CubeDecodingError(description: "stored cube is truncated") }
            var v: T = 0
            withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[at..<at + MemoryLayout<T>.size])) }
            at += MemoryLayout<T>.size
            return T(littleEndian: v)
        }
        let layoutByte = try get(UInt8.self)
        guard layoutByte == 1 || layoutByte == 2 else { throw CubeDecodingError(description: "stored cube has an unknown layout \(layoutByte)") }
        self.init(shape: shape, layout: layoutByte == 1 ? .full : .marginal)
        outsideSupportedMonths = Int(try get(Int64.self))
        let months = try get(UInt32.self)
        for _ in 0..<months {
            let m = Int(try get(UInt32.self))
            guard m < Self.supportedMonths, offences[m] == nil else { throw CubeDecodingError(description: "stored cube has a bad month slot \(m)") }
            ensureBlocks(m)
            for (table, n) in storedBlocks(m) {
                let b = table[m]!
                for _ in 0..<(try get(UInt32.self)) {
                    let j = Int(try get(UInt32.self))
                    guard j < n else { throw CubeDecodingError(description: "stored cube has a cell outside its block") }
                    b[j] = try get(UInt64.self)
                }
            }
        }
        for _ in 0..<(try get(UInt32.self)) {
            let k = try get(UInt64.self), v = try get(UInt64.self)
            guard Int(k >> 40) < Self.supportedMonths, Int(k & 0xFFFFF) < slots else { throw CubeDecodingError(description: "stored cube has a bad rare offence cell") }
            rareOffences[k] = v
            rareMonths.insert(Int(k >> 40))
        }
        guard at == bytes.count else { throw CubeDecodingError(description: "stored cube has \(bytes.count - at) bytes too many") }
    }

    /// Renumbers the offence codes (`map[old]` = new), as when cubes binned against different catalogues are put
    /// in one catalogue's codes; a code moves between the dense block and the rare cells as its new value says.
    public func remapOffences(_ map: [UInt16]) {
        let oldRare = rareOffences
        rareOffences = [:]
        rareMonths = []
        for m in 0..<Self.supportedMonths {
            guard let old = offences[m] else { continue }
            let fresh = Self.block(offenceBlock)
            for j in 0..<offenceBlock where old[j] != 0 {
                let code = Int(map[j / slots]), d = j % slots
                if code < Self.denseOffenceCodes { fresh[code * slots + d] &+= old[j] } else { addRare(month: m, code: code, district: d, old[j]) }
            }
            free(old)
            offences[m] = fresh
        }
        for (k, v) in oldRare {
            let m = Int(k >> 40), code = Int(map[Int((k >> 20) & 0xFFFFF)]), d = Int(k & 0xFFFFF)
            if code < Self.denseOffenceCodes { offences[m]![code * slots + d] &+= v } else { addRare(month: m, code: code, district: d, v) }
        }
    }
}
