import SVDCore
@testable import SVDDetect
import XCTest

final class GiStarTests: XCTestCase {
    private func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let points = try FixtureTable("gistar_points.csv").points
        let table = try FixtureTable(name)
        let cell = table.parameter("cell")
        let spec = try GridSpec.covering(points, cellSize: cell)
        XCTAssertEqual(spec.originEasting, table.parameter("origin_e"), file: file, line: line)
        XCTAssertEqual(spec.originNorthing, table.parameter("origin_n"), file: file, line: line)
        XCTAssertEqual(spec.columns, Int(table.parameter("columns")), file: file, line: line)
        XCTAssertEqual(spec.rows, Int(table.parameter("rows")), file: file, line: line)
        let grid = CountGrid(points: points, spec: spec)
        XCTAssertEqual(grid.outside, 0, file: file, line: line)

        let cells = table.int("cell")
        let counts = table.int("count")
        for (k, c) in cells.enumerated() {
            XCTAssertEqual(grid.counts[c], Double(counts[k]), "count of cell \(c)", file: file, line: line)
        }
        let observations: GiStarObservations = table.parameters["observations"] == "occupied" ? .occupiedCells : .allCells
        let result = try GetisOrd.giStar(grid, band: table.parameter("band"), observations: observations)
        XCTAssertEqual(result.observationCount, cells.count, file: file, line: line)

