import Foundation
import SVDCore

/// A regular grid of square cells in BNG metres, row-major with row 0 the southernmost row.
/// The origin (south-west corner) sits on a multiple of the cell size, so grids of the same cell size
/// line up with each other and with the National Grid.
public struct GridSpec: Sendable, Equatable {
    /// Hard ceiling on cells: beyond it a surface no longer fits comfortably in memory (8 bytes per cell per layer).
    public static let maxCells = 50_000_000

    public let originEasting: Double
    public let originNorthing: Double
    public let cellSize: Double
    public let columns: Int
    public let rows: Int

    public var cellCount: Int { columns * rows }

    public init(originEasting: Double, originNorthing: Double, cellSize: Double, columns: Int, rows: Int) throws {
        guard cellSize.isFinite, cellSize > 0 else {
            throw DetectError.invalidParameter(name: "cell size", value: "\(cellSize)", reason: "must be a positive number of metres")
        }
        guard originEasting.isFinite, originNorthing.isFinite else {
            throw DetectError.invalidParameter(name: "grid origin", value: "(\(originEasting), \(originNorthing))", reason: "must be finite")
        }
        guard columns >= 1, rows >= 1 else {
            throw DetectError.invalidParameter(name: "grid size", value: "\(columns) × \(rows)", reason: "needs at least one cell")
        }
        guard columns <= GridSpec.maxCells / rows else {
            throw DetectError.tooManyCells(columns: columns, rows: rows, limit: GridSpec.maxCells)
        }
        self.originEasting = originEasting
        self.originNorthing = originNorthing
        self.cellSize = cellSize
        self.columns = columns
        self.rows = rows
    }

    /// The smallest grid of `cellSize` (or the automatic size) that holds every point.
    public static func covering(_ points: [BNGPoint], cellSize: Double? = nil) throws -> GridSpec {
        let box = try Extent(points)
        let size = try cellSize ?? automaticCellSize(box)
        guard size.isFinite, size > 0 else {
            throw DetectError.invalidParameter(name: "cell size", value: "\(size)", reason: "must be a positive number of metres")
        }
        let ox = (box.minX / size).rounded(.down) * size
        let oy = (box.minY / size).rounded(.down) * size
        let columns = ((box.maxX - ox) / size).rounded(.down) + 1
        let rows = ((box.maxY - oy) / size).rounded(.down) + 1
        guard columns * rows <= Double(maxCells) else {
            throw DetectError.tooManyCells(columns: Int(min(columns, 1e15)), rows: Int(min(rows, 1e15)), limit: maxCells)
        }
        return try GridSpec(originEasting: ox, originNorthing: oy, cellSize: size, columns: Int(columns), rows: Int(rows))
    }

    /// Default cell size: the shorter side of the points' bounding box over 50 (sfhotspot's documented
    /// default), rounded down to a readable 1, 2, 2.5 or 5 × 10^k metres. A box that is a line uses its length.
    public static func automaticCellSize(for points: [BNGPoint]) throws -> Double {
        try automaticCellSize(Extent(points))
    }

    static func automaticCellSize(_ box: Extent) throws -> Double {
        let w = box.maxX - box.minX, h = box.maxY - box.minY
        let side = min(w, h) > 0 ? min(w, h) : max(w, h)
        guard side > 0 else {
            throw DetectError.degenerateInput(reason: "all points are identical; set the cell size explicitly")
        }
        let raw = side / 50
        let decade = pow(10, (log10(raw)).rounded(.down))
        let nice = [5, 2.5, 2, 1].first { $0 * decade <= raw } ?? 1
        return nice * decade
    }

    /// Cell holding `p`, or nil outside the grid. Cells are half-open: [west, east) × [south, north).
    @inlinable public func cellIndex(of p: BNGPoint) -> Int? {
        let fx = ((p.easting - originEasting) / cellSize).rounded(.down)
        let fy = ((p.northing - originNorthing) / cellSize).rounded(.down)
        guard fx >= 0, fy >= 0, fx < Double(columns), fy < Double(rows) else { return nil }
        return Int(fy) * columns + Int(fx)
    }

    @inlinable public func centre(ofCell index: Int) -> BNGPoint {
        BNGPoint(easting: originEasting + (Double(index % columns) + 0.5) * cellSize,
                 northing: originNorthing + (Double(index / columns) + 0.5) * cellSize)
    }
}

/// Bounding box of a non-empty set of finite points.
struct Extent {
    var minX = Double.infinity, minY = Double.infinity
    var maxX = -Double.infinity, maxY = -Double.infinity

    init(_ points: [BNGPoint]) throws {
        guard !points.isEmpty else { throw DetectError.emptyInput(what: "points") }
        for (i, p) in points.enumerated() {
            guard p.easting.isFinite, p.northing.isFinite else { throw DetectError.nonFiniteCoordinate(index: i) }
            minX = min(minX, p.easting); maxX = max(maxX, p.easting)
            minY = min(minY, p.northing); maxY = max(maxY, p.northing)
        }
    }
}

/// Incident counts (or any non-negative weights) per grid cell.
public struct CountGrid: Sendable {
    public let spec: GridSpec
    public let counts: [Double]
    /// Points that fell outside the grid and were not counted.
    public let outside: Int

    public init(spec: GridSpec, counts: [Double]) throws {
        guard counts.count == spec.cellCount else {
            throw DetectError.lengthMismatch(what: "grid counts", expected: spec.cellCount, got: counts.count)
        }
        for (i, c) in counts.enumerated() where !c.isFinite {
            throw DetectError.invalidParameter(name: "count of cell \(i)", value: "\(c)", reason: "must be finite")
        }
        self.spec = spec
        self.counts = counts
        self.outside = 0
    }

    public init(points: [BNGPoint], spec: GridSpec) {
        var counts = [Double](repeating: 0, count: spec.cellCount)
        var outside = 0
        for p in points {
            if let i = spec.cellIndex(of: p) { counts[i] += 1 } else { outside += 1 }
        }
        self.spec = spec
        self.counts = counts
        self.outside = outside
    }
}
