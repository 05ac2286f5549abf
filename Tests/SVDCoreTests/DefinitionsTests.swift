import Foundation
import SVDCore
import XCTest

/// The Kent & Medway definitions file, parsed and applied to hand-made incidents.
final class DefinitionsTests: XCTestCase {
    private static let yamlURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("geodata/kent-medway/definitions.yaml")

    private func kentMedway() throws -> Definitions {
        try Definitions(yaml: String(contentsOf: Self.yamlURL, encoding: .utf8), source: "definitions.yaml")
    }

    /// Strand ids an incident of `category` belongs to.
    private func strands(of category: String, _ make: (UInt16) -> Incident, _ defs: Definitions) -> Set<String> {
        let catalog = OffenceCatalog(definitions: defs)
        let code = catalog.code(for: category)!
        let mask = StrandClassifier(catalog: catalog).strandMask(make(code))
        return Set(defs.strands.enumerated().filter { mask & (1 << UInt8($0.offset)) != 0 }.map(\.element.id))
    }

    private let maidstone = BNGPoint(easting: 575_900, northing: 155_700)
    private let march2024 = Int32(MonthKey(year: 2024, month: 3).index)

    func testKentMedwayFileParses() throws {
        let defs = try kentMedway()
        XCTAssertEqual(defs.strands.map(\.id), ["sexual_violence_domestic_abuse", "serious_youth_violence", "drugs_alcohol", "knife_weapon"])
        XCTAssertEqual(defs.cohorts.map(\.id), ["under_25", "under_18"])
        XCTAssertEqual(defs.ageBands.lowerBounds, [0, 10, 18, 25, 35, 50, 65])
        XCTAssertEqual(defs.scope(ofCategory: normaliseCategory("Violence-with-injury")), .seriousViolence)
        XCTAssertEqual(defs.scope(ofCategory: normaliseCategory("Anti-social behaviour")), .outOfScope)
        XCTAssertEqual(defs.scope(ofCategory: normaliseCategory("Stalking & Harassment")), .outOfScope)
        XCTAssertEqual(defs.scope(ofCategory: normaliseCategory("Violence and sexual offences")), .seriousViolence)
        XCTAssertEqual(defs.scope(ofCategory: "littering"), .uncovered)
    }

