import Foundation
import GEOS
import SVDCore

/// A cell of a `GeneralisationGrid`: column and row counted from the National Grid origin.
public struct GridCell: Hashable, Comparable, Sendable {
    public var column: Int32
    public var row: Int32

    @inlinable public init(column: Int32, row: Int32) {
        self.column = column
        self.row = row
    }

    /// One sortable word: row-major order (row first, then column).
    @inlinable public var key: Int64 { Int64(row) << 32 | Int64(UInt32(bitPattern: column)) }
    @inlinable public init(key: Int64) {
        row = Int32(truncatingIfNeeded: key >> 32)
        column = Int32(bitPattern: UInt32(truncatingIfNeeded: key))
    }

    @inlinable public static func < (a: GridCell, b: GridCell) -> Bool { a.key < b.key }
}

/// The square grid that every published place is snapped to: cells of `cellSize` metres on British National Grid
/// lines (multiples of the cell size) moved by `offset`, so the grid is fixed in advance and independent of the data.
/// Anything drawn from it (outline vertices, areas, centroids) depends on which cells are occupied, never on
/// where in a cell an incident lies. The quarter-metre offset keeps every corner off round-metre and round-decimetre
/// coordinates, the precisions extracts carry (and where geocoders put default points), so no corner is ever an
/// incident's recorded position.
public struct GeneralisationGrid: Sendable, Equatable {
    public let cellSize: Double
    /// Metres east and north of the National Grid's round lines.
    public static let offset = 0.25

    public init(cellSize: Double) throws {
        guard cellSize.isFinite, cellSize > 0 else {
            throw DetectError.invalidParameter(name: "generalisation cell", value: "\(cellSize)", reason: "must be a positive number of metres")
        }
        self.cellSize = cellSize
    }

    /// Cells are half-open: [west, east) × [south, north).
    @inlinable public func cell(of p: BNGPoint) -> GridCell {
        GridCell(column: Int32(((p.easting - Self.offset) / cellSize).rounded(.down)),
                 row: Int32(((p.northing - Self.offset) / cellSize).rounded(.down)))
    }

    @inlinable public func corner(column: Int64, row: Int64) -> BNGPoint {
        BNGPoint(easting: Double(column) * cellSize + Self.offset, northing: Double(row) * cellSize + Self.offset)
    }

    /// Occupied cells of `points`, sorted, each once.
    public func occupiedCells<S: Sequence>(_ points: S) -> [GridCell] where S.Element == BNGPoint {
        var keys = points.map { cell(of: $0).key }
        keys.sort()
        var out: [GridCell] = []
        out.reserveCapacity(keys.count / 2 + 1)
        var last: Int64?
        for k in keys where k != last {
            out.append(GridCell(key: k))
            last = k
        }
        return out
    }
}

/// A published outline built from grid cells only.
public struct GeneralisedOutline: Sendable {
    /// Closed, counter-clockwise shell: the concave hull of the occupied cells' corners, joined with any occupied
    /// cell it would cut. Every vertex lies on a grid line; all but those where a hull edge meets a cut cell are corners.
    public let shell: [BNGPoint]
    /// Closed, counter-clockwise convex hull of the occupied cells' corners (all vertices are grid corners).
    public let convexShell: [BNGPoint]
    /// Square metres.
    public let area: Double
    public let convexArea: Double
    /// Area-weighted centroid of `shell`.
    public let centroid: BNGPoint
    /// Distinct occupied cells: the number of separate places the outline rests on.
    public let places: Int
}

public enum Generalise {
    /// Outlines with more corners than this are computed from the corners that can shape them (see `hullCandidates`).
    public static let thinningFrom = 20_000

