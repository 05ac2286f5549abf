import SVDCore
import SVDBin

/// Builds the `svd assess` tables from the cube. Every count passes through `Disclosure` before it is published.
public struct AssessmentTables {
    public let input: AssessmentInput
    public let marginals: CubeMarginals
    let disclosure: Disclosure

    public init(input: AssessmentInput) {
        self.input = input
        // Twelve months before the period are summed too, so change tables can compare.
        // Up to 36 months before the period's end are summed too, so 12-month and financial-year change can compare.
        marginals = CubeMarginals(cube: input.cube, period: input.period,
                                  monthsFrom: min(input.period.lowerBound, input.period.upperBound.adding(months: -35)))
        disclosure = Disclosure(policy: input.disclosure)
    }

    var districts: [DistrictProfile] { input.districts }
    var bands: AgeBands { input.definitions.ageBands }
    var periodLabel: String { "\(input.period.lowerBound) to \(input.period.upperBound)" }

    public func all() -> [PublishedTable] {
        [districtSummary(), cohortSummary(), districtChange(), strandByDistrict(), ageSex(role: .victim), ageSex(role: .suspect),
         hourWeekday(), locationType(), monthlyTrend(), strandSummary(), offenceMix(), dataQuality()]
    }

    // MARK: Age band × district by sex

    public func ageSex(role: IncidentCube.Role) -> PublishedTable {
        let who = role == .victim ? "victim" : "suspect"
        var table = PublishedTable(
            id: "\(who)_age_sex_by_district", title: "\(who.capitalized) age band and sex by district, \(periodLabel)",
            columns: ["district_code", "district", "\(who)_age_band", "female", "male", "sex_unknown", "all",
                      "band_population", "rate_per_1000_per_year"])
        for d in 0..<districts.count {
            let rows = (0..<bands.count).map { a in Sex.order.map { marginals.byPerson[role.rawValue][d][a][Int($0.rawValue)] } }
            // The district's total is published in the summary, so every margin counts as known.
            let protected = disclosure.protect(matrix: rows, margins: .all)
            for a in 0..<bands.count {
                let all = rows[a].reduce(0, +)
                let allCell = protected.rowTotals[a]
                let pop = a < bands.lowerBounds.count ? districts[d].populationByAgeBand[a] : nil
                let rate: PublishedTable.Value = if let pop, pop > 0, !allCell.isHidden {
                    .number(Double(all) / input.years / Double(pop) * 1000, decimals: 2)
                } else { .empty }
                table.rows.append([.text(districts[d].code), .text(districts[d].name), .text(bands.label(of: a))]
                                  + protected.cells[a] + [allCell, pop.map { .count($0) } ?? .empty, rate])
            }
        }
        table.notes = [
            "Age-specific rate: incidents with a \(who) in the band ÷ years ÷ the district's population of that age band × 1,000.",
            "Incidents with more than one \(who) are counted once, by the first recorded \(who).",
            input.populationNote,
        ]
        return table
    }

    // MARK: Hour × weekday

    public func hourWeekday() -> PublishedTable {
        let grid = marginals.hourWeekday
        let protected = disclosure.protect(matrix: grid, margins: .all)
        var table = PublishedTable(id: "hour_by_weekday", title: "Hour of day by weekday, \(periodLabel)",
                                   columns: ["hour"] + CivilDate.weekdayNames + ["weekday_unknown", "all"])
        for h in 0..<IncidentCube.Shape.hours {
            let label = h == 24 ? "unknown" : (h < 10 ? "0\(h):00" : "\(h):00")
            table.rows.append([.text(label)] + protected.cells[h] + [protected.rowTotals[h]])
        }
        table.notes = ["Hour and weekday are unknown where the source gives only a month (data.police.uk) or no time."]
        return table
    }

    // MARK: Location type

