import Dispatch
import SVDCore
import SVDDetect
import SVDBin
import SVDMeasure

extension Assessment {
    /// Computes the assessment of the area, or with `district` of that district's pack: the per-district figures
    /// stay area-wide, everything else counts only the district's incidents.
    public init(input: AssessmentInput, district: Int? = nil) {
        let b = Builder(input: input, district: district)
        areaName = input.areaName
        scopeName = b.scopeName
        scopeDistrict = district
        period = input.period
        years = input.years
        definitions = input.definitions
        populationNote = input.populationNote
        policy = input.disclosure
        disclosure = b.disclosure
        firstDataMonth = b.firstDataMonth
        twelveMonths = b.twelve
        financialYears = b.financialYears
        (districts, areaRow, outside) = b.districtRows()
        scopeTotalCount = b.scopeTotal
        scopeMarginals = b.scope
        scopeIncidents = b.release(b.scopeTotal)
        scopeBreakdownShown = b.disclosure.allowsBreakdown(of: b.scopeTotal)
        cohorts = b.cohortRows()
        headline = b.headline(cohorts)
        strands = b.strandRows()
        hourWeekday = b.hourWeekdayRows()
        (locationTypes, locationTotal) = b.locationRows()
        monthlyTrend = b.trendMonths()
        offenceMix = b.offenceGroups()
        dataQuality = b.dataQuality()
        (victimAges, victimAgeTotal, victimAgePopulation, victimAgeKnown) = b.victimAgeBands()
        headlineCards = b.headlineCards(b.scope, cohortSeries: b.scopeCohortSeries, total: b.scopeTotal)
        measures = b.measureRows()
        kpiHeadline = b.kpiHeadline(measures)
        quarterWindow = b.quarterWindow
        quarters = b.quarterRows()
        (financialYearByDistrict, financialYearArea, financialYearByStrand) = b.financialYearRows()
        groupings = b.groupingRows(areaRate: areaRow.rate)
        peakHours = b.peakWindows(hourWeekday)
        areaHeadlineCards = district == nil ? []
            : b.headlineCards(b.area, cohortSeries: b.areaCohortSeries, total: b.area.byDistrict[0][0..<b.n].sum())
        people = b.peopleAndPlaces()
        // Each source through the same builder and disclosure engine, so a source's figures mean what the combined ones do.
        context = b.contextRows()
        overlap = b.overlapRows()
        overlapInput = input.overlap
        bySource = Self.sourceAssessments(input, district: district)
    }

    /// Each source's assessment, on all cores (each reads only its own cube; none writes shared state).
    static func sourceAssessments(_ input: AssessmentInput, district: Int?) -> [SourceAssessment] {
        let sources = input.sources
        guard sources.count > 1 else {
            return sources.map { SourceAssessment(name: $0.name, partners: $0.partners, assessment: Assessment(input: input.restricted(to: $0), district: district)) }
        }
        var out = [SourceAssessment?](repeating: nil, count: sources.count)
        nonisolated(unsafe) let input = input, slices = sources
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            DispatchQueue.concurrentPerform(iterations: sources.count) { k in
                let s = slices[k]
                buffer[k] = SourceAssessment(name: s.name, partners: s.partners, assessment: Assessment(input: input.restricted(to: s), district: district))
            }
        }
        return out.map { $0! }
    }

    /// Rate per 1,000 per year of a released count, with its 95% CI (Byar's from 10, exact Poisson below).
    static func rate(_ released: Released, population: Int, years: Double) -> RateEstimate? {
        guard let count = released.value, population > 0 else { return nil }
        return try? RateEstimate(count: count, population: Double(population) * years, multiplier: 1000)
    }

    /// A share of a published whole, in per cent, from published values only (as `Disclosure.share`).
    static func share(_ part: Released, of whole: Released) -> Double? {
        guard let p = part.value, let w = whole.value, w > 0 else { return nil }
        return Double(p) / Double(w) * 100
    }
}

