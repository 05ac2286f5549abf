import SVDCore

/// The by-source panel: police, A&E, ambulance… side by side, each source's figures from its own assessment
/// (same builder, same disclosure engine). Written only when a run read more than one source.
extension AssessmentTables {
    var sources: [Assessment.SourceAssessment] { assessment.bySource }

    public func sourceTables() -> [PublishedTable] {
        (sources.isEmpty ? [] : [sourceSummary(), sourceByDistrict(), sourceByMonth(), sourceByHour()]) + [sourceOverlap()].compactMap { $0 }
    }

    var sourceNotes: [String] {
        ["Each source counts its own records: an assault seen by the police and by A&E is in both, so sources do not add up to distinct incidents (see source_overlap for how many A&E and ambulance records have a police record nearby).",
         "All sources together are the tables without 'source' in their name; `svd assess --source NAME` writes every table for one source."]
    }

    /// Per hour row, its per cent of the published incidents with a known hour (nil for the unknown row or a hidden
    /// count): the by-source tables and the report's hour profiles share it.
    static func knownHourShares(_ rows: [Assessment.HourWeekdayRow]) -> [Double?] {
        let known = rows.filter { $0.hour < 24 }.compactMap(\.all.value).reduce(0, +)
        return rows.map { r in r.hour < 24 && known > 0 ? r.all.value.map { Double($0) / Double(known) * 100 } : nil }
    }

    public func sourceSummary() -> PublishedTable {
        var table = PublishedTable(
            id: "source_summary", title: "Serious violence by source, \(periodLabel)",
            columns: ["source", "supplied_by", "files", "rows_read", "rows_accepted", "rows_rejected", "incidents",
                      "last_12_months", "previous_12_months", "difference", "change_percent", "change_significance",
                      "unknown_hour_percent", "unknown_victim_age_percent"])
        for s in sources {
            let a = s.assessment, dq = a.dataQuality
            table.rows.append([.text(s.name), .text(s.partners.joined(separator: "; ")), .count(dq.files.count),
                               .count(dq.rowsRead), .count(dq.rowsAccepted), .count(dq.rowsRead - dq.rowsAccepted),
                               a.areaRow.incidents.cell]
                              + (a.areaRow.change?.cellsWithTest ?? Array(repeating: .empty, count: 5))
                              + [dq.unknownHour.percent.map { .percent($0, decimals: 1) } ?? .empty,
                                 dq.unknownVictimAge.percent.map { .percent($0, decimals: 1) } ?? .empty])
        }
        table.notes = ["Rows read, accepted and rejected count records in each source's extracts and are exact; incidents are serious violence located in \(areaName) in the period, protected like every count."]
            + sourceNotes + disclosureNotes
        return table
    }

    public func sourceByDistrict() -> PublishedTable {
        var table = PublishedTable(
            id: "source_by_district", title: "Serious violence by source and district, \(periodLabel)",
            columns: ["source", "district_code", "district", "incidents", "population", "rate_per_1000_per_year",
                      "lower_95", "upper_95", "ci_method", "compared_with_source_area"])
        for s in sources {
            for d in s.assessment.districtsByIndex {
                table.rows.append([.text(s.name), .text(d.code), .text(d.name), d.incidents.cell, .count(d.population)]
                                  + rateCells(d.rate, compared: d.comparedWithArea))
            }
            let area = s.assessment.areaRow
            table.rows.append([.text(s.name), .text("TOTAL"), .text(areaName), area.incidents.cell, .count(area.population)]
                              + rateCells(area.rate, compared: nil))
        }
        table.notes = ["Rate = the source's incidents ÷ years in period ÷ population × 1,000, with 95% CIs (Byar's method from 10, exact Poisson below); compared_with_source_area compares the district with the same source's area-wide rate.",
                       assessment.populationNote] + sourceNotes + disclosureNotes
        return table
    }

    public func sourceByMonth() -> PublishedTable {
        var table = PublishedTable(id: "source_by_month", title: "Serious violence by source and month, \(periodLabel)",
                                   columns: ["month", "source", "incidents", "rolling_12_months"])
        for s in sources {
            for m in s.assessment.monthlyTrend {
                table.rows.append([.text(m.month.description), .text(s.name), m.byStrand[0].cell, m.rolling12?.cell ?? .empty])
            }
        }
        table.notes = sourceNotes + disclosureNotes
        return table
    }

