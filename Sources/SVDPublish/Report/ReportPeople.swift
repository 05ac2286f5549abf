import SVDCore
import SVDBin
import SVDMeasure

/// Who is involved and where: victims' and suspects' ages (peak age, 10–25 over-representation), the
/// sexual-violence profile, and location types — formatted from `Assessment.people`.
extension NeedsAssessmentReport {
    func peoplePlacesSection(_ m: inout Markup) {
        section(&m, "people-places") { m in
            let p = assessment.people
            m.element("p", [], "Victims and suspects by age, the sexual-violence profile by age and sex, and where incidents happen, in \(scopeName), \(periodText).")
            // Ages: all serious violence first, then each strand.
            let profiles = p.ageProfiles
            if !profiles.isEmpty {
                let rows: [[PublishedTable.Value]] = profiles.map { a in
                    let share: PublishedTable.Value = a.youngShare.map { .text(String(format: "%.1f%% (%.1f–%.1f)", $0.proportion * 100, $0.lower * 100, $0.upper * 100)) }
                        ?? (a.shown ? .empty : .withheld)
                    return [.text(a.strandLabel), .text(a.role == .victim ? "victims" : "suspects"), a.knownAge.cell,
                            .text(a.peakAges.isEmpty ? (a.shown ? "" : withheldMark) : a.peakAges.map(String.init).joined(separator: ", ")),
                            share, a.populationYoungShare.map { .percent($0 * 100, decimals: 1) } ?? .empty,
                            a.representation.map { .text($0.rawValue) } ?? (a.shown ? .empty : .withheld)]
                }
                m.open("div", [("class", "scroll")])
                table(&m, caption: "Victims and suspects by age: peak age and 10–25s against residents",
                      columns: ["Strand", "Role", "Known age", "Peak age", "Aged 10–25 (95% CI)", "Residents aged 10–25", "10–25s are"].enumerated().map { i, h in
                          Self.cell(i, h, numeric: [2, 3, 4, 5].contains(i))
                      }, rows: rows, className: "data compact",
                      notes: ["Peak age: the single year of age with most published incidents among those of known age. The 10–25 share has a Wilson 95% interval; 'over' when it lies wholly above the residents' share, 'under' when wholly below. Incidents count once per role, by the first recorded victim and suspect."]
                          + (p.recording.summary.map { [$0] } ?? []))
                m.close()
            }
            if let sv = p.sexualViolence {
                let rows: [[PublishedTable.Value]] = sv.rows.map { r in
                    [.text(r.role == .victim ? "victims" : "suspects"), .text(r.label)] + r.bySex.map(\.cell) + [r.all.cell]
                }
                table(&m, caption: "\(sv.strandLabel): victims and suspects by age band and sex",
                      columns: ["Role", "Age band", "Female", "Male", "Sex unknown", "All"].enumerated().map { i, h in Self.cell(i, h, numeric: i >= 2) },
                      rows: rows, className: "data compact",
                      notes: ["Counts of incidents in the strand by the first recorded victim's and suspect's age band and sex. \(suppressionNote)"])
            }
            // Location types: the scope's district(s), by type.
            let byDistrict = p.locationByDistrict.filter { b in district.map { input.districts[$0].code == b.id } ?? true }
            if let types = byDistrict.first?.types.map(\.type), !byDistrict.isEmpty {
                let rows: [[PublishedTable.Value]] = byDistrict.map { b in
                    [.text(b.label)] + b.types.map { $0.incidents.cell } + [b.incidents.cell]
                }
                m.open("div", [("class", "scroll")])
                table(&m, caption: "Location type by district",
                      columns: ([Self.cell(0, "District", numeric: false)] + types.enumerated().map { i, t in Self.cell(i + 1, t.label) }
                                + [Self.cell(types.count + 1, "All")]),
                      rows: rows, className: "data compact",
                      notes: ["Where the source records it (high street kept apart from other streets when the source says so). \(suppressionNote)"])
                m.close()
            }
        }
    }
}