    func testYoungVictimOfStreetViolenceIsSeriousYouthViolence() throws {
        let defs = try kentMedway()
        let got = strands(of: "violence with injury", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 17, suspectAge: 30,
                     locationType: .street, domestic: .no, weapon: .none, alcohol: .no, drugs: .no)
        }, defs)
        XCTAssertEqual(got, ["serious_youth_violence"])
    }

    func testSameAssaultByAdultsOrIndoorsIsNotYouthViolence() throws {
        let defs = try kentMedway()
        let adults = strands(of: "violence with injury", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 25, suspectAge: 40, locationType: .street)
        }, defs)
        XCTAssertFalse(adults.contains("serious_youth_violence"))
        let atHome = strands(of: "violence with injury", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 17, suspectAge: 19, locationType: .dwelling)
        }, defs)
        XCTAssertFalse(atHome.contains("serious_youth_violence"))
        // An unknown age is not "under 25".
        let unknownAges = strands(of: "robbery", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, locationType: .street)
        }, defs)
        XCTAssertFalse(unknownAges.contains("serious_youth_violence"))
        // The suspect's age counts too (role: either).
        let youngSuspect = strands(of: "robbery", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 50, suspectAge: 16, locationType: .park)
        }, defs)
        XCTAssertTrue(youngSuspect.contains("serious_youth_violence"))
    }

    func testDomesticViolenceWithoutInjuryIsDomesticAbuse() throws {
        let defs = try kentMedway()
        let got = strands(of: "Violence without injury", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 34, suspectAge: 36,
                     locationType: .dwelling, domestic: .yes, weapon: .none, alcohol: .no, drugs: .no)
        }, defs)
        XCTAssertEqual(got, ["sexual_violence_domestic_abuse"])
    }

    func testRapeIsSexualViolenceWhateverTheFlags() throws {
        let defs = try kentMedway()
        let got = strands(of: "rape", { Incident(location: self.maidstone, month: self.march2024, offence: $0) }, defs)
        XCTAssertEqual(got, ["sexual_violence_domestic_abuse"])
    }

    func testPossessionOfWeaponsIsKnifeWeapon() throws {
        let defs = try kentMedway()
        let got = strands(of: "Possession-of-weapons", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, suspectAge: 30, locationType: .street, weapon: .unknown)
        }, defs)
        XCTAssertEqual(got, ["knife_weapon"])
    }

    func testKnifeRobberyWithAlcoholCountsInThreeStrands() throws {
        let defs = try kentMedway()
        let got = strands(of: "robbery", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 16, suspectAge: 17,
                     locationType: .transportHub, domestic: .no, weapon: .knife, alcohol: .yes)
        }, defs)
        XCTAssertEqual(got, ["serious_youth_violence", "drugs_alcohol", "knife_weapon"])
    }

    func testDrugTraffickingIsDrugsAndAlcohol() throws {
        let defs = try kentMedway()
        let got = strands(of: "drug trafficking", { Incident(location: self.maidstone, month: self.march2024, offence: $0) }, defs)
        XCTAssertEqual(got, ["drugs_alcohol"])
    }

    private func assertRejected(_ yaml: String, mentioning needles: [String], line: UInt = #line) {
        XCTAssertThrowsError(try Definitions(yaml: yaml, source: "bad.yaml"), line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("bad.yaml"), "error does not name the file: \(text)", line: line)
            for n in needles { XCTAssertTrue(text.contains(n), "error \"\(text)\" does not mention \(n)", line: line) }
        }
    }

    func testBadFilesGiveClearErrors() {
        assertRejected("strands: [unclosed", mentioning: ["not valid YAML"])
        assertRejected("- just\n- a list\n", mentioning: ["mapping"])
        assertRejected("""
            strands:
              - id: s1
                any:
                  - colour: red
            """, mentioning: ["unknown condition 'colour'", "s1"])
        assertRejected("""
            strands:
              - id: s1
                any:
                  - weapon: [sword]
            """, mentioning: ["unknown weapon 'sword'"])
        assertRejected("""
            strands:
              - id: s1
                all:
                  - domestic: maybe
            """, mentioning: ["domestic", "yes or no"])
        assertRejected("strands:\n  - label: no id\n    any:\n      - domestic: yes\n", mentioning: ["strand 1 has no id"])
        assertRejected("strands:\n  - id: empty\n", mentioning: ["strand empty has no conditions"])
        assertRejected("""
            age_bands: [0, 18, 10]
            strands:
              - id: s1
                any:
                  - domestic: yes
            """, mentioning: ["increase"])
        assertRejected("""
            cohorts:
              - {id: under_21, under: 21}
            strands:
              - id: s1
                any:
                  - domestic: yes
            """, mentioning: ["under_21", "boundary"])
    }

    // MARK: Measures and the fuller condition language

    /// Measure ids a hand-made incident of `category` counts in.
    private func measures(of category: String, _ make: (UInt16) -> Incident, _ defs: Definitions) -> Set<String> {
        let catalog = OffenceCatalog(definitions: defs)
        let code = catalog.code(for: category)!
        let mask = StrandClassifier(catalog: catalog).measureMask(make(code))
        return Set(defs.measures.enumerated().filter { mask & (1 << UInt16($0.offset)) != 0 }.map(\.element.id))
    }

    func testKentMedwayMeasures() throws {
        let defs = try kentMedway()
        XCTAssertEqual(defs.measures.filter(\.headline).map(\.id), ["kpi_syv_under_25", "kpi_syv_under_18"])
        XCTAssertEqual(defs.groupings.map(\.id), ["kent_excluding_medway", "north_east_coast", "west_kent"])
        // A 16-year-old suspect, adult victim, in a park: both KPIs (victim OR suspect), and 10–25.
        let robbery = measures(of: "robbery", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 50, suspectAge: 16, locationType: .park, domestic: .no)
        }, defs)
        XCTAssertTrue(robbery.isSuperset(of: ["kpi_syv_under_25", "kpi_syv_under_18", "victim_or_suspect_10_25", "sv_excluding_domestic"]))
        // Measures' bits never leak into the strand mask (the cube indexes strand slices by it).
        let catalog = OffenceCatalog(definitions: defs)
        let many = Incident(location: maidstone, month: march2024, offence: catalog.code(for: "robbery")!, victimAge: 15, suspectAge: 16,
                            locationType: .street, domestic: .no, weapon: .knife)
        XCTAssertLessThan(Int(StrandClassifier(catalog: catalog).strandMask(many)), 1 << defs.strands.count)
        XCTAssertGreaterThan(StrandClassifier(catalog: catalog).measureMask(many).nonzeroBitCount, 4)
        // The same in public but domestic: NOT domestic takes it out of the KPIs and of "excluding domestic abuse".
        let domestic = measures(of: "robbery", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 50, suspectAge: 16, locationType: .street, domestic: .yes)
        }, defs)
        XCTAssertFalse(domestic.contains("kpi_syv_under_25"))
        XCTAssertFalse(domestic.contains("sv_excluding_domestic"))
        XCTAssertTrue(domestic.contains("victim_or_suspect_10_25"))
        // Ages 5 and 30: "10–25" needs one person in the range, not one under 26 and another over 9.
        let split = measures(of: "robbery", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 5, suspectAge: 30, locationType: .street)
        }, defs)
        XCTAssertFalse(split.contains("victim_or_suspect_10_25"))
        // Knife-enabled: children and adults by victim age; an unknown age is neither; possession is its own measure.
        func knife(_ victim: Int8) -> Set<String> {
            measures(of: "violence with injury", {
                Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: victim, locationType: .street, weapon: .knife)
            }, defs)
        }
        XCTAssertEqual(knife(15).intersection(["knife_enabled", "knife_enabled_children", "knife_enabled_adults"]), ["knife_enabled", "knife_enabled_children"])
        XCTAssertEqual(knife(18).intersection(["knife_enabled", "knife_enabled_children", "knife_enabled_adults"]), ["knife_enabled", "knife_enabled_adults"])
        XCTAssertEqual(knife(Incident.unknownAge).intersection(["knife_enabled", "knife_enabled_children", "knife_enabled_adults"]), ["knife_enabled"])
        let possession = measures(of: "possession of weapons", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, victimAge: 30, locationType: .street, weapon: .knife)
        }, defs)
        XCTAssertTrue(possession.contains("possession_of_weapons"))
        XCTAssertFalse(possession.contains("knife_enabled"))
        let gun = measures(of: "robbery", {
            Incident(location: self.maidstone, month: self.march2024, offence: $0, locationType: .street, weapon: .firearm)
        }, defs)
        XCTAssertTrue(gun.contains("firearms"))
        XCTAssertFalse(gun.contains("knife_enabled"))
    }

    func testSexAndLocationConditions() throws {
        let defs = try Definitions(yaml: """
            strands:
              - id: girls_at_school
                all:
                  - sex: {sex: female, role: victim}
                  - age_under: {age: 18, role: victim}
                  - location_type: [school, transport hub]
            measures:
              - id: male_suspects_not_dwelling
                all:
                  - sex: {sex: male, role: suspect}
                none:
                  - location_type: [dwelling]
            """, source: "t.yaml")
        let catalog = OffenceCatalog(definitions: defs)
        let code = catalog.code(for: "robbery")!
        let c = StrandClassifier(catalog: catalog)
        let girl = Incident(location: maidstone, month: march2024, offence: code, victimAge: 14, victimSex: .female, suspectSex: .male, locationType: .school)
        XCTAssertEqual(c.strandMask(girl), 1)
        XCTAssertEqual(c.measureMask(girl), 1)
        let atHome = Incident(location: maidstone, month: march2024, offence: code, victimAge: 14, victimSex: .female, suspectSex: .male, locationType: .dwelling)
        XCTAssertEqual(c.strandMask(atHome), 0)
        XCTAssertEqual(c.measureMask(atHome), 0)
    }

    /// A misspelt key, a duplicate id or an id equal to a column is an error naming the file and the line.
    func testMistakesNameFileAndLine() {
        assertRejected("""
            name: x
            serious_violance: [robbery]
            strands:
              - id: s1
                any:
                  - domestic: yes
            """, mentioning: ["bad.yaml:2:", "unknown key 'serious_violance'"])
        assertRejected("""
            strands:
              - id: s1
                any:
                  - domestic: yes
            measures:
              - id: m1
                all:
                  - weapon: [knife]
                nones:
                  - domestic: yes
            """, mentioning: ["bad.yaml:9:", "measure m1", "unknown key 'nones'"])
        assertRejected("""
            strands:
              - id: s1
                any:
                  - domestic: yes
              - id: s1
                any:
                  - domestic: no
            """, mentioning: ["'s1' is used twice"])
        assertRejected("""
            strands:
              - id: month
                any:
                  - domestic: yes
            """, mentioning: ["'month'", "reserved"])
        assertRejected("""
            strands:
              - id: s1
                all:
                  - age_between: {from: 25, to: 10, role: either}
            """, mentioning: ["bad.yaml:4:", "age_between"])
        assertRejected("""
            strands:
              - id: s1
                all:
                  - age_under: {age: 18, role: victim, sex: male}
            """, mentioning: ["unknown key 'sex'"])
        assertRejected("""
            cohorts:
              - {id: young_suspects, under: 25, role: suspect}
            strands:
              - id: s1
                any:
                  - domestic: yes
            """, mentioning: ["young_suspects", "measure"])
    }
}
