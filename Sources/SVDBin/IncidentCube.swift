import SVDCore

/// Counts of incidents by district × age band × hour × weekday × month × strand, plus the side tables
/// a needs assessment prints (victim/suspect age and sex, location type, offence category).
///
/// The cube is *mergeable*: the cube of two disjoint inputs is the sum of their cubes, so work can be split
/// by file or by thread and added up at the end. Month blocks are allocated on first use, so memory
/// grows with the span of months covered, never with the number of rows.
public final class IncidentCube: @unchecked Sendable {
    public struct Shape: Sendable, Equatable {
        /// Districts of the area; index `districts` means "outside the area".
        public let districts: Int
        public let ageBands: AgeBands
        /// Strand slices: slice 0 is all serious violence, slice k is definitions strand k-1.
        public let strandSlices: Int
        public let strandLabels: [String]

        public static let hours = 25        // 0–23, 24 = unknown
        public static let weekdays = 8      // Mon…Sun, 7 = unknown
        public static let sexes = Sex.allCases.count
        public static let roles = 2         // victim, suspect
        public static let locationTypes = LocationType.allCases.count

        public init(districts: Int, definitions: Definitions) {
            self.districts = districts
            ageBands = definitions.ageBands
            strandSlices = definitions.strands.count + 1
            strandLabels = ["All serious violence"] + definitions.strands.map(\.label)
        }

        /// Districts plus the outside bucket.
        @inlinable public var districtSlots: Int { districts + 1 }
        @inlinable var mainBlock: Int { districtSlots * ageBands.count * Shape.hours * Shape.weekdays * strandSlices }
        @inlinable var peopleBlock: Int { Shape.roles * districtSlots * ageBands.count * Shape.sexes * strandSlices }
        @inlinable var placeBlock: Int { Shape.locationTypes * districtSlots * strandSlices }
    }

    /// Months from 1900-01 to 2199-12: a direct index, so a row costs no hashing.
    public static let firstSupportedMonth = MonthKey(year: 1900, month: 1)
    public static let supportedMonths = 300 * 12

    public let shape: Shape
    /// Per month: main counts [district][ageBand][hour][weekday][strand] (victim age band).
    private var main: [UnsafeMutablePointer<UInt32>?]
    /// Per month: [role][district][ageBand][sex][strand].
    private var people: [UnsafeMutablePointer<UInt32>?]
    /// Per month: [locationType][district][strand].
    private var places: [UnsafeMutablePointer<UInt32>?]
    /// Every accepted incident, in scope or not, by [month][offence code][district]; grows with the catalog.
    private var offences: [[UInt32]]
    /// Incidents whose month lies outside 1900–2199 (ingest should already have rejected them).
    public private(set) var outsideSupportedMonths = 0

    public init(shape: Shape) {
        self.shape = shape
        main = Array(repeating: nil, count: Self.supportedMonths)
        people = Array(repeating: nil, count: Self.supportedMonths)
        places = Array(repeating: nil, count: Self.supportedMonths)
        offences = Array(repeating: [], count: Self.supportedMonths)
    }

    deinit {
        for p in main { p?.deallocate() }
        for p in people { p?.deallocate() }
        for p in places { p?.deallocate() }
    }

    private static func block(_ n: Int) -> UnsafeMutablePointer<UInt32> {
        let p = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
        p.initialize(repeating: 0, count: n)
        return p
    }

    @inline(__always) private func slot(_ month: Int32) -> Int? {
        let m = Int(month) - Int(Self.firstSupportedMonth.index)
        return m >= 0 && m < Self.supportedMonths ? m : nil
    }

    private func ensureBlocks(_ m: Int) {
        if main[m] == nil {
            main[m] = Self.block(shape.mainBlock)
            people[m] = Self.block(shape.peopleBlock)
            places[m] = Self.block(shape.placeBlock)
        }
    }

    /// Adds one incident. `district` is an index, or `shape.districts` for outside the area.
    /// `strandMask` bit k = strand k; `inScope` false records the offence category only.
    @inlinable public func add(_ i: Incident, district: Int, inScope: Bool, strandMask: UInt8) {
        addImpl(i, district: district, inScope: inScope, strandMask: strandMask)
    }

