import SVDCore
import SVDBin
import SVDMeasure

/// The needs-assessment measures: rates with confidence intervals, comparison with the area, change on the
/// previous year by cohort, and the strand × district table.
extension AssessmentTables {
    var areaPopulation: Int { districts.reduce(0) { $0 + $1.population } }

    /// The 12 months ending with the period, and the 12 before.
    var latestYear: ClosedRange<MonthKey> { input.period.upperBound.adding(months: -11)...input.period.upperBound }

    /// Monthly series from the first month with data (never zero-filled before the data begins).
    func series(_ monthly: (MonthKey) -> Int) -> MonthlySeries? {
        let end = input.period.upperBound
        guard let firstData = input.cube.months.first else { return nil }
        let start = max(firstData, end.adding(months: -35))
        guard start <= end else { return nil }
        let counts = (0...Int(end.index - start.index)).map { monthly(start.adding(months: $0)) }
        return try? MonthlySeries(firstMonth: start, counts: counts)
    }

    /// Monthly counts of victims younger than `under` (all ages when nil) in a district slot, or the area when nil.
    func cohortMonthly(district: Int?, under: Int?) -> (MonthKey) -> Int {
        let bandRange = under.flatMap { bands.bands(under: $0) } ?? 0..<bands.count
        let n = districts.count
        return { month in
            if let district {
                guard let row = marginals.byDistrictMonthAge[district][month] else { return 0 }
                return bandRange.reduce(0) { $0 + row[$1] }
            }
            return (0..<n).reduce(0) { sum, d in
                guard let row = marginals.byDistrictMonthAge[d][month] else { return sum }
                return sum + bandRange.reduce(0) { $0 + row[$1] }
            }
        }
    }

    func rolling12(district: Int?, under: Int?) -> PeriodChange? {
        series(cohortMonthly(district: district, under: under)).flatMap { try? PeriodChange.rolling12(endingAt: input.period.upperBound, in: $0) }
    }

    /// Rate per 1,000 per year over the period, with its 95% CI (Byar's from 10, exact Poisson below).
    func rate(count: Int, population: Int, years: Double) -> RateEstimate? {
        guard population > 0 else { return nil }
        return try? RateEstimate(count: count, population: Double(population) * years, multiplier: 1000)
    }

    /// Current, previous, difference and % for each row, with differences hidden whenever a count is.
    func changeCells(current: [Int], previous: [Int]) -> (rows: [[PublishedTable.Value]], total: [PublishedTable.Value]) {
        func plain(_ c: Int, _ p: Int) -> [PublishedTable.Value] {
            [.count(c), .count(p), .count(c - p), .change(p == 0 ? nil : Double(c - p) / Double(p) * 100, decimals: 1)]
        }
        guard let t = disclosure.protectChange(current: current, previous: previous) else {
            return (zip(current, previous).map(plain), plain(current.reduce(0, +), previous.reduce(0, +)))
        }
        func shown(_ v: Int, _ status: CellStatus) -> PublishedTable.Value {
            switch status {
            case .published: .count(v)
            case .primary: .suppressed(threshold: input.disclosure.threshold)
            case .secondary: .secondarySuppressed
            case .notPublished: .empty
            }
        }
        let rows = current.indices.map { r -> [PublishedTable.Value] in
            [shown(current[r], t.table.cells[r][0]), shown(previous[r], t.table.cells[r][1]),
             t.difference(row: r).map { .count($0) } ?? (t.differenceHidden[r] ? .secondarySuppressed : .empty),
             .change(t.percentChange(row: r), decimals: 1)]
        }
        let ct = t.table.columnTotals
        let total: [PublishedTable.Value] = [shown(ct[0], t.table.columnTotalStatus[0]), shown(ct[1], t.table.columnTotalStatus[1]),
                                             t.totalDifference.map { .count($0) } ?? .secondarySuppressed,
                                             .change(t.totalDifference != nil && ct[1] > 0 ? Double(ct[0] - ct[1]) / Double(ct[1]) * 100 : nil, decimals: 1)]
        return (rows, total)
    }

    // MARK: District summary

