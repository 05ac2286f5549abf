import XCTest
import GEOS
import SVDCore
@testable import SVDLocate

final class LocatorTests: XCTestCase {
    /// Town centres (BNG, approximate): Maidstone, Canterbury, Ashford, Chatham, Dartford, Gravesend, Margate,
    /// Ramsgate, Folkestone, Dover, Tunbridge Wells, Tonbridge, Sevenoaks, Sittingbourne, Herne Bay.
    static let towns: [(Double, Double)] = [(575900, 155800), (615000, 157800), (601200, 142800), (575800, 167800),
        (554000, 174000), (564700, 174200), (635200, 170800), (638000, 165000), (622700, 135800), (631800, 141500),
        (558500, 139500), (559000, 146500), (552700, 155200), (590500, 163500), (617800, 168000)]

    /// Brute force with plain (unprepared) GEOSContains: the first district, in area order, containing the point.
    func bruteForce(_ p: BNGPoint, _ geometries: [Geometry], _ bounds: [Bounds], _ context: GEOSContext) throws -> Int32 {
        let point = try Geometry(pointX: p.easting, y: p.northing, context: context)
        for (d, g) in geometries.enumerated() where bounds[d].contains(x: p.easting, y: p.northing) {
            if try g.contains(point) { return Int32(d) }
        }
        return DistrictLocator.outside
    }

    /// The same rule for many points at once, with plain GEOS overlays per district (no prepared geometry):
    /// interior points = (district ∩ points) − (district boundary ∩ points).
    func bruteForce(_ points: [BNGPoint], _ geometries: [Geometry], _ context: GEOSContext) throws -> [Int32] {
        let wkt = "MULTIPOINT(" + points.map { "(\($0.easting) \($0.northing))" }.joined(separator: ",") + ")"
        let cloud = try Geometry(wkt: wkt, context: context)
        struct Key: Hashable { let x: UInt64, y: UInt64 }
        func keys(_ g: Geometry) throws -> Set<Key> {
            var out = Set<Key>()
            for i in 0..<g.numGeometries {
                let part = try g.geometry(at: i)
                if part.type == .point, let c = try part.coordinates().first { out.insert(Key(x: c.x.bitPattern, y: c.y.bitPattern)) }
            }
            return out
        }
        var owner: [Key: Int32] = [:]
        for (d, g) in geometries.enumerated() {
            let interior = try keys(g.intersection(cloud)).subtracting(try keys(g.boundary().intersection(cloud)))
            for k in interior where owner[k] == nil { owner[k] = Int32(d) }
        }
        return points.map { owner[Key(x: $0.easting.bitPattern, y: $0.northing.bitPattern)] ?? DistrictLocator.outside }
    }

    func testFastLocatorEqualsGEOSBruteForceOnEveryPoint() throws {
        let area = try Area.embedded(id: "kent-medway")
        let locator = DistrictLocator(area: area)
        let context = GEOSContext()
        let geometries = try area.districts.map { try $0.geometry(in: context) }
        let bounds = try geometries.map { try $0.bounds() }
        let (lo, hi) = area.bounds
        let vertices = area.districts.flatMap { $0.polygons.joined().joined() }
        var random = SampleRandom(seed: 20_240_601)
        var points: [BNGPoint] = []
        for i in 0..<100_000 {
            switch i % 4 {
            case 0, 1:  // uniform over the bounding box (sea included)
                points.append(BNGPoint(easting: lo.easting + random.unit() * (hi.easting - lo.easting),
                                       northing: lo.northing + random.unit() * (hi.northing - lo.northing)))
            case 2:     // within tens of metres of a boundary vertex
                let v = vertices[random.index(vertices.count)]
                points.append(BNGPoint(easting: v.easting + random.normal() * 30, northing: v.northing + random.normal() * 30))
            default:    // clustered around towns
                let t = Self.towns[random.index(Self.towns.count)]
                points.append(BNGPoint(easting: t.0 + random.normal() * 1500, northing: t.1 + random.normal() * 1500))
            }
        }
        let fast = locator.locate(points)
        let expected = try bruteForce(points, geometries, context)
        var mismatches: [String] = []
        var perDistrict = [Int](repeating: 0, count: area.districts.count)
        for (i, p) in points.enumerated() {
            if fast[i] != expected[i] { mismatches.append("\(p): fast \(fast[i]), GEOS \(expected[i])") }
            if expected[i] >= 0 { perDistrict[Int(expected[i])] += 1 }
        }
        // Spot-check the set-based reference against plain per-point GEOSContains.
        for i in stride(from: 0, to: points.count, by: 101) {
            XCTAssertEqual(try bruteForce(points[i], geometries, bounds, context), expected[i], "\(points[i])")
        }
        XCTAssertEqual(mismatches.count, 0, mismatches.prefix(10).joined(separator: "\n"))
        // The sample must exercise every district and the outside, or the comparison proves little.
        XCTAssertTrue(perDistrict.allSatisfy { $0 > 100 }, "\(perDistrict)")
        XCTAssertGreaterThan(fast.filter { $0 == DistrictLocator.outside }.count, 10_000)
        // The single-point query agrees with the batch one.
        for i in stride(from: 0, to: points.count, by: 997) { XCTAssertEqual(locator.district(at: points[i]), fast[i]) }
    }

