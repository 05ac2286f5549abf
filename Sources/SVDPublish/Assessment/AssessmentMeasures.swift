import SVDCore
import SVDBin
import SVDMeasure

/// The needs-assessment measures: rates with confidence intervals, comparison with the area, change on the
/// previous year by cohort, and the strand × district table. Every figure is computed from released counts.
extension AssessmentTables {
    var areaPopulation: Int { districts.reduce(0) { $0 + $1.population } }

    /// The 12 months ending with the period, and the 12 before.
    var latestYear: ClosedRange<MonthKey> { input.period.upperBound.adding(months: -11)...input.period.upperBound }

    /// Monthly counts (records only) from the first month with data, to settle which comparisons exist.
    func series(_ monthly: (MonthKey) -> KeyedCount) -> MonthlySeries? {
        let end = input.period.upperBound
        guard let firstData = firstDataMonth else { return nil }
        let start = max(firstData, end.adding(months: -35))
        guard start <= end else { return nil }
        let counts = (0...Int(end.index - start.index)).map { monthly(start.adding(months: $0)).count }
        return try? MonthlySeries(firstMonth: start, counts: counts)
    }

    /// Monthly incidents with a victim younger than `under` (all ages when nil) in a district slot, or the area when nil.
    func cohortMonthly(district: Int?, under: Int?) -> (MonthKey) -> KeyedCount {
        let bandRange = under.flatMap { bands.bands(under: $0) } ?? 0..<bands.count
        let n = districts.count
        return { month in
            if let district {
                guard let row = marginals.byDistrictMonthAge[district][month] else { return .zero }
                return bandRange.reduce(.zero) { $0 + row[$1] }
            }
            return (0..<n).reduce(.zero) { sum, d in
                guard let row = marginals.byDistrictMonthAge[d][month] else { return sum }
                return sum + bandRange.reduce(.zero) { $0 + row[$1] }
            }
        }
    }

    func total(_ monthly: (MonthKey) -> KeyedCount, over months: ClosedRange<MonthKey>) -> KeyedCount {
        var sum = KeyedCount.zero
        var m = months.lowerBound
        while m <= months.upperBound { sum = sum + monthly(m); m = m.adding(months: 1) }
        return sum
    }

    /// The latest 12 months and the 12 before, as keyed counts; nil without 24 months of data.
    func rolling12(district: Int?, under: Int?) -> (current: KeyedCount, previous: KeyedCount, change: PeriodChange)? {
        let monthly = cohortMonthly(district: district, under: under)
        guard let s = series(monthly), let ch = try? PeriodChange.rolling12(endingAt: input.period.upperBound, in: s) else { return nil }
        return (total(monthly, over: ch.current), total(monthly, over: ch.previous), ch)
    }

    /// Rate per 1,000 per year of a released count, with its 95% CI (Byar's from 10, exact Poisson below).
    func rate(_ released: Released, population: Int, years: Double) -> RateEstimate? {
        guard let count = released.value, population > 0 else { return nil }
        return try? RateEstimate(count: count, population: Double(population) * years, multiplier: 1000)
    }

    /// Current, previous, difference and % from released counts; a difference needs both counts shown.
    func changeCells(current: Released, previous: Released) -> [PublishedTable.Value] {
        guard let c = current.value, let p = previous.value else {
            let blank: PublishedTable.Value = current.cell == .withheld ? .withheld : .empty
            return [current.cell, previous.cell, blank, blank]
        }
        return [current.cell, previous.cell, .count(c - p), .change(p == 0 ? nil : Double(c - p) / Double(p) * 100, decimals: 1)]
    }

    // MARK: District summary