    /// The outline of a set of occupied cells (sorted and distinct, at least one).
    public static func outline(cells: [GridCell], grid: GeneralisationGrid, concaveRatio: Double = ClusterProfiles.defaultConcaveRatio,
                               thinningFrom: Int = Generalise.thinningFrom, context: GEOSContext) throws -> GeneralisedOutline {
        guard !cells.isEmpty else { throw DetectError.emptyInput(what: "cells") }
        // Corners in integer lattice units, each once.
        var cornerKeys: [Int64] = []
        cornerKeys.reserveCapacity(cells.count * 4)
        for c in cells {
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] as [(Int32, Int32)] {
                cornerKeys.append(GridCell(column: c.column + dx, row: c.row + dy).key)
            }
        }
        cornerKeys.sort()
        var corners: [GridCell] = []
        corners.reserveCapacity(cornerKeys.count)
        var last: Int64?
        for k in cornerKeys where k != last {
            corners.append(GridCell(key: k))
            last = k
        }
        let convexLattice = latticeConvexHull(corners)
        let convexShell = convexLattice.map { grid.corner(column: Int64($0.column), row: Int64($0.row)) }

        var shell: [BNGPoint]
        if cells.count == 1 {
            shell = convexShell
        } else {
            let candidates = corners.count >= thinningFrom ? hullCandidates(corners) : corners
            let cloud = try Geometry.collection(.multiPoint, of: candidates.map {
                let p = grid.corner(column: Int64($0.column), row: Int64($0.row))
                return try Geometry(pointX: p.easting, y: p.northing, context: context)
            }, context: context)
            var hull = try cloud.concaveHull(ratio: concaveRatio, allowHoles: false)
            guard let ring = try hull.polygonRings().first?.first, ring.count >= 4 else {
                throw DetectError.degenerateInput(reason: "the concave hull of \(cells.count) grid cells has no area")
            }
            // An edge of the hull that crosses an occupied cell would leave part of it outside: add those cells back.
            let occupied = Set(cells.map(\.key))
            var cut: [GridCell] = []
            for i in 0..<(ring.count - 1) {
                let a = lattice(ring[i], grid), b = lattice(ring[i + 1], grid)
                forEachCellCrossed(from: a, to: b) { c in if occupied.contains(c.key) { cut.append(c) } }
            }
            if !cut.isEmpty {
                let squares = try Set(cut.map(\.key)).sorted().map { key -> Geometry in
                    let c = GridCell(key: key)
                    let sw = grid.corner(column: Int64(c.column), row: Int64(c.row))
                    return try Geometry(rectangle: Bounds(minX: sw.easting, minY: sw.northing,
                                                          maxX: sw.easting + grid.cellSize, maxY: sw.northing + grid.cellSize), context: context)
                }
                hull = try Geometry.collection(.geometryCollection, of: [hull] + squares, context: context).unaryUnion()
            }
            guard let outer = try hull.polygonRings().max(by: { ringArea($0.first ?? []) < ringArea($1.first ?? []) })?.first else {
                throw DetectError.degenerateInput(reason: "the outline of \(cells.count) grid cells has no area")
            }
            shell = outer.map { BNGPoint(easting: $0.x, northing: $0.y) }
        }
        shell = counterClockwise(shell)
        let (area, centroid) = areaAndCentroid(shell)
        let (convexArea, _) = areaAndCentroid(convexShell)
        return GeneralisedOutline(shell: shell, convexShell: convexShell, area: area, convexArea: convexArea,
                                  centroid: centroid, places: cells.count)
    }

    /// Outlines of every cluster of a clustering, in cluster-id order, computed side by side (largest first,
    /// so the few town-centre clusters that cost most start early).
    public static func outlines(_ points: [BNGPoint], labels: [Int32], clusterCount k: Int, grid: GeneralisationGrid,
                                concaveRatio: Double = ClusterProfiles.defaultConcaveRatio) throws -> [GeneralisedOutline] {
        guard points.count == labels.count else {
            throw DetectError.lengthMismatch(what: "points for the clustering", expected: labels.count, got: points.count)
        }
        // Occupied-cell keys grouped by cluster with a counting sort.
        var start = [Int](repeating: 0, count: k + 1)
        for l in labels where l >= 0 { start[Int(l) + 1] += 1 }
        for c in 0..<k { start[c + 1] += start[c] }
        var fill = start
        var keys = [Int64](repeating: 0, count: start[k])
        for (i, l) in labels.enumerated() where l >= 0 {
            keys[fill[Int(l)]] = grid.cell(of: points[i]).key
            fill[Int(l)] += 1
        }
        let sizes = (0..<k).map { start[$0 + 1] - start[$0] }
        let order = (0..<k).sorted { a, b in sizes[a] != sizes[b] ? sizes[a] > sizes[b] : a < b }
        final class Results: @unchecked Sendable {
            var outlines: [GeneralisedOutline?]
            var failure: Error?
            let lock = NSLock()
            init(_ k: Int) { outlines = Array(repeating: nil, count: k) }
        }
        let results = Results(k)
        let workers = max(1, min(k, activeProcessorCount * 2))
        let ranges = start, memberKeys = keys
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // GEOS contexts are single-threaded: one per worker, which takes every `workers`-th cluster by size.
            let context = GEOSContext()
            var j = w
            while j < k {
                let c = order[j]
                do {
                    var mine = Array(memberKeys[ranges[c]..<ranges[c + 1]])
                    mine.sort()
                    var cells: [GridCell] = []
                    var last: Int64?
                    for key in mine where key != last {
                        cells.append(GridCell(key: key))
                        last = key
                    }
                    let o = try outline(cells: cells, grid: grid, concaveRatio: concaveRatio, context: context)
                    results.lock.lock(); results.outlines[c] = o; results.lock.unlock()
                } catch {
                    results.lock.lock(); if results.failure == nil { results.failure = error }; results.lock.unlock()
                    return
                }
                j += workers
            }
        }
        if let failure = results.failure { throw failure }
        return results.outlines.map { $0! }
    }

    /// The corners that can lie on the concave hull, plus one per interior block.
    ///
    /// A town-sized cluster on a fine grid has hundreds of thousands of corners, and GEOS's concave hull triangulates
    /// them all. Only the outer ones can shape the hull: on blocks of a hundredth of the cluster's diagonal (at least
    /// two squares), every corner in a block with an empty neighbouring block is kept, and a block surrounded on all
    /// eight sides keeps one, so the triangulation inside stays finer than the hull's edge-length threshold (0.3 of the
    /// longest edge) and the erosion cannot reach it. The shortest and longest edges, which set the threshold, are kept.
    public static func hullCandidates(_ corners: [GridCell]) -> [GridCell] {
        guard var lo = corners.first.map({ (x: Int64($0.column), y: Int64($0.row)) }) else { return [] }
        var hi = lo
        for c in corners {
            lo = (min(lo.x, Int64(c.column)), min(lo.y, Int64(c.row)))
            hi = (max(hi.x, Int64(c.column)), max(hi.y, Int64(c.row)))
        }
        let dx = Double(hi.x - lo.x), dy = Double(hi.y - lo.y)
        var block = Int64(max(2, ((dx * dx + dy * dy).squareRoot() / 100).rounded(.down)))
        while Double((hi.x - lo.x) / block + 3) * Double((hi.y - lo.y) / block + 3) > 4_000_000 { block *= 2 }
        // One block of padding all round, so every neighbour index is in range.
        let w = Int((hi.x - lo.x) / block) + 3, h = Int((hi.y - lo.y) / block) + 3
        var state = [UInt8](repeating: 0, count: w * h)      // 0 empty, 1 occupied, 2 interior block already kept
        var blockOf = [Int32](repeating: 0, count: corners.count)
        for (i, c) in corners.enumerated() {
            let q = (Int((Int64(c.row) - lo.y) / block) + 1) * w + Int((Int64(c.column) - lo.x) / block) + 1
            blockOf[i] = Int32(q)
            state[q] = 1
        }
        let neighbours = [-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1]
        var out: [GridCell] = []
        out.reserveCapacity(corners.count / 4)
        for (i, c) in corners.enumerated() {
            let q = Int(blockOf[i])
            var interior = true
            for o in neighbours where state[q + o] == 0 { interior = false; break }
            if interior {
                if state[q] == 2 { continue }
                state[q] = 2
            }
            out.append(c)
        }
        return out
    }

    // MARK: Lattice helpers

    static func lattice(_ c: Coordinate, _ grid: GeneralisationGrid) -> (x: Int64, y: Int64, exact: Bool) {
        let o = GeneralisationGrid.offset
        let x = ((c.x - o) / grid.cellSize).rounded(), y = ((c.y - o) / grid.cellSize).rounded()
        let exact = abs(x * grid.cellSize + o - c.x) < 1e-6 && abs(y * grid.cellSize + o - c.y) < 1e-6
        return (Int64(x), Int64(y), exact)
    }

    /// Calls `body` for every cell whose interior the segment between two lattice corners crosses.
    /// Axis-aligned segments run along grid lines and cross no interior.
    static func forEachCellCrossed(from a: (x: Int64, y: Int64, exact: Bool), to b: (x: Int64, y: Int64, exact: Bool),
                                   _ body: (GridCell) -> Void) {
        guard a.exact, b.exact else { return }
        var (ax, ay, bx, by) = (a.x, a.y, b.x, b.y)
        if ax == bx || ay == by { return }
        if ax > bx { swap(&ax, &bx); swap(&ay, &by) }
        let dx = bx - ax, dy = by - ay
        // y(x) = ay + dy (x − ax) / dx; in column strip [i, i+1] the segment spans y between two fractions over dx.
        func floorDiv(_ n: Int64, _ d: Int64) -> Int64 { n >= 0 ? n / d : -((-n + d - 1) / d) }
        func ceilDiv(_ n: Int64, _ d: Int64) -> Int64 { -floorDiv(-n, d) }
        for i in ax..<bx {
            let n0 = ay * dx + dy * (i - ax), n1 = ay * dx + dy * (i + 1 - ax)
            let lo = min(n0, n1), hi = max(n0, n1)
            let first = floorDiv(lo, dx), last = ceilDiv(hi, dx) - 1
            if first > last { continue }
            for j in first...last { body(GridCell(column: Int32(i), row: Int32(j))) }
        }
    }

    /// Convex hull of lattice points (Andrew's monotone chain), closed and counter-clockwise.
    static func latticeConvexHull(_ points: [GridCell]) -> [GridCell] {
        let sorted = points.sorted { ($0.column, $0.row) < ($1.column, $1.row) }
        func cross(_ o: GridCell, _ a: GridCell, _ b: GridCell) -> Int64 {
            (Int64(a.column) - Int64(o.column)) * (Int64(b.row) - Int64(o.row)) - (Int64(a.row) - Int64(o.row)) * (Int64(b.column) - Int64(o.column))
        }
        var lower: [GridCell] = [], upper: [GridCell] = []
        for p in sorted {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        for p in sorted.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        let shell = Array(lower.dropLast()) + Array(upper.dropLast())
        return shell + [shell[0]]
    }

    static func ringArea(_ ring: [Coordinate]) -> Double {
        abs(areaAndCentroid(ring.map { BNGPoint(easting: $0.x, northing: $0.y) }).area)
    }

    /// Closed ring → the same ring counter-clockwise.
    static func counterClockwise(_ ring: [BNGPoint]) -> [BNGPoint] {
        signedArea(ring) < 0 ? ring.reversed() : ring
    }

    static func signedArea(_ ring: [BNGPoint]) -> Double {
        guard ring.count >= 4 else { return 0 }
        let ox = ring[0].easting, oy = ring[0].northing
        var twice = 0.0
        for i in 0..<(ring.count - 1) {
            twice += (ring[i].easting - ox) * (ring[i + 1].northing - oy) - (ring[i + 1].easting - ox) * (ring[i].northing - oy)
        }
        return twice / 2
    }

    /// Area (m², non-negative) and area-weighted centroid of a closed ring.
    public static func areaAndCentroid(_ ring: [BNGPoint]) -> (area: Double, centroid: BNGPoint) {
        guard ring.count >= 4 else { return (0, ring.first ?? BNGPoint(easting: 0, northing: 0)) }
        // Relative to the first vertex: grid coordinates are large and their products would swamp a small area.
        let ox = ring[0].easting, oy = ring[0].northing
        var a = 0.0, cx = 0.0, cy = 0.0
        for i in 0..<(ring.count - 1) {
            let px = ring[i].easting - ox, py = ring[i].northing - oy
            let qx = ring[i + 1].easting - ox, qy = ring[i + 1].northing - oy
            let cross = px * qy - qx * py
            a += cross
            cx += (px + qx) * cross
            cy += (py + qy) * cross
        }
        guard a != 0 else { return (0, ring[0]) }
        return (abs(a) / 2, BNGPoint(easting: ox + cx / (3 * a), northing: oy + cy / (3 * a)))
    }
}

