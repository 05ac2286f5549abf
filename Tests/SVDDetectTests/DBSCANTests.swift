import SVDCore
@testable import SVDDetect
import XCTest

final class DBSCANTests: XCTestCase {
    /// Core flags and labels must equal the sklearn-derived fixture exactly.
    private func assertMatchesSklearn(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let table = try FixtureTable(name)
        let eps = table.parameter("eps")
        let minPoints = Int(table.parameter("min_samples"))
        let points = table.points
        let result: DBSCANResult
        if let window = table.parameters["eps_days"], !window.isEmpty {
            let days = table.int("day").map { Int32($0) }
            result = try DBSCAN.cluster(points, days: days, eps: eps, epsDays: Int(window)!, minPoints: minPoints)
        } else {
            result = try DBSCAN.cluster(points, eps: eps, minPoints: minPoints)
        }
        let core = table.int("core").map { $0 == 1 }
        let expected = table.int("label").map { Int32($0) }
        XCTAssertEqual(result.isCore, core, "core flags differ from sklearn", file: file, line: line)
        let wrong = (0..<points.count).filter { result.labels[$0] != expected[$0] }
        XCTAssertTrue(wrong.isEmpty, "\(wrong.count) labels differ, first at row \(wrong.first ?? -1)", file: file, line: line)
        XCTAssertEqual(result.clusterCount, Set(expected.filter { $0 >= 0 }).count, file: file, line: line)
        // sklearn's own partition of core points is the same up to renumbering.
        let sklearn = table.int("sklearn_label")
        var mapping: [Int: Int32] = [:]
        for i in 0..<points.count where core[i] {
            if let id = mapping[sklearn[i]] { XCTAssertEqual(id, result.labels[i], file: file, line: line) }
            else { mapping[sklearn[i]] = result.labels[i] }
        }
        XCTAssertEqual(Set(mapping.values).count, mapping.count, file: file, line: line)
        XCTAssertEqual(result.clusterSizes.reduce(0, +), expected.filter { $0 >= 0 }.count, file: file, line: line)
    }

    /// Core sizes of thousands (the density-aware default on a big extract) count whole sub-cells inside the eps
    /// disc and test only the rim: the core flags must equal a plain count of every pair, on dense blobs whose points
    /// sit on a 5 m lattice (so many pairs are exactly eps apart) and on scattered ones.
    func testLargeCoreSizesCountExactly() throws {
        var rng = SystemRandomNumberGenerator()
        var points: [BNGPoint] = []
        for (cx, cy, n) in [(500_000.0, 150_000.0, 2500), (500_140.0, 150_060.0, 1500), (501_000.0, 150_500.0, 800)] {
            for _ in 0..<n {
                let x = cx + Double.random(in: -120...120, using: &rng), y = cy + Double.random(in: -120...120, using: &rng)
                points.append(n == 800 ? BNGPoint(easting: x, northing: y) : BNGPoint(easting: (x / 5).rounded() * 5, northing: (y / 5).rounded() * 5))
            }
        }
        let eps = 100.0
        for minPoints in [300, 600, 1200] {
            let r = try DBSCAN.cluster(points, eps: eps, minPoints: minPoints)
            var wrong = 0, cores = 0
            for i in points.indices {
                var count = 0
                for q in points {
                    let dx = points[i].easting - q.easting, dy = points[i].northing - q.northing
                    if dx * dx + dy * dy <= eps * eps { count += 1 }
                }
                if (count >= minPoints) != r.isCore[i] { wrong += 1 }
                if count >= minPoints { cores += 1 }
            }
            XCTAssertEqual(wrong, 0, "minPoints \(minPoints): core flags differ from a plain count")
            XCTAssertGreaterThan(cores, 0, "minPoints \(minPoints): some cores")
            XCTAssertLessThan(cores, points.count, "minPoints \(minPoints): some non-cores")
        }
    }

    func testTownPointsMatchSklearnKDTree() throws { try assertMatchesSklearn("dbscan_towns.csv") }

    func testSnappedPointsWithExactEpsDistancesAndTiesMatchSklearn() throws {
        try assertMatchesSklearn("dbscan_snapped.csv")
    }

    func testSpaceTimeWindowMatchesSklearnPrecomputed() throws { try assertMatchesSklearn("dbscan_spacetime.csv") }

    func testLabelsDoNotDependOnInputOrder() throws {
        let table = try FixtureTable("dbscan_snapped.csv")
        let points = table.points
        let reference = try DBSCAN.cluster(points, eps: 50, minPoints: 4)
        var generator = SplitMix(seed: 42)
        for _ in 0..<3 {
            let permutation = (0..<points.count).shuffled(using: &generator)
            let shuffled = try DBSCAN.cluster(permutation.map { points[$0] }, eps: 50, minPoints: 4)
            for (position, original) in permutation.enumerated() {
                XCTAssertEqual(shuffled.labels[position], reference.labels[original])
            }
        }
    }

