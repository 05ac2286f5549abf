import SVDCore

/// Clusters found by DBSCAN, indexed like the input points.
public struct DBSCANResult: Sendable, Equatable {
    public static let noise: Int32 = -1

    /// Cluster id per input point, or `noise`. Ids run `0 ..< clusterCount` in canonical order: most core
    /// points first, ties broken by the lowest (easting, northing) core point. They do not depend on input order.
    public let labels: [Int32]
    /// Core flag per input point: at least `minPoints` points (itself included) within `eps` (and `epsDays`).
    public let isCore: [Bool]
    public let clusterCount: Int
    /// Members per cluster id, core and border.
    public let clusterSizes: [Int]
    /// Core points per cluster id.
    public let coreCounts: [Int]
}

/// Density-based clustering of incident locations in BNG metres.
///
/// Core and noise labelling is exactly scikit-learn's `DBSCAN(eps, min_samples)`: a point is core when the
/// number of points at distance ≤ eps, itself included, is at least `minPoints`; distance is compared as
/// `dx*dx + dy*dy <= eps*eps`, as sklearn's trees do. Clusters are the connected components of core points.
///
/// Border rule (sklearn's depends on input order; this one does not): a non-core point within eps of at
/// least one core point joins the cluster of its nearest core point; at equal distance, the lowest cluster id.
///
/// Space-time variant: two points are neighbours only if also `|day_a - day_b| <= epsDays`; the border
/// rule then uses the nearest (in metres) core point among those neighbours.
///
/// Identical points are not an error: a repeated (snapped) location with at least `minPoints` incidents is
/// a genuine cluster, and fewer are noise, exactly as sklearn labels them.
///
/// Method: cells of side eps/√2 (so two points in one cell are always neighbours), points sorted by cell
/// with a radix sort, neighbours read from the 5×5 block of cells. A cell holding at least `minPoints`
/// points is all core without any distance test, and clusters are joined cell to cell, stopping at the
/// first core pair within eps. Cost is about linear in n for bounded density.
public enum DBSCAN {
    public static func cluster(_ points: [BNGPoint], eps: Double, minPoints: Int) throws -> DBSCANResult {
        try points.withUnsafeBufferPointer {
            try cluster(points: $0, days: nil, eps: eps, epsDays: 0, minPoints: minPoints)
        }
    }

    public static func cluster(_ points: [BNGPoint], days: [Int32], eps: Double, epsDays: Int,
                               minPoints: Int) throws -> DBSCANResult {
        try points.withUnsafeBufferPointer { p in
            try days.withUnsafeBufferPointer { d in
                try cluster(points: p, days: d, eps: eps, epsDays: epsDays, minPoints: minPoints)
            }
        }
    }

    /// `days` (days since 1970-01-01, one per point) switches on the space-time window `epsDays`.
    public static func cluster(points: UnsafeBufferPointer<BNGPoint>, days: UnsafeBufferPointer<Int32>?,
                               eps: Double, epsDays: Int, minPoints: Int) throws -> DBSCANResult {
        guard eps.isFinite, eps > 0 else {
            throw DetectError.invalidParameter(name: "eps", value: "\(eps)", reason: "must be a positive number of metres")
        }
        guard minPoints >= 1 else {
            throw DetectError.invalidParameter(name: "minPoints", value: "\(minPoints)", reason: "must be at least 1")
        }
        guard !points.isEmpty else { throw DetectError.emptyInput(what: "points") }
        guard points.count < Int(Int32.max) else {
            throw DetectError.invalidParameter(name: "points", value: "\(points.count)", reason: "more than 2^31 points")
        }
        for i in 0..<points.count where !(points[i].easting.isFinite && points[i].northing.isFinite) {
            throw DetectError.nonFiniteCoordinate(index: i)
        }
        if let days {
            guard days.count == points.count else {
                throw DetectError.lengthMismatch(what: "days", expected: points.count, got: days.count)
            }
            guard epsDays >= 0 else {
                throw DetectError.invalidParameter(name: "epsDays", value: "\(epsDays)", reason: "must be zero or more")
            }
            for i in 0..<days.count where days[i] == Incident.unknownDay {
                throw DetectError.unknownDay(index: i)
            }
        }

        // Shrunk by 1e-9 so that rounding in cell assignment can never put two non-neighbours in one cell.
        let side = eps * (1 - 1e-9) / 2.0.squareRoot()
        let grid = try PointGrid(points: points, side: side, parameterName: "eps")
        let engine = Engine(grid: grid, eps2: eps * eps, minPoints: minPoints)
        guard let days else { return engine.run(window: SpaceOnly()) }
        let sortedDays = grid.order.map { days[Int($0)] }
        return sortedDays.withUnsafeBufferPointer {
            engine.run(window: DayWindow(days: $0, epsDays: Int64(epsDays)))
        }
    }
}

