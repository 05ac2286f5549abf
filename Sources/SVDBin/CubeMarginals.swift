import SVDCore

/// The marginal totals the tables are built from, summed once from the cube for a period
/// (and optionally one district, for a CSP's own pack).
public struct CubeMarginals: Sendable {
    public let shape: IncidentCube.Shape
    public let period: ClosedRange<MonthKey>
    /// [strand][district slot] — the last slot is "outside the area".
    public var byDistrict: [[KeyedCount]]
    /// [strand][ageBand][district slot], victim age band.
    public var byVictimAge: [[[KeyedCount]]]
    /// [role][district slot][ageBand][sex], all serious violence.
    public var byPerson: [[[[KeyedCount]]]]
    /// [strand][role][district slot][ageBand][sex]: `byPerson` for every strand slice (slice 0 is `byPerson`).
    public var byPersonByStrand: [[[[[KeyedCount]]]]]
    /// [role][strand][district slot][single year of age 0…120, then 121 unknown].
    public var bySingleAge: [[[[KeyedCount]]]]
    /// [hour 0…24][weekday 0…7], all serious violence (24/7 = unknown).
    public var hourWeekday: [[KeyedCount]]
    /// [strand][hour 0…24][weekday 0…7]
    public var hourWeekdayByStrand: [[[KeyedCount]]]
    /// [strand][locationType][district slot]
    public var byPlace: [[[KeyedCount]]]
    /// [strand] keyed by month
    public var byMonth: [[MonthKey: KeyedCount]]
    /// [strand][month][ageBand] — for cohort change.
    public var byMonthAndAge: [[MonthKey: [KeyedCount]]]
    /// [district slot][month][victim ageBand], all serious violence — for district change by cohort.
    public var byDistrictMonthAge: [[MonthKey: [KeyedCount]]]
    /// [offence code][district slot], every accepted incident including out of scope.
    public var byOffence: [[KeyedCount]]
    /// [measure][district slot] keyed by month, from `monthsFrom` (change needs earlier months). A pack's
    /// marginals hold its district only.
    public var byMeasureMonth: [[[MonthKey: KeyedCount]]]