    @usableFromInline func addImpl(_ i: Incident, district: Int, inScope: Bool, strandMask: UInt8) {
        guard let m = slot(i.month) else { outsideSupportedMonths += 1; return }
        let s = shape
        let d = district
        let offence = Int(i.offence)
        let offenceStride = s.districtSlots
        if offences[m].count < (offence + 1) * offenceStride {
            offences[m].append(contentsOf: repeatElement(0, count: (offence + 1) * offenceStride - offences[m].count))
        }
        offences[m][offence * offenceStride + d] &+= 1
        guard inScope else { return }
        ensureBlocks(m)
        let band = s.ageBands.index(ofAge: i.victimAge)
        let hour = i.hour < 0 ? 24 : Int(i.hour)
        let weekday = i.day == Incident.unknownDay ? 7 : CivilDate.weekday(daysSinceEpoch: Int(i.day))
        let slices = s.strandSlices
        let mainBase = (((d * s.ageBands.count + band) * Shape.hours + hour) * Shape.weekdays + weekday) * slices
        let victimBase = (((0 * s.districtSlots + d) * s.ageBands.count + band) * Shape.sexes + Int(i.victimSex.rawValue)) * slices
        let suspectBand = s.ageBands.index(ofAge: i.suspectAge)
        let suspectBase = (((1 * s.districtSlots + d) * s.ageBands.count + suspectBand) * Shape.sexes + Int(i.suspectSex.rawValue)) * slices
        let placeBase = (Int(i.locationType.rawValue) * s.districtSlots + d) * slices
        let mb = main[m]!, pb = people[m]!, lb = places[m]!
        var mask = UInt(strandMask) << 1 | 1
        var k = 0
        while mask != 0 {
            if mask & 1 != 0 {
                mb[mainBase + k] &+= 1
                pb[victimBase + k] &+= 1
                pb[suspectBase + k] &+= 1
                lb[placeBase + k] &+= 1
            }
            mask >>= 1
            k += 1
        }
    }

    /// Adds another cube's counts into this one (the cubes must share a shape).
    public func merge(_ other: IncidentCube) {
        precondition(shape == other.shape, "cubes of different shapes cannot merge")
        for m in 0..<Self.supportedMonths {
            if let src = other.main[m] {
                ensureBlocks(m)
                Self.addBlock(main[m]!, src, shape.mainBlock)
                Self.addBlock(people[m]!, other.people[m]!, shape.peopleBlock)
                Self.addBlock(places[m]!, other.places[m]!, shape.placeBlock)
            }
        }
        for (m, row) in other.offences.enumerated() where !row.isEmpty {
            if offences[m].count < row.count { offences[m].append(contentsOf: repeatElement(0, count: row.count - offences[m].count)) }
            for j in row.indices { offences[m][j] &+= row[j] }
        }
        outsideSupportedMonths += other.outsideSupportedMonths
    }

    private static func addBlock(_ dst: UnsafeMutablePointer<UInt32>, _ src: UnsafeMutablePointer<UInt32>, _ n: Int) {
        for j in 0..<n { dst[j] &+= src[j] }
    }
}

// MARK: - Reading the cube

extension IncidentCube {
    /// Months that hold at least one incident (any scope), ascending.
    public var months: [MonthKey] {
        offences.indices.filter { offences[$0].contains { $0 != 0 } }.map { MonthKey(index: Self.firstSupportedMonth.index + Int32($0)) }
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
        public var count: Int
    }

    /// Visits every non-zero main cell in months within `months` (inclusive), in a fixed order.
    public func forEachCell(in months: ClosedRange<MonthKey>? = nil, _ body: (Cell) -> Void) {
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
                                if c != 0 { body(Cell(month: key, district: d, ageBand: a, hour: h, weekday: w, strand: k, count: Int(c))) }
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
        public var count: Int
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
                                if c != 0 { body(PersonCell(month: key, role: r, district: d, ageBand: a, sex: x, strand: k, count: Int(c))) }
                            }
                        }
                    }
                }
            }
        }
    }

    public struct PlaceCell: Sendable {
        public var month: MonthKey
        public var locationType: LocationType
        public var district: Int
        public var strand: Int
        public var count: Int
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
                        if c != 0 { body(PlaceCell(month: key, locationType: t, district: d, strand: k, count: Int(c))) }
                    }
                }
            }
        }
    }

    public struct OffenceCell: Sendable {
        public var month: MonthKey
        public var offence: UInt16
        public var district: Int
        public var count: Int
    }

    /// Every accepted incident (in scope or not) by offence code and district.
    public func forEachOffenceCell(in months: ClosedRange<MonthKey>? = nil, _ body: (OffenceCell) -> Void) {
        let stride = shape.districtSlots
        for m in offences.indices where !offences[m].isEmpty {
            let key = MonthKey(index: Self.firstSupportedMonth.index + Int32(m))
            if let months, !months.contains(key) { continue }
            for (j, c) in offences[m].enumerated() where c != 0 {
                body(OffenceCell(month: key, offence: UInt16(j / stride), district: j % stride, count: Int(c)))
            }
        }
    }
}
