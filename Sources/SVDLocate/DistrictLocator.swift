import SVDCore

/// Assigns British National Grid points to districts, fast and without GEOS at query time.
///
/// A uniform grid covers the area. Cells that no district edge touches were classified once (by flood fill and a
/// single exact test per connected region) as wholly inside one district or wholly outside; a point there costs
/// one table load. Cells that an edge touches hold their candidate districts, and a point there is resolved by an
/// exact crossing-number test over that district's edges, bucketed in horizontal bands and sorted so the scan
/// stops at the first edge lying wholly west of the point.
///
/// Rules, matching "the first district in area order whose interior contains the point":
/// - Where districts overlap (slivers in the source), the lowest district index wins.
/// - A point exactly on a border belongs to exactly one side, deterministically: the district to its east, or to
///   its north on an east–west border (a half-open crossing test on edges shared bit-for-bit). On the outer
///   boundary the same rule decides between the district and outside.
///
/// Immutable after construction, so one instance can be shared by any number of threads.
public final class DistrictLocator: Sendable {
    /// Returned for points in no district (sea, beyond the area, or non-finite coordinates).
    public static let outside: Int32 = -1

    public let districtCount: Int
    public let cellSize: Double
    public let bandHeight: Double

    struct Edge: Sendable {
        // Oriented upward: y0 < y1. Horizontal edges are never stored (they cannot cross a horizontal ray).
        var x0: Double, y0: Double, x1: Double, y1: Double
        /// max(x0, x1): bands are sorted by this, descending, to stop scanning early.
        var maxX: Double
    }

    static let outsideCode = UInt32.max
    static let boundaryFlag: UInt32 = 0x8000_0000
    static let constantInside: UInt32 = 0x8000_0000

    let originX: Double, originY: Double, inverseCell: Double
    let columns: Int, rows: Int
    /// Per cell: district index, `outsideCode`, or `boundaryFlag | offset` into `candidates`.
    let cells: [UInt32]
    /// Candidate lists: count, then entries (district index, with `constantInside` when no test is needed).
    let candidates: [UInt32]
    let bandOriginY: Double, inverseBand: Double, bandCount: Int
    /// `bandStart[d * (bandCount + 1) + b] ..< bandStart[d * (bandCount + 1) + b + 1]` indexes `edges`.
    let bandStart: [Int32]
    let edges: [Edge]

    public struct Statistics: Sendable, CustomStringConvertible {
        public let columns: Int, rows: Int, insideCells: Int, outsideCells: Int, boundaryCells: Int
        public let candidateLists: Int, storedEdges: Int
        public var description: String {
            "\(columns)×\(rows) cells: \(insideCells) inside, \(outsideCells) outside, \(boundaryCells) boundary "
                + "(\(candidateLists) distinct candidate lists); \(storedEdges) band edges"
        }
    }
    public let statistics: Statistics

    public convenience init(area: Area, cellSize: Double = 250, bandHeight: Double = 100) {
        self.init(districts: area.districts.map(\.polygons), cellSize: cellSize, bandHeight: bandHeight)
    }