    /// Sums the cube over `period`. With `district`, only that district's incidents count.
    public init(cube: IncidentCube, period: ClosedRange<MonthKey>, district: Int? = nil, monthsFrom: MonthKey? = nil) {
        let s = cube.shape
        shape = s
        self.period = period
        let slots = s.districtSlots, bands = s.ageBands.count, strands = s.strandSlices
        let hours = IncidentCube.Shape.hours, days = IncidentCube.Shape.weekdays
        byDistrict = Array(repeating: Array(repeating: KeyedCount.zero, count: slots), count: strands)
        byVictimAge = Array(repeating: Array(repeating: Array(repeating: KeyedCount.zero, count: slots), count: bands), count: strands)
        byPerson = Array(repeating: Array(repeating: Array(repeating: Array(repeating: KeyedCount.zero, count: Sex.allCases.count), count: bands), count: slots), count: 2)
        byPersonByStrand = Array(repeating: byPerson, count: strands)
        let ages = IncidentCube.Shape.singleAges
        bySingleAge = Array(repeating: Array(repeating: Array(repeating: Array(repeating: KeyedCount.zero, count: ages), count: slots), count: strands), count: 2)
        hourWeekday = Array(repeating: Array(repeating: KeyedCount.zero, count: days), count: hours)
        hourWeekdayByStrand = Array(repeating: hourWeekday, count: strands)
        byPlace = Array(repeating: Array(repeating: Array(repeating: KeyedCount.zero, count: slots), count: LocationType.allCases.count), count: strands)
        byMonth = Array(repeating: [:], count: strands)
        byMonthAndAge = Array(repeating: [:], count: strands)
        byOffence = []
        byDistrictMonthAge = Array(repeating: [:], count: slots)

        // Monthly series may reach back before the period (change needs the previous 12 months).
        let seriesRange = (monthsFrom ?? period.lowerBound)...period.upperBound
        var dm = byDistrict, va = byVictimAge, hw = hourWeekdayByStrand, bm = byMonth, bma = byMonthAndAge, dma = byDistrictMonthAge
        // Month by month over the cube's two projections of its main counts ([district][band][strand] and
        // [district][hour][weekday][strand]): every sum below is one of them, so no per-cell closures or hashing.
        cube.forEachMarginalBlock(in: seriesRange) { month, block, hourBlock in
            let inPeriod = period.contains(month)
            var monthTotals = Array(repeating: KeyedCount.zero, count: strands)
            var monthAge = Array(repeating: Array(repeating: KeyedCount.zero, count: bands), count: strands)
            var districtAge = Array(repeating: Array(repeating: KeyedCount.zero, count: bands), count: slots)
            var j = 0
            for d in 0..<slots {
                let counted = district == nil || district == d
                for a in 0..<bands {
                    for k in 0..<strands {
                        let c = KeyedCount(bits: block[j])
                        j += 1
                        guard c.bits != 0, counted else { continue }
                        if inPeriod { dm[k][d] += c }
                        // Everything else is within the area: a total that included the outside bucket
                        // would give away its (possibly small) count by difference.
                        guard d < s.districts || district == d else { continue }
                        monthTotals[k] += c
                        monthAge[k][a] += c
                        if k == 0 { districtAge[d][a] += c }
                        if inPeriod { va[k][a][d] += c }
                    }
                }
            }
            if inPeriod {
                j = 0
                for d in 0..<slots {
                    let counted = (district == nil || district == d) && (d < s.districts || district == d)
                    guard counted else { j += hours * days * strands; continue }
                    for h in 0..<hours {
                        for w in 0..<days {
                            for k in 0..<strands {
                                let c = KeyedCount(bits: hourBlock[j])
                                j += 1
                                if c.bits != 0 { hw[k][h][w] += c }
                            }
                        }
                    }
                }
            }
            for k in 0..<strands where !monthTotals[k].isZero {
                bm[k][month] = monthTotals[k]
                bma[k][month] = monthAge[k]
            }
            for d in 0..<slots where districtAge[d].contains(where: { !$0.isZero }) { dma[d][month] = districtAge[d] }
        }
        byDistrict = dm
        byVictimAge = va
        hourWeekdayByStrand = hw
        hourWeekday = hw[0]
        byMonth = bm
        byMonthAndAge = bma
        byDistrictMonthAge = dma
        var bps = byPersonByStrand
        cube.forEachPersonCell(in: period) { c in
            guard district == nil || c.district == district else { return }
            bps[c.strand][c.role.rawValue][c.district][c.ageBand][Int(c.sex.rawValue)] += c.keyed
        }
        byPersonByStrand = bps
        byPerson = bps[0]
        var sa = bySingleAge
        cube.forEachSingleAgeBlock(in: period) { _, block in
            var j = 0
            for a in 0..<ages {
                for r in 0..<2 {
                    for d in 0..<slots {
                        let counted = district == nil || district == d
                        for k in 0..<strands {
                            let c = KeyedCount(bits: block[j])
                            j += 1
                            if c.bits != 0 && counted { sa[r][k][d][a] += c }
                        }
                    }
                }
            }
        }
        bySingleAge = sa
        var pl = byPlace
        cube.forEachPlaceCell(in: period) { c in
            guard district.map({ c.district == $0 }) ?? (c.district < s.districts) else { return }
            pl[c.strand][Int(c.locationType.rawValue)][c.district] += c.keyed
        }
        byPlace = pl
        var bo: [[KeyedCount]] = []
        cube.forEachOffenceCell(in: period) { c in
            guard district == nil || c.district == district else { return }
            while bo.count <= Int(c.offence) { bo.append(Array(repeating: KeyedCount.zero, count: slots)) }
            bo[Int(c.offence)][c.district] += c.keyed
        }
        byOffence = bo
        var mm = Array(repeating: Array(repeating: [MonthKey: KeyedCount](), count: slots), count: s.measures)
        cube.forEachMeasureBlock(in: seriesRange) { month, block in
            for d in 0..<slots where district == nil || district == d {
                for k in 0..<s.measures {
                    let c = KeyedCount(bits: block[d * s.measures + k])
                    if !c.isZero { mm[k][d][month] = c }
                }
            }
        }
        byMeasureMonth = mm
    }

    /// All serious violence in the period, inside and outside the area.
    public var total: KeyedCount { byDistrict[0].sum() }
}
