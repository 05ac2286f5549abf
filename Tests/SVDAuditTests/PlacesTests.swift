import XCTest
import Foundation
import SVDCore
@testable import SVDAudit

/// Published places: the generalisation grid, points near incidents, outlines on too few locations.
final class PlacesTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-audit-places-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A map of one outline (BNG points) as `svd hotspots` writes it: WGS84 to `decimals` places.
    func map(_ rings: [[BNGPoint]], grid: Double?, offset: Double? = nil, decimals: Int = 6,
             properties: String = #""rank":1,"hotspot_id":"H1","incidents":40"#) throws -> String {
        // As `svd hotspots` declares it: svd_disclosure.generalisation {crs, grid_m, offset_m, …}.
        let declared = grid.map { g in offset.map { #","generalisation":{"crs":"EPSG:27700","grid_m":\#(g),"offset_m":\#($0),"min_places":5}"# }
            ?? #","generalisation":\#(g)"# } ?? ""
        let disclosure = #"{"marking":"OFFICIAL","min_base":50,"perturbation":{"max_abs_noise":16},"threshold":5,"tier":"public""#
            + declared + "}"
        let features = rings.map { ring -> String in
            let closed = ring + [ring[0]]
            let coords = closed.map { p -> String in
                let g = BritishNationalGrid.toWGS84(p)
                return "[" + String(format: "%.\(decimals)f", g.longitude) + "," + String(format: "%.\(decimals)f", g.latitude) + "]"
            }.joined(separator: ",")
            return #"{"type":"Feature","properties":{\#(properties)},"geometry":{"type":"Polygon","coordinates":[[\#(coords)]]}}"#
        }
        let text = #"{"type":"FeatureCollection","svd_disclosure":\#(disclosure),"marking":"OFFICIAL","name":"hotspots_dbscan","features":[\#(features.joined(separator: ","))]}"#
        let path = dir.appendingPathComponent("hotspots_dbscan-\(UUID().uuidString).geojson").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func square(_ e: Double, _ n: Double, _ side: Double) -> [BNGPoint] {
        [BNGPoint(easting: e, northing: n), BNGPoint(easting: e + side, northing: n),
         BNGPoint(easting: e + side, northing: n + side), BNGPoint(easting: e, northing: n + side)]
    }

    func incidents(_ points: [BNGPoint]) throws -> URL {
        var text = "id,datetime,offence,easting,northing\n"
        for (i, p) in points.enumerated() { text += "I\(i),2026-01-15T20:00,assault,\(p.easting),\(p.northing)\n" }
        let url = dir.appendingPathComponent("incidents.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testOutlineOnTheDeclaredGridPasses() throws {
        let path = try map([square(575_900, 155_700, 200)], grid: 50)
        let r = try Auditor.run(paths: [path])
        XCTAssertEqual(r.findings.filter { $0.route == .places }, [], r.summary)
    }

    func testOutlineOnTheDeclaredOffsetGrid() throws {
        // Lines at multiples of 50 m moved by a quarter metre, as SVDDetect's GeneralisationGrid draws them.
        let ok = try Auditor.run(paths: [try map([square(575_900.25, 155_700.25, 200)], grid: 50, offset: 0.25)])
        XCTAssertEqual(ok.findings.filter { $0.route == .places }, [], ok.summary)
        let off = try Auditor.run(paths: [try map([square(575_903, 155_703, 200)], grid: 50, offset: 0.25)])
        XCTAssertTrue(off.findings.contains { $0.message.contains("off the declared 50 m") }, off.summary)
    }

    func testVertexOffTheDeclaredGridIsReported() throws {
        var ring = square(575_900, 155_700, 200)
        ring[2] = BNGPoint(easting: 576_117, northing: 155_917)
        let path = try map([ring], grid: 50)
        let r = try Auditor.run(paths: [path])
        XCTAssertTrue(r.findings.contains { $0.route == .places && $0.message.contains("off the declared 50 m") }, r.summary)
    }

    func testFineVerticesWithoutADeclaredGridAreReported() throws {
        let fine = try Auditor.run(paths: [try map([square(575_913, 155_707, 200)], grid: nil, decimals: 6)])
        XCTAssertTrue(fine.findings.contains { $0.message.contains("more than 4 decimals") }, fine.summary)
        let coarse = try Auditor.run(paths: [try map([square(575_913, 155_707, 200)], grid: nil, decimals: 4)])
        XCTAssertFalse(coarse.findings.contains { $0.message.contains("more than 4 decimals") }, coarse.summary)
    }

    func testVertexAtAnIncidentAndOutlineOnFewLocations() throws {
        // An outline whose corner is an incident and which holds three distinct locations.
        let ring = square(575_913, 155_707, 200)
        let points = [ring[0], BNGPoint(easting: 576_000, northing: 155_800), BNGPoint(easting: 576_010, northing: 155_810),
                      BNGPoint(easting: 576_010, northing: 155_810), BNGPoint(easting: 580_000, northing: 160_000)]
        let r = try Auditor.run(paths: [try map([ring], grid: nil)], options: AuditOptions(incidents: try incidents(points)))
        XCTAssertTrue(r.findings.contains { $0.message.contains("within 5 m of an incident") }, r.summary)
        XCTAssertTrue(r.findings.contains { $0.message.contains("contains 3 distinct incident locations") }, r.summary)

        // On the declared grid, with plenty of places inside and no incident at a vertex: nothing.
        let grid = square(575_900, 155_700, 200)
        var many: [BNGPoint] = []
        for i in 0..<12 { many.append(BNGPoint(easting: 575_930 + Double(i) * 11, northing: 155_750 + Double(i) * 7)) }
        let ok = try Auditor.run(paths: [try map([grid], grid: 50)], options: AuditOptions(incidents: try incidents(many)))
        XCTAssertEqual(ok.findings.filter { $0.route == .places }, [], ok.summary)
    }

    func testGridCellsAreSquaresOfTheirLattice() throws {
        let cell = square(575_800, 155_600, 200)
        let props = #""rank":1,"cell_id":"E575800N155600","centre_easting":575900,"centre_northing":155700,"incidents":"<5","class":"Hot spot (99%)""#
        let r = try Auditor.run(paths: [try map([cell], grid: nil, properties: props)])
        XCTAssertEqual(r.findings.filter { $0.route == .places }, [], r.summary)
        var skewed = cell
        skewed[1] = BNGPoint(easting: 576_013, northing: 155_600)
        let bad = try Auditor.run(paths: [try map([skewed], grid: nil, properties: props)])
        XCTAssertTrue(bad.findings.contains { $0.message.contains("lattice") }, bad.summary)
    }

    func testDeclaredGridIsRead() {
        XCTAssertEqual(Places.declaredGrid(["generalisation": 50]), Places.Grid(size: 50))
        XCTAssertEqual(Places.declaredGrid(["spatial": ["generalisation": ["grid_m": 100]]]), Places.Grid(size: 100))
        XCTAssertEqual(Places.declaredGrid(["generalisation": ["crs": "EPSG:27700", "grid_m": 50, "offset_m": 0.25, "min_places": 5]]),
                       Places.Grid(size: 50, offset: 0.25))
        XCTAssertEqual(Places.declaredGrid(["generalisation_m": 25.0]), Places.Grid(size: 25))
        XCTAssertNil(Places.declaredGrid(["threshold": 5]))
    }

    func testGridRoundTripThroughWGS84StaysOnTheGrid() {
        // 6 decimals of a degree and the OS Helmert both ways keep a grid corner within the 1 m tolerance.
        for e in stride(from: 540_000.0, through: 640_000, by: 9_950) {
            for n in stride(from: 130_000.0, through: 180_000, by: 9_950) {
                let g = BritishNationalGrid.toWGS84(BNGPoint(easting: e, northing: n))
                let lon = (g.longitude * 1e6).rounded() / 1e6, lat = (g.latitude * 1e6).rounded() / 1e6
                let back = BritishNationalGrid.fromWGS84(longitude: lon, latitude: lat)
                XCTAssertTrue(Places.onGridLine(back, grid: 50, tolerance: 0.5), "\(e),\(n) → \(back)")
            }
        }
    }
}