    /// `districts[d]` is district d's polygons as closed rings (shell then holes); ring orientation does not matter.
    public init(districts: [[[[BNGPoint]]]], cellSize: Double = 250, bandHeight: Double = 100) {
        precondition(cellSize > 0 && bandHeight > 0, "cell size and band height must be positive")
        districtCount = districts.count
        self.cellSize = cellSize
        self.bandHeight = bandHeight

        // Every ring segment, per district (horizontal ones included: they still touch cells).
        var segments: [[(BNGPoint, BNGPoint)]] = Array(repeating: [], count: districts.count)
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for (d, polygons) in districts.enumerated() {
            for ring in polygons.joined() where ring.count >= 2 {
                for i in 0..<(ring.count - 1) {
                    let a = ring[i], b = ring[i + 1]
                    guard a.easting.isFinite, a.northing.isFinite, b.easting.isFinite, b.northing.isFinite, a != b else { continue }
                    segments[d].append((a, b))
                    minX = min(minX, a.easting); maxX = max(maxX, a.easting)
                    minY = min(minY, a.northing); maxY = max(maxY, a.northing)
                }
            }
        }
        if !minX.isFinite { minX = 0; minY = 0; maxX = 0; maxY = 0 }

        // Bands over the whole area, shared by all districts.
        bandOriginY = minY
        inverseBand = 1 / bandHeight
        bandCount = max(1, Int(((maxY - minY) / bandHeight).rounded(.up)) + 1)
        var bandStart: [Int32] = []
        var edges: [Edge] = []
        for d in 0..<districts.count {
            var buckets: [[Edge]] = Array(repeating: [], count: bandCount)
            for (a, b) in segments[d] where a.northing != b.northing {
                let (lo, hi) = a.northing < b.northing ? (a, b) : (b, a)
                let e = Edge(x0: lo.easting, y0: lo.northing, x1: hi.easting, y1: hi.northing, maxX: max(lo.easting, hi.easting))
                let first = Int((e.y0 - minY) * inverseBand), last = min(bandCount - 1, Int((e.y1 - minY) * inverseBand))
                for band in first...last { buckets[band].append(e) }
            }
            for band in 0..<bandCount {
                bandStart.append(Int32(edges.count))
                edges += buckets[band].sorted { $0.maxX > $1.maxX }
            }
            bandStart.append(Int32(edges.count))
        }
        self.bandStart = bandStart
        self.edges = edges

        // Grid with one spare cell all round, so every boundary cell has outside neighbours.
        originX = minX - cellSize
        originY = minY - cellSize
        inverseCell = 1 / cellSize
        columns = Int(((maxX - minX) / cellSize).rounded(.up)) + 3
        rows = Int(((maxY - minY) / cellSize).rounded(.up)) + 3
        let cellCount = columns * rows
        var touched: [[UInt32]] = Array(repeating: [], count: cellCount)
        // Cells are tested padded, so a point whose cell index rounding pushed across a cell edge is still covered.
        let pad = 0.01
        let ox = originX, oy = originY, cs = cellSize, cols = columns, inv = inverseCell
        for d in 0..<districts.count {
            for (a, b) in segments[d] {
                let c0 = max(0, Int((min(a.easting, b.easting) - pad - ox) * inv))
                let c1 = min(cols - 1, Int((max(a.easting, b.easting) + pad - ox) * inv))
                let r0 = max(0, Int((min(a.northing, b.northing) - pad - oy) * inv))
                let r1 = min(rows - 1, Int((max(a.northing, b.northing) + pad - oy) * inv))
                let dx = b.easting - a.easting, dy = b.northing - a.northing
                let long = dx * dx + dy * dy > 1
                for r in r0...r1 {
                    for c in c0...c1 {
                        if long && (c1 > c0 || r1 > r0) {
                            // Skip cells wholly on one side of the segment's line.
                            let xl = ox + Double(c) * cs - pad - a.easting, xh = xl + cs + 2 * pad
                            let yl = oy + Double(r) * cs - pad - a.northing, yh = yl + cs + 2 * pad
                            let s1 = dx * yl - xl * dy, s2 = dx * yl - xh * dy, s3 = dx * yh - xl * dy, s4 = dx * yh - xh * dy
                            if (s1 > 0 && s2 > 0 && s3 > 0 && s4 > 0) || (s1 < 0 && s2 < 0 && s3 < 0 && s4 < 0) { continue }
                        }
                        let i = r * cols + c
                        if touched[i].last != UInt32(d) { touched[i].append(UInt32(d)) }
                    }
                }
            }
        }

        var cells = [UInt32](repeating: Self.outsideCode, count: cellCount)
        var candidates: [UInt32] = []
        var listOffsets: [[UInt32]: UInt32] = [:]
        let districtBounds: [(BNGPoint, BNGPoint)] = segments.map { list in
            var lo = BNGPoint(easting: .infinity, northing: .infinity), hi = BNGPoint(easting: -.infinity, northing: -.infinity)
            for (a, _) in list {
                lo.easting = min(lo.easting, a.easting); lo.northing = min(lo.northing, a.northing)
                hi.easting = max(hi.easting, a.easting); hi.northing = max(hi.northing, a.northing)
            }
            return (lo, hi)
        }
        var insideCells = 0, outsideCells = 0, boundaryCells = 0
        var stack: [Int] = []
        var visited = [Bool](repeating: false, count: cellCount)
        for start in 0..<cellCount where !visited[start] {
            visited[start] = true
            let center = BNGPoint(easting: ox + (Double(start % cols) + 0.5) * cs, northing: oy + (Double(start / cols) + 0.5) * cs)
            if !touched[start].isEmpty {
                // Boundary cell: edge-touching districts need a test; any other district holding the centre holds the cell.
                var list: [UInt32] = []
                for d in 0..<districts.count {
                    if touched[start].contains(UInt32(d)) {
                        list.append(UInt32(d))
                    } else if Self.within(districtBounds[d], center),
                              Self.crossingInside(edges, bandStart, bandCount, bandOriginY, inverseBand, d, center) {
                        list.append(UInt32(d) | Self.constantInside)
                        break
                    }
                }
                let offset: UInt32
                if let known = listOffsets[list] { offset = known } else {
                    offset = UInt32(candidates.count)
                    candidates.append(UInt32(list.count))
                    candidates += list
                    listOffsets[list] = offset
                }
                cells[start] = Self.boundaryFlag | offset
                boundaryCells += 1
                continue
            }
            // A region of untouched cells has one membership: classify its first cell, then flood fill.
            var code = Self.outsideCode
            for d in 0..<districts.count where Self.within(districtBounds[d], center) {
                if Self.crossingInside(edges, bandStart, bandCount, bandOriginY, inverseBand, d, center) { code = UInt32(d); break }
            }
            stack.append(start)
            while let i = stack.popLast() {
                cells[i] = code
                if code == Self.outsideCode { outsideCells += 1 } else { insideCells += 1 }
                let c = i % cols
                for n in [c > 0 ? i - 1 : -1, c < cols - 1 ? i + 1 : -1, i >= cols ? i - cols : -1, i + cols < cellCount ? i + cols : -1]
                where n >= 0 && !visited[n] && touched[n].isEmpty {
                    visited[n] = true
                    stack.append(n)
                }
            }
        }
        self.cells = cells
        self.candidates = candidates
        statistics = Statistics(columns: columns, rows: rows, insideCells: insideCells, outsideCells: outsideCells,
                                boundaryCells: boundaryCells, candidateLists: listOffsets.count, storedEdges: edges.count)
    }

