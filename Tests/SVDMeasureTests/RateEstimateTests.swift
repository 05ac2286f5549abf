import Foundation
import XCTest
@testable import SVDMeasure

final class RateEstimateTests: XCTestCase {
    struct ReferenceRow {
        let count: Int, population: Double, confidence: Double
        let method: String, rate: Double, lower: Double, upper: Double
    }

    /// Rows of rate_ci_reference.csv, produced by make_rate_ci_fixture.py with scipy.
    func referenceRows() throws -> [ReferenceRow] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "rate_ci_reference", withExtension: "csv", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        return try lines.map { line in
            let f = line.split(separator: ",").map(String.init)
            XCTAssertEqual(f.count, 7, "bad fixture line \(line)")
            return ReferenceRow(
                count: try XCTUnwrap(Int(f[0])), population: try XCTUnwrap(Double(f[1])),
                confidence: try XCTUnwrap(Double(f[2])), method: f[3],
                rate: try XCTUnwrap(Double(f[4])), lower: try XCTUnwrap(Double(f[5])), upper: try XCTUnwrap(Double(f[6])))
        }
    }

    func assertRelativelyClose(_ a: Double, _ b: Double, _ what: String) {
        if b == 0 { XCTAssertEqual(a, 0, what); return }
        XCTAssertLessThanOrEqual(abs(a - b) / abs(b), 1e-9, "\(what): got \(a), reference \(b)")
    }

    func testMatchesScipyReferenceToOnePartInABillion() throws {
        let rows = try referenceRows()
        XCTAssertEqual(rows.count, 136)
        for r in rows {
            let e = try RateEstimate(count: r.count, population: r.population, multiplier: 1000, confidence: r.confidence)
            let tag = "count \(r.count) population \(r.population) confidence \(r.confidence)"
            XCTAssertEqual(e.method.rawValue, r.method, tag)
            assertRelativelyClose(e.rate, r.rate, "rate, " + tag)
            assertRelativelyClose(e.lower, r.lower, "lower, " + tag)
            assertRelativelyClose(e.upper, r.upper, "upper, " + tag)
        }
    }

    func testPerThousandIsTheDefaultNinetyFivePerCent() throws {
        let e = try RateEstimate.perThousand(count: 4, population: 1000)
        XCTAssertEqual(e.multiplier, 1000)
        XCTAssertEqual(e.confidence, 0.95)
        // Classic exact Poisson limits for 4 events: 1.0899 – 10.2416.
        XCTAssertEqual(e.lower, 1.0899, accuracy: 5e-5)
        XCTAssertEqual(e.upper, 10.2416, accuracy: 5e-5)
    }

    func testZeroCountHasZeroLowerLimitAndExactMethod() throws {
        let e = try RateEstimate.perThousand(count: 0, population: 500)
        XCTAssertEqual(e.lower, 0)
        XCTAssertEqual(e.method, .exactPoisson)
        XCTAssertEqual(e.upper, -log(0.025) / 500 * 1000, accuracy: 1e-12) // P(0 | μ) = e^−μ = 0.025
    }

    func testMethodSwitchesAtTen() {
        XCTAssertEqual(ConfidenceMethod.forCount(9), .exactPoisson)
        XCTAssertEqual(ConfidenceMethod.forCount(10), .byar)
    }

    func testBadInputIsAnErrorNotACrash() {
        XCTAssertThrowsError(try RateEstimate.perThousand(count: -1, population: 100))
        XCTAssertThrowsError(try RateEstimate.perThousand(count: 3, population: 0))
        XCTAssertThrowsError(try RateEstimate.perThousand(count: 3, population: .nan))
        XCTAssertThrowsError(try RateEstimate.perThousand(count: 3, population: 100, confidence: 1))
        XCTAssertThrowsError(try RateEstimate.perThousand(count: 3, population: 100, confidence: 0))
    }

    func testGammaQuantileInvertsTheIncompleteGamma() {
        // Round trip across shapes and tails, independent of the fixture.
        for a in [0.5, 1, 2.5, 10, 11, 150, 12346] {
            for p in [1e-6, 0.001, 0.025, 0.5, 0.975, 0.999] {
                let x = SpecialFunctions.gammaQuantile(shape: a, probability: p)
                let (lower, upper) = SpecialFunctions.regularisedGamma(a: a, x: x)
                // Evaluating P(a, x) itself loses about a·ε in the exponent, so large shapes get more slack.
                let tolerance = 1e-12 * max(1, a / 100)
                if p < 0.5 {
                    XCTAssertEqual(lower / p, 1, accuracy: tolerance, "a \(a) p \(p)")
                } else {
                    XCTAssertEqual(upper / (1 - p), 1, accuracy: tolerance, "a \(a) p \(p)")
                }
            }
        }
        // Shape 1 is the exponential: quantile −ln(1 − p).
        XCTAssertEqual(SpecialFunctions.gammaQuantile(shape: 1, probability: 0.025), -log(0.975), accuracy: 1e-15)
    }

    func testNormalQuantile() {
        XCTAssertEqual(SpecialFunctions.normalQuantile(0.975), 1.959963984540054, accuracy: 1e-14)
        XCTAssertEqual(SpecialFunctions.normalQuantile(0.999), 3.090232306167813, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.normalQuantile(0.5), 0, accuracy: 1e-15)
        XCTAssertEqual(SpecialFunctions.normalQuantile(1e-10), -6.361340902404056, accuracy: 1e-12)
    }

    // MARK: comparison with the area

    func testComparisonUsesStrictCIOverlap() throws {
        // 50 events per 1,000: reference CI 37.108 – 65.920 per 1,000 (fixture row).
        let district = try RateEstimate.perThousand(count: 50, population: 1000)
        XCTAssertEqual(district.compared(toBenchmarkRate: 36), .higher)
        XCTAssertEqual(district.compared(toBenchmarkRate: 38), .similar)
        XCTAssertEqual(district.compared(toBenchmarkRate: 50), .similar)
        XCTAssertEqual(district.compared(toBenchmarkRate: 65.5), .similar)
        XCTAssertEqual(district.compared(toBenchmarkRate: 66), .lower)
        // Touching the benchmark is not significant.
        XCTAssertEqual(Comparison(lower: 10, upper: 20, benchmark: 10), .similar)
        XCTAssertEqual(Comparison(lower: 10, upper: 20, benchmark: 20), .similar)
        XCTAssertEqual(Comparison(lower: 10, upper: 20, benchmark: 9.999), .higher)
        XCTAssertEqual(Comparison(lower: 10, upper: 20, benchmark: 20.001), .lower)
    }

    func testSmallDistrictWithWideIntervalIsSimilar() throws {
        // Twice the area rate on 3 events is not significant (exact CI 0.62 – 8.77 per 1,000 for 3 in 1,000).
        let district = try RateEstimate.perThousand(count: 3, population: 1000)
        XCTAssertEqual(district.compared(toBenchmarkRate: 1.5), .similar)
        XCTAssertEqual(district.compared(toBenchmarkRate: 0.5), .higher)
    }

    func testComparisonLabels() {
        XCTAssertEqual(Comparison.higher.label, "Higher")
        XCTAssertEqual(Comparison.similar.label, "Similar")
        XCTAssertEqual(Comparison.lower.label, "Lower")
        XCTAssertEqual(Comparison.higher.phrase(benchmarkName: "Kent & Medway"), "significantly higher than Kent & Medway")
        XCTAssertEqual(Comparison.similar.phrase(benchmarkName: "Kent & Medway"), "similar to Kent & Medway")
    }
}