/// Extra neighbour condition on top of distance; generic so the spatial case compiles to no test at all.
protocol NeighbourWindow {
    /// True when distance alone decides neighbourhood (enables the whole-cell shortcuts).
    static var spatialOnly: Bool { get }
    /// Whether the points at sorted positions `a` and `b` are close enough in time.
    func near(_ a: Int, _ b: Int) -> Bool
}

struct SpaceOnly: NeighbourWindow {
    static var spatialOnly: Bool { true }
    @inline(__always) func near(_ a: Int, _ b: Int) -> Bool { true }
}

struct DayWindow: NeighbourWindow {
    let days: UnsafeBufferPointer<Int32>
    let epsDays: Int64
    static var spatialOnly: Bool { false }
    @inline(__always) func near(_ a: Int, _ b: Int) -> Bool {
        abs(Int64(days[a]) - Int64(days[b])) <= epsDays
    }
}

private struct Engine {
    let grid: PointGrid
    let eps2: Double
    let minPoints: Int

    func run<W: NeighbourWindow>(window: W) -> DBSCANResult {
        let n = grid.xs.count
        let m = grid.cellCount
        var core = [Bool](repeating: false, count: n)
        var label = [Int32](repeating: DBSCANResult.noise, count: n)
        var clusterCount = 0
        grid.xs.withUnsafeBufferPointer { xs in
        grid.ys.withUnsafeBufferPointer { ys in
        grid.cellStart.withUnsafeBufferPointer { start in
        grid.neighbourRuns.withUnsafeBufferPointer { runs in
        core.withUnsafeMutableBufferPointer { core in
        label.withUnsafeMutableBufferPointer { label in
            let view = View(xs: xs, ys: ys, start: start, runs: runs, eps2: eps2, grid: grid)
            markCores(view, core, window, cells: m)
            let roots: [Int32]
            if W.spatialOnly {
                roots = joinCells(view, UnsafeBufferPointer(core), cells: m)
            } else {
                roots = joinPoints(view, UnsafeBufferPointer(core), window, cells: m)
            }
            clusterCount = numberClusters(view, UnsafeBufferPointer(core), roots: roots, label: label, cells: m)
            attachBorders(view, UnsafeBufferPointer(core), label, window, cells: m)
        }}}}}}

        var labels = [Int32](repeating: DBSCANResult.noise, count: n)
        var isCore = [Bool](repeating: false, count: n)
        var sizes = [Int](repeating: 0, count: clusterCount)
        var cores = [Int](repeating: 0, count: clusterCount)
        for s in 0..<n {
            let i = Int(grid.order[s])
            labels[i] = label[s]
            isCore[i] = core[s]
            if label[s] >= 0 {
                sizes[Int(label[s])] += 1
                if core[s] { cores[Int(label[s])] += 1 }
            }
        }
        return DBSCANResult(labels: labels, isCore: isCore, clusterCount: clusterCount,
                            clusterSizes: sizes, coreCounts: cores)
    }

    /// Contiguous views of the grid, passed to the passes below.
    struct View {
        let xs: UnsafeBufferPointer<Double>
        let ys: UnsafeBufferPointer<Double>
        let start: UnsafeBufferPointer<Int32>
        let runs: UnsafeBufferPointer<Int32>
        let eps2: Double
        /// For sub-cell counting (its arrays are read through the grid, which outlives the view).
        let grid: PointGrid

