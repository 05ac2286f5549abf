import Foundation

/// The Mann–Kendall test for a monotonic trend in a series taken at equally spaced times.
public struct MannKendallResult: Sendable, Equatable {
    /// Values in the series (non-finite values are left out before the test).
    public let n: Int
    /// S = Σ_{i<j} sign(x_j − x_i).
    public let s: Int
    /// Variance of S under no trend, with the ties correction:
    /// [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18 over the groups of t equal values.
    public let variance: Double
    /// Continuity-corrected z: (S − 1)/√var for S > 0, (S + 1)/√var for S < 0, 0 for S = 0 (and when var = 0).
    public let z: Double
    /// Two-sided normal p of z.
    public let p: Double

    /// Kendall's tau-a between the series and time, S / (n(n−1)/2) (pymannkendall's `Tau`).
    public var tau: Double { n > 1 ? Double(s) / (Double(n * (n - 1)) / 2) : 0 }

    /// +1 for a significant increase at level `alpha` (two-sided), −1 for a significant decrease, 0 otherwise.
    public func direction(alpha: Double) -> Int {
        guard p <= alpha, z != 0 else { return 0 }
        return z > 0 ? 1 : -1
    }

    public static let noTrend = MannKendallResult(n: 0, s: 0, variance: 0, z: 0, p: 1)
}

/// Mann (1945), Kendall (1975): the statistic, its variance with the ties correction, the continuity-corrected
/// normal approximation and its two-sided p — the "original test" of pymannkendall and of Hipel & McLeod (1994).
/// Cost n(n−1)/2 comparisons plus a sort of n values, fine for the tens of time steps of an emerging hot spot cube.
public enum MannKendall {
    public static func test(_ series: [Double]) -> MannKendallResult {
        series.withUnsafeBufferPointer { test($0) }
    }

    /// `scratch` needs room for `series.count` values; it is overwritten.
    public static func test(_ series: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>) -> MannKendallResult {
        var n = 0
        for v in series where v.isFinite { scratch[n] = v; n += 1 }
        guard n >= 2 else { return .noTrend }
        var s = 0
        for i in 0..<(n - 1) {
            let xi = scratch[i]
            for j in (i + 1)..<n {
                let d = scratch[j] - xi
                s += d > 0 ? 1 : d < 0 ? -1 : 0
            }
        }
        // Ties: sort the values in place (insertion sort: the series are short) and count runs of equal values.
        for i in 1..<n {
            let v = scratch[i]
            var j = i - 1
            while j >= 0 && scratch[j] > v { scratch[j + 1] = scratch[j]; j -= 1 }
            scratch[j + 1] = v
        }
        var tieTerm = 0.0
        var run = 1
        for i in 1...n {
            if i < n && scratch[i] == scratch[i - 1] { run += 1; continue }
            if run > 1 { let t = Double(run); tieTerm += t * (t - 1) * (2 * t + 5) }
            run = 1
        }
        let N = Double(n)
        let variance = (N * (N - 1) * (2 * N + 5) - tieTerm) / 18
        var z = 0.0
        if variance > 0 {
            if s > 0 { z = Double(s - 1) / variance.squareRoot() } else if s < 0 { z = Double(s + 1) / variance.squareRoot() }
        }
        let p = erfc(abs(z) / 2.0.squareRoot())
        return MannKendallResult(n: n, s: s, variance: variance, z: z, p: p)
    }

    public static func test(_ series: UnsafeBufferPointer<Double>) -> MannKendallResult {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(series.count, 1)) { test(series, scratch: $0) }
    }
}