    public func sourceByHour() -> PublishedTable {
        var table = PublishedTable(id: "source_by_hour", title: "Serious violence by source and hour of day, \(periodLabel)",
                                   columns: ["source", "hour", "incidents", "share_of_known_hours_percent"])
        for s in sources {
            let rows = s.assessment.hourWeekday
            let shares = Self.knownHourShares(rows)
            for (r, share) in zip(rows, shares) {
                table.rows.append([.text(s.name), .text(r.label), r.all.cell, share.map { .percent($0, decimals: 1) } ?? .empty])
            }
        }
        table.notes = ["Share: of the source's incidents with a known hour, from the published counts. A&E arrival and ambulance call times follow the assault by minutes to hours."]
            + sourceNotes + disclosureNotes
        return table
    }
}

extension AssessmentTables {
    /// Area-level partner figures beside the incident measures, labelled as context.
    public func contextByDistrict() -> PublishedTable? {
        let rows = assessment.context
        guard !rows.isEmpty else { return nil }
        var table = PublishedTable(
            id: "context_by_district", title: "Context from partners (area-level figures, not incidents), 12 months to \(end)",
            columns: ["measure", "supplied_by", "district_code", "district", "last_12_months", "previous_12_months",
                      "difference", "change_percent", "per_1000_residents_last_12_months"])
        for r in rows {
            let (code, name) = r.district.map { (assessment.districtsByIndex[$0].code, assessment.districtsByIndex[$0].name) } ?? ("TOTAL", areaName)
            table.rows.append([.text(r.measure), .text(r.partner ?? ""), .text(code), .text(name)] + r.change.cells
                              + [r.ratePerThousand.map { .number($0, decimals: 2) } ?? .empty])
        }
        table.notes = ["Context: counts partners supply by district and month (e.g. school exclusions, youth offending caseloads), not incidents; they are not in any incident table and have no significance test (they need not be Poisson counts).",
                       "Per 1,000 residents of all ages, from the latest 12 months.", assessment.populationNote] + disclosureNotes
        return table
    }
}

extension AssessmentTables {
    /// The Cardiff Model's question: how many A&E and ambulance records have no police record nearby in place and time.
    public func sourceOverlap() -> PublishedTable? {
        let rows = assessment.overlap
        guard !rows.isEmpty, let o = assessment.overlapInput else { return nil }
        var table = PublishedTable(
            id: "source_overlap", title: "Partner records with and without a police record nearby, \(periodLabel)",
            columns: ["source", "breakdown", "group", "records", "matched_to_police", "chance_match_percent",
                      "estimated_with_police_record_percent", "estimated_without_police_record_percent", "lower_95", "upper_95"])
        for r in rows {
            let e = r.estimate
            func pct(_ x: Double?) -> PublishedTable.Value { x.map { .percent($0 * 100, decimals: 1) } ?? (r.records == .withheld ? .withheld : .empty) }
            table.rows.append([.text(r.source), .text(r.breakdown), .text(r.group), r.records.cell, r.matched.cell,
                               r.chancePercent.map { .percent($0, decimals: 1) } ?? (r.records == .withheld ? .withheld : .empty),
                               pct(e?.estimatedLinkedShare), pct(e?.estimatedUnlinkedShare), pct(e?.lower95), pct(e?.upper95)])
        }
        let p = o.parameters
        table.notes = [
            "Records: partner records (\(o.partnerSources.joined(separator: ", "))) of serious violence in \(areaName) in the period with a known day and hour and a place; matched against \(o.policeSources.joined(separator: ", ")) records with a known time (no identifiers are shared).",
            "Matched: at least one police record within \(Int(p.radiusMetres)) m and \(p.windowHours) hours. Some matches are chance (busy places at busy times): the chance-match rate is the share matched when police times are shifted by \(p.controlShiftsDays.map { "\($0 > 0 ? "+" : "")\($0)" }.joined(separator: ", ")) days (same weekday and hour, true pairs broken).",
            "Estimated with a police record = (matched share − chance share) ÷ (1 − chance share); without = 1 − that, with a 95% interval that includes the chance rate's own uncertainty (Wilson-type, delta method). Computed from the published counts.",
            policy.protects ? "Public tier: all records per source only; the breakdowns by district, hour band and victim age band are partner tier." : "Breakdowns by district, hour band and victim age band (partner tier).",
            "It assumes records with and without a police counterpart are equally exposed to chance matches, and counts as linked only counterparts within the distance and time; a police record made later, or placed at the victim's home, is not found. Records are assumed independent (an ambulance call and the A&E attendance it led to are not).",
        ] + disclosureNotes
        return table
    }
}