        /// Point range of the five cells in row offset `row` (0...4 for dy -2...2) around cell `c`.
        @inline(__always) func pointRun(_ c: Int, _ row: Int) -> Range<Int> {
            Int(start[Int(runs[10 * c + 2 * row])]) ..< Int(start[Int(runs[10 * c + 2 * row + 1])])
        }
        @inline(__always) func cellRun(_ c: Int, _ row: Int) -> Range<Int> {
            Int(runs[10 * c + 2 * row]) ..< Int(runs[10 * c + 2 * row + 1])
        }
        @inline(__always) func points(of c: Int) -> Range<Int> { Int(start[c]) ..< Int(start[c + 1]) }
        @inline(__always) func within(_ a: Int, _ b: Int) -> Bool {
            let dx = xs[a] - xs[b]
            let dy = ys[a] - ys[b]
            return dx * dx + dy * dy <= eps2
        }
    }

    private func markCores<W: NeighbourWindow>(_ v: View, _ core: UnsafeMutableBufferPointer<Bool>, _ w: W, cells: Int) {
        let minPoints = minPoints
        parallelChunks(cells, minimumChunk: 256) { range in
            let counter = SubCellCounter(eps: eps2.squareRoot())
            for c in range {
                let own = v.points(of: c)
                if W.spatialOnly && own.count >= minPoints {
                    for i in own { core[i] = true }
                    continue
                }
                // Every neighbour lies in the 5×5 block: with fewer than minPoints there, no point of the cell is core
                // (most of a county at the density-aware core size).
                var block = 0
                for row in 0..<5 { block += v.pointRun(c, row).count }
                if block < minPoints { continue }
                if W.spatialOnly && minPoints >= SubCellCounter.worthFrom {
                    counter.prepare(v, cell: c)
                    for i in own { core[i] = counter.isCore(v, i, minPoints: minPoints) }
                    continue
                }
                // The plain count: an early stop when a point can no longer reach minPoints cost a branch per candidate,
                // 24–55 % more instructions at the guard's core size of 10 (large spatial core sizes count sub-cells above).
                for i in own {
                    var count = 0
                    rows: for row in 0..<5 {
                        for k in v.pointRun(c, row) where v.within(i, k) && w.near(i, k) {
                            count += 1
                            if count >= minPoints { break rows }
                        }
                    }
                    core[i] = count >= minPoints
                }
            }
        }
    }

    /// Spatial case: all core points of one cell are mutual neighbours, so components are unions of cells.
    /// Returns the component root (a cell index) per sorted point, -1 for non-core.
    private func joinCells(_ v: View, _ core: UnsafeBufferPointer<Bool>, cells: Int) -> [Int32] {
        var parent = [Int32](repeating: -1, count: cells)
        parent.withUnsafeMutableBufferPointer { parent in
            for c in 0..<cells where v.points(of: c).contains(where: { core[$0] }) { parent[c] = Int32(c) }
            for a in 0..<cells where parent[a] >= 0 {
                // Only cells after `a` in key order: the rest of its own row and the two rows above.
                for row in 2..<5 {
                    for b in v.cellRun(a, row) where b > a && parent[b] >= 0 {
                        if find(parent, a) == find(parent, b) { continue }
                        if corePairWithin(v, core, a, b) { union(parent, a, b) }
                    }
                }
            }
        }
        var root = [Int32](repeating: -1, count: v.xs.count)
        parent.withUnsafeMutableBufferPointer { parent in
            for c in 0..<cells where parent[c] >= 0 {
                let r = Int32(find(parent, c))
                for i in v.points(of: c) where core[i] { root[i] = r }
            }
        }
        return root
    }

    private func corePairWithin(_ v: View, _ core: UnsafeBufferPointer<Bool>, _ a: Int, _ b: Int) -> Bool {
        for i in v.points(of: a) where core[i] {
            for k in v.points(of: b) where core[k] && v.within(i, k) { return true }
        }
        return false
    }

    /// Space-time case: the time window breaks the whole-cell shortcut, so union point by point.
    private func joinPoints<W: NeighbourWindow>(_ v: View, _ core: UnsafeBufferPointer<Bool>, _ w: W, cells: Int) -> [Int32] {
        let n = v.xs.count
        var parent = [Int32](repeating: -1, count: n)
        parent.withUnsafeMutableBufferPointer { parent in
            for i in 0..<n where core[i] { parent[i] = Int32(i) }
            for c in 0..<cells {
                for i in v.points(of: c) where core[i] {
                    for row in 2..<5 {
                        for k in v.pointRun(c, row) where k > i && core[k] && v.within(i, k) && w.near(i, k) {
                            union(parent, i, k)
                        }
                    }
                }
            }
            for i in 0..<n where core[i] { parent[i] = Int32(find(parent, i)) }
        }
        return parent
    }

