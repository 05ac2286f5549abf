import Foundation
@testable import SVDCore
import XCTest

/// `StrandClassifier.masks` ORs precomputed per-attribute tables: it must equal the test-by-test evaluation of every
/// condition (`masksTestByTest`) for every incident, including either-role tests and codes learnt by `catchUp`.
final class StrandClassifierTablesTests: XCTestCase {
    func testTablesMatchTestByTestEvaluation() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("geodata/kent-medway/definitions.yaml")
        // Kent & Medway's strands and measures, plus measures using the conditions it does not (suspect and
        // either-role sex and ages, location type, alcohol, public place in `none`).
        let extra = [
            "  - id: t_suspect_adult_male", "    label: t1", "    all:",
            "      - age_at_least: {age: 18, role: suspect}", "      - sex: {sex: male, role: either}",
            "  - id: t_female_victim_place", "    label: t2", "    all:",
            "      - sex: {sex: female, role: victim}", "      - location_type: [street, dwelling]",
            "    none:", "      - public_place: no",
            "  - id: t_substances", "    label: t3", "    all:", "      - alcohol: no", "      - drugs: yes",
            "      - age_between: {from: 10, to: 17, role: suspect}",
            "", ""].joined(separator: "\n")
        let yaml = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "# Groups of districts", with: extra + "# Groups of districts")
        let defs = try Definitions(yaml: yaml, source: "definitions.yaml")
        XCTAssertTrue(defs.measures.contains { $0.id == "t_substances" })
        let catalog = OffenceCatalog(definitions: defs)
        var codes = ["violence with injury", "rape", "possession of weapons", "robbery", "littering", "assault", "drug trafficking"]
            .map { catalog.code(for: $0)! }
        let classifier = StrandClassifier(catalog: catalog)
        codes.append(catalog.code(for: "a category first seen later")!)
        classifier.catchUp(with: catalog)
        var state: UInt64 = 14
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        var mismatches = 0, nonZero = 0
        for _ in 0..<100_000 {
            let i = Incident(location: BNGPoint(easting: 0, northing: 0), month: 0, day: Incident.unknownDay,
                             hour: Incident.unknownHour, offence: codes[Int(next() % UInt64(codes.count))],
                             victimAge: Int8(truncatingIfNeeded: next()), victimSex: Sex.allCases[Int(next() % 3)],
                             suspectAge: next() % 4 == 0 ? Incident.unknownAge : Int8(next() % 60),
                             suspectSex: Sex.allCases[Int(next() % 3)],
                             locationType: LocationType.allCases[Int(next() % UInt64(LocationType.allCases.count))],
                             publicPlace: Flag.allCases[Int(next() % 3)], domestic: Flag.allCases[Int(next() % 3)],
                             weapon: Weapon.allCases[Int(next() % UInt64(Weapon.allCases.count))],
                             alcohol: Flag.allCases[Int(next() % 3)], drugs: Flag.allCases[Int(next() % 3)], source: 0, recordKey: 0)
            let m = classifier.masks(i)
            if m != classifier.masksTestByTest(i) { mismatches += 1 }
            if m != 0 { nonZero += 1 }
        }
        XCTAssertEqual(mismatches, 0)
        XCTAssertGreaterThan(nonZero, 10_000)
    }
}