/// Incident locations indexed by generalisation cell, to count the distinct places near a point (the k-anonymity
/// rule for density and Gi* cells).
public struct PlaceIndex: Sendable {
    public let grid: GeneralisationGrid
    /// Points sorted by cell key.
    let points: [BNGPoint]
    let ranges: [Int64: Range<Int>]

    public init(_ locations: [BNGPoint], grid: GeneralisationGrid) {
        self.grid = grid
        var keyed = locations.map { (key: grid.cell(of: $0).key, point: $0) }
        keyed.sort { $0.key < $1.key }
        points = keyed.map(\.point)
        var ranges: [Int64: Range<Int>] = [:]
        var i = 0
        while i < keyed.count {
            var j = i + 1
            while j < keyed.count && keyed[j].key == keyed[i].key { j += 1 }
            ranges[keyed[i].key] = i..<j
            i = j
        }
        self.ranges = ranges
    }

    /// Occupied cells.
    public var cellCount: Int { ranges.count }

    /// Distinct cells holding at least one location within `radius` of `centre`, counted up to `limit`
    /// (the search stops there). Rings of cells are searched outward from the centre's cell.
    public func distinctCells(within radius: Double, of centre: BNGPoint, upTo limit: Int) -> Int {
        let s = grid.cellSize
        let home = grid.cell(of: centre)
        let r2 = radius * radius
        var found = 0
        let maxRing = Int((radius / s).rounded(.up)) + 1
        for ring in 0...maxRing {
            if Double(ring - 1) * s > radius { break }
            let lo = -ring, hi = ring
            for dy in lo...hi {
                let step = (dy == lo || dy == hi) ? 1 : 2 * ring
                var dx = lo
                while dx <= hi {
                    let c = GridCell(column: home.column + Int32(dx), row: home.row + Int32(dy))
                    if let range = ranges[c.key] {
                        // Nearest and farthest points of the cell from the centre.
                        let sw = grid.corner(column: Int64(c.column), row: Int64(c.row))
                        let x0 = sw.easting, y0 = sw.northing
                        let nx = max(x0 - centre.easting, 0, centre.easting - (x0 + s))
                        let ny = max(y0 - centre.northing, 0, centre.northing - (y0 + s))
                        if nx * nx + ny * ny <= r2 {
                            let fx = max(abs(x0 - centre.easting), abs(x0 + s - centre.easting))
                            let fy = max(abs(y0 - centre.northing), abs(y0 + s - centre.northing))
                            var inside = fx * fx + fy * fy <= r2
                            if !inside {
                                for k in range {
                                    let ex = points[k].easting - centre.easting, ey = points[k].northing - centre.northing
                                    if ex * ex + ey * ey <= r2 { inside = true; break }
                                }
                            }
                            if inside {
                                found += 1
                                if found >= limit { return found }
                            }
                        }
                    }
                    dx += ring == 0 ? 1 : step
                }
            }
        }
        return found
    }
}
