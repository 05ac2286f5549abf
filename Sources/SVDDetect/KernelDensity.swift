import Foundation
import SVDCore

/// A density surface sampled at cell centres.
public struct DensitySurface: Sendable {
    public let spec: GridSpec
    /// Kernel radius in metres.
    public let bandwidth: Double
    /// Incidents per square kilometre at each cell centre (row-major, row 0 south).
    public let density: [Double]
    /// The land cells the surface was restricted to (see `LandMask`); the others hold 0 and are not part of it.
    public let land: [Bool]?
}

/// Quartic (biweight) kernel density: at distance d < h a point contributes 3 / (π h²) · (1 − d²/h²)²,
/// the kernel ArcGIS Kernel Density uses (Silverman 1986, eq. 4.5). Each surface integrates to the number
/// of points (less what falls off the grid edge).
public enum KernelDensity {
    /// ArcGIS's default search radius: 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−0.2), where SD is the standard
    /// distance from the mean centre and Dm the median distance from it (the middle two averaged when n is even).
    public static func defaultBandwidth(_ points: [BNGPoint]) throws -> Double {
        _ = try Extent(points)
        let n = Double(points.count)
        var mx = 0.0, my = 0.0
        for p in points { mx += p.easting; my += p.northing }
        mx /= n; my /= n
        var sx = 0.0, sy = 0.0
        var distances = [Double]()
        distances.reserveCapacity(points.count)
        for p in points {
            let dx = p.easting - mx, dy = p.northing - my
            sx += dx * dx
            sy += dy * dy
            distances.append((dx * dx + dy * dy).squareRoot())
        }
        let standardDistance = (sx / n + sy / n).squareRoot()
        distances.sort()
        let k = distances.count
        let median = k % 2 == 1 ? distances[k / 2] : (distances[k / 2 - 1] + distances[k / 2]) / 2
        let h = 0.9 * min(standardDistance, (1 / log(2.0)).squareRoot() * median) * pow(n, -0.2)
        guard h > 0, h.isFinite else {
            throw DetectError.degenerateInput(reason: "points are (mostly) identical, so no bandwidth can be inferred; set it explicitly")
        }
        return h
    }

    /// With `land`, cells that are not land are left at 0 and marked absent: the sea and land outside the area are
    /// not part of the surface (points near the coast still spread their kernel over the land cells only).
    public static func quartic(_ points: [BNGPoint], spec: GridSpec, bandwidth: Double? = nil, land: [Bool]? = nil) throws -> DensitySurface {
        if let land, land.count != spec.cellCount {
            throw DetectError.lengthMismatch(what: "land mask", expected: spec.cellCount, got: land.count)
        }
        let h = try bandwidth ?? defaultBandwidth(points)
        guard h.isFinite, h > 0 else {
            throw DetectError.invalidParameter(name: "bandwidth", value: "\(h)", reason: "must be a positive number of metres")
        }
        guard !points.isEmpty else { throw DetectError.emptyInput(what: "points") }
        for (i, p) in points.enumerated() where !(p.easting.isFinite && p.northing.isFinite) {
            throw DetectError.nonFiniteCoordinate(index: i)
        }
        let cols = spec.columns, rows = spec.rows, cell = spec.cellSize
        let ox = spec.originEasting, oy = spec.originNorthing
        // Bucket points by grid row (clamped one beyond each edge) so a band of output rows reads one
        // contiguous run of points; each thread then owns its rows and no surface is duplicated.
        let reachRows = Int(min(h / cell, Double(rows))) + 1
        let buckets = rows + 2
        var bucketStart = [Int](repeating: 0, count: buckets + 1)
        var rowOf = [Int](repeating: 0, count: points.count)
        for (i, p) in points.enumerated() {
            let f = ((p.northing - oy) / cell).rounded(.down)
            let b = f < 0 ? 0 : f >= Double(rows) ? rows + 1 : Int(f) + 1
            rowOf[i] = b
            bucketStart[b + 1] += 1
        }
        for b in 0..<buckets { bucketStart[b + 1] += bucketStart[b] }
        var xs = [Double](repeating: 0, count: points.count)
        var ys = [Double](repeating: 0, count: points.count)
        var fill = bucketStart
        for (i, p) in points.enumerated() {
            let at = fill[rowOf[i]]
            fill[rowOf[i]] += 1
            xs[at] = p.easting
            ys[at] = p.northing
        }
        rowOf = []

        let h2 = h * h
        let inverseH2 = 1 / h2
        let scale = 3 / (Double.pi * h2) * 1e6
        var density = [Double](repeating: 0, count: spec.cellCount)
        xs.withUnsafeBufferPointer { X in
        ys.withUnsafeBufferPointer { Y in
        density.withUnsafeMutableBufferPointer { D in
            parallelChunks(rows, minimumChunk: max(1, 2048 / max(cols, 1))) { band in
                // Buckets are grid rows shifted by one; include points up to reachRows away.
                let firstBucket = max(0, band.lowerBound + 1 - reachRows)
                let lastBucket = min(buckets - 1, band.upperBound + reachRows)
                for s in bucketStart[firstBucket]..<bucketStart[lastBucket + 1] {
                    let x = X[s], y = Y[s]
                    let rLo = max(band.lowerBound, Int(max(-1, ((y - h - oy) / cell - 0.5).rounded(.up))))
                    let rHi = min(band.upperBound - 1, Int(min(Double(rows), ((y + h - oy) / cell - 0.5).rounded(.down))))
                    if rLo > rHi { continue }
                    for r in rLo...rHi {
                        let dy = oy + (Double(r) + 0.5) * cell - y
                        let rest = h2 - dy * dy
                        if rest <= 0 { continue }
                        let half = rest.squareRoot()
                        let cLo = max(0, Int(max(-1, ((x - half - ox) / cell - 0.5).rounded(.up))))
                        let cHi = min(cols - 1, Int(min(Double(cols), ((x + half - ox) / cell - 0.5).rounded(.down))))
                        if cLo > cHi { continue }
                        let dy2 = dy * dy
                        for c in cLo...cHi {
                            let dx = ox + (Double(c) + 0.5) * cell - x
                            let u2 = (dx * dx + dy2) * inverseH2
                            if u2 < 1 {
                                let t = 1 - u2
                                D[r * cols + c] += scale * t * t
                            }
                        }
                    }
                }
            }
        }}}
        if let land { for i in density.indices where !land[i] { density[i] = 0 } }
        return DensitySurface(spec: spec, bandwidth: h, density: density, land: land)
    }
}
