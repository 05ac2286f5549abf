import SVDCore
import SVDBin
import SVDMeasure

/// People and places (issue 10): single years of age, peak age and over-representation of 10–25s, the
/// sexual-violence profile, and location type by district and by strand. Formatting only: every figure comes
/// from `Assessment.people`.
extension AssessmentTables {
    var people: Assessment.PeopleAndPlaces { assessment.people }
    var recording: Assessment.FieldRecording { people.recording }

    /// The people-and-places tables, in the order `all()` appends them.
    public func peopleAndPlacesTables() -> [PublishedTable] {
        [singleYearOfAge(), ageProfile(), sexualViolenceAgeSex(), locationTypeByDistrict(), locationTypeByStrand()]
    }

    /// A count cell, or blank when the field behind it is not recorded by the source (never a measured 0).
    func measured(_ r: Released, _ recorded: Bool) -> PublishedTable.Value { recorded ? r.cell : .empty }

    func share(_ share: Double?, of count: Released, _ recorded: Bool) -> PublishedTable.Value {
        recorded ? shareCell(share, of: count) : .empty
    }

    /// Female and male rate cells: population, rate, lower and upper 95% limits for each sex. `recorded` false
    /// (age or sex not recorded by the source) leaves the rates blank rather than withheld.
    func sexRateCells(_ rates: [Assessment.SexRate], shown: Bool, recorded: Bool = true) -> [PublishedTable.Value] {
        guard rates.count == 2 else { return Array(repeating: .empty, count: 8) }
        return rates.flatMap { r -> [PublishedTable.Value] in
            guard let e = r.rate else { return [.count(r.population)] + Array(repeating: shown || !recorded ? .empty : .withheld, count: 3) }
            return [.count(r.population), .number(e.rate, decimals: 2), .number(e.lower, decimals: 2), .number(e.upper, decimals: 2)]
        }
    }

    static let sexRateColumns = ["female_population", "female_rate_per_1000_per_year", "female_lower_95", "female_upper_95",
                                 "male_population", "male_rate_per_1000_per_year", "male_lower_95", "male_upper_95"]

    var sexRateNote: String {
        "Sex-specific rate: incidents with a female (male) person in the band ÷ years ÷ the females (males) of that band × 1,000, "
            + "with 95% confidence limits (Byar's method for counts of 10 or more, exact Poisson below); incidents of unknown sex are in neither."
    }

    // MARK: Single year of age

    public func singleYearOfAge() -> PublishedTable {
        var table = PublishedTable(
            id: "single_year_of_age", title: "Victims and suspects by single year of age, \(periodLabel)",
            columns: ["age", "victims", "victim_share_of_known_age_percent", "suspects", "suspect_share_of_known_age_percent", "population"])
        let victimAge = recording.isRecorded(.victimAge), suspectAge = recording.isRecorded(.suspectAge)
        let known = people.knownAge
        for row in people.singleYears {
            let isKnown = row.label != "unknown"
            let v = isKnown ? victimAge : true, s = isKnown ? suspectAge : true
            // An age is a number (the workbook stores it as one), "90+" and "unknown" text.
            let age: PublishedTable.Value = row.age.map { .number(Double($0), decimals: 0) } ?? .text(row.label)
            table.rows.append([age,
                               measured(row.victims, v), isKnown ? share(Assessment.share(row.victims, of: known[.victim]!), of: row.victims, victimAge) : .empty,
                               measured(row.suspects, s), isKnown ? share(Assessment.share(row.suspects, of: known[.suspect]!), of: row.suspects, suspectAge) : .empty,
                               row.population.map { .count($0) } ?? .empty])
        }
        table.rows.append([.text("all known ages"), measured(known[.victim]!, victimAge), .empty, measured(known[.suspect]!, suspectAge), .empty, .empty])
        table.notes = [
            "All serious violence in \(assessment.scopeName), by the age of the first recorded victim and of the first recorded suspect (each incident counted once per role).",
            "Shares are of the people of a known age (0–120), from the published counts. population: residents of that age in \(assessment.scopeName).",
            "The peak age and the over-representation of 10–25s are in the age_profile table.",
            assessment.populationNote,
        ] + recording.notes([.victimAge, .suspectAge]) + disclosureNotes
        return table
    }

    // MARK: Peak age and over-representation of 10–25s

