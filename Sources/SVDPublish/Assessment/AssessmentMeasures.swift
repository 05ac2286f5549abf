import SVDCore
import SVDMeasure

/// The needs-assessment measures as tables: rates with confidence intervals, comparison with the area, change
/// on the previous year by cohort, and the strand × district table.
extension AssessmentTables {
    var areaName: String { assessment.areaName }
    var end: MonthKey { assessment.period.upperBound }
    /// The 12 months ending with the period.
    var latestYear: ClosedRange<MonthKey> { end.adding(months: -11)...end }

    func rateCells(_ r: RateEstimate?, compared: Comparison?) -> [PublishedTable.Value] {
        guard let r else { return [.empty, .empty, .empty, .empty, .empty] }
        return [.number(r.rate, decimals: 2), .number(r.lower, decimals: 2), .number(r.upper, decimals: 2),
                .text(r.method == .byar ? "Byar" : "exact Poisson"), compared.map { .text($0.label.lowercased()) } ?? .empty]
    }

    // MARK: District summary

    public func districtSummary() -> PublishedTable {
        var table = PublishedTable(
            id: "district_summary", title: "District summary, \(periodLabel)",
            columns: ["rank", "district_code", "district", "incidents", "population", "rate_per_1000_per_year",
                      "lower_95", "upper_95", "ci_method", "compared_with_area",
                      "last_12_months", "previous_12_months", "difference", "change_percent", "change_significance"])
        let blankChange = Array(repeating: PublishedTable.Value.empty, count: 5)
        for d in assessment.districts {
            table.rows.append([d.rank.map { .count($0) } ?? .empty, .text(d.code), .text(d.name), d.incidents.cell, .count(d.population)]
                              + rateCells(d.rate, compared: d.comparedWithArea) + (d.change?.cellsWithTest ?? blankChange))
        }
        let area = assessment.areaRow
        table.rows.append([.empty, .text("TOTAL"), .text(areaName), area.incidents.cell, .count(area.population)]
                          + rateCells(area.rate, compared: nil) + (area.change?.cellsWithTest ?? blankChange))
        table.rows.append([.empty, .text("OUTSIDE"), .text("Outside the area (not located in any district)"), assessment.outside.cell]
                          + Array(repeating: PublishedTable.Value.empty, count: 11))
        table.notes = [
            "All serious violence as defined in '\(assessment.definitions.name)'.",
            "Rate = incidents ÷ years in period (\(String(format: "%.2f", assessment.years))) ÷ population × 1,000; ranked by rate, highest first, over districts whose count is shown.",
            "95% confidence intervals as the public-health indicator methods: Byar's method for counts of 10 or more, exact Poisson below.",
            "compared_with_area: 'higher' when the interval lies wholly above the \(areaName) rate, 'lower' when wholly below, else 'similar'.",
            area.change != nil ? "Change: the 12 months \(latestYear.lowerBound) to \(latestYear.upperBound) against the 12 months before. " + Self.significanceNote
                : "Change: not shown — fewer than 24 months of data end at \(end).",
            assessment.populationNote,
        ] + disclosureNotes
        return table
    }

    // MARK: Cohort summary and headline

