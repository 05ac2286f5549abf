import XCTest
import Foundation
import SVDCore
import SVDDemo
import SVDBin
import SVDMeasure
import SVDPublish
@testable import SVDEngine

/// People and places on a crafted extract (Fixtures/people), in the partner tier so there is no noise, against
/// figures `make_expected.py` computed from the same file and the ONS population alone (scipy for the Wilson and
/// Poisson limits); and data.police.uk input, which records no age, sex, hour or location type.
final class PeopleAndPlacesTests: XCTestCase {
    static let fixtures = CLI.packageRoot.appendingPathComponent("Tests/SVDEngineTests/Fixtures/people")

    /// expected.csv as key → value.
    func expected() throws -> [String: String] {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("expected.csv"), encoding: .utf8)
        var out: [String: String] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",", maxSplits: 1).map(String.init)
            out[parts[0]] = parts[1]
        }
        return out
    }

    func assessment() throws -> Assessment {
        let request = IncidentRequest(files: [Self.fixtures.appendingPathComponent("incidents.csv")],
                                      from: MonthKey(year: 2024, month: 1), to: MonthKey(year: 2024, month: 12), workers: 1)
        let binned = try BinnedIncidents(request: request, rejectsFile: nil)
        XCTAssertEqual(binned.result.summaries.map(\.summary.accepted), [31])
        return Assessment(input: binned.assessmentInput(disclosure: .partner))
    }

    func number(_ e: [String: String], _ key: String) throws -> Double { try XCTUnwrap(Double(try XCTUnwrap(e[key], key)), key) }
    func count(_ e: [String: String], _ key: String) throws -> Int { try XCTUnwrap(Int(try XCTUnwrap(e[key], key)), key) }

    func testPeakAgeAndTheOverRepresentationOf10To25s() throws {
        let e = try expected(), a = try assessment()
        let p = a.people
        for role in IncidentCube.Role.allCases {
            let who = role == .victim ? "victim" : "suspect"
            let profile = try XCTUnwrap(p.ageProfiles.first { $0.strandID == "all_serious_violence" && $0.role == role })
            XCTAssertEqual(profile.incidents.value, 31)
            XCTAssertEqual(profile.knownAge.value, try count(e, "\(who) known"))
            XCTAssertEqual(profile.peakAges.map(String.init).joined(separator: "; "), e["\(who) peak ages"])
            XCTAssertEqual(profile.peakCount, try count(e, "\(who) peak count"))
            XCTAssertEqual(profile.youngAges.value, try count(e, "\(who) aged 10-25"))
            let share = try XCTUnwrap(profile.youngShare)
            XCTAssertEqual(share.proportion, try number(e, "\(who) share"), accuracy: 1e-12)
            XCTAssertEqual(share.lower, try number(e, "\(who) lower"), accuracy: 1e-9)
            XCTAssertEqual(share.upper, try number(e, "\(who) upper"), accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(profile.populationYoungShare), try number(e, "population share 10-25"), accuracy: 1e-12)
            XCTAssertEqual(profile.representation?.rawValue, e["\(who) compared"])
            // Single years of age: every age the script counted, and nothing else.
            for row in p.singleYears {
                guard let age = row.age else { continue }
                XCTAssertEqual(row.count(role).value, Int(e["\(who) age \(age)"] ?? "0"), "\(who) aged \(age)")
            }
            XCTAssertEqual(p.singleYears.last?.count(role).value, try count(e, "\(who) unknown"))
        }
        // The Kent SNA's headline figure, as the table prints it.
        let table = AssessmentTables(a).ageProfile()
        let suspects = try XCTUnwrap(table.rows.first { $0[0] == .text("all_serious_violence") && $0[2] == .text("suspect") })
        func cell(_ column: String) -> String { suspects[table.columns.firstIndex(of: column)!].plain }
        XCTAssertEqual(cell("peak_age"), "17")
        XCTAssertEqual(cell("peak_count"), "8")
        XCTAssertEqual(cell("share_aged_10_25_percent"), "74.1")
        XCTAssertEqual(cell("lower_95"), String(format: "%.1f", try number(e, "suspect lower") * 100))
        XCTAssertEqual(cell("ci_method"), "Wilson")
        XCTAssertEqual(cell("compared_with_population"), "over")
    }

    func testSexSpecificRatesWithExactPoissonAndByarLimits() throws {
        let e = try expected(), a = try assessment()
        let maidstone = try XCTUnwrap(a.districts.first { $0.code == "E07000110" })
        for role in IncidentCube.Role.allCases {
            let who = role == .victim ? "victim" : "suspect"
            let band = maidstone.ageSex(role)[1]   // 10–17
            XCTAssertEqual(band.label, "10-17")
            XCTAssertEqual(band.sexRates.map(\.sex), [.female, .male])
            for r in band.sexRates {
                let key = "maidstone \(who) \(r.sex.label) 10-17"
                let rate = try XCTUnwrap(r.rate, key)
                XCTAssertEqual(rate.count, try count(e, key + " count"), key)
                XCTAssertEqual(r.population, try count(e, key + " population"), key)
                XCTAssertEqual(rate.rate, try number(e, key + " rate"), accuracy: 1e-12, key)
                XCTAssertEqual(rate.lower, try number(e, key + " lower"), accuracy: 1e-9, key)
                XCTAssertEqual(rate.upper, try number(e, key + " upper"), accuracy: 1e-9, key)
                XCTAssertEqual(rate.method, rate.count < 10 ? .exactPoisson : .byar, key)
            }
        }
        // The table carries the same figures, and nothing for the unknown band.
        let table = AssessmentTables(a).ageSex(role: .victim)
        let row = try XCTUnwrap(table.rows.first { $0[0] == .text("E07000110") && $0[2] == .text("10-17") })
        XCTAssertEqual(row[table.columns.firstIndex(of: "female_rate_per_1000_per_year")!].plain,
                       String(format: "%.2f", try number(e, "maidstone victim female 10-17 rate")))
        XCTAssertEqual(row[table.columns.firstIndex(of: "female_population")!], .count(try count(e, "maidstone victim female 10-17 population")))
        let unknown = try XCTUnwrap(table.rows.first { $0[0] == .text("E07000110") && $0[2] == .text("unknown") })
        XCTAssertEqual(unknown[table.columns.firstIndex(of: "male_rate_per_1000_per_year")!], .empty)
    }

    func testSexualViolenceProfileAndLocationTypes() throws {
        let e = try expected(), a = try assessment()
        let sv = try XCTUnwrap(a.people.sexualViolence)
        XCTAssertEqual(sv.strandID, "sexual_violence_domestic_abuse")
        XCTAssertEqual(sv.incidents.value, try count(e, "sexual incidents"))
        for row in sv.rows {
            let who = row.role == .victim ? "victim" : "suspect"
            if row.label == "unknown" {
                XCTAssertEqual(row.all.value, try count(e, "sexual \(who) unknown age"))
                continue
            }
            XCTAssertEqual(row.bySex[0].value, Int(e["sexual \(who) female band \(row.band)"] ?? "0"), "\(who) \(row.label)")
            XCTAssertEqual(row.bySex[1].value, Int(e["sexual \(who) male band \(row.band)"] ?? "0"), "\(who) \(row.label)")
        }
        // Girls of school age among victims, boys under 18 among suspects: rate per 1,000 girls aged 10–17.
        let girls = try XCTUnwrap(sv.rows.first { $0.role == .victim && $0.label == "10-17" }?.sexRates.first?.rate)
        XCTAssertEqual(girls.rate, try number(e, "sexual victim female 10-17 rate"), accuracy: 1e-12)
        XCTAssertEqual(girls.lower, try number(e, "sexual victim female 10-17 lower"), accuracy: 1e-9)
        XCTAssertEqual(girls.upper, try number(e, "sexual victim female 10-17 upper"), accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(sv.rows.first { $0.role == .victim && $0.label == "10-17" }?.femaleShare), 50, accuracy: 1e-12)

        // Location type by district: Maidstone's own types; the high street kept apart from other streets.
        let maidstone = try XCTUnwrap(a.people.locationByDistrict.first { $0.id == "E07000110" })
        XCTAssertTrue(maidstone.shown)
        for t in maidstone.types {
            XCTAssertEqual(t.incidents.value, Int(e["maidstone location \(t.type.label)"] ?? "0"), t.type.label)
        }
        XCTAssertEqual(try XCTUnwrap(maidstone.types.first { $0.type == .highStreet }?.share), 500.0 / 31, accuracy: 1e-12)
        let sexual = try XCTUnwrap(a.people.locationByStrand.first { $0.id == "sexual_violence_domestic_abuse" })
        XCTAssertEqual(sexual.types.first { $0.type == .dwelling }?.incidents.value, try count(e, "sexual location dwelling"))
        XCTAssertEqual(sexual.incidents.value, 6)
        let table = AssessmentTables(a).locationTypeByDistrict()
        XCTAssertTrue(table.rows.contains([.text("E07000110"), .text("Maidstone"), .text("high street"), .count(5), .percent(500.0 / 31, decimals: 1)]))
        // Every field of this extract is recorded somewhere: nothing is blanked.
        XCTAssertNil(a.people.recording.summary)
    }

    /// Public tier: a district whose total is below the minimum base has its location types withheld, and so has
    /// a strand below it; small counts read "<5".
    func testPublicTierWithholdsSmallBases() throws {
        let request = IncidentRequest(files: [Self.fixtures.appendingPathComponent("incidents.csv")],
                                      from: MonthKey(year: 2024, month: 1), to: MonthKey(year: 2024, month: 12), workers: 1)
        let binned = try BinnedIncidents(request: request, rejectsFile: nil)
        let a = Assessment(input: binned.assessmentInput(disclosure: DisclosurePolicy(perturb: false)))
        // 31 incidents < 50: the scope itself is below the minimum base, so no breakdown is shown.
        XCTAssertTrue(a.people.locationByDistrict.allSatisfy { b in b.types.allSatisfy { $0.incidents == .withheld } })
        XCTAssertTrue(a.people.locationByStrand.allSatisfy { !$0.shown })
        XCTAssertTrue(a.people.ageProfiles.allSatisfy { !$0.shown && $0.peakAges.isEmpty && $0.youngShare == nil })
        XCTAssertTrue(a.people.singleYears.allSatisfy { $0.suspects == .withheld })
        XCTAssertEqual(a.people.sexualViolence?.rows.allSatisfy { $0.all == .withheld }, true)
        let tables = AssessmentTables(a)
        for t in tables.peopleAndPlacesTables() {
            for row in t.rows { for v in row { if case .count(let n) = v { XCTAssertFalse((1..<5).contains(n), "\(t.id): \(row)") } } }
        }
    }

    /// data.police.uk records no age, sex, hour, weekday or location type: those tables say so and print no zeros.
    func testPoliceUKFieldsAreNotRecordedNotZero() throws {
        let cli = try CLI("police-uk")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "3000", "--seed", "8", "--format", "police-uk", "--out", "p.csv"])
        try cli.ok(["assess", "p.csv", "--out", "out", "--format", "csv,json", "--quiet", "--tier", "partner"])
        func table(_ id: String) throws -> (columns: [String], rows: [[String]], text: String) {
            let text = try String(contentsOfFile: cli.path("out/\(id).csv"), encoding: .utf8)
            let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let json = try String(contentsOfFile: cli.path("out/\(id).json"), encoding: .utf8)
            return (lines[0], Array(lines.dropFirst()), json)
        }
        for id in ["victim_age_sex_by_district", "suspect_age_sex_by_district"] {
            let t = try table(id)
            XCTAssertTrue(t.text.contains("not recorded by this source"), id)
            for row in t.rows {
                for c in ["female", "male", "female_rate_per_1000_per_year", "male_rate_per_1000_per_year", "rate_per_1000_per_year"] {
                    XCTAssertEqual(row[t.columns.firstIndex(of: c)!], "", "\(id) \(row)")
                }
                // Known bands: no count at all; the unknown band holds every incident.
                let band = row[2]
                XCTAssertEqual(row[t.columns.firstIndex(of: "all")!].isEmpty, band != "unknown", "\(id) \(row)")
            }
        }
        let single = try table("single_year_of_age")
        XCTAssertTrue(single.text.contains("not recorded by this source"))
        for row in single.rows where row[0] != "unknown" {
            XCTAssertEqual(row[1], "", "no measured victims of age \(row[0])")
            XCTAssertEqual(row[3], "", "no measured suspects of age \(row[0])")
        }
        let profile = try table("age_profile")
        XCTAssertTrue(profile.rows.allSatisfy { $0[5] == "not recorded by this source" && $0[4] == "" && $0[7] == "" })
        let hours = try table("hour_by_weekday")
        XCTAssertTrue(hours.text.contains("Hour: not recorded by this source"))
        for row in hours.rows where row[0] != "unknown" { XCTAssertTrue(row.dropFirst().allSatisfy(\.isEmpty), "\(row)") }
        let unknownHour = try XCTUnwrap(hours.rows.first { $0[0] == "unknown" })
        XCTAssertTrue(unknownHour[1...7].allSatisfy(\.isEmpty), "weekday not recorded: \(unknownHour)")
        XCTAssertNotEqual(unknownHour[9], "")
        for id in ["location_type", "location_type_by_district", "location_type_by_strand"] {
            let t = try table(id)
            let type = t.columns.firstIndex(of: "location_type")!, n = t.columns.firstIndex(of: "incidents")!
            XCTAssertTrue(t.text.contains("Location type: not recorded by this source"), id)
            for row in t.rows where !["unknown", "all"].contains(row[type]) { XCTAssertEqual(row[n], "", "\(id) \(row)") }
        }
        let dq = try table("data_quality")
        XCTAssertTrue(dq.text.contains("victim age, suspect age, victim sex, suspect sex, hour, weekday, location type: not recorded by p.csv (data.police.uk)"),
                      dq.text)
    }

    /// A file that records a field and one that does not: the field is measured, with a note naming the silent file.
    func testAFieldSomeFilesDoNotRecordIsMeasuredWithANote() throws {
        let dq = DataQualityInput(files: [
            .init(name: "a.csv", format: "native", rowsRead: 10, accepted: 10, rejected: 0, unknown: [.victimAge: 2, .hour: 10]),
            .init(name: "b.csv", format: "data.police.uk", rowsRead: 5, accepted: 5, rejected: 0, unknown: [.victimAge: 5, .hour: 5]),
            .init(name: "empty.csv", format: "native", rowsRead: 1, accepted: 0, rejected: 1, unknown: [.victimAge: 0]),
        ], rejectedByReason: [], outsidePeriod: .zero, rejectsFile: nil)
        let r = Assessment.FieldRecording(dq)
        XCTAssertEqual(r.status(.victimAge), .partly(notBy: ["b.csv (data.police.uk)"]))
        XCTAssertTrue(r.isRecorded(.victimAge))
        XCTAssertEqual(r.status(.hour), .notRecorded(by: ["a.csv (native)", "b.csv (data.police.uk)"]))
        XCTAssertFalse(r.isRecorded(.hour))
        XCTAssertEqual(r.status(.suspectSex), .recorded, "a field the files did not count is assumed recorded")
        XCTAssertEqual(r.notes([.victimAge]), ["Victim age is not recorded by b.csv (data.police.uk): those incidents count as unknown."])
    }
}
