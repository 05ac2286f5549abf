import Foundation
import SVDCore

/// The eight hot-spot and eight cold-spot patterns of ArcGIS Pro's Emerging Hot Spot Analysis, plus "no pattern".
/// Positive raw values are hot patterns, their negatives the cold counterparts.
public enum EmergingPattern: Int8, Sendable, CaseIterable {
    case historicalCold = -8, oscillatingCold, sporadicCold, diminishingCold, persistentCold, intensifyingCold, consecutiveCold, newCold
    case noPattern = 0
    case newHot = 1, consecutiveHot, intensifyingHot, persistentHot, diminishingHot, sporadicHot, oscillatingHot, historicalHot

    public var isHot: Bool { rawValue > 0 }
    public var isCold: Bool { rawValue < 0 }

    public var label: String {
        let kind = isHot ? "hot spot" : "cold spot"
        switch abs(Int(rawValue)) {
        case 1: return "New " + kind
        case 2: return "Consecutive " + kind
        case 3: return "Intensifying " + kind
        case 4: return "Persistent " + kind
        case 5: return "Diminishing " + kind
        case 6: return "Sporadic " + kind
        case 7: return "Oscillating " + kind
        case 8: return "Historical " + kind
        default: return "No pattern detected"
        }
    }

    /// Publication order: hot patterns new → historical, then cold ones, then no pattern.
    public var order: Int { isHot ? Int(rawValue) : isCold ? 8 - Int(rawValue) : 17 }
}

/// A space-time cube of grid cells × time steps, analysed as ArcGIS Pro's Emerging Hot Spot Analysis does: Gi* for
/// every cell in every step (here the spatial Gi* of `GetisOrd`, one step at a time, with Benjamini–Hochberg FDR over
/// that step's cells), the Mann–Kendall test on each location's series of Gi* z (which decides intensifying /
/// diminishing) and of counts, and the classification into the patterns of `EmergingPattern`.
///
/// Neighbourhood: the cells within the distance band in the same step (ArcGIS's "neighborhood time step" of 1, its
/// default); each step's Gi* uses that step's own mean and variance.
public enum EmergingHotspots {
    /// Share of steps that makes a location persistent, intensifying, diminishing or historical (ArcGIS: 90 per cent).
    public static let mostSteps = 0.9

    /// The pattern of one location from its per-step Gi* classes (oldest first) and the direction of the Mann–Kendall
    /// trend of its Gi* z series (+1 significant increase, −1 significant decrease, 0 none).
    ///
    /// Where two definitions both hold (a location hot only in the final step, or in a final run of steps, after an
    /// earlier cold spot), new and consecutive take precedence over oscillating, in the order ArcGIS lists them.
    public static func classify(_ classes: UnsafeBufferPointer<Int8>, zTrend: Int) -> EmergingPattern {
        let n = classes.count
        guard n > 0 else { return .noPattern }
        let last = classes[n - 1]
        // "At least 90 per cent of the steps", in integers: 10 × count ≥ 9 × n.
        func most(_ k: Int) -> Bool { 10 * k >= 9 * n }
        guard last != 0 else {
            var hot = 0, cold = 0
            for c in classes { if c > 0 { hot += 1 } else if c < 0 { cold += 1 } }
            return most(hot) ? .historicalHot : most(cold) ? .historicalCold : .noPattern
        }
        let sign: Int8 = last > 0 ? 1 : -1
        var same = 0, opposite = 0
        for c in classes { if c * sign > 0 { same += 1 } else if c * sign < 0 { opposite += 1 } }
        var run = 0
        var t = n - 1
        while t >= 0 && classes[t] * sign > 0 { run += 1; t -= 1 }
        let pattern: Int8
        if most(same) {
            // For cold spots, a falling z is an intensifying cold spot.
            let d = zTrend * Int(sign)
            pattern = d > 0 ? 3 : d < 0 ? 5 : 4
        } else if same == 1 {
            pattern = 1
        } else if run == same {
            pattern = 2
        } else if opposite > 0 {
            pattern = 7
        } else {
            pattern = 6
        }
        return EmergingPattern(rawValue: pattern * sign)!
    }

