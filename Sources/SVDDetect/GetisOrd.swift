import Foundation

/// Significance class of a cell: sign of z and the confidence reached (after FDR correction when asked).
public enum HotspotClass: Int8, Sendable, CaseIterable {
    case coldSpot99 = -3, coldSpot95 = -2, coldSpot90 = -1
    case notSignificant = 0
    case hotSpot90 = 1, hotSpot95 = 2, hotSpot99 = 3

    /// 0 none, 1 = 90 %, 2 = 95 %, 3 = 99 %.
    public var confidenceLevel: Int { Int(abs(rawValue)) }
    public var isHot: Bool { rawValue > 0 }
    public var isCold: Bool { rawValue < 0 }

    public var label: String {
        switch self {
        case .coldSpot99: return "Cold spot (99%)"
        case .coldSpot95: return "Cold spot (95%)"
        case .coldSpot90: return "Cold spot (90%)"
        case .notSignificant: return "Not significant"
        case .hotSpot90: return "Hot spot (90%)"
        case .hotSpot95: return "Hot spot (95%)"
        case .hotSpot99: return "Hot spot (99%)"
        }
    }

    /// Class from z and a (two-sided) p or q value: thresholds 0.10, 0.05, 0.01.
    public init(z: Double, p: Double) {
        guard z.isFinite, p.isFinite, z != 0 else { self = .notSignificant; return }
        let level: Int8 = p <= 0.01 ? 3 : p <= 0.05 ? 2 : p <= 0.10 ? 1 : 0
        self = HotspotClass(rawValue: z > 0 ? level : -level)!
    }
}

/// Which cells are observations of the Gi* statistic.
public enum GiStarObservations: String, Sendable {
    /// Every cell of the rectangle, empty ones included (the default: an empty cell is evidence of no
    /// incidents, as in sfhotspot and ArcGIS's fishnet aggregation).
    case allCells
    /// Only cells with a non-zero count (what esda gives when fed the occupied cells alone).
    case occupiedCells
}

public struct GiStarResult: Sendable {
    public let spec: GridSpec
    /// Distance band in metres between cell centres (inclusive).
    public let band: Double
    public let observations: GiStarObservations
    /// The land cells the statistic was restricted to (see `LandMask`); nil when every cell of the rectangle was used.
    public let land: [Bool]?
    /// Number of observations (cells) the statistic was computed over.
    public let observationCount: Int
    /// Analytical z per cell (esda `Zs`); NaN for cells that are not observations, and where the
    /// variance is zero (a cell whose band covers every observation).
    public let z: [Double]
    /// Two-sided normal p per cell (twice esda's one-sided `p_norm`).
    public let p: [Double]
    /// Benjamini–Hochberg adjusted p (q) over the observed cells.
    public let q: [Double]
    /// Classes from q when `fdr` was on, from p otherwise.
    public let classes: [HotspotClass]
    public let fdr: Bool
}

/// Getis–Ord Gi* over a grid of counts with binary distance-band weights, the cell itself included.
///
/// z is exactly esda's `G_Local(y, DistanceBand(centres, band, binary=True), star=True, transform="B").Zs`
/// over the chosen observations: G_i = Σ_j w_ij y_j / Σ y, E = W_i / N,
/// Var = W_i (N − W_i) / (N − 1) / N² · s² / ȳ² with s² the population variance of y.
///
/// Neighbours are the cells whose centres lie within `band` of the cell's centre: for each row offset the
/// disc covers one contiguous span of columns, summed with per-row prefix sums, so the cost is
/// cells × (rows in the disc), independent of how many cells the band covers.
public enum GetisOrd {
    /// sfhotspot's default: √2 cell sizes, i.e. the cell and its eight neighbours.
    public static func defaultBand(cellSize: Double) -> Double { cellSize * 2.0.squareRoot() }

