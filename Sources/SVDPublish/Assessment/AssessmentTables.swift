import SVDCore
import SVDBin

/// Builds the `svd assess` tables from the cube. Every count passes through the run's `Disclosure` before it
/// is published, and every rate, change, share and rank is computed from what it released.
public struct AssessmentTables {
    public let input: AssessmentInput
    public let marginals: CubeMarginals
    public let disclosure: Disclosure
    /// The district of a CSP's pack, or nil for the whole area.
    public let scopeDistrict: Int?
    /// The first month with any data: every change series starts there (found once; it scans the whole cube).
    let firstDataMonth: MonthKey?

    /// `district` makes the tables of one district's pack: every marginal counts only its incidents.
    public init(input: AssessmentInput, district: Int? = nil) {
        self.input = input
        scopeDistrict = district
        // Up to 36 months before the period's end are summed too, so 12-month and financial-year change can compare.
        marginals = CubeMarginals(cube: input.cube, period: input.period, district: district,
                                  monthsFrom: min(input.period.lowerBound, input.period.upperBound.adding(months: -35)))
        disclosure = Disclosure(policy: input.disclosure)
        firstDataMonth = input.cube.months.first
    }

    var districts: [DistrictProfile] { input.districts }
    var bands: AgeBands { input.definitions.ageBands }
    var periodLabel: String { "\(input.period.lowerBound) to \(input.period.upperBound)" }

    func release(_ c: KeyedCount) -> Released { disclosure.release(c) }

    /// Serious violence in the tables' scope (the pack's district, or the area without the outside bucket).
    public var scopeTotal: KeyedCount {
        scopeDistrict.map { marginals.byDistrict[0][$0] } ?? marginals.byDistrict[0][0..<districts.count].sum()
    }