/// The computation behind `Assessment.init`: marginals summed once, and every monthly series a change needs
/// summed once per district × cohort (and per strand), so each window is totalled from arrays.
struct Builder {
    let input: AssessmentInput
    let district: Int?
    let disclosure: Disclosure
    /// Area-wide marginals, and the scope's (the same for the area).
    let area: CubeMarginals
    let scope: CubeMarginals
    let n: Int
    let bands: AgeBands
    let firstDataMonth: MonthKey?
    /// The months change series cover: from the first month with data (at most 36 back) to the period's end.
    let seriesMonths: [MonthKey]
    let twelve: Assessment.Window?
    let financialYears: Assessment.FinancialYears?
    let cohorts: [(id: String, label: String, under: Int?)]
    /// [district][cohort][month of `seriesMonths`], area marginals.
    let districtCohortSeries: [[[KeyedCount]]]
    /// [cohort][month], summed over the area's districts.
    let areaCohortSeries: [[KeyedCount]]
    let scopeCohortSeries: [[KeyedCount]]

    init(input: AssessmentInput, district: Int?) {
        self.input = input
        self.district = district
        disclosure = Disclosure(policy: input.disclosure)
        // Up to 36 months before the period's end are summed too, so 12-month and financial-year change can compare.
        let monthsFrom = min(input.period.lowerBound, input.period.upperBound.adding(months: -35))
        let area = CubeMarginals(cube: input.cube, period: input.period, monthsFrom: monthsFrom)
        let scope = district.map { CubeMarginals(cube: input.cube, period: input.period, district: $0, monthsFrom: monthsFrom) } ?? area
        self.area = area
        self.scope = scope
        let n = input.districts.count
        self.n = n
        let bands = input.definitions.ageBands
        self.bands = bands
        // Found once: it scans the whole cube.
        let firstData = input.cube.months.first
        firstDataMonth = firstData
        let cohorts: [(id: String, label: String, under: Int?)] = [("all_ages", "All serious violence", nil)]
            + input.definitions.cohorts.map { ($0.id, $0.label, $0.under) }
        self.cohorts = cohorts

        let end = input.period.upperBound
        var months: [MonthKey] = []
        if let firstData {
            var m = max(firstData, end.adding(months: -35))
            while m <= end { months.append(m); m = m.adding(months: 1) }
        }
        seriesMonths = months
        // Which windows exist depends only on the months covered, not on the counts: settle it once.
        let coverage = months.first.flatMap { try? MonthlySeries(firstMonth: $0, counts: Array(repeating: 0, count: months.count)) }
        twelve = coverage.flatMap { try? PeriodChange.rolling12(endingAt: end, in: $0) }
            .map { Assessment.Window(current: $0.current, previous: $0.previous) }
        financialYears = coverage.flatMap { try? FinancialYearChange.latestComplete(in: $0) }
            .map { Assessment.FinancialYears(label: $0.label, previousLabel: $0.previousLabel,
                                             window: Assessment.Window(current: $0.change.current, previous: $0.change.previous)) }

        // Victims younger than the cohort's age; all ages (unknown included) for all serious violence.
        let bandRanges = cohorts.map { c in c.under.flatMap { bands.bands(under: $0) } ?? 0..<bands.count }
        func series(_ m: CubeMarginals, district d: Int) -> [[KeyedCount]] {
            bandRanges.map { range in
                months.map { month in
                    guard let row = m.byDistrictMonthAge[d][month] else { return .zero }
                    return range.reduce(.zero) { $0 + row[$1] }
                }
            }
        }
        func summed(_ perDistrict: [[[KeyedCount]]]) -> [[KeyedCount]] {
            bandRanges.indices.map { c in months.indices.map { i in perDistrict.reduce(.zero) { $0 + $1[c][i] } } }
        }
        let byDistrict = (0..<n).map { series(area, district: $0) }
        districtCohortSeries = byDistrict
        areaCohortSeries = summed(byDistrict)
        scopeCohortSeries = district == nil ? summed(byDistrict) : summed((0..<n).map { series(scope, district: $0) })
    }