    public static func classify(_ classes: [HotspotClass], zTrend: Int) -> EmergingPattern {
        classes.map(\.rawValue).withUnsafeBufferPointer { classify($0, zTrend: zTrend) }
    }

    /// Runs the analysis over `points`, each in time step `step[i]` (0 = oldest, `stepCount − 1` the final step).
    ///
    /// Locations analysed are the cells holding at least one point in at least one step (ArcGIS's rule when no
    /// analysis mask is given); every cell of the grid is still an observation of each step's Gi* (or only that
    /// step's occupied cells with `.occupiedCells`). `land`, when given, is the land mask (cells intersecting the area's
    /// districts): only land cells are locations and observations, so the sea is not zeros in any step's Gi*.
    public static func analyse(points: [BNGPoint], step: [Int32], stepCount: Int, spec: GridSpec, band: Double? = nil,
                               observations: GiStarObservations = .allCells, fdr: Bool = true, trendAlpha: Double = 0.05,
                               land: [Bool]? = nil) throws -> EmergingHotspotResult {
        guard points.count == step.count else {
            throw DetectError.lengthMismatch(what: "time steps", expected: points.count, got: step.count)
        }
        guard stepCount >= 2 else {
            throw DetectError.invalidParameter(name: "time steps", value: "\(stepCount)", reason: "an emerging hot spot analysis needs at least two")
        }
        guard trendAlpha > 0, trendAlpha < 1 else {
            throw DetectError.invalidParameter(name: "trend significance", value: "\(trendAlpha)", reason: "must lie between 0 and 1")
        }
        let T = stepCount
        let cellCount = spec.cellCount
        // Cell of each point (−1 outside the grid or outside the steps), and points per step in step order.
        var cellOf = [Int32](repeating: -1, count: points.count)
        var perStep = [Int](repeating: 0, count: T + 1)
        var occupied = [Bool](repeating: false, count: cellCount)
        var outside = 0
        for i in points.indices {
            let t = Int(step[i])
            guard t >= 0, t < T, let c = spec.cellIndex(of: points[i]) else { outside += 1; continue }
            cellOf[i] = Int32(c)
            perStep[t + 1] += 1
            occupied[c] = true
        }
        for t in 0..<T { perStep[t + 1] += perStep[t] }
        var byStep = [Int32](repeating: 0, count: perStep[T])
        var fill = perStep
        for i in points.indices where cellOf[i] >= 0 {
            let t = Int(step[i])
            byStep[fill[t]] = cellOf[i]
            fill[t] += 1
        }

        // Locations: occupied cells (the land mask, when there is one, filters here).
        var locationOf = [Int32](repeating: -1, count: cellCount)
        var locations: [Int32] = []
        for c in 0..<cellCount where occupied[c] && (land?[c] ?? true) {
            locationOf[c] = Int32(locations.count)
            locations.append(Int32(c))
        }
        occupied = []
        let L = locations.count

        // The cube, location-major so each location's series is contiguous.
        var zCube = [Double](repeating: .nan, count: L * T)
        var countCube = [Double](repeating: 0, count: L * T)
        var classCube = [Int8](repeating: 0, count: L * T)
        var hotCells = [Int](repeating: 0, count: T), coldCells = [Int](repeating: 0, count: T)
        var undefinedSteps: [Int] = []
        var usedBand = band ?? GetisOrd.defaultBand(cellSize: spec.cellSize)
        for t in 0..<T {
            var counts = [Double](repeating: 0, count: cellCount)
            for k in perStep[t]..<perStep[t + 1] { counts[Int(byStep[k])] += 1 }
            for l in 0..<L { countCube[l * T + t] = counts[Int(locations[l])] }
            let g: GiStarResult
            do {
                g = try GetisOrd.giStar(CountGrid(spec: spec, counts: counts), band: band, observations: observations, land: land, fdr: fdr)
            } catch DetectError.degenerateInput {
                // A step with no incidents (or all cells alike): Gi* is undefined; its z is left out of the trend.
                undefinedSteps.append(t)
                continue
            }
            usedBand = g.band
            g.z.withUnsafeBufferPointer { z in
                g.classes.withUnsafeBufferPointer { cls in
                    for l in 0..<L {
                        let c = Int(locations[l])
                        zCube[l * T + t] = z[c]
                        classCube[l * T + t] = cls[c].rawValue
                    }
                    for c in 0..<cellCount {
                        let v = cls[c].rawValue
                        if v > 0 { hotCells[t] += 1 } else if v < 0 { coldCells[t] += 1 }
                    }
                }
            }
        }

        var patterns = [EmergingPattern](repeating: .noPattern, count: L)
        var zTrend = [MannKendallResult](repeating: .noTrend, count: L)
        var countTrend = [MannKendallResult](repeating: .noTrend, count: L)
        var hotSteps = [Int16](repeating: 0, count: L), coldSteps = [Int16](repeating: 0, count: L)
        zCube.withUnsafeBufferPointer { Z in
        countCube.withUnsafeBufferPointer { C in
        classCube.withUnsafeBufferPointer { K in
        patterns.withUnsafeMutableBufferPointer { P in
        zTrend.withUnsafeMutableBufferPointer { ZT in
        countTrend.withUnsafeMutableBufferPointer { CT in
        hotSteps.withUnsafeMutableBufferPointer { H in
        coldSteps.withUnsafeMutableBufferPointer { CS in
            parallelChunks(L, minimumChunk: 1024) { range in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: T) { scratch in
                    for l in range {
                        let zs = UnsafeBufferPointer(rebasing: Z[(l * T)..<(l * T + T)])
                        let cs = UnsafeBufferPointer(rebasing: C[(l * T)..<(l * T + T)])
                        let ks = UnsafeBufferPointer(rebasing: K[(l * T)..<(l * T + T)])
                        let zt = MannKendall.test(zs, scratch: scratch)
                        ZT[l] = zt
                        CT[l] = MannKendall.test(cs, scratch: scratch)
                        var hot: Int16 = 0, cold: Int16 = 0
                        for k in ks { if k > 0 { hot += 1 } else if k < 0 { cold += 1 } }
                        H[l] = hot
                        CS[l] = cold
                        P[l] = classify(ks, zTrend: zt.direction(alpha: trendAlpha))
                    }
                }
            }
        }}}}}}}}
        let lastClass = (0..<L).map { HotspotClass(rawValue: classCube[$0 * T + T - 1])! }
        return EmergingHotspotResult(spec: spec, band: usedBand, steps: T, observations: observations, fdr: fdr, trendAlpha: trendAlpha,
                                     locations: locations, patterns: patterns, zTrend: zTrend, countTrend: countTrend,
                                     hotSteps: hotSteps, coldSteps: coldSteps, lastClass: lastClass,
                                     hotCellsPerStep: hotCells, coldCellsPerStep: coldCells, undefinedSteps: undefinedSteps, outside: outside)
    }
}

