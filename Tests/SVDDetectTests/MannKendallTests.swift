@testable import SVDDetect
import XCTest

final class MannKendallTests: XCTestCase {
    /// S, var(S) with the ties correction, continuity-corrected z and two-sided p against pymannkendall's
    /// `original_test` on 28 series (counts with heavy ties, continuous values, constant and short series).
    func testMatchesPymannkendall() throws {
        let table = try FixtureTable("mann_kendall.csv")
        let reference = try XCTUnwrap(table.parameters["reference"])
        let k = table.columns
        var worstZ = 0.0, worstP = 0.0, worstVar = 0.0
        for row in table.rows {
            let series = row[k["series"]!].split(separator: ";").map { Double($0)! }
            let r = MannKendall.test(series)
            XCTAssertEqual(r.s, Int(row[k["s"]!])!, "\(series)")
            worstVar = max(worstVar, abs(r.variance - Double(row[k["var_s"]!])!))
            worstZ = max(worstZ, abs(r.z - Double(row[k["z"]!])!))
            XCTAssertEqual(r.tau, Double(row[k["tau"]!])!, accuracy: 1e-12)
            if reference.hasPrefix("pymannkendall") { worstP = max(worstP, abs(r.p - Double(row[k["p"]!])!)) }
        }
        XCTAssertEqual(table.rows.count, 28)
        XCTAssertLessThanOrEqual(worstVar, 1e-9)
        XCTAssertLessThanOrEqual(worstZ, 1e-12)
        XCTAssertLessThanOrEqual(worstP, 1e-12)
    }

    func testByHand() {
        // 1, 2, 3, 4: S = 6, var = 4·3·13/18 = 26/3, z = 5/√(26/3).
        let r = MannKendall.test([1, 2, 3, 4])
        XCTAssertEqual(r.s, 6)
        XCTAssertEqual(r.variance, 26.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(r.z, 5 / (26.0 / 3).squareRoot(), accuracy: 1e-12)
        // Ties: 1, 1, 2 → S = 2; var = (3·2·11 − 2·1·9)/18 = 48/18.
        let t = MannKendall.test([1, 1, 2])
        XCTAssertEqual(t.s, 2)
        XCTAssertEqual(t.variance, 48.0 / 18, accuracy: 1e-12)
        // A constant series has no variance and no trend; NaN values are left out.
        XCTAssertEqual(MannKendall.test([3, 3, 3]).z, 0)
        XCTAssertEqual(MannKendall.test([3, 3, 3]).p, 1)
        XCTAssertEqual(MannKendall.test([1, .nan, 2, 3, 4]), MannKendall.test([1, 2, 3, 4]))
        XCTAssertEqual(MannKendall.test([1]), .noTrend)
        XCTAssertEqual(r.direction(alpha: 0.05), 0)  // n = 4 cannot reach 5 %
        XCTAssertEqual(MannKendall.test((0..<20).map(Double.init)).direction(alpha: 0.05), 1)
        XCTAssertEqual(MannKendall.test((0..<20).map { -Double($0) }).direction(alpha: 0.05), -1)
    }
}