    func release(_ c: KeyedCount) -> Released { disclosure.release(c) }

    var years: Double { input.years }
    var districts: [DistrictProfile] { input.districts }
    var areaPopulation: Int { districts.reduce(0) { $0 + $1.population } }
    var scopeDistricts: [Int] { district.map { [$0] } ?? Array(0..<n) }
    var scopeName: String { district.map { districts[$0].name } ?? input.areaName }

    /// Serious violence in the scope (the pack's district, or the area without the outside bucket).
    var scopeTotal: KeyedCount {
        district.map { scope.byDistrict[0][$0] } ?? scope.byDistrict[0][0..<n].sum()
    }

    /// The total of a monthly series over a window lying within `seriesMonths`.
    func total(_ series: [KeyedCount], _ months: ClosedRange<MonthKey>) -> KeyedCount {
        let from = Int(months.lowerBound.index - seriesMonths[0].index), to = Int(months.upperBound.index - seriesMonths[0].index)
        return series[from...to].sum()
    }

    func change(_ series: [KeyedCount], _ w: Assessment.Window) -> Assessment.Change {
        Assessment.Change(current: release(total(series, w.current)), previous: release(total(series, w.previous)), window: w)
    }

    /// Strand counts with rates, each strand a breakdown of `base`.
    func strandCounts(_ counts: [KeyedCount], base: KeyedCount, population: Int) -> [Assessment.StrandCount] {
        disclosure.breakdown(counts, base: base).map { r in
            Assessment.StrandCount(incidents: r, ratePerThousand: r.value.map { Double($0) / years / Double(population) * 1000 })
        }
    }

    // MARK: Districts

    func districtRows() -> ([Assessment.DistrictRow], Assessment.AreaRow, Released) {
        let counts = area.byDistrict[0]
        let shown = counts[0..<n].map(release)
        let totalShown = release(counts[0..<n].sum())
        let areaRate = Assessment.rate(totalShown, population: areaPopulation, years: years)
        let rates = (0..<n).map { Assessment.rate(shown[$0], population: districts[$0].population, years: years) }
        // Ranks only over published values: a hidden district is unranked and listed after, by code, so the
        // order says nothing about its count.
        let ranked = (0..<n).filter { rates[$0] != nil }.sorted {
            let a = rates[$0]!.rate, b = rates[$1]!.rate
            return a != b ? a > b : districts[$0].code < districts[$1].code
        }
        let unranked = (0..<n).filter { rates[$0] == nil }.sorted { districts[$0].code < districts[$1].code }
        let strandSlices = 1..<area.shape.strandSlices
        let rows = (ranked + unranked).enumerated().map { i, d in
            // Cohorts, strands and age × sex break the district down, so they follow the minimum base.
            let open = disclosure.allowsBreakdown(of: counts[d])
            let cohortChanges = twelve.map { w in
                cohorts.indices.map { c in c == 0 || open ? change(districtCohortSeries[d][c], w) : .withheld(w) }
            } ?? []
            return Assessment.DistrictRow(
                index: d, code: districts[d].code, name: districts[d].name, incidents: shown[d], population: districts[d].population,
                rank: i < ranked.count ? i + 1 : nil, rate: rates[d],
                comparedWithArea: rates[d].flatMap { r in areaRate.map { r.compared(toBenchmarkRate: $0.rate) } },
                change: cohortChanges.first, breakdownShown: open, cohortChanges: cohortChanges,
                strands: strandCounts(strandSlices.map { area.byDistrict[$0][d] }, base: counts[d], population: districts[d].population),
                victims: ageSex(.victim, district: d, open: open), suspects: ageSex(.suspect, district: d, open: open))
        }
        let areaChanges = twelve.map { w in cohorts.indices.map { change(areaCohortSeries[$0], w) } } ?? []
        let areaRow = Assessment.AreaRow(
            incidents: totalShown, population: areaPopulation, rate: areaRate, change: areaChanges.first, cohortChanges: areaChanges,
            strands: strandCounts(strandSlices.map { area.byDistrict[$0][0..<n].sum() }, base: counts[0..<n].sum(), population: areaPopulation))
        return (rows, areaRow, release(counts[n]))
    }