    /// What every table says about its protection.
    var disclosureNotes: [String] {
        let p = input.disclosure
        guard p.protects else { return ["Partner tier: true counts, small ones included (\(p.tier.marking))."] }
        var notes = ["Counts below \(p.threshold) are shown as <\(p.threshold); [c] marks a breakdown withheld because its total is below \(p.minimumBase)."]
        if p.perturb {
            notes.append("Counts are perturbed by the cell key method (never by more than \(p.maxAbsNoise)); the same incidents always give the same value, so totals need not equal the sum of their parts. Rates, changes and shares are computed from the published counts.")
        }
        return notes
    }

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
            let open = disclosure.allowsBreakdown(of: marginals.byDistrict[0][d])
            for a in 0..<bands.count {
                let bySex = Sex.order.map { marginals.byPerson[role.rawValue][d][a][Int($0.rawValue)] }
                let cells = open ? bySex.map(release) : bySex.map { _ in Released.withheld }
                let all = open ? release(bySex.sum()) : .withheld
                let pop = a < bands.lowerBounds.count ? districts[d].populationByAgeBand[a] : nil
                let rate: PublishedTable.Value = if let pop, pop > 0, let v = all.value {
                    .number(Double(v) / input.years / Double(pop) * 1000, decimals: 2)
                } else { open ? .empty : .withheld }
                table.rows.append([.text(districts[d].code), .text(districts[d].name), .text(bands.label(of: a))]
                                  + cells.map(\.cell) + [all.cell, pop.map { .count($0) } ?? .empty, rate])
            }
        }
        table.notes = [
            "Age-specific rate: incidents with a \(who) in the band ÷ years ÷ the district's population of that age band × 1,000.",
            "Incidents with more than one \(who) are counted once, by the first recorded \(who).",
            input.populationNote,
        ] + disclosureNotes
        return table
    }

    // MARK: Hour × weekday

    public func hourWeekday() -> PublishedTable {
        let grid = marginals.hourWeekday
        let open = disclosure.allowsBreakdown(of: scopeTotal)
        var table = PublishedTable(id: "hour_by_weekday", title: "Hour of day by weekday, \(periodLabel)",
                                   columns: ["hour"] + CivilDate.weekdayNames + ["weekday_unknown", "all"])
        for h in 0..<IncidentCube.Shape.hours {
            let label = h == 24 ? "unknown" : (h < 10 ? "0\(h):00" : "\(h):00")
            let row = open ? (grid[h] + [grid[h].sum()]).map { release($0).cell } : Array(repeating: PublishedTable.Value.withheld, count: grid[h].count + 1)
            table.rows.append([.text(label)] + row)
        }
        table.notes = ["Hour and weekday are unknown where the source gives only a month (data.police.uk) or no time."] + disclosureNotes
        return table
    }

    // MARK: Location type

    public func locationType() -> PublishedTable {
        let counts = LocationType.allCases.map { marginals.byPlace[0][Int($0.rawValue)].sum() }
        let total = release(counts.sum())
        let shown = disclosure.breakdown(counts, base: scopeTotal)
        var table = PublishedTable(id: "location_type", title: "Location type, \(periodLabel)",
                                   columns: ["location_type", "incidents", "share_percent"])
        for t in LocationType.allCases {
            let v = shown[Int(t.rawValue)]
            table.rows.append([.text(t.label), v.cell, v.cell == .withheld ? .withheld : disclosure.share(v, of: total)])
        }
        table.rows.append([.text("all"), total.cell, .empty])
        table.notes = disclosureNotes
        return table
    }

    // MARK: Monthly trend

    public func monthlyTrend() -> PublishedTable {
        let strands = marginals.shape.strandSlices
        let open = disclosure.allowsBreakdown(of: scopeTotal)
        var table = PublishedTable(id: "monthly_trend", title: "Monthly trend by strand, \(periodLabel)",
                                   columns: ["month"] + input.definitions.strands.map(\.id).reduce(into: ["all_serious_violence"]) { $0.append($1) }
                                       + ["all_rolling_12_months"])
        let firstData = marginals.byMonth[0].keys.min()
        var month = input.period.lowerBound
        while month <= input.period.upperBound {
            var row: [PublishedTable.Value] = [.text(month.description)]
            for k in 0..<strands { row.append(open ? release(marginals.byMonth[k][month] ?? .zero).cell : .withheld) }
            // A rolling total is its own set of records, so it gets its own key and noise: differencing two
            // consecutive totals gives the months' difference plus noise, never a month.
            let complete = firstData.map { month.adding(months: -11) >= $0 } ?? false
            let window = (0..<12).reduce(KeyedCount.zero) { $0 + (marginals.byMonth[0][month.adding(months: -$1)] ?? .zero) }
            row.append(!complete ? .empty : open ? release(window).cell : .withheld)
            table.rows.append(row)
            month = month.adding(months: 1)
        }
        table.notes = ["Strands overlap: an incident can belong to several, so strand columns do not add up to the total.",
                       "Rolling 12 months: the month and the 11 before it, shown once 12 months of data exist."] + disclosureNotes
        return table
    }

    // MARK: Strand summary

    public func strandSummary() -> PublishedTable {
        let n = districts.count
        let population = scopeDistrict.map { districts[$0].population } ?? districts.reduce(0) { $0 + $1.population }
        let all = release(scopeTotal)
        var table = PublishedTable(id: "strand_summary", title: "Strand summary, \(periodLabel)",
                                   columns: ["strand", "label", "incidents", "share_of_serious_violence_percent", "rate_per_1000_per_year"])
        let labels = marginals.shape.strandLabels
        let ids = ["all_serious_violence"] + input.definitions.strands.map(\.id)
        let counts = (0..<marginals.shape.strandSlices).map { k in
            scopeDistrict.map { marginals.byDistrict[k][$0] } ?? marginals.byDistrict[k][0..<n].sum()
        }
        let shown = [all] + disclosure.breakdown(Array(counts.dropFirst()), base: scopeTotal)
        for k in 0..<counts.count {
            let v = shown[k]
            table.rows.append([.text(ids[k]), .text(labels[k]), v.cell,
                               v.cell == .withheld ? .withheld : disclosure.share(v, of: all),
                               v.value.map { .number(Double($0) / input.years / Double(population) * 1000, decimals: 3) } ?? .empty])
        }
        table.notes = ["Within the area only. Strands overlap, so shares add to more than 100%."] + disclosureNotes
        return table
    }

    // MARK: Offence mix

    public func offenceMix() -> PublishedTable {
        var table = PublishedTable(id: "offence_mix", title: "Offence categories, \(periodLabel)",
                                   columns: ["offence_category", "scope", "incidents", "share_of_serious_violence_percent"])
        let n = districts.count
        let counts = marginals.byOffence.map { row in scopeDistrict.map { row[$0] } ?? row[0..<n].sum() }
        let svCodes = counts.indices.filter { input.offenceScopes[$0] == .seriousViolence }
        let svTotal = release(svCodes.map { counts[$0] }.sum())
        let open = disclosure.allowsBreakdown(of: counts.sum())
        for scope in [Definitions.Scope.seriousViolence, .outOfScope, .uncovered] {
            // Listed in name order: an order by count would rank hidden categories.
            let codes = counts.indices.filter { input.offenceScopes[$0] == scope && !counts[$0].isZero }
                .sorted { input.offenceNames[$0] < input.offenceNames[$1] }
            guard !codes.isEmpty else { continue }
            for o in codes {
                let v = open ? release(counts[o]) : .withheld
                let share: PublishedTable.Value = scope == .seriousViolence ? (open ? disclosure.share(v, of: svTotal) : .withheld) : .empty
                table.rows.append([.text(input.offenceNames[o]), .text(scope.label), v.cell, share])
            }
            table.rows.append([.text("all \(scope.label)"), .text(scope.label), release(codes.map { counts[$0] }.sum()).cell, .empty])
        }
        table.notes = ["Every accepted incident located in the area in the period, including categories outside the serious violence definition.",
                       "'uncovered' categories appear in neither the serious violence nor the out-of-scope list of the definitions: review them."]
            + disclosureNotes
        return table
    }

    // MARK: Data quality

    public func dataQuality() -> PublishedTable {
        let dq = input.dataQuality
        var table = PublishedTable(id: "data_quality", title: "Data quality", columns: ["measure", "value", "percent"])
        let read = dq.files.reduce(0) { $0 + $1.rowsRead }
        let accepted = dq.files.reduce(0) { $0 + $1.accepted }
        func pct(_ x: Int, of y: Int) -> PublishedTable.Value { y > 0 ? .percent(Double(x) / Double(y) * 100, decimals: 1) : .empty }
        // Row accounting is about records in the extracts, not incidents in a place and period, so it is exact.
        for f in dq.files {
            table.rows.append([.text("file \(f.name) (\(f.format)): rows read / accepted / rejected"),
                               .text("\(f.rowsRead) / \(f.accepted) / \(f.rejected)"), .empty])
        }
        table.rows.append([.text("rows read"), .count(read), .empty])
        table.rows.append([.text("rows accepted"), .count(accepted), pct(accepted, of: read)])
        for (reason, rows) in dq.rejectedByReason {
            table.rows.append([.text("rejected: \(reason)"), .count(rows), pct(rows, of: read)])
        }
        // Incidents outside the period are incidents of a month: two runs a month apart would give that month exactly.
        let outsidePeriod = release(dq.outsidePeriod)
        table.rows.append([.text("accepted incidents outside the analysis period"), outsidePeriod.cell, .empty])

        let n = districts.count
        let inArea = release(marginals.byDistrict[0][0..<n].sum())
        let outside = release(marginals.byDistrict[0][n])
        let everywhere = release(marginals.byDistrict[0].sum())
        let unknownAge = release(marginals.byVictimAge[0][bands.unknownIndex].sum())
        let unknownHour = release(marginals.hourWeekday[24].sum())
        let unknownPlace = release(marginals.byPlace[0][Int(LocationType.unknown.rawValue)].sum())
        // Numerator and denominator cover the same incidents: the area's for the unknowns, all for "outside".
        for (label, v, whole) in [("serious violence with unknown victim age", unknownAge, inArea),
                                  ("serious violence with unknown hour", unknownHour, inArea),
                                  ("serious violence with unknown location type", unknownPlace, inArea),
                                  ("serious violence located outside every district", outside, everywhere)] {
            table.rows.append([.text(label), v.cell, disclosure.share(v, of: whole)])
        }
        let uncovered = marginals.byOffence.indices.filter { input.offenceScopes[$0] == .uncovered && !marginals.byOffence[$0].sum().isZero }
        table.rows.append([.text("offence categories covered by no definition"),
                           .text(uncovered.isEmpty ? "none" : uncovered.map { input.offenceNames[$0] }.sorted().joined(separator: "; ")), .empty])
        table.notes.append("Rejected rows, with line numbers and reasons, are in the restricted rejects file beside the output (never published).")
        table.notes.append("Row accounting (read, accepted, rejected) counts records in the extracts and is exact; incident counts are protected.")
        table.notes.append("Counts by category for out-of-scope and uncovered offences are in the offence_mix table.")
        table.notes += disclosureNotes
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
        case .suppressed, .withheld: true
        default: false
        }
    }
}