    func testPointsExactlyOnBordersGoToOneOfTheDistrictsThatCoverThem() throws {
        let area = try Area.embedded(id: "kent-medway")
        let locator = DistrictLocator(area: area)
        let reference = try GEOSReferenceLocator(area: area)
        let union = try PreparedGeometry(Geometry.collection(.geometryCollection, of: reference.prepared.map(\.geometry), context: reference.context).unaryUnion())
        var random = SampleRandom(seed: 99)
        let vertices = area.districts.flatMap { $0.polygons.joined().joined() }
        var interiorBorderPoints = 0
        for _ in 0..<600 {
            let v = vertices[random.index(vertices.count)]
            let covering = try reference.districts(covering: v)
            XCTAssertFalse(covering.isEmpty)
            let got = locator.district(at: v)
            let probe = try Geometry(pointX: v.easting, y: v.northing, context: reference.context)
            if try union.contains(probe) {
                // Inside the area: a shared border point must land in one of its districts, never outside.
                interiorBorderPoints += 1
                XCTAssertTrue(covering.contains(Int(got)), "\(v): got \(got), covering \(covering)")
            } else {
                XCTAssertTrue(got == DistrictLocator.outside || covering.contains(Int(got)), "\(v): got \(got), covering \(covering)")
            }
        }
        XCTAssertGreaterThan(interiorBorderPoints, 50)
    }

    func testSeaAndFarPointsAreOutside() throws {
        let area = try Area.embedded(id: "kent-medway")
        let locator = DistrictLocator(area: area)
        let reference = try GEOSReferenceLocator(area: area)
        // North Sea 10 km north of Margate; the Channel south of Folkestone; Birmingham; the grid origin.
        for p in [BNGPoint(easting: 635_000, northing: 181_000), BNGPoint(easting: 622_000, northing: 125_000),
                  BNGPoint(easting: 407_000, northing: 286_000), BNGPoint(easting: 0, northing: 0)] {
            XCTAssertEqual(try reference.districts(covering: p), [], "\(p) should be off every district by GEOS too")
            XCTAssertEqual(locator.district(at: p), DistrictLocator.outside, "\(p)")
        }
        XCTAssertEqual(locator.district(at: BNGPoint(easting: .nan, northing: 150_000)), DistrictLocator.outside)
        XCTAssertEqual(locator.district(at: BNGPoint(easting: .infinity, northing: 150_000)), DistrictLocator.outside)
        // Maidstone town centre is in Maidstone.
        XCTAssertEqual(locator.district(at: BNGPoint(easting: 575_900, northing: 155_800)),
                       Int32(area.districtIndex(code: "E07000110")!))
    }

    func testLocatorSharedByTwoThreadsGivesTheSameAnswers() throws {
        let area = try Area.embedded(id: "kent-medway")
        let locator = DistrictLocator(area: area)
        let (lo, hi) = area.bounds
        var random = SampleRandom(seed: 5)
        let points = (0..<40_000).map { _ in
            BNGPoint(easting: lo.easting + random.unit() * (hi.easting - lo.easting),
                     northing: lo.northing + random.unit() * (hi.northing - lo.northing))
        }
        let serial = locator.locate(points)
        let results = UnsafeMutableBufferPointer<Int32>.allocate(capacity: points.count)
        defer { results.deallocate() }
        let half = points.count / 2
        nonisolated(unsafe) let output = results
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            points.withUnsafeBufferPointer { p in
                locator.locate(UnsafeBufferPointer(rebasing: p[(k * half)..<((k + 1) * half)]),
                               into: UnsafeMutableBufferPointer(rebasing: output[(k * half)..<((k + 1) * half)]))
            }
        }
        XCTAssertEqual(Array(results), serial)
    }

    func testHolesAndOverlapsOnASmallHandMadeArea() {
        // District 0: 0..10 square with a 4..6 hole. District 1: the hole, plus an overlap strip 9..12 × 0..10.
        func ring(_ xy: [(Double, Double)]) -> [BNGPoint] { xy.map { BNGPoint(easting: $0.0 * 100, northing: $0.1 * 100) } }
        let d0 = [[ring([(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]), ring([(4, 4), (6, 4), (6, 6), (4, 6), (4, 4)])]]
        let d1 = [[ring([(4, 4), (6, 4), (6, 6), (4, 6), (4, 4)])], [ring([(9, 0), (12, 0), (12, 10), (9, 10), (9, 0)])]]
        let locator = DistrictLocator(districts: [d0, d1], cellSize: 150, bandHeight: 70)
        func at(_ x: Double, _ y: Double) -> Int32 { locator.district(at: BNGPoint(easting: x * 100, northing: y * 100)) }
        XCTAssertEqual(at(2, 2), 0)
        XCTAssertEqual(at(5, 5), 1)       // in the hole of 0, which is district 1
        XCTAssertEqual(at(9.5, 5), 0)     // overlap: lowest index wins
        XCTAssertEqual(at(11, 5), 1)
        XCTAssertEqual(at(13, 5), DistrictLocator.outside)
        XCTAssertEqual(at(-1, 5), DistrictLocator.outside)
        XCTAssertEqual(at(4, 5), 1)       // on the hole's west edge: the district to the east
        XCTAssertEqual(at(6, 5), 0)       // on the hole's east edge: district 0 lies east
        XCTAssertEqual(at(5, 6), 0)       // on the hole's top edge: the district to the north
        XCTAssertEqual(at(5, 4), 1)       // on the hole's bottom edge: district 1 lies north
    }
}
