import Foundation
import XCTest
@testable import SVDMeasure

final class ProportionEstimateTests: XCTestCase {
    /// wilson_reference.csv, written by make_wilson_fixture.py with scipy's `binomtest(...).proportion_ci(method="wilson")`.
    func testMatchesScipyWilsonIntervals() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "wilson_reference", withExtension: "csv", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(lines.count, 28)
        for line in lines {
            let f = line.split(separator: ",").map(String.init)
            let k = try XCTUnwrap(Int(f[0])), n = try XCTUnwrap(Int(f[1])), c = try XCTUnwrap(Double(f[2]))
            let e = try ProportionEstimate(successes: k, trials: n, confidence: c)
            let tag = "\(k)/\(n) at \(c)"
            XCTAssertEqual(e.proportion, try XCTUnwrap(Double(f[3])), accuracy: 1e-15, tag)
            XCTAssertEqual(e.lower, try XCTUnwrap(Double(f[4])), accuracy: 1e-9, "lower, " + tag)
            XCTAssertEqual(e.upper, try XCTUnwrap(Double(f[5])), accuracy: 1e-9, "upper, " + tag)
        }
    }

    func testRepresentationAgainstAReferenceShare() throws {
        // 30 of 50: Wilson 0.4618–0.7239 (scipy), so a 20% reference is below the interval.
        let e = try ProportionEstimate(successes: 30, trials: 50)
        XCTAssertEqual(e.compared(toReference: 0.20), .over)
        XCTAssertEqual(e.compared(toReference: 0.60), .similar)
        XCTAssertEqual(e.compared(toReference: 0.90), .under)
    }

    func testRefusesImpossibleCounts() {
        XCTAssertThrowsError(try ProportionEstimate(successes: 1, trials: 0))
        XCTAssertThrowsError(try ProportionEstimate(successes: 5, trials: 4))
        XCTAssertThrowsError(try ProportionEstimate(successes: -1, trials: 4))
        XCTAssertThrowsError(try ProportionEstimate(successes: 1, trials: 4, confidence: 1))
    }
}