    public func districtSummary() -> PublishedTable {
        let counts = marginals.byDistrict[0]
        let n = districts.count
        let areaCount = counts[0..<n].reduce(0, +)
        let (shownCounts, totalCell) = disclosure.protect(column: Array(counts[0..<n]))
        let areaRate = rate(count: areaCount, population: areaPopulation, years: input.years)
        let rates = (0..<n).map { rate(count: counts[$0], population: districts[$0].population, years: input.years) }
        let order = (0..<n).sorted {
            let a = rates[$0]?.rate ?? -1, b = rates[$1]?.rate ?? -1
            return a != b ? a > b : districts[$0].code < districts[$1].code
        }
        let now = (0..<n).map { rolling12(district: $0, under: nil)?.currentCount ?? 0 }
        let before = (0..<n).map { rolling12(district: $0, under: nil)?.previousCount ?? 0 }
        let hasChange = rolling12(district: nil, under: nil) != nil
        let change = changeCells(current: now, previous: before)
        var table = PublishedTable(
            id: "district_summary", title: "District summary, \(periodLabel)",
            columns: ["rank", "district_code", "district", "incidents", "population", "rate_per_1000_per_year",
                      "lower_95", "upper_95", "ci_method", "compared_with_area",
                      "last_12_months", "previous_12_months", "difference", "change_percent"])
        func rateCells(_ r: RateEstimate?, hidden: Bool, compare: Bool) -> [PublishedTable.Value] {
            // A CI can be inverted to the count, so it hides with the count.
            guard let r, !hidden else { return [.empty, .empty, .empty, .empty, .empty] }
            let flag: PublishedTable.Value = compare && areaRate != nil ? .text(r.compared(toBenchmarkRate: areaRate!.rate).label.lowercased()) : .empty
            return [.number(r.rate, decimals: 2), .number(r.lower, decimals: 2), .number(r.upper, decimals: 2),
                    .text(r.method == .byar ? "Byar" : "exact Poisson"), flag]
        }
        for (rank, d) in order.enumerated() {
            let hidden = shownCounts[d].isHidden
            table.rows.append([hidden ? .empty : .count(rank + 1), .text(districts[d].code), .text(districts[d].name),
                               shownCounts[d], .count(districts[d].population)]
                              + rateCells(rates[d], hidden: hidden, compare: true)
                              + (hasChange ? change.rows[d] : [.empty, .empty, .empty, .empty]))
        }
        table.rows.append([.empty, .text("TOTAL"), .text(input.areaName), totalCell, .count(areaPopulation)]
                          + rateCells(areaRate, hidden: totalCell.isHidden, compare: false)
                          + (hasChange ? change.total : [.empty, .empty, .empty, .empty]))
        table.rows.append([.empty, .text("OUTSIDE"), .text("Outside the area (not located in any district)"),
                           disclosure.single(counts[n]), .empty, .empty, .empty, .empty, .empty, .empty, .empty, .empty, .empty, .empty])
        table.notes = [
            "All serious violence as defined in '\(input.definitions.name)'.",
            "Rate = incidents ÷ years in period (\(String(format: "%.2f", input.years))) ÷ population × 1,000; ranked by rate, highest first.",
            "95% confidence intervals as the public-health indicator methods: Byar's method for counts of 10 or more, exact Poisson below.",
            "compared_with_area: 'higher' when the interval lies wholly above the \(input.areaName) rate, 'lower' when wholly below, else 'similar'.",
            hasChange ? "Change: the 12 months \(latestYear.lowerBound) to \(latestYear.upperBound) against the 12 months before."
                : "Change: not shown — fewer than 24 months of data end at \(input.period.upperBound).",
            input.populationNote,
        ]
        return table
    }

    // MARK: Cohort summary and headline

    /// The cohorts of the definitions plus "all ages" first.
    var cohortRows: [(id: String, label: String, under: Int?)] {
        [("all_ages", "All serious violence", nil)] + input.definitions.cohorts.map { ($0.id, $0.label, $0.under) }
    }

    public func cohortSummary() -> PublishedTable {
        var table = PublishedTable(
            id: "cohort_summary", title: "Change by victim cohort, 12 months to \(input.period.upperBound)",
            columns: ["cohort", "label", "last_12_months", "previous_12_months", "difference", "change_percent",
                      "rate_per_1000_last_12_months", "lower_95", "upper_95",
                      "financial_year", "fy_count", "previous_fy_count", "fy_change_percent"])
        let changes = cohortRows.map { rolling12(district: nil, under: $0.under) }
        let fys = cohortRows.map { c in series(cohortMonthly(district: nil, under: c.under)).flatMap { try? FinancialYearChange.latestComplete(in: $0) } }
        for (i, c) in cohortRows.enumerated() {
            guard let ch = changes[i] else {
                table.rows.append([.text(c.id), .text(c.label)] + Array(repeating: PublishedTable.Value.empty, count: 11))
                continue
            }
            let cells = changeCells(current: [ch.currentCount], previous: [ch.previousCount]).rows[0]
            let population = c.under.map { u in districts.reduce(0) { sum, d in sum + (bands.bands(under: u) ?? 0..<0).reduce(0) { $0 + d.populationByAgeBand[$1] } } } ?? areaPopulation
            let r = cells[0].isHidden ? nil : rate(count: ch.currentCount, population: population, years: 1)
            var row: [PublishedTable.Value] = [.text(c.id), .text(c.label)] + cells
            row += r.map { [.number($0.rate, decimals: 2), .number($0.lower, decimals: 2), .number($0.upper, decimals: 2)] } ?? [.empty, .empty, .empty]
            if let fy = fys[i] {
                let fyCells = changeCells(current: [fy.change.currentCount], previous: [fy.change.previousCount]).rows[0]
                row += [.text("\(fy.label) vs \(fy.previousLabel)"), fyCells[0], fyCells[1], fyCells[3]]
            } else {
                row += [.text("no complete pair of financial years"), .empty, .empty, .empty]
            }
            table.rows.append(row)
        }
        table.notes = [
            "Cohorts by victim age; incidents with unknown victim age count in 'all' only.",
            "Age-specific rate: the cohort's incidents in the last 12 months per 1,000 residents of that age (\(input.populationNote))",
            "Financial year: April to March, the latest complete year against the one before.",
        ]
        if let first = input.cube.months.first, first > input.period.upperBound.adding(months: -23) {
            table.notes.append("Data begin \(first): fewer than 24 months, so no 12-month change can be computed.")
        }
        return table
    }