    func ageSex(_ role: IncidentCube.Role, district d: Int, open: Bool) -> [Assessment.AgeSexBand] {
        let recording = recording
        return (0..<bands.count).map { a in
            let bySex = Sex.order.map { area.byPerson[role.rawValue][d][a][Int($0.rawValue)] }
            let all = open ? release(bySex.sum()) : .withheld
            let pop = a < bands.lowerBounds.count ? districts[d].populationByAgeBand[a] : nil
            var rate: Double?
            if let pop, pop > 0, let v = all.value { rate = Double(v) / years / Double(pop) * 1000 }
            let shown = open ? bySex.map(release) : bySex.map { _ in .withheld }
            return Assessment.AgeSexBand(band: a, label: bands.label(of: a), bySex: shown, all: all, population: pop, ratePerThousand: rate,
                                         sexRates: sexRates(role, band: a, populations: (districts[d].femaleByAgeBand, districts[d].maleByAgeBand),
                                                            bySex: shown, recording: recording))
        }
    }

    // MARK: Cohorts and headline

    func cohortRows() -> [Assessment.CohortRow] {
        cohorts.enumerated().map { i, c in
            // The scope's residents: a pack's cohort rate is its own incidents over its own population.
            let population = c.under.map { u in
                scopeDistricts.reduce(0) { sum, d in sum + (bands.bands(under: u) ?? 0..<0).reduce(0) { $0 + districts[d].populationByAgeBand[$1] } }
            } ?? scopeDistricts.reduce(0) { $0 + districts[$1].population }
            let ch = twelve.map { change(scopeCohortSeries[i], $0) }
            return Assessment.CohortRow(
                id: c.id, label: c.label, under: c.under, population: population, change: ch,
                rate: ch.flatMap { Assessment.rate($0.current, population: population, years: 1) },
                financialYear: ch == nil ? nil : financialYears.map { change(scopeCohortSeries[i], $0.window) })
        }
    }

    /// The VRU-style headline, e.g. "under-25s −9%, under-18s −12% on the previous year", from released counts.
    func headline(_ rows: [Assessment.CohortRow]) -> String? {
        var parts: [(label: String, change: PeriodChange)] = []
        for c in rows {
            guard let ch = c.change else { return nil }
            // A percentage is only as safe as the counts it is made of: both must be shown.
            guard let now = ch.current.value, let before = ch.previous.value else { continue }
            parts.append((c.under.map { Headline.cohortLabel(under: $0) } ?? "all serious violence",
                          PeriodChange(current: ch.window.current, previous: ch.window.previous, currentCount: now, previousCount: before)))
        }
        guard !parts.isEmpty else { return nil }
        return "\(scopeName), 12 months to \(input.period.upperBound): " + Headline.cohortLine(parts) + "."
    }

    /// All serious violence, each cohort, then each strand (the knife/weapon strand among them).
    func headlineCards(_ m: CubeMarginals, cohortSeries: [[KeyedCount]], total: KeyedCount) -> [Assessment.HeadlineCard] {
        guard let w = twelve else { return [] }
        // Cohorts and strands break the scope down, so they follow the minimum base like every other breakdown.
        let open = disclosure.allowsBreakdown(of: total)
        var cards = cohorts.enumerated().map { i, c in
            Assessment.HeadlineCard(label: c.label, change: i > 0 && !open ? .withheld(w) : change(cohortSeries[i], w))
        }
        for (k, strand) in input.definitions.strands.enumerated() {
            let byMonth = m.byMonth[k + 1]
            cards.append(Assessment.HeadlineCard(label: strand.label,
                                                 change: open ? change(seriesMonths.map { byMonth[$0] ?? .zero }, w) : .withheld(w)))
        }
        return cards
    }

