import SVDCore
import SVDBin

/// The `svd assess` tables: an `Assessment` formatted. Every count, rate, change, share and rank comes
/// already protected from the assessment; nothing here computes from the cube.
public struct AssessmentTables {
    public let assessment: Assessment

    /// `district` makes the tables of one district's pack: the per-district tables stay area-wide, the rest
    /// count only its incidents.
    public init(input: AssessmentInput, district: Int? = nil) {
        assessment = Assessment(input: input, district: district)
    }

    public init(_ assessment: Assessment) {
        self.assessment = assessment
    }

    public var disclosure: Disclosure { assessment.disclosure }
    /// The district of a CSP's pack, or nil for the whole area.
    public var scopeDistrict: Int? { assessment.scopeDistrict }
    /// The scope's marginals (the pack's district, or the area).
    public var marginals: CubeMarginals { assessment.scopeMarginals }
    /// Serious violence in the tables' scope (the pack's district, or the area without the outside bucket).
    public var scopeTotal: KeyedCount { assessment.scopeTotalCount }

    var policy: DisclosurePolicy { assessment.policy }
    var bands: AgeBands { assessment.definitions.ageBands }
    var strands: [Definitions.Strand] { assessment.definitions.strands }
    var periodLabel: String { "\(assessment.period.lowerBound) to \(assessment.period.upperBound)" }

    /// What every table says about its protection.
    var disclosureNotes: [String] {
        let p = policy
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
            + peopleAndPlacesTables()
            + [kpiSummary(), kpiByDistrict(), quarterlyTrend(), financialYearByDistrict(), financialYearByStrand(), groupingSummary(), peakHours()]
            + sourceTables() + [contextByDistrict()].compactMap { $0 }
    }

    /// A share cell: [c] for a withheld count, else the per cent (blank when it cannot be computed).
    func shareCell(_ share: Double?, of count: Released) -> PublishedTable.Value {
        count.cell == .withheld ? .withheld : share.map { .percent($0, decimals: 1) } ?? .empty
    }

    // MARK: Age band × district by sex

    public func ageSex(role: IncidentCube.Role) -> PublishedTable {
        let who = role == .victim ? "victim" : "suspect"
        var table = PublishedTable(
            id: "\(who)_age_sex_by_district", title: "\(who.capitalized) age band and sex by district, \(periodLabel)",
            columns: ["district_code", "district", "\(who)_age_band", "female", "male", "sex_unknown", "all",
                      "band_population", "rate_per_1000_per_year"] + Self.sexRateColumns)
        // A field the source does not record is left blank, never shown as a measured 0.
        let ageRecorded = recording.isRecorded(.age(role)), sexRecorded = recording.isRecorded(.sex(role))
        for d in assessment.districtsByIndex {
            for b in d.ageSex(role) {
                let age = ageRecorded || b.population == nil
                let rate: PublishedTable.Value = !age ? .empty
                    : b.ratePerThousand.map { .number($0, decimals: 2) } ?? (d.breakdownShown ? .empty : .withheld)
                table.rows.append([.text(d.code), .text(d.name), .text(b.label),
                                   measured(b.bySex[0], age && sexRecorded), measured(b.bySex[1], age && sexRecorded), measured(b.bySex[2], age),
                                   measured(b.all, age), b.population.map { .count($0) } ?? .empty, rate]
                                  + sexRateCells(b.sexRates, shown: d.breakdownShown, recorded: age && sexRecorded))
            }
        }
        table.notes = [
            "Age-specific rate: incidents with a \(who) in the band ÷ years ÷ the district's population of that age band × 1,000.",
            sexRateNote,
            "Incidents with more than one \(who) are counted once, by the first recorded \(who).",
            assessment.populationNote,
        ] + recording.notes([.age(role), .sex(role)]) + disclosureNotes
        return table
    }

    // MARK: Hour × weekday

    var hourWeekdayTitle: String { "Hour of day by weekday, \(periodLabel)" }