    public func cohortSummary() -> PublishedTable {
        var table = PublishedTable(
            id: "cohort_summary", title: "Change by victim cohort, 12 months to \(end)",
            columns: ["cohort", "label", "last_12_months", "previous_12_months", "difference", "change_percent",
                      "rate_per_1000_last_12_months", "lower_95", "upper_95",
                      "financial_year", "fy_count", "previous_fy_count", "fy_change_percent", "change_significance", "fy_significance"])
        for c in assessment.cohorts {
            guard let ch = c.change else {
                table.rows.append([.text(c.id), .text(c.label)] + Array(repeating: PublishedTable.Value.empty, count: 13))
                continue
            }
            var row: [PublishedTable.Value] = [.text(c.id), .text(c.label)] + ch.cells
            row += c.rate.map { [.number($0.rate, decimals: 2), .number($0.lower, decimals: 2), .number($0.upper, decimals: 2)] } ?? [.empty, .empty, .empty]
            if let fy = c.financialYear, let years = assessment.financialYears {
                row += [.text("\(years.label) vs \(years.previousLabel)"), fy.current.cell, fy.previous.cell, fy.percentCell]
            } else {
                row += [.text("no complete pair of financial years"), .empty, .empty, .empty]
            }
            row += [ch.significanceText, c.financialYear?.significanceText ?? .empty]
            table.rows.append(row)
        }
        table.notes = [
            "Cohorts by victim age; incidents with unknown victim age count in 'all' only.",
            "Age-specific rate: the cohort's incidents in the last 12 months per 1,000 residents of that age (\(assessment.populationNote))",
            "Financial year: April to March, the latest complete year against the one before.",
            Self.significanceNote,
        ] + disclosureNotes
        if let first = assessment.firstDataMonth, first > end.adding(months: -23) {
            table.notes.append("Data begin \(first): fewer than 24 months, so no 12-month change can be computed.")
        }
        return table
    }

    /// The VRU-style headline, e.g. "under-25s −9%, under-18s −12% on the previous year", from released counts.
    public func headline() -> String? { assessment.headline }

    // MARK: District change by cohort

    public func districtChange() -> PublishedTable {
        var columns = ["district_code", "district"]
        for c in assessment.cohorts { columns += ["\(c.id)_last_12", "\(c.id)_previous_12", "\(c.id)_difference", "\(c.id)_change_percent", "\(c.id)_significance"] }
        var table = PublishedTable(id: "district_change", title: "Change on the previous 12 months by district and cohort, to \(end)",
                                   columns: columns)
        guard assessment.twelveMonths != nil else {
            table.notes.append("Not computable: fewer than 24 months of data.")
            return table
        }
        for d in assessment.districtsByIndex {
            table.rows.append([.text(d.code), .text(d.name)] + d.cohortChanges.flatMap(\.cellsWithTest))
        }
        table.rows.append([.text("TOTAL"), .text(areaName)] + assessment.areaRow.cohortChanges.flatMap(\.cellsWithTest))
        table.notes = ["12 months \(latestYear.lowerBound) to \(latestYear.upperBound) against the 12 before; cohorts by victim age.",
                       "A difference or percentage is shown only when both counts are.", Self.significanceNote] + disclosureNotes
        return table
    }

    // MARK: Strand × district

    public func strandByDistrict() -> PublishedTable {
        var columns = ["district_code", "district"]
        for s in strands { columns += [s.id, "\(s.id)_rate_per_1000_per_year"] }
        var table = PublishedTable(id: "strand_by_district", title: "Strands by district, \(periodLabel)", columns: columns)
        guard !strands.isEmpty else { return table }
        func cells(_ counts: [Assessment.StrandCount]) -> [PublishedTable.Value] {
            counts.flatMap { s -> [PublishedTable.Value] in
                [s.incidents.cell, s.ratePerThousand.map { .number($0, decimals: 2) } ?? (s.incidents.cell == .withheld ? .withheld : .empty)]
            }
        }
        for d in assessment.districtsByIndex {
            table.rows.append([.text(d.code), .text(d.name)] + cells(d.strands))
        }
        table.rows.append([.text("TOTAL"), .text(areaName)] + cells(assessment.areaRow.strands))
        table.notes = strands.map { "\($0.id): \($0.label)" } + ["Strands overlap: an incident can count in several."] + disclosureNotes
        return table
    }
}

extension Assessment.Change {
    /// Current, previous, difference and %: the two derived cells are blank ([c] when withheld) unless both
    /// counts are shown.
    var cells: [PublishedTable.Value] {
        guard let difference else {
            let blank: PublishedTable.Value = current.cell == .withheld ? .withheld : .empty
            return [current.cell, previous.cell, blank, blank]
        }
        return [current.cell, previous.cell, .count(difference), .change(percent, decimals: 1)]
    }

    /// The % cell alone.
    var percentCell: PublishedTable.Value { cells[3] }

    /// `cells` and the verdict.
    var cellsWithTest: [PublishedTable.Value] { cells + [significanceText] }
}