    func testIdenticalPointsFormOneClusterOrNoise() throws {
        let points = Array(repeating: BNGPoint(easting: 600_000, northing: 150_000), count: 20)
        let dense = try DBSCAN.cluster(points, eps: 10, minPoints: 20)
        XCTAssertEqual(dense.clusterCount, 1)
        XCTAssertEqual(dense.labels, Array(repeating: 0, count: 20))
        let sparse = try DBSCAN.cluster(points, eps: 10, minPoints: 21)
        XCTAssertEqual(sparse.clusterCount, 0)
        XCTAssertEqual(sparse.labels, Array(repeating: DBSCANResult.noise, count: 20))
    }

    func testClusterNumberingRanksByCoreCountThenLowestPoint() throws {
        // Three separate groups: 3 points far east, 5 points in the middle, 3 points far west.
        let east = (0..<3).map { BNGPoint(easting: 610_000 + Double($0), northing: 150_000) }
        let middle = (0..<5).map { BNGPoint(easting: 605_000 + Double($0), northing: 150_000) }
        let west = (0..<3).map { BNGPoint(easting: 600_000 + Double($0), northing: 150_000) }
        let result = try DBSCAN.cluster(east + middle + west, eps: 5, minPoints: 2)
        XCTAssertEqual(result.labels, [2, 2, 2, 0, 0, 0, 0, 0, 1, 1, 1])
        XCTAssertEqual(result.clusterSizes, [5, 3, 3])
    }

    func testBorderPointJoinsNearestCoreCluster() throws {
        // eps 5, minPoints 4. W1 and E1 are the only cores (each has two wings and B in reach); B is within
        // eps of both (5 m from W1, 4 m from E1) but has only three points in reach, so it is a border point.
        let points = [
            BNGPoint(easting: -3, northing: 3), BNGPoint(easting: -3, northing: -3), BNGPoint(easting: 0, northing: 0),
            BNGPoint(easting: 5, northing: 0),
            BNGPoint(easting: 9, northing: 0), BNGPoint(easting: 12, northing: 3), BNGPoint(easting: 12, northing: -3),
        ]
        let result = try DBSCAN.cluster(points, eps: 5, minPoints: 4)
        XCTAssertEqual(result.isCore, [false, false, true, false, true, false, false])
        // Equal core counts: the cluster with the lower (easting, northing) core point is 0.
        XCTAssertEqual(result.labels, [0, 0, 0, 1, 1, 1, 1])
    }

    func testBadParametersThrowClearErrors() {
        let points = [BNGPoint(easting: 1, northing: 2), BNGPoint(easting: 3, northing: 4)]
        XCTAssertThrowsError(try DBSCAN.cluster(points, eps: 0, minPoints: 2)) {
            XCTAssertTrue("\($0)".contains("eps"))
        }
        XCTAssertThrowsError(try DBSCAN.cluster(points, eps: -5, minPoints: 2))
        XCTAssertThrowsError(try DBSCAN.cluster(points, eps: .nan, minPoints: 2))
        XCTAssertThrowsError(try DBSCAN.cluster(points, eps: 10, minPoints: 0)) {
            XCTAssertTrue("\($0)".contains("minPoints"))
        }
        XCTAssertThrowsError(try DBSCAN.cluster([], eps: 10, minPoints: 2)) {
            XCTAssertEqual($0 as? DetectError, .emptyInput(what: "points"))
        }
        XCTAssertThrowsError(try DBSCAN.cluster(points + [BNGPoint(easting: .infinity, northing: 0)], eps: 10, minPoints: 2)) {
            XCTAssertEqual($0 as? DetectError, .nonFiniteCoordinate(index: 2))
        }
        XCTAssertThrowsError(try DBSCAN.cluster(points, days: [1], eps: 10, epsDays: 3, minPoints: 2)) {
            XCTAssertEqual($0 as? DetectError, .lengthMismatch(what: "days", expected: 2, got: 1))
        }
        XCTAssertThrowsError(try DBSCAN.cluster(points, days: [1, Incident.unknownDay], eps: 10, epsDays: 3, minPoints: 2)) {
            XCTAssertEqual($0 as? DetectError, .unknownDay(index: 1))
        }
        XCTAssertThrowsError(try DBSCAN.cluster(points, days: [1, 2], eps: 10, epsDays: -1, minPoints: 2))
        let countryWide = [BNGPoint(easting: 0, northing: 0), BNGPoint(easting: 700_000, northing: 1_200_000)]
        XCTAssertThrowsError(try DBSCAN.cluster(countryWide, eps: 1e-6, minPoints: 2)) {
            XCTAssertTrue("\($0)".contains("too small"))
        }
    }
}

/// Seeded generator so shuffles are reproducible.
struct SplitMix: RandomNumberGenerator {
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