    // MARK: The scope's tables

    func strandRows() -> [Assessment.StrandRow] {
        let population = district.map { districts[$0].population } ?? areaPopulation
        let all = release(scopeTotal)
        let ids = ["all_serious_violence"] + input.definitions.strands.map(\.id)
        let counts = (0..<scope.shape.strandSlices).map { k in
            district.map { scope.byDistrict[k][$0] } ?? scope.byDistrict[k][0..<n].sum()
        }
        let shown = [all] + disclosure.breakdown(Array(counts.dropFirst()), base: scopeTotal)
        return counts.indices.map { k in
            Assessment.StrandRow(id: ids[k], label: scope.shape.strandLabels[k], incidents: shown[k],
                                 share: Assessment.share(shown[k], of: all),
                                 ratePerThousand: shown[k].value.map { Double($0) / years / Double(population) * 1000 })
        }
    }

    func hourWeekdayRows() -> [Assessment.HourWeekdayRow] {
        let grid = scope.hourWeekday
        let open = disclosure.allowsBreakdown(of: scopeTotal)
        return (0..<IncidentCube.Shape.hours).map { h in
            let cells = open ? (grid[h] + [grid[h].sum()]).map(release) : Array(repeating: Released.withheld, count: grid[h].count + 1)
            return Assessment.HourWeekdayRow(hour: h, byWeekday: Array(cells[0..<7]), weekdayUnknown: cells[7], all: cells[8])
        }
    }

    func locationRows() -> ([Assessment.LocationRow], Released) {
        let counts = LocationType.allCases.map { scope.byPlace[0][Int($0.rawValue)].sum() }
        let total = release(counts.sum())
        let shown = disclosure.breakdown(counts, base: scopeTotal)
        let rows = LocationType.allCases.map { t in
            let v = shown[Int(t.rawValue)]
            return Assessment.LocationRow(type: t, incidents: v, share: Assessment.share(v, of: total))
        }
        return (rows, total)
    }

    func trendMonths() -> [Assessment.TrendMonth] {
        let open = disclosure.allowsBreakdown(of: scopeTotal)
        let byMonth = scope.byMonth
        let firstData = byMonth[0].keys.min()
        var out: [Assessment.TrendMonth] = []
        var month = input.period.lowerBound
        while month <= input.period.upperBound {
            // A rolling total is its own set of records, so it gets its own key and noise: differencing two
            // consecutive totals gives the months' difference plus noise, never a month.
            let complete = firstData.map { month.adding(months: -11) >= $0 } ?? false
            let window = (0..<12).reduce(KeyedCount.zero) { $0 + (byMonth[0][month.adding(months: -$1)] ?? .zero) }
            out.append(Assessment.TrendMonth(month: month, byStrand: byMonth.map { open ? release($0[month] ?? .zero) : .withheld },
                                             rolling12: !complete ? nil : open ? release(window) : .withheld))
            month = month.adding(months: 1)
        }
        return out
    }

