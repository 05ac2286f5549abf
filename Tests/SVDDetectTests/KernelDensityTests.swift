import SVDCore
@testable import SVDDetect
import XCTest

final class KernelDensityTests: XCTestCase {
    func testQuarticSurfaceAndDefaultBandwidthMatchNumpy() throws {
        let points = try FixtureTable("kde_points.csv").points
        let table = try FixtureTable("kde_quartic.csv")
        let spec = try GridSpec.covering(points, cellSize: table.parameter("cell"))
        XCTAssertEqual(spec.columns, Int(table.parameter("columns")))
        XCTAssertEqual(spec.rows, Int(table.parameter("rows")))
        let bandwidth = try KernelDensity.defaultBandwidth(points)
        XCTAssertEqual(bandwidth, table.parameter("bandwidth"), accuracy: 1e-9 * bandwidth)
        let surface = try KernelDensity.quartic(points, spec: spec)
        XCTAssertEqual(surface.bandwidth, bandwidth)
        let expected = table.double("density_per_km2")
        let peak = expected.max()!
        XCTAssertGreaterThan(peak, 0)
        for (i, e) in expected.enumerated() {
            XCTAssertEqual(surface.density[i], e, accuracy: 1e-9 * max(abs(e), 1e-3 * peak), "cell \(i)")
        }
    }

    func testSinglePointByHand() throws {
        // One point at a cell centre, h = 100 m: centre cell gets 3/(π·100²) per m², the cell 50 m away
        // gets that × (1 − 0.25)².
        let spec = try GridSpec(originEasting: 0, originNorthing: 0, cellSize: 50, columns: 5, rows: 5)
        let surface = try KernelDensity.quartic([BNGPoint(easting: 125, northing: 125)], spec: spec, bandwidth: 100)
        let peak = 3 / (Double.pi * 10_000) * 1e6
        XCTAssertEqual(surface.density[12], peak, accuracy: 1e-12)
        XCTAssertEqual(surface.density[13], peak * 0.5625, accuracy: 1e-12)
        XCTAssertEqual(surface.density[14], 0)   // exactly h away
        XCTAssertEqual(surface.density[0], 0)
    }

    func testErrors() throws {
        let spec = try GridSpec(originEasting: 0, originNorthing: 0, cellSize: 50, columns: 5, rows: 5)
        let same = Array(repeating: BNGPoint(easting: 10, northing: 10), count: 5)
        XCTAssertThrowsError(try KernelDensity.quartic(same, spec: spec)) { XCTAssertTrue("\($0)".contains("identical")) }
        XCTAssertThrowsError(try KernelDensity.quartic([], spec: spec, bandwidth: 10))
        XCTAssertThrowsError(try KernelDensity.quartic(same, spec: spec, bandwidth: 0))
        XCTAssertThrowsError(try KernelDensity.quartic([BNGPoint(easting: .nan, northing: 0)], spec: spec, bandwidth: 10))
    }
}