    /// The VRU-style headline, e.g. "under-25s −9%, under-18s −12% on the previous year", or nil if not computable.
    public func headline() -> String? {
        var parts: [(label: String, change: PeriodChange)] = []
        for c in cohortRows {
            guard let ch = rolling12(district: nil, under: c.under) else { return nil }
            // A percentage over a suppressed count would give it away.
            if disclosure.single(ch.currentCount).isHidden || disclosure.single(ch.previousCount).isHidden { continue }
            parts.append((c.under.map { Headline.cohortLabel(under: $0) } ?? "all serious violence", ch))
        }
        guard !parts.isEmpty else { return nil }
        return "\(input.areaName), 12 months to \(input.period.upperBound): " + Headline.cohortLine(parts) + "."
    }

    // MARK: District change by cohort

    public func districtChange() -> PublishedTable {
        var columns = ["district_code", "district"]
        for c in cohortRows { columns += ["\(c.id)_last_12", "\(c.id)_previous_12", "\(c.id)_difference", "\(c.id)_change_percent"] }
        var table = PublishedTable(id: "district_change", title: "Change on the previous 12 months by district and cohort, to \(input.period.upperBound)",
                                   columns: columns)
        let n = districts.count
        var blocks: [(rows: [[PublishedTable.Value]], total: [PublishedTable.Value])] = []
        for c in cohortRows {
            let ch = (0..<n).map { rolling12(district: $0, under: c.under) }
            guard !ch.contains(where: { $0 == nil }) else { return table.withNote("Not computable: fewer than 24 months of data.") }
            blocks.append(changeCells(current: ch.map { $0!.currentCount }, previous: ch.map { $0!.previousCount }))
        }
        for d in 0..<n {
            table.rows.append([.text(districts[d].code), .text(districts[d].name)] + blocks.flatMap { $0.rows[d] })
        }
        table.rows.append([.text("TOTAL"), .text(input.areaName)] + blocks.flatMap(\.total))
        table.notes = ["12 months \(latestYear.lowerBound) to \(latestYear.upperBound) against the 12 before; cohorts by victim age.",
                       "A difference or percentage is hidden whenever either count is, since it would give that count away."]
        return table
    }

    // MARK: Strand × district

    public func strandByDistrict() -> PublishedTable {
        let strands = input.definitions.strands
        var columns = ["district_code", "district"]
        for s in strands { columns += [s.id, "\(s.id)_rate_per_1000_per_year"] }
        var table = PublishedTable(id: "strand_by_district", title: "Strands by district, \(periodLabel)", columns: columns)
        let n = districts.count
        guard !strands.isEmpty else { return table }
        let matrix = (0..<n).map { d in (1...strands.count).map { marginals.byDistrict[$0][d] } }
        // Strand totals for the area are published in the strand summary; row sums mean nothing (strands overlap).
        let p = disclosure.protect(matrix: matrix, margins: [.columnTotals])
        for d in 0..<n {
            var row: [PublishedTable.Value] = [.text(districts[d].code), .text(districts[d].name)]
            for k in 0..<strands.count {
                let cell = p.cells[d][k]
                row += [cell, cell.isHidden ? .empty : .number(Double(matrix[d][k]) / input.years / Double(districts[d].population) * 1000, decimals: 2)]
            }
            table.rows.append(row)
        }
        var total: [PublishedTable.Value] = [.text("TOTAL"), .text(input.areaName)]
        for k in 0..<strands.count {
            let c = matrix.reduce(0) { $0 + $1[k] }
            total += [p.columnTotals[k], p.columnTotals[k].isHidden ? .empty : .number(Double(c) / input.years / Double(areaPopulation) * 1000, decimals: 2)]
        }
        table.rows.append(total)
        table.notes = strands.map { "\($0.id): \($0.label)" } + ["Strands overlap: an incident can count in several."]
        return table
    }
}

extension PublishedTable {
    func withNote(_ note: String) -> PublishedTable {
        var t = self
        t.notes.append(note)
        return t
    }
}