    static func within(_ bounds: (BNGPoint, BNGPoint), _ p: BNGPoint) -> Bool {
        p.easting >= bounds.0.easting && p.easting <= bounds.1.easting && p.northing >= bounds.0.northing && p.northing <= bounds.1.northing
    }

    /// Even–odd crossing test of a ray towards +x: half-open in y, and a point on an edge counts as left of it only
    /// when strictly left, which gives the east/north border rule.
    @inline(__always)
    static func crossingInside(_ edges: UnsafeBufferPointer<Edge>, _ bandStart: UnsafeBufferPointer<Int32>, _ bandCount: Int,
                               _ bandOriginY: Double, _ inverseBand: Double, _ district: Int, _ px: Double, _ py: Double) -> Bool {
        let b = Int((py - bandOriginY) * inverseBand)
        guard b >= 0, b < bandCount else { return false }
        let slot = district * (bandCount + 1) + b
        var i = Int(bandStart[slot])
        let end = Int(bandStart[slot + 1])
        var inside = false
        while i < end {
            let e = edges[i]
            if e.maxX < px { break }
            if e.y0 <= py && py < e.y1 && (e.x1 - e.x0) * (py - e.y0) > (px - e.x0) * (e.y1 - e.y0) { inside.toggle() }
            i += 1
        }
        return inside
    }

