import Foundation
import SVDCore
import XCTest

/// 100,000 distinct offence names took 4½ minutes: each new code rebuilt a worker's classifier from the whole
/// catalog (quadratic in names). `catchUp` learns the new codes only.
final class OffenceScaleTests: XCTestCase {
    private static let yamlURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("geodata/kent-medway/definitions.yaml")

    func testClassifierCatchesUpWithNewCodesIncrementally() throws {
        let defs = try Definitions(yaml: String(contentsOf: Self.yamlURL, encoding: .utf8), source: "definitions.yaml")
        let catalog = OffenceCatalog(definitions: defs)
        let classifier = StrandClassifier(catalog: catalog)
        let known = Array(defs.seriousViolence).sorted()
        let start = Date()
        // One new name at a time, as a worker meets them: 60,000 catch-ups.
        for n in 0..<60_000 {
            let name = n % 1000 == 0 ? known[(n / 1000) % known.count] : "made up offence \(n)"
            let code = try XCTUnwrap(catalog.code(for: name))
            if Int(code) >= classifier.knownCodes { classifier.catchUp(with: catalog) }
            XCTAssertEqual(classifier.knownCodes, catalog.count)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 30, "catching up must be linear in new codes (debug build, shared CI)")
        // Same answers as a classifier built in one go.
        let fresh = StrandClassifier(catalog: catalog)
        for code in stride(from: 0, to: catalog.count, by: 97) {
            let i = Incident(location: BNGPoint(easting: 575_900, northing: 155_700), month: MonthKey(year: 2024, month: 3).index,
                             offence: UInt16(code), victimAge: 17, suspectAge: 19, publicPlace: .yes, weapon: .knife)
            XCTAssertEqual(classifier.masks(i), fresh.masks(i), "code \(code)")
            XCTAssertEqual(classifier.scope(i), fresh.scope(i), "code \(code)")
        }
    }
}
