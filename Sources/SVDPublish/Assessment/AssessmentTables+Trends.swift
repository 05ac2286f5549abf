import SVDCore
import SVDMeasure

/// The KPI, quarterly, financial-year, grouping and peak-hour tables, formatted from `Assessment`.
extension AssessmentTables {
    static let significanceNote = "Significance: the exact conditional test for two Poisson counts (given their total, the current count is binomial with p = ½ for equal periods; two-sided p as scipy's binomtest), at the 5% level, on the published counts: 'significant increase', 'significant decrease' or 'no significant change'."

    /// Change cells with the test's p-value and verdict.
    func changeWithTest(_ ch: Assessment.Change?) -> [PublishedTable.Value] {
        guard let ch else { return Array(repeating: .empty, count: 6) }
        let p: PublishedTable.Value = ch.test.map { $0.pValue < 0.0001 ? .text("<0.0001") : .number($0.pValue, decimals: 4) } ?? (ch.isWithheld ? .withheld : .empty)
        return ch.cells + [p, ch.significanceText]
    }

    // MARK: Headline

    /// The headline lines: the KPIs (with significance) first, then all serious violence and the victim cohorts.
    public var headlineLines: [String] {
        [assessment.kpiHeadline, assessment.headline].compactMap { $0 }
    }

    /// `cohort_headline.md`: the headline lines, and what each figure counts.
    public func headlineMarkdown() -> String {
        var text = assessment.policy.headerLines.map { "> **\($0)**\n\n" }.joined() + "## Headline\n\n"
        let lines = headlineLines
        if lines.isEmpty { return text + "Not computable: change needs 24 months of data ending \(end).\n" }
        // Lines carry district names (from the area): one line each, never markup.
        text += lines.map { mdLine($0) + "\n" }.joined(separator: "\n")
        var notes: [String] = []
        for m in assessment.measures where m.headline {
            notes.append("\(m.label): incidents meeting the KPI's definition (`\(m.id)` in the definitions file); significance by the exact test for two Poisson counts at 5%.")
        }
        if assessment.headline != nil {
            notes.append("All serious violence: every incident in the definitions' serious-violence categories, domestic abuse and sexual offences included; the under-N figures count incidents by the first recorded victim's age.")
        }
        notes.append("12 months to \(end) against the 12 before, from published (perturbed) counts.")
        text += "\n" + notes.map { "- " + $0 + "\n" }.joined()
        let findings = assessment.keyFindings
        if !findings.isEmpty { text += "\n## Key findings\n\n" + findings.map { "- " + mdLine($0) + "\n" }.joined() }
        return text
    }

    // MARK: KPIs and measures

    public func kpiSummary() -> PublishedTable {
        var table = PublishedTable(
            id: "kpi_summary", title: "KPIs and measures, \(assessment.scopeName), to \(end)",
            columns: ["measure", "label", "headline_kpi", "incidents_in_period",
                      "last_12_months", "previous_12_months", "difference", "change_percent", "p_value", "significance",
                      "quarter", "quarter_count", "same_quarter_last_year", "quarter_difference", "quarter_change_percent", "quarter_p_value", "quarter_significance",
                      "financial_year", "fy_count", "previous_fy_count", "fy_difference", "fy_change_percent", "fy_p_value", "fy_significance"])
        for m in assessment.measures {
            table.rows.append([.text(m.id), .text(m.label), .text(m.headline ? "yes" : "no"), m.incidents.cell]
                              + changeWithTest(m.twelveMonths)
                              + [assessment.quarterWindow.map { .text("\(Assessment.Quarter(months: $0.current).label) vs \(Assessment.Quarter(months: $0.previous).label)") } ?? .empty]
                              + changeWithTest(m.quarter)
                              + [assessment.financialYears.map { .text("\($0.label) vs \($0.previousLabel)") } ?? .empty]
                              + changeWithTest(m.financialYear))
        }
        table.notes = assessment.definitions.measures.map { "\($0.id): \($0.label)\($0.headline ? " (a headline KPI)" : "")." }
            + ["Measures count serious-violence incidents meeting the definitions' conditions (see the definitions file): unlike strands they do not split the other tables, and they overlap.",
               "Quarters are calendar quarters; the latest complete quarter is set against the same quarter a year before. Financial years run April to March.",
               Self.significanceNote] + disclosureNotes
        return table
    }

    public func kpiByDistrict() -> PublishedTable {
        let measures = assessment.measures
        var columns = ["district_code", "district"]
        for m in measures { columns += ["\(m.id)_last_12", "\(m.id)_previous_12", "\(m.id)_change_percent", "\(m.id)_significance"] }
        var table = PublishedTable(id: "kpi_by_district", title: "KPIs and measures by district, 12 months to \(end)", columns: columns)
        guard assessment.twelveMonths != nil, !measures.isEmpty else {
            table.notes.append(measures.isEmpty ? "The definitions have no measures." : "Not computable: fewer than 24 months of data.")
            return table
        }
        for d in assessment.districtsByIndex {
            var row: [PublishedTable.Value] = [.text(d.code), .text(d.name)]
            for m in measures {
                guard let ch = m.byDistrict[d.index] else { row += [.empty, .empty, .empty, .empty]; continue }
                let c = ch.cells
                row += [c[0], c[1], c[3], ch.significanceText]
            }
            table.rows.append(row)
        }
        table.notes = ["12 months \(latestYear.lowerBound) to \(latestYear.upperBound) against the 12 before. A district's measures are withheld ([c]) when its serious violence is below the minimum base.",
                       Self.significanceNote] + disclosureNotes
        return table
    }

