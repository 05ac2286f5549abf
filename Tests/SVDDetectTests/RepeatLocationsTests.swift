import XCTest
import SVDCore
@testable import SVDDetect

/// Grouping incidents into snapped locations, on points whose answer is worked out by hand.
final class RepeatLocationsTests: XCTestCase {
    func p(_ e: Double, _ n: Double) -> BNGPoint { BNGPoint(easting: e, northing: n) }

    func testSquareAndTypeMakeALocation() throws {
        let points = [p(575_711, 167_622), p(575_719.9, 167_620), p(575_720, 167_620), p(575_715, 167_625), p(575_712, 167_629.99), p(575_711, 167_622)]
        let types: [LocationType] = [.licensedPremises, .licensedPremises, .licensedPremises, .street, .licensedPremises, .licensedPremises]
        let g = try RepeatLocations.group(points, types: types, snap: 10)
        // Square E575710 N167620 holds four licensed-premises incidents (0, 1, 4, 5) and one street incident (3);
        // 575,720 lies on the next square's west edge, which belongs to that square.
        XCTAssertEqual(g.locations.count, 3)
        let pub = try XCTUnwrap(g.locations.first { $0.type == .licensedPremises && $0.column == 57_571 })
        XCTAssertEqual(Array(g.incidents(of: pub)), [0, 1, 4, 5], "members in input order")
        XCTAssertEqual(pub.southWest(snap: 10), p(575_710, 167_620))
        let street = try XCTUnwrap(g.locations.first { $0.type == .street })
        XCTAssertEqual(Array(g.incidents(of: street)), [3])
        let next = try XCTUnwrap(g.locations.first { $0.column == 57_572 })
        XCTAssertEqual(Array(g.incidents(of: next)), [2])

        let repeats = RepeatLocations.repeats(g)
        XCTAssertEqual(repeats.map(\.incidents), [4])
        XCTAssertEqual(RepeatLocations.repeats(g, minimum: 1).map(\.incidents), [4, 1, 1])
        // A larger snap merges the neighbouring square.
        let coarse = try RepeatLocations.group(points, types: types, snap: 100)
        XCTAssertEqual(RepeatLocations.repeats(coarse).map(\.incidents), [5])
    }

    func testTiesAreOrderedByPositionThenType() throws {
        let points = [p(300, 100), p(300, 100), p(100, 200), p(100, 200), p(100, 200), p(100, 200)]
        let types: [LocationType] = [.retail, .retail, .park, .park, .street, .street]
        let r = RepeatLocations.repeats(try RepeatLocations.group(points, types: types, snap: 10))
        XCTAssertEqual(r.map { "\($0.column),\($0.row),\($0.type.label)" }, ["10,20,street", "10,20,park", "30,10,retail"])
    }

    func testRefusals() {
        XCTAssertThrowsError(try RepeatLocations.group([p(1, 1)], types: [.street], snap: 0))
        XCTAssertThrowsError(try RepeatLocations.group([p(1, 1)], types: [], snap: 10))
        XCTAssertThrowsError(try RepeatLocations.group([p(.nan, 1)], types: [.street], snap: 10))
        XCTAssertThrowsError(try RepeatLocations.group([p(-5, 1)], types: [.street], snap: 10))
        XCTAssertEqual(try RepeatLocations.group([], types: [], snap: 10).locations.count, 0)
    }
}