    public func ageProfile() -> PublishedTable {
        let y = Assessment.PeopleAndPlaces.youngAges
        let band = "\(y.lowerBound)_\(y.upperBound)"
        var table = PublishedTable(
            id: "age_profile", title: "Peak age and \(y.lowerBound)–\(y.upperBound)-year-olds among victims and suspects, \(periodLabel)",
            columns: ["strand", "label", "role", "incidents", "known_age", "peak_age", "peak_count", "aged_\(band)",
                      "share_aged_\(band)_percent", "lower_95", "upper_95", "ci_method", "population_share_aged_\(band)_percent",
                      "compared_with_population"])
        for p in people.ageProfiles {
            let recorded = recording.isRecorded(.age(p.role))
            let role = p.role == .victim ? "victim" : "suspect"
            var cells: [PublishedTable.Value] = [.text(p.strandID), .text(p.strandLabel), .text(role), p.incidents.cell]
            if !recorded {
                cells += [.empty, .text("not recorded by this source")] + Array(repeating: .empty, count: 6)
                    + [p.populationYoungShare.map { .percent($0 * 100, decimals: 1) } ?? .empty, .empty]
                table.rows.append(cells)
                continue
            }
            let withheld: PublishedTable.Value = p.shown ? .empty : .withheld
            cells += [p.knownAge.cell,
                      p.peakAges.isEmpty ? withheld : p.peakAges.count == 1 ? .number(Double(p.peakAges[0]), decimals: 0) : .text(p.peakAges.map(String.init).joined(separator: "; ")),
                      p.peakCount.map { .count($0) } ?? withheld,
                      p.youngAges.cell]
            if let s = p.youngShare {
                cells += [.percent(s.proportion * 100, decimals: 1), .percent(s.lower * 100, decimals: 1), .percent(s.upper * 100, decimals: 1), .text("Wilson")]
            } else {
                cells += Array(repeating: withheld, count: 3) + [.empty]
            }
            cells += [p.populationYoungShare.map { .percent($0 * 100, decimals: 1) } ?? .empty,
                      p.representation.map { .text($0.rawValue) } ?? withheld]
            table.rows.append(cells)
        }
        table.notes = [
            "Each incident counts once per role, by the age of its first recorded victim or suspect, in \(assessment.scopeName); strands overlap.",
            "peak_age: the single year of age (below the open-ended top group) with the largest published count; ties are all listed.",
            "share_aged_\(band)_percent: people aged \(y.lowerBound)–\(y.upperBound) ÷ people of a known age (0–120), from the published counts, with the 95% Wilson score interval.",
            "population_share_aged_\(band)_percent: residents aged \(y.lowerBound)–\(y.upperBound) ÷ all residents of \(assessment.scopeName).",
            "compared_with_population: 'over' when the interval lies wholly above the population share, 'under' when wholly below, else 'similar'.",
            assessment.populationNote,
        ] + recording.notes([.victimAge, .suspectAge]) + disclosureNotes
        return table
    }

    // MARK: Sexual-violence profile

    public func sexualViolenceAgeSex() -> PublishedTable {
        let profile = people.sexualViolence
        var table = PublishedTable(
            id: "sexual_violence_age_sex",
            title: "\(profile?.strandLabel ?? "Sexual violence"): victims and suspects by age band and sex, \(periodLabel)",
            columns: ["role", "age_band", "female", "male", "sex_unknown", "all", "female_share_percent", "male_share_percent"]
                + Self.sexRateColumns)
        guard let profile else {
            table.notes = ["The definitions '\(assessment.definitions.name)' have no strand whose id contains 'sexual'."]
            return table
        }
        for r in profile.rows {
            let age = r.label == "unknown" || recording.isRecorded(.age(r.role))
            let sex = recording.isRecorded(.sex(r.role))
            let role = r.role == .victim ? "victim" : "suspect"
            table.rows.append([.text(role), .text(r.label), measured(r.bySex[0], age && sex), measured(r.bySex[1], age && sex),
                               measured(r.bySex[2], age), measured(r.all, age),
                               share(r.femaleShare, of: r.bySex[0], age && sex), share(r.maleShare, of: r.bySex[1], age && sex)]
                              + sexRateCells(r.sexRates, shown: profile.shown, recorded: age && sex))
        }
        table.rows.append([.text("all"), .text("all"), .empty, .empty, .empty, profile.incidents.cell, .empty, .empty]
                          + Array(repeating: .empty, count: 8))
        table.notes = [
            "The strand '\(profile.strandID)' (\(profile.strandLabel)) in \(assessment.scopeName): each incident counts once per role, by its first recorded victim or suspect.",
            "Shares are of the strand's incidents (the 'all' row), from the published counts.",
            sexRateNote + " Residents are those of \(assessment.scopeName).",
            assessment.populationNote,
        ] + recording.notes([.victimAge, .victimSex, .suspectAge, .suspectSex]) + disclosureNotes
        return table
    }

    // MARK: Location type by district and by strand

    func locationRows(_ b: Assessment.LocationBreakdown, prefix: [PublishedTable.Value]) -> [[PublishedTable.Value]] {
        let recorded = recording.isRecorded(.locationType)
        return b.types.map { row in
            let r = row.type == .unknown || recorded
            return prefix + [.text(row.type.label), measured(row.incidents, r), share(row.share, of: row.incidents, r)]
        } + [prefix + [.text("all"), b.incidents.cell, .empty]]
    }

    public func locationTypeByDistrict() -> PublishedTable {
        var table = PublishedTable(id: "location_type_by_district", title: "Location type by district, \(periodLabel)",
                                   columns: ["district_code", "district", "location_type", "incidents", "share_percent"])
        for b in people.locationByDistrict { table.rows += locationRows(b, prefix: [.text(b.id), .text(b.label)]) }
        table.notes = [
            "All serious violence in each district by location type; shares are of the district's incidents (its 'all' row), from the published counts.",
            "A district's types are withheld [c] when its total is below the minimum base.",
        ] + recording.notes([.locationType]) + disclosureNotes
        return table
    }

    public func locationTypeByStrand() -> PublishedTable {
        var table = PublishedTable(id: "location_type_by_strand", title: "Location type by strand, \(periodLabel)",
                                   columns: ["strand", "label", "location_type", "incidents", "share_percent"])
        for b in people.locationByStrand { table.rows += locationRows(b, prefix: [.text(b.id), .text(b.label)]) }
        table.notes = [
            "Each strand's incidents in \(assessment.scopeName) by location type; shares are of the strand's incidents (its 'all' row). Strands overlap.",
            "A strand's types are withheld [c] when its total is below the minimum base. All serious violence is in the location_type table.",
        ] + recording.notes([.locationType]) + disclosureNotes
        return table
    }
}
