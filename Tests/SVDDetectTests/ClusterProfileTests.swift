import GEOS
import SVDCore
@testable import SVDDetect
import XCTest

final class ClusterProfileTests: XCTestCase {
    func testHullsContainTheirPointsAndAreasMatchShapely() throws {
        let table = try FixtureTable("dbscan_towns.csv")
        let points = table.points
        let clustering = try DBSCAN.cluster(points, eps: 100, minPoints: 5)
        let profiles = try ClusterProfiles.profiles(points: points, clustering: clustering)
        let reference = try FixtureTable("dbscan_towns_hulls.csv")
        XCTAssertEqual(profiles.count, reference.rows.count)
        let members = reference.int("members"), area = reference.double("convex_area_ha")
        let ce = reference.double("centroid_e"), cn = reference.double("centroid_n")

        let context = GEOSContext()
        for (c, profile) in profiles.enumerated() {
            XCTAssertEqual(profile.cluster, Int32(c))
            XCTAssertEqual(profile.members, members[c])
            XCTAssertEqual(profile.corePoints, clustering.coreCounts[c])
            XCTAssertEqual(profile.convexAreaHectares, area[c], accuracy: 1e-9 * max(1, area[c]))
            XCTAssertEqual(profile.centroid.easting, ce[c], accuracy: 1e-6)
            XCTAssertEqual(profile.centroid.northing, cn[c], accuracy: 1e-6)
            XCTAssertLessThanOrEqual(profile.concaveAreaHectares, profile.convexAreaHectares * (1 + 1e-12))

            // Every member lies in or on both returned hull rings.
            let own = (0..<points.count).filter { clustering.labels[$0] == Int32(c) }
            let cloud = try Geometry.collection(.multiPoint, of: own.map {
                try Geometry(pointX: points[$0].easting, y: points[$0].northing, context: context)
            }, context: context)
            for ring in [profile.convexHull, profile.concaveHull] {
                XCTAssertGreaterThanOrEqual(ring.count, 4, "cluster \(c) hull")
                XCTAssertEqual(ring.first, ring.last)
                let polygon = try Geometry(polygon: [ring.map { Coordinate(x: $0.easting, y: $0.northing) }], context: context)
                XCTAssertTrue(try polygon.covers(cloud), "cluster \(c): hull does not cover its points")
            }
            if let density = profile.densityPerHectare {
                XCTAssertEqual(density, Double(profile.members) / profile.concaveAreaHectares, accuracy: 1e-9 * density)
            }
        }
    }

    func testCollinearClusterHasNoAreaAndNoDensity() throws {
        let points = (0..<6).map { BNGPoint(easting: 600_000 + Double($0), northing: 150_000) }
        let clustering = try DBSCAN.cluster(points, eps: 2, minPoints: 2)
        let profile = try ClusterProfiles.profiles(points: points, clustering: clustering)
        XCTAssertEqual(profile.count, 1)
        XCTAssertEqual(profile[0].convexAreaHectares, 0)
        XCTAssertEqual(profile[0].convexHull, [])
        XCTAssertNil(profile[0].densityPerHectare)
    }

    func testBadArguments() throws {
        let points = [BNGPoint(easting: 0, northing: 0), BNGPoint(easting: 1, northing: 0)]
        let clustering = try DBSCAN.cluster(points, eps: 2, minPoints: 2)
        XCTAssertThrowsError(try ClusterProfiles.profiles(points: [points[0]], clustering: clustering))
        XCTAssertThrowsError(try ClusterProfiles.profiles(points: points, clustering: clustering, concaveRatio: 1.5))
    }
}