    func offenceGroups() -> [Assessment.OffenceGroup] {
        let counts = scope.byOffence.map { row in district.map { row[$0] } ?? row[0..<n].sum() }
        let svTotal = release(counts.indices.filter { input.offenceScopes[$0] == .seriousViolence }.map { counts[$0] }.sum())
        // The base is every accepted incident in the scope, out-of-scope categories included.
        let open = disclosure.allowsBreakdown(of: counts.sum())
        return [Definitions.Scope.seriousViolence, .outOfScope, .uncovered].compactMap { group in
            // Listed in name order: an order by count would rank hidden categories.
            let codes = counts.indices.filter { input.offenceScopes[$0] == group && !counts[$0].isZero }
                .sorted { input.offenceNames[$0] < input.offenceNames[$1] }
            guard !codes.isEmpty else { return nil }
            let rows = codes.map { o in
                let v = open ? release(counts[o]) : .withheld
                return Assessment.OffenceRow(name: input.offenceNames[o], incidents: v,
                                             share: group == .seriousViolence ? Assessment.share(v, of: svTotal) : nil)
            }
            return Assessment.OffenceGroup(scope: group, offences: rows, total: release(codes.map { counts[$0] }.sum()))
        }
    }

    func dataQuality() -> Assessment.DataQuality {
        let dq = input.dataQuality
        let inArea = release(scope.byDistrict[0][0..<n].sum())
        let outside = release(scope.byDistrict[0][n])
        let everywhere = release(scope.byDistrict[0].sum())
        // Numerator and denominator cover the same incidents: the area's for the unknowns, all for "outside".
        func share(_ part: KeyedCount, of whole: Released) -> Assessment.Share {
            let v = release(part)
            return Assessment.Share(incidents: v, percent: Assessment.share(v, of: whole))
        }
        let uncovered = scope.byOffence.indices.filter { input.offenceScopes[$0] == .uncovered && !scope.byOffence[$0].sum().isZero }
        return Assessment.DataQuality(
            files: dq.files, rowsRead: dq.files.reduce(0) { $0 + $1.rowsRead }, rowsAccepted: dq.files.reduce(0) { $0 + $1.accepted },
            rejected: dq.rejectedByReason.map { Assessment.DataQuality.Rejection(reason: $0.reason, rows: $0.rows) },
            // Incidents outside the period are incidents of a month: two runs a month apart would give that month exactly.
            outsidePeriod: release(dq.outsidePeriod),
            unknownVictimAge: share(scope.byVictimAge[0][bands.unknownIndex].sum(), of: inArea),
            unknownHour: share(scope.hourWeekday[24].sum(), of: inArea),
            unknownLocationType: share(scope.byPlace[0][Int(LocationType.unknown.rawValue)].sum(), of: inArea),
            outsideEveryDistrict: Assessment.Share(incidents: outside, percent: Assessment.share(outside, of: everywhere)),
            uncoveredOffences: uncovered.map { input.offenceNames[$0] }.sorted())
    }

    func victimAgeBands() -> ([Assessment.VictimAgeBand], Released, Int, Bool) {
        let counts = (0..<bands.count).map { a in scopeDistricts.reduce(KeyedCount.zero) { $0 + scope.byVictimAge[0][a][$1] } }
        let released = disclosure.breakdown(counts, base: scopeTotal)
        let known = bands.lowerBounds.count
        let population = (0..<known).map { a in scopeDistricts.reduce(0) { $0 + districts[$1].populationByAgeBand[a] } }
        let rows = (0..<bands.count).map { a in
            let pop = a < known ? population[a] : nil
            return Assessment.VictimAgeBand(label: bands.label(of: a), incidents: released[a], population: pop,
                                            rate: Assessment.rate(released[a], population: pop ?? 0, years: years))
        }
        // Whether any age is known at all decides between a chart and a note; it says nothing about a small count.
        return (rows, release(counts.sum()), population.reduce(0, +), !counts[0..<known].allSatisfy(\.isZero))
    }
}