    /// Ranks components canonically and writes the cluster id of every core point; returns the cluster count.
    private func numberClusters(_ v: View, _ core: UnsafeBufferPointer<Bool>, roots: [Int32],
                                label: UnsafeMutableBufferPointer<Int32>, cells: Int) -> Int {
        struct Component { var cores: Int; var minX: Double; var minY: Double }
        // Roots are cell or point indices, both below the point count: an array beats hashing.
        var slot = [Int32](repeating: -1, count: v.xs.count)
        var components: [Component] = []
        for i in 0..<v.xs.count where core[i] {
            let r = Int(roots[i])
            if slot[r] >= 0 {
                let s = Int(slot[r])
                components[s].cores += 1
                if (v.xs[i], v.ys[i]) < (components[s].minX, components[s].minY) {
                    components[s].minX = v.xs[i]
                    components[s].minY = v.ys[i]
                }
            } else {
                slot[r] = Int32(components.count)
                components.append(Component(cores: 1, minX: v.xs[i], minY: v.ys[i]))
            }
        }
        let ranked = components.indices.sorted { a, b in
            let p = components[a], q = components[b]
            if p.cores != q.cores { return p.cores > q.cores }
            return (p.minX, p.minY) < (q.minX, q.minY)
        }
        var idOfSlot = [Int32](repeating: 0, count: components.count)
        for (id, s) in ranked.enumerated() { idOfSlot[s] = Int32(id) }
        for i in 0..<v.xs.count where core[i] { label[i] = idOfSlot[Int(slot[Int(roots[i])])] }
        return components.count
    }

    private func attachBorders<W: NeighbourWindow>(_ v: View, _ core: UnsafeBufferPointer<Bool>,
                                                   _ label: UnsafeMutableBufferPointer<Int32>, _ w: W, cells: Int) {
        let eps2 = eps2
        parallelChunks(cells, minimumChunk: 256) { range in
            for c in range {
                for i in v.points(of: c) where !core[i] {
                    var best = Double.infinity
                    var bestLabel = DBSCANResult.noise
                    for row in 0..<5 {
                        for k in v.pointRun(c, row) where core[k] && w.near(i, k) {
                            let dx = v.xs[i] - v.xs[k], dy = v.ys[i] - v.ys[k]
                            let d2 = dx * dx + dy * dy
                            guard d2 <= eps2 else { continue }
                            if d2 < best || (d2 == best && label[k] < bestLabel) {
                                best = d2
                                bestLabel = label[k]
                            }
                        }
                    }
                    label[i] = bestLabel
                }
            }
        }
    }
}

@inline(__always)
private func find(_ parent: UnsafeMutableBufferPointer<Int32>, _ x: Int) -> Int {
    var x = x
    while Int(parent[x]) != x {
        let grand = parent[Int(parent[x])]
        parent[x] = grand
        x = Int(grand)
    }
    return x
}

@inline(__always)
private func union(_ parent: UnsafeMutableBufferPointer<Int32>, _ a: Int, _ b: Int) {
    let ra = find(parent, a), rb = find(parent, b)
    if ra == rb { return }
    // Smaller index as root keeps trees shallow enough with path halving and makes runs reproducible.
    if ra < rb { parent[rb] = Int32(ra) } else { parent[ra] = Int32(rb) }
}

/// Exact neighbour counts at large core sizes (the density-aware one is thousands on a big extract): instead of a
/// distance test per point of the 5×5 block, whole sub-cells inside the eps disc are counted by subtraction (a
/// sub-row's points are stored by sub-cell) and only the rim's points are tested. Geometry is widened by `margin`
/// (far above rounding), so a sub-cell is counted whole only when every point in it passes the test `within` makes,
/// and skipped only when none can: counts equal the point-by-point ones.
private final class SubCellCounter {
    /// Below this core size point-by-point counting is cheaper (a point costs about 200 sub-row steps here): the 1M
    /// demo's latest 12 months have a core size of 101.
    static let worthFrom = 256
    static let k = PointGrid.subdivisions
    let eps: Double
    let margin: Double
    /// Per neighbour slot (row × 5 + position in the row's run): first point of each sub-cell, then the cell's end.
    private var starts: [Int32]
    private var slotX0 = [Double](repeating: 0, count: 25)
    private var rowY0 = [Double](repeating: 0, count: 5)
    private var rowCells = [Int](repeating: 0, count: 5)
    /// Rim point ranges of the current point (at most 5 rows × k sub-rows × 5 cells × 2).
    private var rims: [Int32]