    public func locationType() -> PublishedTable {
        let total = marginals.byPlace[0].reduce(0) { $0 + $1.reduce(0, +) }
        let counts = LocationType.allCases.map { marginals.byPlace[0][Int($0.rawValue)].reduce(0, +) }
        let (hidden, totalCell) = disclosure.protect(column: counts)
        var table = PublishedTable(id: "location_type", title: "Location type, \(periodLabel)",
                                   columns: ["location_type", "incidents", "share_percent"])
        for t in LocationType.allCases {
            let c = counts[Int(t.rawValue)]
            let v = hidden[Int(t.rawValue)]
            table.rows.append([.text(t.label), v, v.isHidden || total == 0 ? .empty : .percent(Double(c) / Double(total) * 100, decimals: 1)])
        }
        table.rows.append([.text("all"), totalCell, .empty])
        return table
    }

    // MARK: Monthly trend

    public func monthlyTrend() -> PublishedTable {
        let strands = marginals.shape.strandSlices
        var table = PublishedTable(id: "monthly_trend", title: "Monthly trend by strand, \(periodLabel)",
                                   columns: ["month"] + input.definitions.strands.map(\.id).reduce(into: ["all_serious_violence"]) { $0.append($1) }
                                       + ["all_rolling_12_months"])
        var month = input.period.lowerBound
        while month <= input.period.upperBound {
            var row: [PublishedTable.Value] = [.text(month.description)]
            for k in 0..<strands { row.append(disclosure.single(marginals.byMonth[k][month] ?? 0)) }
            let window = (0..<12).map { marginals.byMonth[0][month.adding(months: -$0)] ?? 0 }
            let complete = month.adding(months: -11) >= (marginals.byMonth[0].keys.min() ?? month)
            // A rolling total over a hidden month would give it away by differencing consecutive totals.
            let windowHidden = window.contains { disclosure.single($0).isHidden }
            row.append(!complete ? .empty : windowHidden ? .secondarySuppressed : .count(window.reduce(0, +)))
            table.rows.append(row)
            month = month.adding(months: 1)
        }
        table.notes = ["Strands overlap: an incident can belong to several, so strand columns do not add up to the total.",
                       "Rolling 12 months: the sum of the month and the 11 before it, shown once 12 months of data exist, and hidden when any of those months is."]
        return table
    }

    // MARK: Strand summary

    public func strandSummary() -> PublishedTable {
        let areaPopulation = districts.reduce(0) { $0 + $1.population }
        let n = districts.count
        let all = marginals.byDistrict[0][0..<n].reduce(0, +)
        var table = PublishedTable(id: "strand_summary", title: "Strand summary, \(periodLabel)",
                                   columns: ["strand", "label", "incidents", "share_of_serious_violence_percent", "rate_per_1000_per_year"])
        let labels = marginals.shape.strandLabels
        let ids = ["all_serious_violence"] + input.definitions.strands.map(\.id)
        for k in 0..<marginals.shape.strandSlices {
            let c = marginals.byDistrict[k][0..<n].reduce(0, +)
            let v = disclosure.single(c)
            table.rows.append([.text(ids[k]), .text(labels[k]), v,
                               v.isHidden || all == 0 ? .empty : .percent(Double(c) / Double(all) * 100, decimals: 1),
                               v.isHidden ? .empty : .number(Double(c) / input.years / Double(areaPopulation) * 1000, decimals: 3)])
        }
        table.notes = ["Within the area only. Strands overlap, so shares add to more than 100%."]
        return table
    }

    // MARK: Offence mix