    public func districtSummary() -> PublishedTable {
        let counts = marginals.byDistrict[0]
        let n = districts.count
        let shown = counts[0..<n].map(release)
        let totalShown = release(counts[0..<n].sum())
        let areaRate = rate(totalShown, population: areaPopulation, years: input.years)
        let rates = (0..<n).map { rate(shown[$0], population: districts[$0].population, years: input.years) }
        // Ranks only over published values: a hidden district is unranked and listed after, by code, so the
        // order says nothing about its count.
        let ranked = (0..<n).filter { rates[$0] != nil }.sorted {
            let a = rates[$0]!.rate, b = rates[$1]!.rate
            return a != b ? a > b : districts[$0].code < districts[$1].code
        }
        let unranked = (0..<n).filter { rates[$0] == nil }.sorted { districts[$0].code < districts[$1].code }
        let change = (0..<n).map { rolling12(district: $0, under: nil) }
        let areaChange = rolling12(district: nil, under: nil)
        var table = PublishedTable(
            id: "district_summary", title: "District summary, \(periodLabel)",
            columns: ["rank", "district_code", "district", "incidents", "population", "rate_per_1000_per_year",
                      "lower_95", "upper_95", "ci_method", "compared_with_area",
                      "last_12_months", "previous_12_months", "difference", "change_percent"])
        func rateCells(_ r: RateEstimate?, compare: Bool) -> [PublishedTable.Value] {
            guard let r else { return [.empty, .empty, .empty, .empty, .empty] }
            let flag: PublishedTable.Value = compare && areaRate != nil ? .text(r.compared(toBenchmarkRate: areaRate!.rate).label.lowercased()) : .empty
            return [.number(r.rate, decimals: 2), .number(r.lower, decimals: 2), .number(r.upper, decimals: 2),
                    .text(r.method == .byar ? "Byar" : "exact Poisson"), flag]
        }
        func changeRow(_ ch: (current: KeyedCount, previous: KeyedCount, change: PeriodChange)?) -> [PublishedTable.Value] {
            guard let ch else { return [.empty, .empty, .empty, .empty] }
            return changeCells(current: release(ch.current), previous: release(ch.previous))
        }
        for (i, d) in (ranked + unranked).enumerated() {
            table.rows.append([i < ranked.count ? .count(i + 1) : .empty, .text(districts[d].code), .text(districts[d].name),
                               shown[d].cell, .count(districts[d].population)]
                              + rateCells(rates[d], compare: true) + changeRow(change[d]))
        }
        table.rows.append([.empty, .text("TOTAL"), .text(input.areaName), totalShown.cell, .count(areaPopulation)]
                          + rateCells(areaRate, compare: false) + changeRow(areaChange))
        table.rows.append([.empty, .text("OUTSIDE"), .text("Outside the area (not located in any district)"),
                           release(counts[n]).cell, .empty, .empty, .empty, .empty, .empty, .empty, .empty, .empty, .empty, .empty])
        table.notes = [
            "All serious violence as defined in '\(input.definitions.name)'.",
            "Rate = incidents ÷ years in period (\(String(format: "%.2f", input.years))) ÷ population × 1,000; ranked by rate, highest first, over districts whose count is shown.",
            "95% confidence intervals as the public-health indicator methods: Byar's method for counts of 10 or more, exact Poisson below.",
            "compared_with_area: 'higher' when the interval lies wholly above the \(input.areaName) rate, 'lower' when wholly below, else 'similar'.",
            areaChange != nil ? "Change: the 12 months \(latestYear.lowerBound) to \(latestYear.upperBound) against the 12 months before."
                : "Change: not shown — fewer than 24 months of data end at \(input.period.upperBound).",
            input.populationNote,
        ] + disclosureNotes
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
        for c in cohortRows {
            guard let ch = rolling12(district: nil, under: c.under) else {
                table.rows.append([.text(c.id), .text(c.label)] + Array(repeating: PublishedTable.Value.empty, count: 11))
                continue
            }
            let current = release(ch.current)
            let population = c.under.map { u in districts.reduce(0) { sum, d in sum + (bands.bands(under: u) ?? 0..<0).reduce(0) { $0 + d.populationByAgeBand[$1] } } } ?? areaPopulation
            let r = rate(current, population: population, years: 1)
            var row: [PublishedTable.Value] = [.text(c.id), .text(c.label)] + changeCells(current: current, previous: release(ch.previous))
            row += r.map { [.number($0.rate, decimals: 2), .number($0.lower, decimals: 2), .number($0.upper, decimals: 2)] } ?? [.empty, .empty, .empty]
            let monthly = cohortMonthly(district: nil, under: c.under)
            if let s = series(monthly), let fy = try? FinancialYearChange.latestComplete(in: s) {
                let cells = changeCells(current: release(total(monthly, over: fy.change.current)),
                                        previous: release(total(monthly, over: fy.change.previous)))
                row += [.text("\(fy.label) vs \(fy.previousLabel)"), cells[0], cells[1], cells[3]]
            } else {
                row += [.text("no complete pair of financial years"), .empty, .empty, .empty]
            }
            table.rows.append(row)
        }
        table.notes = [
            "Cohorts by victim age; incidents with unknown victim age count in 'all' only.",
            "Age-specific rate: the cohort's incidents in the last 12 months per 1,000 residents of that age (\(input.populationNote))",
            "Financial year: April to March, the latest complete year against the one before.",
        ] + disclosureNotes
        if let first = firstDataMonth, first > input.period.upperBound.adding(months: -23) {
            table.notes.append("Data begin \(first): fewer than 24 months, so no 12-month change can be computed.")
        }
        return table
    }