        let z = table.double("z"), pNorm = table.double("p_norm"), q = table.double("q_bh")
        let classes = table.int("class")
        var worstZ = 0.0, worstP = 0.0, worstQ = 0.0
        for (k, c) in cells.enumerated() {
            if z[k].isNaN { XCTAssertTrue(result.z[c].isNaN, file: file, line: line); continue }
            worstZ = max(worstZ, abs(result.z[c] - z[k]))
            worstP = max(worstP, abs(result.p[c] - 2 * pNorm[k]) / (2 * pNorm[k]))
            worstQ = max(worstQ, abs(result.q[c] - q[k]) / q[k])
            XCTAssertEqual(Int(result.classes[c].rawValue), classes[k], "class of cell \(c)", file: file, line: line)
        }
        XCTAssertLessThanOrEqual(worstZ, 1e-9, file: file, line: line)
        XCTAssertLessThanOrEqual(worstP, 1e-9, file: file, line: line)
        XCTAssertLessThanOrEqual(worstQ, 1e-9, file: file, line: line)
        if observations == .occupiedCells {
            let observed = Set(cells)
            for c in 0..<spec.cellCount where !observed.contains(c) {
                XCTAssertTrue(result.z[c].isNaN, file: file, line: line)
                XCTAssertEqual(result.classes[c], .notSignificant, file: file, line: line)
            }
        }
    }

    func testAllCellsMatchesEsda() throws { try check("gistar_all.csv") }
    func testOccupiedCellsMatchesEsda() throws { try check("gistar_occupied.csv") }
    func testBandOnLatticeDistanceIncludesTiesLikeEsda() throws { try check("gistar_band5.csv") }

    /// Gi* on a land-only grid (a coast with a bay, a lake and an island; `make_land_gistar_fixture.py`): the land
    /// cells svd's `LandMask` finds through GEOS are exactly those shapely finds, and z, p, q and classes over those
    /// cells alone equal esda fed the land cells alone.
    func testLandCellsMatchEsda() throws {
        let table = try FixtureTable("gistar_land.csv")
        let spec = try GridSpec(originEasting: table.parameter("origin_e"), originNorthing: table.parameter("origin_n"),
                                cellSize: table.parameter("cell"), columns: Int(table.parameter("columns")), rows: Int(table.parameter("rows")))
        let vertices = try FixtureTable("gistar_land_polygons.csv")
        var polygons: [[[BNGPoint]]] = []
        let es = vertices.double("easting"), ns = vertices.double("northing")
        for (k, row) in vertices.rows.enumerated() {
            let p = Int(row[0])!, r = Int(row[1])!
            let point = BNGPoint(easting: es[k], northing: ns[k])
            if polygons.count <= p { polygons.append([]) }
            if polygons[p].count <= r { polygons[p].append([]) }
            polygons[p][r].append(point)
        }
        XCTAssertEqual(polygons.count, 2)
        let mask = LandMask(regions: [polygons])
        let land = try mask.cells(of: spec)
        let cells = table.int("cell")
        XCTAssertEqual(Set(land.indices.filter { land[$0] }), Set(cells), "land cells differ from shapely's")
        XCTAssertEqual(cells.count, 1869)
        XCTAssertLessThan(cells.count, spec.cellCount)

        var counts = [Double](repeating: 0, count: spec.cellCount)
        for (k, c) in cells.enumerated() { counts[c] = Double(table.int("count")[k]) }
        XCTAssertEqual(counts.reduce(0, +), table.parameter("points"))
        let result = try GetisOrd.giStar(CountGrid(spec: spec, counts: counts), band: table.parameter("band"), land: land)
        XCTAssertEqual(result.observationCount, cells.count)
        let z = table.double("z"), pNorm = table.double("p_norm"), q = table.double("q_bh"), classes = table.int("class")
        var worstZ = 0.0, worstP = 0.0, worstQ = 0.0
        for (k, c) in cells.enumerated() {
            worstZ = max(worstZ, abs(result.z[c] - z[k]))
            worstP = max(worstP, abs(result.p[c] - 2 * pNorm[k]) / (2 * pNorm[k]))
            worstQ = max(worstQ, abs(result.q[c] - q[k]) / q[k])
            XCTAssertEqual(Int(result.classes[c].rawValue), classes[k], "class of cell \(c)")
        }
        XCTAssertLessThanOrEqual(worstZ, 1e-9)
        XCTAssertLessThanOrEqual(worstP, 1e-9)
        XCTAssertLessThanOrEqual(worstQ, 1e-9)
        for c in 0..<spec.cellCount where !land[c] {
            XCTAssertTrue(result.z[c].isNaN)
            XCTAssertEqual(result.classes[c], .notSignificant)
        }
        XCTAssertTrue(classes.contains { $0 < 0 }, "the land grid has cold spots")
        // The same grid with the sea as zeros differs: the sea drags the mean down, so land cells look hotter.
        let whole = try GetisOrd.giStar(CountGrid(spec: spec, counts: counts), band: table.parameter("band"))
        XCTAssertEqual(whole.observationCount, spec.cellCount)
        XCTAssertGreaterThan(cells.filter { whole.z[$0] > result.z[$0] + 1e-9 }.count, cells.count / 2)
        // Cached per grid.
        XCTAssertEqual(try mask.cells(of: spec), land)
    }

    func testLandMaskQuadtreeEqualsCellByCell() throws {
        // A diagonal coast across a grid whose size is not a power of two: every cell tested alone agrees.
        let coast: [[[BNGPoint]]] = [[[BNGPoint(easting: 0.5, northing: 0.5), BNGPoint(easting: 3_310, northing: 0.5),
                                       BNGPoint(easting: 170, northing: 2_290), BNGPoint(easting: 0.5, northing: 0.5)]]]
        let spec = try GridSpec(originEasting: -200, originNorthing: -100, cellSize: 100, columns: 37, rows: 29)
        let land = try LandMask(regions: [coast]).cells(of: spec)
        for i in 0..<spec.cellCount {
            let one = try GridSpec(originEasting: spec.originEasting + Double(i % spec.columns) * 100,
                                   originNorthing: spec.originNorthing + Double(i / spec.columns) * 100, cellSize: 100, columns: 1, rows: 1)
            XCTAssertEqual(try LandMask(regions: [coast]).cells(of: one)[0], land[i], "cell \(i)")
        }
        XCTAssertGreaterThan(land.filter { $0 }.count, 300)
        XCTAssertLessThan(land.filter { $0 }.count, spec.cellCount - 300)
    }

    func testDiscHalfWidths() {
        // Radius 5 cells: offsets (3, 4) and (4, 3) lie exactly on the circle and are inside.
        XCTAssertEqual(GetisOrd.discHalfWidths(radius: 5, maxRows: 100, maxColumns: 100), [5, 4, 4, 4, 3, 0])
        XCTAssertEqual(GetisOrd.discHalfWidths(radius: 2.0.squareRoot(), maxRows: 100, maxColumns: 100), [1, 1])
        XCTAssertEqual(GetisOrd.discHalfWidths(radius: 0.5, maxRows: 100, maxColumns: 100), [0])
        XCTAssertEqual(GetisOrd.discHalfWidths(radius: 1e300, maxRows: 2, maxColumns: 3), [3, 3, 3])
    }

    func testBenjaminiHochbergByHand() {
        // m = 4: sorted p 0.01, 0.02, 0.03, 0.5 → 0.04, 0.04, 0.04, 0.5; NaN untouched.
        let q = GetisOrd.benjaminiHochberg([0.03, .nan, 0.5, 0.01, 0.02])
        XCTAssertEqual(q[0], 0.04, accuracy: 1e-15)
        XCTAssertTrue(q[1].isNaN)
        XCTAssertEqual(q[2], 0.5, accuracy: 1e-15)
        XCTAssertEqual(q[3], 0.04, accuracy: 1e-15)
        XCTAssertEqual(q[4], 0.04, accuracy: 1e-15)
    }

    func testAutomaticCellSizeIsShorterSideOverFiftyRoundedDown() throws {
        let points = [BNGPoint(easting: 500_000, northing: 100_000), BNGPoint(easting: 520_000, northing: 112_000)]
        // 12,000 / 50 = 240 → 200.
        XCTAssertEqual(try GridSpec.automaticCellSize(for: points), 200)
        let line = [BNGPoint(easting: 500_000, northing: 100_000), BNGPoint(easting: 500_000, northing: 113_000)]
        // Zero width: 13,000 / 50 = 260 → 250.
        XCTAssertEqual(try GridSpec.automaticCellSize(for: line), 250)
    }

    func testDefaultBandIsTheQueenNeighbourhood() throws {
        let spec = try GridSpec(originEasting: 0, originNorthing: 0, cellSize: 100, columns: 3, rows: 3)
        // A single incident in the centre: every cell's band covers the centre, so G*_i sums are all 1
        // and the 3×3 layout gives W = 4 (corners), 6 (edges), 9 (centre) neighbours.
        var counts = [Double](repeating: 0, count: 9)
        counts[4] = 1
        let result = try GetisOrd.giStar(CountGrid(spec: spec, counts: counts))
        // By hand: N = 9, ȳ = 1/9, s² = 1/9 − 1/81 = 8/81, s²/ȳ² = 8.
        // Corner: G = 1, E = 4/9, Var = 4·5/8/81·8 = 20/81 → z = (5/9)/(√20/9) = 5/√20.
        XCTAssertEqual(result.z[0], 5 / 20.0.squareRoot(), accuracy: 1e-12)
        // Centre: W = N, variance 0 → undefined, as esda gives NaN.
        XCTAssertTrue(result.z[4].isNaN)
    }

    func testErrors() throws {
        let points = try FixtureTable("gistar_points.csv").points
        XCTAssertThrowsError(try GridSpec.covering(points, cellSize: 0.5)) {
            guard case DetectError.tooManyCells = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue("\($0)".contains("larger cell size"))
        }
        XCTAssertThrowsError(try GridSpec.covering(points, cellSize: -1))
        XCTAssertThrowsError(try GridSpec.covering([], cellSize: 100))
        let same = Array(repeating: BNGPoint(easting: 600_000, northing: 150_000), count: 10)
        XCTAssertThrowsError(try GridSpec.covering(same)) { XCTAssertTrue("\($0)".contains("identical")) }
        let one = try GridSpec.covering(same, cellSize: 100)
        XCTAssertThrowsError(try GetisOrd.giStar(CountGrid(points: same, spec: one))) {
            XCTAssertTrue("\($0)".contains("at least two"))
        }
        let spec = try GridSpec.covering(points, cellSize: 200)
        let grid = CountGrid(points: points, spec: spec)
        XCTAssertThrowsError(try GetisOrd.giStar(grid, band: -1))
        XCTAssertThrowsError(try GetisOrd.giStar(grid, band: .infinity))
        XCTAssertThrowsError(try CountGrid(spec: spec, counts: [1, 2]))
        let flat = try CountGrid(spec: spec, counts: Array(repeating: 3, count: spec.cellCount))
        XCTAssertThrowsError(try GetisOrd.giStar(flat)) { XCTAssertTrue("\($0)".contains("same count")) }
    }
}