public struct EmergingHotspotResult: Sendable {
    public let spec: GridSpec
    /// Gi* distance band in metres between cell centres.
    public let band: Double
    public let steps: Int
    public let observations: GiStarObservations
    public let fdr: Bool
    /// Two-sided level at which a Mann–Kendall trend of z counts as significant.
    public let trendAlpha: Double
    /// Grid cells analysed, ascending; every per-location array below is indexed like this one.
    public let locations: [Int32]
    public let patterns: [EmergingPattern]
    /// Mann–Kendall on the location's Gi* z series (steps where Gi* is undefined left out).
    public let zTrend: [MannKendallResult]
    /// Mann–Kendall on the location's count series.
    public let countTrend: [MannKendallResult]
    /// Steps in which the location is a hot (cold) spot at ≥ 90 %.
    public let hotSteps: [Int16]
    public let coldSteps: [Int16]
    /// The location's Gi* class in the final step.
    public let lastClass: [HotspotClass]
    /// Hot and cold cells of the whole grid in each step.
    public let hotCellsPerStep: [Int]
    public let coldCellsPerStep: [Int]
    /// Steps whose Gi* is undefined (no incidents, or every cell alike): not significant anywhere, left out of the z trends.
    public let undefinedSteps: [Int]
    /// Points outside the grid or the steps, not counted.
    public let outside: Int
}
