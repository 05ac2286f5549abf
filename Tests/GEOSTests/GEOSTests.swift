import XCTest
@testable import GEOS

final class GEOSTests: XCTestCase {
    func testInvalidWKTSurfacesGEOSMessage() {
        let context = GEOSContext()
        XCTAssertThrowsError(try Geometry(wkt: "POLYGON((0 0, 1 0", context: context)) { error in
            guard let e = error as? GEOSError else { return XCTFail("not a GEOSError: \(error)") }
            XCTAssertEqual(e.operation, "GEOSWKTReader_read_r")
            XCTAssertTrue(e.message.contains("ParseException"), e.message)
        }
        // The captured message is consumed: the next failure carries its own message.
        XCTAssertThrowsError(try Geometry(wkt: "NOT A SHAPE", context: context)) { error in
            XCTAssertTrue((error as? GEOSError)?.message.contains("Unknown type") ?? false, "\(error)")
        }
    }

    func testUnclosedAndShortRingsAreRejected() {
        let context = GEOSContext()
        let open = [(0.0, 0.0), (10, 0), (10, 10), (0, 10)].map { Coordinate(x: $0.0, y: $0.1) }
        XCTAssertThrowsError(try Geometry(polygon: [open], context: context)) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
        let short = [(0.0, 0.0), (10, 0), (0.0, 0.0)].map { Coordinate(x: $0.0, y: $0.1) }
        XCTAssertThrowsError(try Geometry(polygon: [short], context: context)) { error in
            XCTAssertTrue("\(error)".contains("at least 4 points, got 3"), "\(error)")
        }
    }

    func testMakeValidRepairsBowTie() throws {
        let context = GEOSContext()
        // Two unit-height triangles crossing at (1, 1): each has area 1.
        let bowTie = try Geometry(wkt: "POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))", context: context)
        XCTAssertFalse(try bowTie.isValid())
        let reason = try bowTie.isValidReason()
        XCTAssertTrue(reason.hasPrefix("Self-intersection"), reason)
        let repaired = try bowTie.makeValid()
        XCTAssertTrue(try repaired.isValid())
        XCTAssertEqual(repaired.type, .multiPolygon)
        XCTAssertEqual(repaired.numGeometries, 2)
        XCTAssertEqual(try repaired.area(), 2, accuracy: 1e-12)
        XCTAssertEqual(try repaired.geometry(at: 0).area(), 1, accuracy: 1e-12)
        XCTAssertThrowsError(try repaired.geometry(at: 2))
    }

    func testHullsContainTheirPoints() throws {
        let context = GEOSContext()
        var generator = SplitMix64(seed: 7)
        let points = (0..<200).map { _ in
            "\(Double(generator.next() % 10_000) / 10) \(Double(generator.next() % 10_000) / 10)"
        }
        let cloud = try Geometry(wkt: "MULTIPOINT(" + points.map { "(\($0))" }.joined(separator: ",") + ")", context: context)
        let convex = try cloud.convexHull()
        let concave = try cloud.concaveHull(ratio: 0.2)
        XCTAssertTrue(try convex.covers(cloud))
        XCTAssertTrue(try concave.covers(cloud))
        XCTAssertLessThanOrEqual(try concave.area(), try convex.area() + 1e-9)
        // A tight concave hull of a scattered cloud is strictly smaller than the convex one.
        XCTAssertLessThan(try concave.area(), try convex.area())
        XCTAssertTrue(try convex.contains(try Geometry(wkt: "POINT(500 500)", context: context)))
    }

    func testOverlaysAndMeasures() throws {
        let context = GEOSContext()
        let a = try Geometry(rectangle: Bounds(minX: 0, minY: 0, maxX: 10, maxY: 10), context: context)
        let b = try Geometry(rectangle: Bounds(minX: 5, minY: 5, maxX: 15, maxY: 15), context: context)
        XCTAssertEqual(try a.intersection(b).area(), 25, accuracy: 1e-12)
        XCTAssertEqual(try a.union(b).area(), 175, accuracy: 1e-12)
        XCTAssertEqual(try a.difference(b).area(), 75, accuracy: 1e-12)
        XCTAssertEqual(try b.bounds(), Bounds(minX: 5, minY: 5, maxX: 15, maxY: 15))
        XCTAssertEqual(try a.buffer(1, quadrantSegments: 1).area(), 100 + 4 * 10 + 2, accuracy: 1e-9) // square corners cut by one segment
        XCTAssertTrue(try a.intersects(b))
        XCTAssertFalse(try a.contains(b))
        XCTAssertEqual(try a.wkt(precision: 0), "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))")
        let ring = try a.exteriorRing()
        XCTAssertEqual(ring.count, 5)
        XCTAssertEqual(ring.first, ring.last)
        let envelope = try Geometry(wkt: "LINESTRING(1 2, 3 7)", context: context).envelope()
        XCTAssertEqual(try envelope.area(), 10, accuracy: 1e-12)
    }