    public func hourWeekday() -> PublishedTable {
        var table = PublishedTable(id: "hour_by_weekday", title: hourWeekdayTitle,
                                   columns: ["hour"] + CivilDate.weekdayNames + ["weekday_unknown", "all"])
        let hourRecorded = recording.isRecorded(.hour), weekdayRecorded = recording.isRecorded(.weekday)
        for row in assessment.hourWeekday {
            let hour = hourRecorded || row.hour == 24
            table.rows.append([.text(row.label)] + row.byWeekday.map { measured($0, hour && weekdayRecorded) }
                              + [measured(row.weekdayUnknown, hour), measured(row.all, hour)])
        }
        table.notes = ["Hour and weekday are unknown where the source gives only a month (data.police.uk) or no time."]
            + recording.notes([.hour, .weekday]) + disclosureNotes
        return table
    }

    // MARK: Location type

    public func locationType() -> PublishedTable {
        var table = PublishedTable(id: "location_type", title: "Location type, \(periodLabel)",
                                   columns: ["location_type", "incidents", "share_percent"])
        let recorded = recording.isRecorded(.locationType)
        for row in assessment.locationTypes {
            let r = recorded || row.type == .unknown
            table.rows.append([.text(row.type.label), measured(row.incidents, r), share(row.share, of: row.incidents, r)])
        }
        table.rows.append([.text("all"), assessment.locationTotal.cell, .empty])
        table.notes = recording.notes([.locationType]) + disclosureNotes
        return table
    }

    // MARK: Monthly trend

    var monthlyTrendTitle: String { "Monthly trend by strand, \(periodLabel)" }
    var monthlyTrendNotes: [String] {
        ["Strands overlap: an incident can belong to several, so strand columns do not add up to the total.",
         "Rolling 12 months: the month and the 11 before it, shown once 12 months of data exist."] + disclosureNotes
    }

    public func monthlyTrend() -> PublishedTable {
        var table = PublishedTable(id: "monthly_trend", title: monthlyTrendTitle,
                                   columns: ["month", "all_serious_violence"] + strands.map(\.id) + ["all_rolling_12_months"])
        for m in assessment.monthlyTrend {
            table.rows.append([.text(m.month.description)] + m.byStrand.map(\.cell) + [m.rolling12?.cell ?? .empty])
        }
        table.notes = monthlyTrendNotes
        return table
    }

    // MARK: Strand summary

    public func strandSummary() -> PublishedTable {
        var table = PublishedTable(id: "strand_summary", title: "Strand summary, \(periodLabel)",
                                   columns: ["strand", "label", "incidents", "share_of_serious_violence_percent", "rate_per_1000_per_year"])
        for s in assessment.strands {
            table.rows.append([.text(s.id), .text(s.label), s.incidents.cell, shareCell(s.share, of: s.incidents),
                               s.ratePerThousand.map { .number($0, decimals: 3) } ?? .empty])
        }
        table.notes = ["Within the area only. Strands overlap, so shares add to more than 100%."] + disclosureNotes
        return table
    }

    // MARK: Offence mix

    public func offenceMix() -> PublishedTable {
        var table = PublishedTable(id: "offence_mix", title: "Offence categories, \(periodLabel)",
                                   columns: ["offence_category", "scope", "incidents", "share_of_serious_violence_percent"])
        for group in assessment.offenceMix {
            for o in group.offences {
                let share: PublishedTable.Value = group.scope == .seriousViolence ? shareCell(o.share, of: o.incidents) : .empty
                table.rows.append([.text(o.name), .text(group.scope.label), o.incidents.cell, share])
            }
            table.rows.append([.text("all \(group.scope.label)"), .text(group.scope.label), group.total.cell, .empty])
        }
        table.notes = ["Every accepted incident located in the area in the period, including categories outside the serious violence definition.",
                       "'uncovered' categories appear in neither the serious violence nor the out-of-scope list of the definitions: review them."]
            + disclosureNotes
        return table
    }

    // MARK: Data quality

    /// One line of the data-quality table; `records` marks exact record accounting (rows, not incidents).
    struct DataQualityLine {
        let measure: String
        let value: PublishedTable.Value
        let percent: PublishedTable.Value
        let records: Bool
    }