extension Builder {
    /// Each context measure by district and for the area, latest 12 months against the 12 before; a pack shows its
    /// district and the area.
    func contextRows() -> [Assessment.ContextRow] {
        guard let window = twelve else { return [] }
        var rows: [Assessment.ContextRow] = []
        for measure in input.context {
            func sum(_ months: ClosedRange<MonthKey>, _ district: Int?) -> KeyedCount {
                measure.cells.filter { months.contains($0.month) && (district == nil || $0.district == district) }.map(\.value).sum()
            }
            let scopes: [Int?] = scopeDistricts.map { $0 } + [nil]
            for d in scopes {
                let change = Assessment.Change(current: release(sum(window.current, d)), previous: release(sum(window.previous, d)), window: window)
                let population = d.map { districts[$0].population } ?? districts.reduce(0) { $0 + $1.population }
                rows.append(Assessment.ContextRow(measure: measure.label, partner: measure.partner, district: d, change: change,
                                                  ratePerThousand: change.current.value.flatMap { population > 0 ? Double($0) / Double(population) * 1000 : nil }))
            }
        }
        return rows
    }
}

extension Builder {
    static let hourBands = [(0, 3, "00:00–03:59"), (4, 7, "04:00–07:59"), (8, 11, "08:00–11:59"),
                            (12, 15, "12:00–15:59"), (16, 19, "16:00–19:59"), (20, 23, "20:00–23:59")]

    /// Each partner source's records with and without a police counterpart: all, and in the partner tier by district,
    /// hour band and victim age band. Counts go through the disclosure engine, groups below the minimum base are
    /// withheld, and the estimate is computed from the published counts, so it gives nothing back.
    func overlapRows() -> [Assessment.OverlapRow] {
        guard let o = input.overlap else { return [] }
        var rows: [Assessment.OverlapRow] = []
        let inScope = Set(scopeDistricts)
        for (s, source) in o.partnerSources.enumerated() {
            let mine = o.records.indices.filter { o.records[$0].source == s && inScope.contains(o.records[$0].district) }
            var groups: [(String, String, [Int])] = [("all", scopeName, mine)]
            // Breakdowns are partner tier until the independent attacker models them beside source_by_district and
            // source_by_hour (their counts are subsets of those tables' cells).
            if !disclosure.policy.protects {
                for d in scopeDistricts where district == nil {
                    groups.append(("district", districts[d].name, mine.filter { o.records[$0].district == d }))
                }
                for (lo, hi, label) in Self.hourBands {
                    groups.append(("hour", label, mine.filter { (lo...hi).contains(o.records[$0].hour) }))
                }
                for a in 0..<bands.count {
                    groups.append(("victim age", bands.label(of: a), mine.filter { bands.index(ofAge: o.records[$0].victimAge) == a }))
                }
            }
            rows += overlapRows(o, source: source, groups: groups)
        }
        return rows
    }

    /// One row per group of a partner source's records: counts through the disclosure engine (a breakdown below the
    /// minimum base withheld), the estimate from the released counts.
    private func overlapRows(_ o: AssessmentInput.OverlapInput, source: String, groups: [(String, String, [Int])]) -> [Assessment.OverlapRow] {
        groups.map { breakdown, label, idx in
            let total = idx.map { KeyedCount.record(key: o.records[$0].key) }.sum()
            let hits = idx.filter { o.linkage.matched[$0] }.map { KeyedCount.record(key: o.records[$0].key) }.sum()
            let shown = breakdown == "all" || disclosure.allowsBreakdown(of: total)
            let records = shown ? release(total) : .withheld
            let matched = shown ? release(hits) : .withheld
            let chance = idx.isEmpty ? nil : idx.reduce(0.0) { $0 + o.linkage.chance[$1] } / Double(idx.count)
            var estimate: OverlapEstimate?
            if let n = records.value, let m = matched.value, let c = chance, n > 0 {
                estimate = try? OverlapEstimate(records: n, matched: min(m, n), expectedChance: c * Double(n),
                                                controlShifts: o.linkage.controlShifts)
            }
            return Assessment.OverlapRow(source: source, breakdown: breakdown, group: label, records: records,
                                         matched: matched, chancePercent: shown ? chance.map { $0 * 100 } : nil, estimate: estimate)
        }
    }
}