    /// The VRU-style headline, e.g. "under-25s −9%, under-18s −12% on the previous year", from released counts.
    public func headline() -> String? {
        var parts: [(label: String, change: PeriodChange)] = []
        for c in cohortRows {
            guard let ch = rolling12(district: nil, under: c.under) else { return nil }
            // A percentage is only as safe as the counts it is made of: both must be shown.
            guard let now = release(ch.current).value, let before = release(ch.previous).value else { continue }
            parts.append((c.under.map { Headline.cohortLabel(under: $0) } ?? "all serious violence",
                          PeriodChange(current: ch.change.current, previous: ch.change.previous, currentCount: now, previousCount: before)))
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
        for d in 0..<n {
            var row: [PublishedTable.Value] = [.text(districts[d].code), .text(districts[d].name)]
            // Cohorts break the district down by age, so they follow the minimum base.
            let open = disclosure.allowsBreakdown(of: marginals.byDistrict[0][d])
            for (i, c) in cohortRows.enumerated() {
                guard let ch = rolling12(district: d, under: c.under) else { return table.withNote("Not computable: fewer than 24 months of data.") }
                row += i == 0 || open ? changeCells(current: release(ch.current), previous: release(ch.previous))
                    : [.withheld, .withheld, .withheld, .withheld]
            }
            table.rows.append(row)
        }
        var total: [PublishedTable.Value] = [.text("TOTAL"), .text(input.areaName)]
        for c in cohortRows {
            guard let ch = rolling12(district: nil, under: c.under) else { return table }
            total += changeCells(current: release(ch.current), previous: release(ch.previous))
        }
        table.rows.append(total)
        table.notes = ["12 months \(latestYear.lowerBound) to \(latestYear.upperBound) against the 12 before; cohorts by victim age.",
                       "A difference or percentage is shown only when both counts are."] + disclosureNotes
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
        func cells(_ counts: [KeyedCount], base: KeyedCount, population: Int) -> [PublishedTable.Value] {
            disclosure.breakdown(counts, base: base).flatMap { r -> [PublishedTable.Value] in
                [r.cell, r.value.map { .number(Double($0) / input.years / Double(population) * 1000, decimals: 2) } ?? (r.cell == .withheld ? .withheld : .empty)]
            }
        }
        for d in 0..<n {
            table.rows.append([.text(districts[d].code), .text(districts[d].name)]
                              + cells((1...strands.count).map { marginals.byDistrict[$0][d] }, base: marginals.byDistrict[0][d],
                                      population: districts[d].population))
        }
        table.rows.append([.text("TOTAL"), .text(input.areaName)]
                          + cells((1...strands.count).map { marginals.byDistrict[$0][0..<n].sum() }, base: marginals.byDistrict[0][0..<n].sum(),
                                  population: areaPopulation))
        table.notes = strands.map { "\($0.id): \($0.label)" } + ["Strands overlap: an incident can count in several."] + disclosureNotes
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