    ///
    /// With `land` (one flag per cell, e.g. from `LandMask`), cells that are not land are not observations at all:
    /// N, the mean and variance, and every neighbourhood's sum and weight run over land cells only (with
    /// `.occupiedCells`, over occupied land cells), exactly as esda fed the land cells alone.
    public static func giStar(_ grid: CountGrid, band: Double? = nil, observations: GiStarObservations = .allCells,
                              land: [Bool]? = nil, fdr: Bool = true) throws -> GiStarResult {
        let spec = grid.spec
        let band = band ?? defaultBand(cellSize: spec.cellSize)
        guard band.isFinite, band >= 0 else {
            throw DetectError.invalidParameter(name: "band", value: "\(band)", reason: "must be a non-negative number of metres")
        }
        if let land, land.count != spec.cellCount {
            throw DetectError.lengthMismatch(what: "land mask", expected: spec.cellCount, got: land.count)
        }
        let cols = spec.columns, rows = spec.rows
        let halfWidths = discHalfWidths(radius: band / spec.cellSize, maxRows: rows, maxColumns: cols)
        let reach = halfWidths.count - 1

        // Per-row prefix sums of counts and of "is an observation" (stride cols + 1).
        let stride = cols + 1
        var prefix = [Double](repeating: 0, count: rows * stride)
        let masked = observations == .occupiedCells || land != nil
        var observedPrefix = masked ? [Double](repeating: 0, count: rows * stride) : []
        var total = 0.0, totalSquares = 0.0
        var n = 0
        for r in 0..<rows {
            var run = 0.0, seen = 0.0
            for c in 0..<cols {
                let y = grid.counts[r * cols + c]
                guard y >= 0 else {
                    throw DetectError.invalidParameter(name: "count of cell \(r * cols + c)", value: "\(y)", reason: "must not be negative")
                }
                let isLand = land?[r * cols + c] ?? true
                if isLand && (observations == .allCells || y > 0) {
                    n += 1
                    total += y
                    totalSquares += y * y
                    seen += 1
                    run += y
                }
                prefix[r * stride + c + 1] = run
                if masked { observedPrefix[r * stride + c + 1] = seen }
            }
        }
        guard n >= 2 else {
            throw DetectError.degenerateInput(reason: "Gi* needs at least two \(observations == .allCells ? "" : "occupied ")\(land == nil ? "" : "land ")cells; got \(n) — use a smaller cell size")
        }
        let N = Double(n)
        let mean = total / N
        let variance = totalSquares / N - mean * mean
        guard total > 0, variance > 0 else {
            throw DetectError.degenerateInput(reason: "every observed cell has the same count (\(mean)); Gi* is undefined")
        }
        let varianceFactor = variance / (mean * mean)

        var z = [Double](repeating: .nan, count: spec.cellCount)
        prefix.withUnsafeBufferPointer { P in
        observedPrefix.withUnsafeBufferPointer { O in
        halfWidths.withUnsafeBufferPointer { H in
        grid.counts.withUnsafeBufferPointer { Y in
        z.withUnsafeMutableBufferPointer { Z in
            let occupiedOnly = observations == .occupiedCells
            parallelChunks(rows, minimumChunk: max(1, 4096 / max(cols, 1))) { rowRange in
                for r in rowRange {
                    for c in 0..<cols {
                        if occupiedOnly && !(Y[r * cols + c] > 0) { continue }
                        if let land, !land[r * cols + c] { continue }
                        var sum = 0.0, weight = 0.0
                        for dy in max(-reach, -r)...min(reach, rows - 1 - r) {
                            let h = H[abs(dy)]
                            let lo = max(0, c - h), hi = min(cols - 1, c + h)
                            let base = (r + dy) * stride
                            sum += P[base + hi + 1] - P[base + lo]
                            weight += masked ? O[base + hi + 1] - O[base + lo] : Double(hi - lo + 1)
                        }
                        // Same operation order as esda, so the two agree to rounding.
                        let statistic = sum / total
                        let expected = weight / N
                        var v = weight * (N - weight)
                        v /= N - 1
                        v *= 1 / (N * N)
                        v *= varianceFactor
                        Z[r * cols + c] = v > 0 ? (statistic - expected) / v.squareRoot() : .nan
                    }
                }
            }
        }}}}}

        let p = z.map { $0.isFinite ? erfc(abs($0) / 2.0.squareRoot()) : Double.nan }
        let q = benjaminiHochberg(p)
        let decisive = fdr ? q : p
        let classes = (0..<z.count).map { HotspotClass(z: z[$0], p: decisive[$0]) }
        return GiStarResult(spec: spec, band: band, observations: observations, land: land, observationCount: n,
                            z: z, p: p, q: q, classes: classes, fdr: fdr)
    }

    /// For row offsets 0...R, the largest column offset h with dy² + h² ≤ radius² (in cells). Ties at
    /// exactly the band are included; the relative slack 1e-12 absorbs rounding in band / cellSize.
    static func discHalfWidths(radius: Double, maxRows: Int, maxColumns: Int) -> [Int] {
        let r2 = radius * radius * (1 + 1e-12)
        let reach = Int(min(radius * (1 + 1e-12), Double(maxRows)))
        return (0...reach).map { dy in
            let width = (max(0, r2 - Double(dy * dy))).squareRoot()
            if width >= Double(maxColumns) { return maxColumns }
            var h = Int(width)
            while Double(dy * dy + (h + 1) * (h + 1)) <= r2 { h += 1 }
            while h > 0 && Double(dy * dy + h * h) > r2 { h -= 1 }
            return h
        }
    }

    /// Benjamini–Hochberg adjusted p-values over the finite entries; NaN stays NaN.
    public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        // Non-negative doubles order like their bit patterns, so a radix sort does the ranking.
        var keys: [UInt64] = []
        var index: [Int32] = []
        keys.reserveCapacity(p.count)
        index.reserveCapacity(p.count)
        var maxKey: UInt64 = 0
        for (i, v) in p.enumerated() where v.isFinite {
            let key = max(0, v).bitPattern
            keys.append(key)
            index.append(Int32(i))
            maxKey = max(maxKey, key)
        }
        radixSort(keys: &keys, payload: &index, maxKey: maxKey)
        var q = [Double](repeating: .nan, count: p.count)
        let m = Double(keys.count)
        var running = 1.0
        for rank in stride(from: keys.count, through: 1, by: -1) {
            running = min(running, Double(bitPattern: keys[rank - 1]) * m / Double(rank))
            q[Int(index[rank - 1])] = running
        }
        return q
    }
}