    func testPolygonRingsRoundTrip() throws {
        let context = GEOSContext()
        let shell = [(0.0, 0.0), (10, 0), (10, 10), (0, 10), (0, 0)].map { Coordinate(x: $0.0, y: $0.1) }
        let hole = [(2.0, 2.0), (2, 4), (4, 4), (4, 2), (2, 2)].map { Coordinate(x: $0.0, y: $0.1) }
        let far = [(20.0, 0.0), (21, 0), (21, 1), (20, 0)].map { Coordinate(x: $0.0, y: $0.1) }
        let multi = try Geometry(multiPolygon: [[shell, hole], [far]], context: context)
        XCTAssertEqual(try multi.area(), 100 - 4 + 0.5, accuracy: 1e-12)
        let rings = try multi.polygonRings()
        XCTAssertEqual(rings, [[shell, hole], [far]])
        let simplified = try Geometry(polygon: [shell], context: context).simplify(tolerance: 1)
        XCTAssertEqual(try simplified.area(), 100, accuracy: 1e-12)
    }

    func testPreparedPredicates() throws {
        let context = GEOSContext()
        let square = try Geometry(rectangle: Bounds(minX: 0, minY: 0, maxX: 10, maxY: 10), context: context)
        let prepared = try PreparedGeometry(square)
        XCTAssertTrue(try prepared.containsPoint(x: 5, y: 5))
        XCTAssertFalse(try prepared.containsPoint(x: 10, y: 5))          // on the boundary: not contained
        XCTAssertTrue(try prepared.containsPoint(x: 10, y: 5, includingBoundary: true))
        XCTAssertFalse(try prepared.containsPoint(x: 50, y: 5))
        let inner = try Geometry(rectangle: Bounds(minX: 1, minY: 1, maxX: 9, maxY: 9), context: context)
        let touching = try Geometry(rectangle: Bounds(minX: 0, minY: 1, maxX: 9, maxY: 9), context: context)
        XCTAssertTrue(try prepared.containsProperly(inner))
        XCTAssertFalse(try prepared.containsProperly(touching))
        XCTAssertTrue(try prepared.contains(touching))
        XCTAssertTrue(try prepared.covers(touching))
        XCTAssertTrue(try prepared.intersects(try Geometry(pointX: 10, y: 10, context: context)))
    }

    func testSTRtreeFindsIntersectingEnvelopes() throws {
        let context = GEOSContext()
        let tree = try STRtree(context: context)
        for i in 0..<100 {
            let x = Double(i % 10) * 10, y = Double(i / 10) * 10
            try tree.insert(try Geometry(rectangle: Bounds(minX: x, minY: y, maxX: x + 9, maxY: y + 9), context: context), item: i)
        }
        let probe = try Geometry(rectangle: Bounds(minX: 15, minY: 15, maxX: 25, maxY: 25), context: context)
        XCTAssertEqual(tree.query(probe), [11, 12, 21, 22])
        XCTAssertEqual(tree.query(try Geometry(pointX: 0, y: 0, context: context)), [0])
        XCTAssertEqual(tree.query(try Geometry(pointX: -5, y: 0, context: context)), [])
        XCTAssertThrowsError(try tree.insert(probe, item: 100))
    }

    func testManyCreateDestroyCycles() throws {
        // Exercises ownership paths (contexts, geometries, prepared, trees, failures) under repetition.
        for round in 0..<200 {
            let context = GEOSContext()
            let g = try Geometry(wkt: "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0))", context: context)
            let p = try PreparedGeometry(try g.buffer(Double(round % 3)))
            XCTAssertTrue(try p.containsPoint(x: 2, y: 2))
            let tree = try STRtree(context: context)
            try tree.insert(g, item: round)
            XCTAssertEqual(tree.query(g), [round])
            XCTAssertThrowsError(try Geometry(wkt: "POLYGON((", context: context))
            _ = try g.makeValid().convexHull().wkt()
        }
    }
}

/// Small deterministic generator so tests do not depend on the platform's random source.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