    // MARK: Quarters

    public func quarterlyTrend() -> PublishedTable {
        let measureIDs = assessment.measures.map(\.id)
        var table = PublishedTable(id: "quarterly_trend", title: "Quarterly trend, \(assessment.scopeName), \(periodLabel)",
                                   columns: ["quarter", "all_serious_violence"] + strands.map(\.id) + measureIDs)
        for q in assessment.quarters {
            table.rows.append([.text(q.quarter.label)] + q.strands.map(\.cell) + q.measures.map(\.cell))
        }
        table.notes = ["Complete calendar quarters inside the period. Strands and measures overlap."] + disclosureNotes
        if table.rows.isEmpty { table.notes.insert("No complete calendar quarter lies inside the period.", at: 0) }
        return table
    }

    // MARK: Financial years

    func financialYearTable(id: String, title: String, rows: [Assessment.FinancialYearRow], first: String) -> PublishedTable {
        var table = PublishedTable(id: id, title: title,
                                   columns: [first, "label", "financial_year", "fy_count", "previous_fy_count", "difference", "change_percent", "p_value", "significance"])
        guard let fy = assessment.financialYears else {
            table.notes.append("Not computable: no complete pair of financial years (April to March) in the data.")
            return table
        }
        for r in rows {
            table.rows.append([.text(r.id), .text(r.label), .text("\(fy.label) vs \(fy.previousLabel)")] + changeWithTest(r.change))
        }
        table.notes = ["Financial year \(fy.label) (April to March) against \(fy.previousLabel).", Self.significanceNote] + disclosureNotes
        return table
    }

    public func financialYearByDistrict() -> PublishedTable {
        financialYearTable(id: "financial_year_by_district", title: "Financial year by district",
                           rows: assessment.financialYearByDistrict + (assessment.financialYearArea.map { [$0] } ?? []), first: "district_code")
    }

    public func financialYearByStrand() -> PublishedTable {
        financialYearTable(id: "financial_year_by_strand", title: "Financial year by strand, \(assessment.scopeName)",
                           rows: assessment.financialYearByStrand, first: "strand")
    }

    // MARK: Groupings

    public func groupingSummary() -> PublishedTable {
        var table = PublishedTable(
            id: "grouping_summary", title: "Groups of districts, \(periodLabel)",
            columns: ["grouping", "label", "districts", "incidents", "population", "rate_per_1000_per_year", "lower_95", "upper_95", "ci_method",
                      "compared_with_area", "last_12_months", "previous_12_months", "difference", "change_percent", "change_significance"])
        for g in assessment.groupings {
            table.rows.append([.text(g.id), .text(g.label), .text(g.districtNames.joined(separator: "; ")), g.incidents.cell, .count(g.population)]
                              + rateCells(g.rate, compared: g.comparedWithArea) + (g.change?.cellsWithTest ?? Array(repeating: .empty, count: 5)))
        }
        let area = assessment.areaRow
        table.rows.append([.text("TOTAL"), .text(areaName), .text("all"), area.incidents.cell, .count(area.population)]
                          + rateCells(area.rate, compared: nil) + (area.change?.cellsWithTest ?? Array(repeating: .empty, count: 5)))
        table.notes = ["Groups as defined in the definitions file (groupings); a group's rate and change are of its districts together, computed from published counts.",
                       "compared_with_area as in district_summary.", Self.significanceNote, assessment.populationNote] + disclosureNotes
        if assessment.groupings.isEmpty { table.notes.insert("The definitions define no groupings of this area's districts.", at: 0) }
        return table
    }

    // MARK: Peak hours

    public func peakHours() -> PublishedTable {
        var table = PublishedTable(id: "peak_hours", title: "Peak hours, \(assessment.scopeName), \(periodLabel)",
                                   columns: ["window", "starts", "ends", "incidents", "share_of_known_hours_percent"])
        func clock(_ h: Int) -> PublishedTable.Value { .text((h < 10 ? "0" : "") + "\(h):00") }
        for w in assessment.peakHours {
            table.rows.append([.text(w.label), clock(w.from), clock((w.to + 1) % 24), .count(w.incidents), .percent(w.share, decimals: 1)])
        }
        table.notes = ["Method: an hour stands out when its published count exceeds the day's mean hour and exceeds the mean b of the hours two and three either side of it by more than two Poisson standard deviations (count > b + 2√b); consecutive such hours, round midnight too, make a window. Computed from the published hour totals of incidents with a known hour."]
        if table.rows.isEmpty {
            table.notes.insert(assessment.hourWeekday.prefix(24).contains { $0.all.value == nil }
                               ? "Not computed: hour counts are withheld or hidden in this scope."
                               : "No hour stands out (or no incident has a known hour: data.police.uk gives the month only).", at: 0)
        }
        table.notes += disclosureNotes
        return table
    }
}