    public func offenceMix() -> PublishedTable {
        var table = PublishedTable(id: "offence_mix", title: "Offence categories, \(periodLabel)",
                                   columns: ["offence_category", "scope", "incidents", "share_of_serious_violence_percent"])
        let n = districts.count
        let counts = marginals.byOffence.map { $0[0..<n].reduce(0, +) }
        let svTotal = counts.indices.filter { input.offenceScopes[$0] == .seriousViolence }.reduce(0) { $0 + counts[$1] }
        for scope in [Definitions.Scope.seriousViolence, .outOfScope, .uncovered] {
            let codes = counts.indices.filter { input.offenceScopes[$0] == scope && counts[$0] > 0 }
                .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : input.offenceNames[$0] < input.offenceNames[$1] }
            guard !codes.isEmpty else { continue }
            // Each scope's total is shown, so the group is protected as a column with its total.
            let (cells, totalCell) = disclosure.protect(column: codes.map { counts[$0] })
            for (j, o) in codes.enumerated() {
                let share: PublishedTable.Value = scope == .seriousViolence && !cells[j].isHidden && svTotal > 0
                    ? .percent(Double(counts[o]) / Double(svTotal) * 100, decimals: 1) : .empty
                table.rows.append([.text(input.offenceNames[o]), .text(scope.label), cells[j], share])
            }
            table.rows.append([.text("all \(scope.label)"), .text(scope.label), totalCell, .empty])
        }
        table.notes = ["Every accepted incident located in the area in the period, including categories outside the serious violence definition.",
                       "'uncovered' categories appear in neither the serious violence nor the out-of-scope list of the definitions: review them."]
        return table
    }

    // MARK: Data quality

    public func dataQuality() -> PublishedTable {
        let dq = input.dataQuality
        var table = PublishedTable(id: "data_quality", title: "Data quality", columns: ["measure", "value", "percent"])
        let read = dq.files.reduce(0) { $0 + $1.rowsRead }
        let accepted = dq.files.reduce(0) { $0 + $1.accepted }
        func pct(_ x: Int, of y: Int) -> PublishedTable.Value { y > 0 ? .percent(Double(x) / Double(y) * 100, decimals: 1) : .empty }
        // Row accounting is about records in the extract, not people, so it is exact.
        for f in dq.files {
            table.rows.append([.text("file \(f.name) (\(f.format)): rows read / accepted / rejected"),
                               .text("\(f.rowsRead) / \(f.accepted) / \(f.rejected)"), .empty])
        }
        table.rows.append([.text("rows read"), .count(read), .empty])
        table.rows.append([.text("rows accepted"), .count(accepted), pct(accepted, of: read)])
        for (reason, rows) in dq.rejectedByReason {
            table.rows.append([.text("rejected: \(reason)"), .count(rows), pct(rows, of: read)])
        }
        table.rows.append([.text("accepted but outside the analysis period"), .count(dq.outsidePeriod), pct(dq.outsidePeriod, of: accepted)])

        let n = districts.count
        let sv = marginals.byDistrict[0].reduce(0, +)
        let outside = marginals.byDistrict[0][n]
        let unknownAge = marginals.byVictimAge[0][bands.unknownIndex].reduce(0, +)
        let unknownHour = marginals.hourWeekday[24].reduce(0, +)
        let unknownPlace = marginals.byPlace[0][Int(LocationType.unknown.rawValue)].reduce(0, +)
        func share(_ label: String, _ c: Int) {
            let v = disclosure.single(c)
            table.rows.append([.text(label), v, v.isHidden ? .empty : pct(c, of: sv)])
        }
        share("serious violence with unknown victim age", unknownAge)
        share("serious violence with unknown hour", unknownHour)
        share("serious violence with unknown location type", unknownPlace)
        share("serious violence located outside every district", outside)
        let uncovered = marginals.byOffence.indices.filter { input.offenceScopes[$0] == .uncovered && marginals.byOffence[$0].reduce(0, +) > 0 }
        table.rows.append([.text("offence categories covered by no definition"),
                           .text(uncovered.isEmpty ? "none" : uncovered.map { input.offenceNames[$0] }.sorted().joined(separator: "; ")), .empty])
        if let r = dq.rejectsFile { table.notes.append("Rejected rows, with line numbers and reasons: \(r)") }
        table.notes.append("Row accounting (read, accepted, rejected) counts records in the extracts and is exact; incident counts are suppressed.")
        table.notes.append("Counts by category for out-of-scope and uncovered offences are in the offence_mix table.")
        return table
    }
}

extension Definitions.Scope {
    public var label: String {
        switch self {
        case .seriousViolence: "serious violence"
        case .outOfScope: "out of scope"
        case .uncovered: "uncovered"
        }
    }
}

extension Sex {
    /// Column order in published tables.
    static let order: [Sex] = [.female, .male, .unknown]
}

extension PublishedTable.Value {
    public var isHidden: Bool {
        switch self {
        case .suppressed, .secondarySuppressed: true
        default: false
        }
    }
}
