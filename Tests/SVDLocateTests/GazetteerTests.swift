import Foundation
import SVDCore
@testable import SVDLocate
import XCTest

/// Place names on a small crafted file: points in WGS84, a polygon in BNG, the name field picked, the nearest place.
final class GazetteerTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svd-places-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Three towns as OS Open Names-style points (NAME1, LOCAL_TYPE), WGS84.
    let towns = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"NAME1":"Chatham","LOCAL_TYPE":"Town"},"geometry":{"type":"Point","coordinates":[0.5270,51.3790]}},
        {"type":"Feature","properties":{"NAME1":"Maidstone","LOCAL_TYPE":"Town"},"geometry":{"type":"Point","coordinates":[0.5220,51.2720]}},
        {"type":"Feature","properties":{"NAME1":"Margate","LOCAL_TYPE":"Town"},"geometry":{"type":"Point","coordinates":[1.3860,51.3890]}}
        ]}
        """

    func testPointsNameTheNearestPlace() throws {
        let g = try Gazetteer.parse(Data(towns.utf8), file: "towns.geojson", source: "crafted")
        XCTAssertEqual(g.places.map(\.name), ["Chatham", "Maidstone", "Margate"])
        XCTAssertEqual(g.places[0].kind, "Town")
        let chatham = try XCTUnwrap(g.places[0].point)
        // 1 km east of Chatham, and a point between Chatham and Maidstone but nearer Maidstone.
        XCTAssertEqual(g.name(at: BNGPoint(easting: chatham.easting + 1_000, northing: chatham.northing)), "Chatham")
        let maidstone = try XCTUnwrap(g.places[1].point)
        let between = BNGPoint(easting: (chatham.easting + 2 * maidstone.easting) / 3, northing: (chatham.northing + 2 * maidstone.northing) / 3)
        XCTAssertEqual(g.name(at: between), "Maidstone")
        let near = try XCTUnwrap(g.nearest(to: BNGPoint(easting: chatham.easting + 300, northing: chatham.northing + 400)))
        XCTAssertEqual(near.metres, 500, accuracy: 1e-6)
    }

    /// A ward polygon (BNG, ONS-style wd22nm) inside which every position is named by the ward, even when a town
    /// point lies nearer; holes and the outside fall back to the nearest place.
    func testPolygonsContainTheirPlaceAndSaveRoundTrips() throws {
        let text = """
            {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
            {"type":"Feature","properties":{"wd22cd":"E05000001","wd22nm":"Riverside"},"geometry":{"type":"Polygon","coordinates":[
              [[575000,168000],[577000,168000],[577000,170000],[575000,170000],[575000,168000]],
              [[575800,168800],[576200,168800],[576200,169200],[575800,169200],[575800,168800]]]}},
            {"type":"Feature","properties":{"name":"Harbour"},"geometry":{"type":"Point","coordinates":[576000,169000]}},
            {"type":"Feature","properties":{"name":"Hill"},"geometry":{"type":"Point","coordinates":[579000,171000]}}
            ]}
            """
        let g = try Gazetteer.parse(Data(text.utf8), file: "wards.geojson", source: "crafted wards")
        XCTAssertEqual(g.name(at: BNGPoint(easting: 575_100, northing: 168_100)), "Riverside")
        XCTAssertEqual(g.name(at: BNGPoint(easting: 576_000, northing: 168_950)), "Harbour", "in the hole: nearest place")
        XCTAssertEqual(g.name(at: BNGPoint(easting: 577_100, northing: 169_000)), "Riverside", "100 m outside the ward, 1.1 km from the harbour")
        XCTAssertEqual(g.name(at: BNGPoint(easting: 580_000, northing: 171_500)), "Hill")

        let dir = try temporaryDirectory()
        try g.save(to: dir)
        let back = try XCTUnwrap(Gazetteer.load(areaDirectory: dir))
        XCTAssertEqual(back, g)
        XCTAssertEqual(back.source, "crafted wards")
        XCTAssertNil(try Gazetteer.load(areaDirectory: try temporaryDirectory()))
    }

    func testNameFieldAndRefusals() throws {
        let g = try Gazetteer.parse(Data(towns.utf8), file: "t", nameField: "local_type", source: "x")
        XCTAssertEqual(g.places.map(\.name), ["Town", "Town", "Town"])
        let unnamed = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":3},"geometry":{"type":"Point","coordinates":[0.5,51.3]}}]}"#
        XCTAssertThrowsError(try Gazetteer.parse(Data(unnamed.utf8), file: "u.geojson", source: "x")) { e in
            XCTAssertTrue("\(e)".contains("no place name"), "\(e)")
        }
        let line = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"LineString","coordinates":[[0.5,51.3],[0.6,51.3]]}}]}"#
        XCTAssertThrowsError(try Gazetteer.parse(Data(line.utf8), file: "l.geojson", source: "x"))
        let offGrid = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Point","coordinates":[20.0,51.3]}}]}"#
        XCTAssertThrowsError(try Gazetteer.parse(Data(offGrid.utf8), file: "o.geojson", source: "x"))
    }
}