    static func crossingInside(_ edges: [Edge], _ bandStart: [Int32], _ bandCount: Int, _ bandOriginY: Double,
                               _ inverseBand: Double, _ district: Int, _ p: BNGPoint) -> Bool {
        edges.withUnsafeBufferPointer { e in
            bandStart.withUnsafeBufferPointer { s in
                crossingInside(e, s, bandCount, bandOriginY, inverseBand, district, p.easting, p.northing)
            }
        }
    }

    // MARK: Queries

    /// The district index containing `point`, or `DistrictLocator.outside`.
    public func district(at point: BNGPoint) -> Int32 {
        var result = Self.outside
        withTables { t in result = t.locate(point.easting, point.northing) }
        return result
    }

    /// District index (or `outside`) for every point; `output.count` must be at least `points.count`.
    public func locate(_ points: UnsafeBufferPointer<BNGPoint>, into output: UnsafeMutableBufferPointer<Int32>) {
        precondition(output.count >= points.count, "output buffer shorter than the points")
        withTables { t in
            for i in 0..<points.count { output[i] = t.locate(points[i].easting, points[i].northing) }
        }
    }

    public func locate(_ points: [BNGPoint]) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: points.count) { out, count in
            points.withUnsafeBufferPointer { locate($0, into: out) }
            count = points.count
        }
    }

    /// District index (or `outside`) of each incident's location.
    public func locate(_ incidents: [Incident]) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: incidents.count) { out, count in
            withTables { t in
                incidents.withUnsafeBufferPointer { src in
                    for i in 0..<src.count { out[i] = t.locate(src[i].location.easting, src[i].location.northing) }
                }
            }
            count = incidents.count
        }
    }

    /// Raw views of the tables for the duration of a batch, so the inner loop does no bounds checks or retains.
    struct Tables {
        let cells: UnsafeBufferPointer<UInt32>
        let candidates: UnsafeBufferPointer<UInt32>
        let edges: UnsafeBufferPointer<Edge>
        let bandStart: UnsafeBufferPointer<Int32>
        let originX: Double, originY: Double, inverseCell: Double
        let columns: Int, rows: Int
        let bandOriginY: Double, inverseBand: Double, bandCount: Int

        @inline(__always)
        func locate(_ x: Double, _ y: Double) -> Int32 {
            let fx = (x - originX) * inverseCell, fy = (y - originY) * inverseCell
            // Written so NaN fails too.
            guard fx >= 0, fy >= 0, fx < Double(columns), fy < Double(rows) else { return DistrictLocator.outside }
            let code = cells[Int(fy) * columns + Int(fx)]
            if code < DistrictLocator.boundaryFlag { return Int32(code) }
            if code == DistrictLocator.outsideCode { return DistrictLocator.outside }
            let offset = Int(code & ~DistrictLocator.boundaryFlag)
            let count = Int(candidates[offset])
            for k in 1...count {
                let entry = candidates[offset + k]
                let d = Int(entry & ~DistrictLocator.constantInside)
                if entry & DistrictLocator.constantInside != 0
                    || DistrictLocator.crossingInside(edges, bandStart, bandCount, bandOriginY, inverseBand, d, x, y) {
                    return Int32(d)
                }
            }
            return DistrictLocator.outside
        }
    }

    @inline(__always)
    func withTables(_ body: (Tables) -> Void) {
        cells.withUnsafeBufferPointer { c in
            candidates.withUnsafeBufferPointer { k in
                edges.withUnsafeBufferPointer { e in
                    bandStart.withUnsafeBufferPointer { s in
                        body(Tables(cells: c, candidates: k, edges: e, bandStart: s, originX: originX, originY: originY,
                                    inverseCell: inverseCell, columns: columns, rows: rows,
                                    bandOriginY: bandOriginY, inverseBand: inverseBand, bandCount: bandCount))
                    }
                }
            }
        }
    }
}
