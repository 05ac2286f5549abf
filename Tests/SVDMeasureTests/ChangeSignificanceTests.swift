import XCTest
@testable import SVDMeasure

/// The change test against scipy (`Fixtures/change_test_reference.csv`, made by the script beside it).
final class ChangeSignificanceTests: XCTestCase {
    func testMatchesScipyBinomtest() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "change_test_reference", withExtension: "csv", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertGreaterThan(lines.count, 30)
        for line in lines {
            let f = line.split(separator: ",").map(String.init)
            let (c, p, e) = (Int(f[0])!, Int(f[1])!, Double(f[2])!)
            let (pValue, lower, upper) = (Double(f[3])!, Double(f[4])!, f[5] == "inf" ? Double.infinity : Double(f[5])!)
            let t = try ChangeSignificance(current: c, previous: p, exposureRatio: e)
            XCTAssertEqual(t.pValue, pValue, accuracy: 1e-9 + 1e-7 * pValue, "p for \(c) vs \(p), e \(e)")
            XCTAssertEqual(t.interval.lower, lower, accuracy: 1e-9 * max(1, lower), "lower for \(line)")
            if upper.isInfinite { XCTAssertTrue(t.interval.upper.isInfinite, "\(line)") } else { XCTAssertEqual(t.interval.upper, upper, accuracy: 1e-8 * max(1, upper), "upper for \(line)") }
        }
    }

    /// Worked by hand: 3 against 7 over equal periods is P(X ≤ 3) + P(X ≥ 7) for Binomial(10, ½) = 2 · 176/1024.
    func testVerdictsAndAHandWorkedCase() throws {
        let t = try ChangeSignificance(current: 3, previous: 7)
        XCTAssertEqual(t.pValue, 2 * 176.0 / 1024, accuracy: 1e-12)
        XCTAssertEqual(t.verdict, .noSignificantChange)
        XCTAssertEqual(t.rateRatio!, 3.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(try ChangeSignificance(current: 28269, previous: 29058).verdict, .significantDecrease)
        XCTAssertEqual(try ChangeSignificance(current: 61, previous: 40).verdict, .significantIncrease)
        XCTAssertEqual(try ChangeSignificance(current: 996, previous: 992).verdict, .noSignificantChange)
        XCTAssertEqual(try ChangeSignificance(current: 0, previous: 0).verdict, .noSignificantChange)
        XCTAssertThrowsError(try ChangeSignificance(current: -1, previous: 2))
    }
}