    func dataQualityLines() -> [DataQualityLine] {
        let dq = assessment.dataQuality
        func pct(_ x: Int, of y: Int) -> PublishedTable.Value { y > 0 ? .percent(Double(x) / Double(y) * 100, decimals: 1) : .empty }
        // Row accounting is about records in the extracts, not incidents in a place and period, so it is exact.
        var lines = dq.files.map { f in
            let others = f.otherSources.map { "\($0.source) \($0.rows)" }.joined(separator: ", ")
            let source = (f.source.isEmpty ? "" : "; source \(f.source)" + (f.partner.map { ", supplied by \($0)" } ?? ""))
                + (others.isEmpty ? "" : "; accepted rows its source column puts under other sources: \(others)")
                + (f.statedPeriod.map { "; stated period \($0), rows dated \(f.months ?? "none")" } ?? "")
            return DataQualityLine(measure: "file \(f.name) (\(f.format)\(source)): rows read / accepted / rejected",
                                   value: .text("\(f.rowsRead) / \(f.accepted) / \(f.rejected)"), percent: .empty, records: true)
        }
        // Per source, when files came from more than one: each agency's extracts balance on their own.
        let sources = dq.files.reduce(into: [String]()) { if !$0.contains($1.source) { $0.append($1.source) } }
        if sources.count > 1 {
            for s in sources {
                let f = dq.files.filter { $0.source == s }
                let (read, accepted, rejected) = (f.reduce(0) { $0 + $1.rowsRead }, f.reduce(0) { $0 + $1.accepted }, f.reduce(0) { $0 + $1.rejected })
                lines.append(DataQualityLine(measure: "source \(s) (\(f.count) file\(f.count == 1 ? "" : "s")): rows read / accepted / rejected",
                                             value: .text("\(read) / \(accepted) / \(rejected)"), percent: .empty, records: true))
            }
        }
        lines.append(DataQualityLine(measure: "rows read", value: .count(dq.rowsRead), percent: .empty, records: true))
        lines.append(DataQualityLine(measure: "rows accepted", value: .count(dq.rowsAccepted), percent: pct(dq.rowsAccepted, of: dq.rowsRead), records: true))
        for r in dq.rejected {
            lines.append(DataQualityLine(measure: "rejected: \(r.reason)", value: .count(r.rows), percent: pct(r.rows, of: dq.rowsRead), records: true))
        }
        lines.append(DataQualityLine(measure: "accepted incidents outside the analysis period", value: dq.outsidePeriod.cell, percent: .empty, records: false))
        for (label, s) in [("serious violence with unknown victim age", dq.unknownVictimAge),
                           ("serious violence with unknown hour", dq.unknownHour),
                           ("serious violence with unknown location type", dq.unknownLocationType),
                           ("serious violence located outside every district", dq.outsideEveryDistrict)] {
            lines.append(DataQualityLine(measure: label, value: s.incidents.cell, percent: s.percent.map { .percent($0, decimals: 1) } ?? .empty, records: false))
        }
        if let fields = assessment.people.recording.summary {
            lines.append(DataQualityLine(measure: "fields a source does not record (every accepted row blank)", value: .text(fields),
                                         percent: .empty, records: true))
        }
        lines.append(DataQualityLine(measure: "offence categories covered by no definition",
                                     value: .text(dq.uncoveredOffences.isEmpty ? "none" : dq.uncoveredOffences.joined(separator: "; ")),
                                     percent: .empty, records: false))
        return lines
    }

    /// `rejectsFile` false leaves out where the rejected rows are (the report travels without them).
    func dataQualityNotes(rejectsFile: Bool = true) -> [String] {
        (rejectsFile ? ["Rejected rows, with line numbers and reasons, are in the restricted rejects file beside the output (never published)."] : [])
            + ["Row accounting (read, accepted, rejected) counts records in the extracts and is exact; incident counts are protected.",
               "Counts by category for out-of-scope and uncovered offences are in the offence_mix table."]
            + disclosureNotes
    }

    var dataQualityTitle: String { "Data quality" }

    public func dataQuality() -> PublishedTable {
        PublishedTable(id: "data_quality", title: dataQualityTitle, columns: ["measure", "value", "percent"],
                       rows: dataQualityLines().map { [.text($0.measure), $0.value, $0.percent] }, notes: dataQualityNotes())
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
