import Foundation
@testable import SVDCore
import XCTest

/// BNG conversion against Ordnance Survey's published values (see Fixtures/SOURCE.md).
final class BritishNationalGridTests: XCTestCase {
    /// "52 39 27.2531 N" → radians.
    private func radians(dms: String) throws -> Double {
        let parts = dms.split(separator: " ")
        XCTAssertEqual(parts.count, 4, "bad DMS \(dms)")
        let d = try XCTUnwrap(Double(parts[0])), m = try XCTUnwrap(Double(parts[1])), s = try XCTUnwrap(Double(parts[2]))
        let sign: Double = parts[3] == "S" || parts[3] == "W" ? -1 : 1
        return sign * (d + m / 60 + s / 3600) * .pi / 180
    }

    /// Ground distance in metres between two nearby ETRS89 positions (local spherical approximation,
    /// good to well under a millimetre per metre at these separations).
    private func metres(lat1: Double, lon1: Double, lat2: Double, lon2: Double) -> Double {
        let r = 6_371_000.0, rad = Double.pi / 180
        let dy = (lat2 - lat1) * rad * r
        let dx = (lon2 - lon1) * rad * r * cos((lat1 + lat2) / 2 * rad)
        return (dx * dx + dy * dy).squareRoot()
    }

    func testProjectionMatchesPublishedWorkedExamples() throws {
        let rows = try fixtureRows("tm_worked_examples.csv")
        XCTAssertEqual(rows.count, 1)
        for row in rows {
            let φ = try radians(dms: row["osgb36_latitude_dms"]!), λ = try radians(dms: row["osgb36_longitude_dms"]!)
            // Half a unit in the last published decimal, plus floating-point slack.
            let tolerance = 0.5 * pow(10, -Double(try row.int("published_decimals"))) + 1e-6
            let grid = BritishNationalGrid.project(lat: φ, lon: λ)
            XCTAssertEqual(grid.easting, try row.double("easting"), accuracy: tolerance, row["source"]!)
            XCTAssertEqual(grid.northing, try row.double("northing"), accuracy: tolerance, row["source"]!)

            let back = BritishNationalGrid.unproject(BNGPoint(easting: try row.double("easting"), northing: try row.double("northing")))
            // 1e-4 arc-seconds is about 3 mm on the ground.
            let arcsec = Double.pi / (180 * 3600)
            XCTAssertEqual(back.lat, φ, accuracy: 2e-4 * arcsec + tolerance / 6.4e6, row["source"]!)
            XCTAssertEqual(back.lon, λ, accuracy: 2e-4 * arcsec + tolerance / 3.9e6, row["source"]!)
        }
    }

    /// The OS series against PROJ's exact Transverse Mercator, over Kent and across Great Britain.
    func testProjectionAgreesWithPROJToAMillimetre() throws {
        let rows = try fixtureRows("tm_proj_reference.csv")
        XCTAssertEqual(rows.count, 47)
        let rad = Double.pi / 180
        var worst = 0.0
        for row in rows {
            let lat = try row.double("osgb36_latitude"), lon = try row.double("osgb36_longitude")
            let e = try row.double("easting"), n = try row.double("northing")
            let grid = BritishNationalGrid.project(lat: lat * rad, lon: lon * rad)
            worst = max(worst, abs(grid.easting - e), abs(grid.northing - n))
            XCTAssertEqual(grid.easting, e, accuracy: 0.001, "\(lat), \(lon)")
            XCTAssertEqual(grid.northing, n, accuracy: 0.001, "\(lat), \(lon)")
            let back = BritishNationalGrid.unproject(BNGPoint(easting: e, northing: n))
            // 1e-9 rad is 6 mm on the ground.
            XCTAssertEqual(back.lat, lat * rad, accuracy: 1e-9, "\(lat), \(lon)")
            XCTAssertEqual(back.lon, lon * rad, accuracy: 1e-9, "\(lat), \(lon)")
        }
        print("TM projection: worst difference from PROJ \(String(format: "%.4f", worst)) m")
    }

    func testETRS89ToGridAgreesWithOSTN15TestPointsWithinFiveMetres() throws {
        let rows = try fixtureRows("ostn15_test_points.csv")
        XCTAssertEqual(rows.count, 40)
        var worst = (id: "", metres: 0.0)
        for row in rows {
            let p = BritishNationalGrid.fromWGS84(longitude: try row.double("etrs89_longitude"),
                                                  latitude: try row.double("etrs89_latitude"))
            let de = p.easting - (try row.double("osgb36_easting")), dn = p.northing - (try row.double("osgb36_northing"))
            let error = (de * de + dn * dn).squareRoot()
            XCTAssertLessThan(error, 5, "\(row["point_id"]!) \(row["name"]!): Helmert is \(error) m from OSTN15")
            if error > worst.metres { worst = (row["point_id"]!, error) }
        }
        print("ETRS89→BNG: worst OSTN15 test point \(worst.id) at \(String(format: "%.2f", worst.metres)) m")
    }

    func testGridToETRS89AgreesWithOSTN15TestPointsWithinFiveMetres() throws {
        let rows = try fixtureRows("ostn15_test_points.csv")
        var worst = (id: "", metres: 0.0)
        for row in rows {
            let lat = try row.double("etrs89_latitude"), lon = try row.double("etrs89_longitude")
            let g = BritishNationalGrid.toWGS84(BNGPoint(easting: try row.double("osgb36_easting"),
                                                          northing: try row.double("osgb36_northing")))
            let error = metres(lat1: lat, lon1: lon, lat2: g.latitude, lon2: g.longitude)
            XCTAssertLessThan(error, 5, "\(row["point_id"]!) \(row["name"]!): Helmert is \(error) m from OSTN15")
            if error > worst.metres { worst = (row["point_id"]!, error) }
        }
        print("BNG→ETRS89: worst OSTN15 test point \(worst.id) at \(String(format: "%.2f", worst.metres)) m")
    }

    /// The inverse Helmert negates the parameters; the round trip must still close far below the 5 m budget.
    func testRoundTripAcrossKentClosesToCentimetres() {
        for e in stride(from: 540_000.0, through: 640_000, by: 10_000) {
            for n in stride(from: 130_000.0, through: 180_000, by: 10_000) {
                let ll = BritishNationalGrid.toWGS84(BNGPoint(easting: e, northing: n))
                let p = BritishNationalGrid.fromWGS84(longitude: ll.longitude, latitude: ll.latitude)
                XCTAssertEqual(p.easting, e, accuracy: 0.05)
                XCTAssertEqual(p.northing, n, accuracy: 0.05)
            }
        }
    }
}