    init(eps: Double) {
        self.eps = eps
        margin = 1e-4 + eps * 1e-9
        starts = [Int32](repeating: 0, count: 25 * (Self.k * Self.k + 1))
        rims = [Int32](repeating: 0, count: 2 * 2 * 5 * 5 * Self.k)
    }

    /// Sub-cell starts of the cells around `cell`.
    func prepare(_ v: Engine.View, cell c: Int) {
        let g = v.grid, kk = Self.k * Self.k
        for row in 0..<5 {
            let run = v.cellRun(c, row)
            rowCells[row] = run.count
            for (j, d) in run.enumerated() {
                let slot = row * 5 + j
                let key = Int(g.cellKeys[d])
                slotX0[slot] = g.minX + Double(key % g.columns - 2) * g.side
                if j == 0 { rowY0[row] = g.minY + Double(key / g.columns - 2) * g.side }
                let points = v.points(of: d)
                var p = points.lowerBound
                for t in 0..<kk {
                    starts[slot * (kk + 1) + t] = Int32(p)
                    while p < points.upperBound && Int(g.sub[p]) == t { p += 1 }
                }
                starts[slot * (kk + 1) + kk] = Int32(points.upperBound)
            }
        }
    }

    /// Whether point `i` (of the prepared cell) has at least `minPoints` points within eps, itself included.
    func isCore(_ v: Engine.View, _ i: Int, minPoints: Int) -> Bool {
        let px = v.xs[i], py = v.ys[i]
        let k = Self.k, kk = k * k, h = v.grid.side / Double(k), eps2 = v.eps2, m = margin
        var full = 0, rimTotal = 0, rimCount = 0
        for row in 0..<5 where rowCells[row] > 0 {
            for sy in 0..<k {
                let lo = rowY0[row] + Double(sy) * h - m, hi = rowY0[row] + Double(sy + 1) * h + m
                let near = py < lo ? lo - py : (py > hi ? py - hi : 0)
                if near > eps { continue }
                let far = max(py - lo, hi - py)
                let outer = (eps2 - near * near).squareRoot() + m
                let inner = far < eps ? (eps2 - far * far).squareRoot() - m : -1
                for j in 0..<rowCells[row] {
                    let slot = row * 5 + j, x0 = slotX0[slot]
                    let sLo = max(0, Int(((px - outer - x0) / h).rounded(.down)))
                    let sHi = min(k - 1, Int(((px + outer - x0) / h).rounded(.down)))
                    guard sLo <= sHi else { continue }
                    let base = slot * (kk + 1) + sy * k
                    var fLo = sHi + 1, fHi = sHi
                    if inner > 0 {
                        fLo = max(sLo, Int(((px - inner - x0) / h).rounded(.up)))
                        fHi = min(sHi, Int(((px + inner - x0) / h).rounded(.down)) - 1)
                    }
                    if fLo <= fHi {
                        full += Int(starts[base + fHi + 1] - starts[base + fLo])
                        addRim(starts[base + sLo], starts[base + fLo], &rimTotal, &rimCount)
                        addRim(starts[base + fHi + 1], starts[base + sHi + 1], &rimTotal, &rimCount)
                    } else {
                        addRim(starts[base + sLo], starts[base + sHi + 1], &rimTotal, &rimCount)
                    }
                }
            }
        }
        if full >= minPoints { return true }
        if full + rimTotal < minPoints { return false }
        var count = full, left = rimTotal
        for r in 0..<rimCount {
            for q in Int(rims[2 * r]) ..< Int(rims[2 * r + 1]) {
                left -= 1
                if v.within(i, q) {
                    count += 1
                    if count >= minPoints { return true }
                } else if count + left < minPoints {
                    return false
                }
            }
        }
        return count >= minPoints
    }

    @inline(__always) private func addRim(_ a: Int32, _ b: Int32, _ total: inout Int, _ n: inout Int) {
        guard a < b else { return }
        rims[2 * n] = a
        rims[2 * n + 1] = b
        n += 1
        total += Int(b - a)
    }
}
