import SVDCore

/// The marginal totals the tables are built from, summed once from the cube for a period
/// (and optionally one district, for a CSP's own pack).
public struct CubeMarginals: Sendable {
    public let shape: IncidentCube.Shape
    public let period: ClosedRange<MonthKey>
    /// [strand][district slot] — the last slot is "outside the area".
    public var byDistrict: [[Int]]
    /// [strand][ageBand][district slot], victim age band.
    public var byVictimAge: [[[Int]]]
    /// [role][district slot][ageBand][sex], all serious violence.
    public var byPerson: [[[[Int]]]]
    /// [hour 0…24][weekday 0…7], all serious violence (24/7 = unknown).
    public var hourWeekday: [[Int]]
    /// [strand][hour 0…24][weekday 0…7]
    public var hourWeekdayByStrand: [[[Int]]]
    /// [strand][locationType][district slot]
    public var byPlace: [[[Int]]]
    /// [strand] keyed by month
    public var byMonth: [[MonthKey: Int]]
    /// [strand][month][ageBand] — for cohort change.
    public var byMonthAndAge: [[MonthKey: [Int]]]
    /// [district slot][month][victim ageBand], all serious violence — for district change by cohort.
    public var byDistrictMonthAge: [[MonthKey: [Int]]]
    /// [offence code][district slot], every accepted incident including out of scope.
    public var byOffence: [[Int]]

    /// Sums the cube over `period`. With `district`, only that district's incidents count.
    public init(cube: IncidentCube, period: ClosedRange<MonthKey>, district: Int? = nil, monthsFrom: MonthKey? = nil) {
        let s = cube.shape
        shape = s
        self.period = period
        let slots = s.districtSlots, bands = s.ageBands.count, strands = s.strandSlices
        let hours = IncidentCube.Shape.hours, days = IncidentCube.Shape.weekdays
        byDistrict = Array(repeating: Array(repeating: 0, count: slots), count: strands)
        byVictimAge = Array(repeating: Array(repeating: Array(repeating: 0, count: slots), count: bands), count: strands)
        byPerson = Array(repeating: Array(repeating: Array(repeating: Array(repeating: 0, count: Sex.allCases.count), count: bands), count: slots), count: 2)
        hourWeekday = Array(repeating: Array(repeating: 0, count: days), count: hours)
        hourWeekdayByStrand = Array(repeating: hourWeekday, count: strands)
        byPlace = Array(repeating: Array(repeating: Array(repeating: 0, count: slots), count: LocationType.allCases.count), count: strands)
        byMonth = Array(repeating: [:], count: strands)
        byMonthAndAge = Array(repeating: [:], count: strands)
        byOffence = []
        byDistrictMonthAge = Array(repeating: [:], count: slots)

        // Monthly series may reach back before the period (change needs the previous 12 months).
        let seriesRange = (monthsFrom ?? period.lowerBound)...period.upperBound
        var dm = byDistrict, va = byVictimAge, hw = hourWeekdayByStrand, bm = byMonth, bma = byMonthAndAge, dma = byDistrictMonthAge
        cube.forEachCell(in: seriesRange) { c in
            if let district, c.district != district { return }
            bm[c.strand][c.month, default: 0] += c.count
            bma[c.strand][c.month, default: Array(repeating: 0, count: bands)][c.ageBand] += c.count
            if c.strand == 0 { dma[c.district][c.month, default: Array(repeating: 0, count: bands)][c.ageBand] += c.count }
            guard period.contains(c.month) else { return }
            dm[c.strand][c.district] += c.count
            va[c.strand][c.ageBand][c.district] += c.count
            hw[c.strand][c.hour][c.weekday] += c.count
        }
        byDistrict = dm
        byVictimAge = va
        hourWeekdayByStrand = hw
        hourWeekday = hw[0]
        byMonth = bm
        byMonthAndAge = bma
        byDistrictMonthAge = dma
        var bp = byPerson
        cube.forEachPersonCell(in: period) { c in
            guard c.strand == 0, district == nil || c.district == district else { return }
            bp[c.role.rawValue][c.district][c.ageBand][Int(c.sex.rawValue)] += c.count
        }
        byPerson = bp
        var pl = byPlace
        cube.forEachPlaceCell(in: period) { c in
            guard district == nil || c.district == district else { return }
            pl[c.strand][Int(c.locationType.rawValue)][c.district] += c.count
        }
        byPlace = pl
        var bo: [[Int]] = []
        cube.forEachOffenceCell(in: period) { c in
            guard district == nil || c.district == district else { return }
            while bo.count <= Int(c.offence) { bo.append(Array(repeating: 0, count: slots)) }
            bo[Int(c.offence)][c.district] += c.count
        }
        byOffence = bo
    }

    /// All serious violence in the period, inside and outside the area.
    public var total: Int { byDistrict[0].reduce(0, +) }
}
