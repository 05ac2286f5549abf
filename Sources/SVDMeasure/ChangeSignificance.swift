#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Is a change between two periods more than chance? The exact conditional test for two Poisson counts: given
/// the total n = current + previous, the current count is Binomial(n, p₀) when the rates are equal, with p₀ the
/// current period's share of the exposure (½ for equal periods). The two-sided p-value is the one
/// `scipy.stats.binomtest` gives (outcomes no more likely than the one seen); the rate ratio's confidence interval
/// maps the Clopper–Pearson interval of p (Ulm 1990; as in R's `poisson.test`).
public struct ChangeSignificance: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case significantIncrease = "significant increase"
        case significantDecrease = "significant decrease"
        case noSignificantChange = "no significant change"
    }

    public let current: Int
    public let previous: Int
    /// Two-sided exact p-value.
    public let pValue: Double
    /// Current rate ÷ previous rate; nil when the previous count is 0.
    public let rateRatio: Double?
    public let exposureRatio: Double
    public let confidence: Double
    public let verdict: Verdict

    /// `exposureRatio`: the current period's length ÷ the previous one's (1 for 12 months against 12).
    public init(current: Int, previous: Int, exposureRatio: Double = 1, confidence: Double = 0.95) throws {
        guard current >= 0, previous >= 0 else { throw MeasureError("counts must be zero or more (got \(current), \(previous))") }
        guard exposureRatio > 0, exposureRatio.isFinite else { throw MeasureError("exposure ratio must be positive") }
        guard confidence > 0, confidence < 1 else { throw MeasureError("confidence must lie between 0 and 1") }
        self.current = current
        self.previous = previous
        self.confidence = confidence
        let n = current + previous
        let p0 = exposureRatio / (1 + exposureRatio)
        pValue = n == 0 ? 1 : Self.binomialTwoSided(k: current, n: n, p: p0)
        rateRatio = previous == 0 ? nil : Double(current) / Double(previous) / exposureRatio
        self.exposureRatio = exposureRatio
        let alpha = 1 - confidence
        verdict = n == 0 || pValue >= alpha ? .noSignificantChange
            : Double(current) > Double(n) * p0 ? .significantIncrease : .significantDecrease
    }

    /// Confidence interval of the rate ratio (upper is +∞ when the previous count is 0): the Clopper–Pearson limits
    /// of p mapped by RR = p / (1 − p) / exposure ratio. Computed on demand (a few hundred beta evaluations).
    public var interval: (lower: Double, upper: Double) {
        let alpha = 1 - confidence
        let pLow = current == 0 ? 0 : SpecialFunctions.betaQuantile(alpha / 2, a: Double(current), b: Double(previous + 1))
        let pHigh = previous == 0 ? 1 : SpecialFunctions.betaQuantile(1 - alpha / 2, a: Double(current + 1), b: Double(previous))
        return (pLow / (1 - pLow) / exposureRatio, pHigh >= 1 ? .infinity : pHigh / (1 - pHigh) / exposureRatio)
    }

    /// scipy's two-sided binomial test: P(X ≤ k) plus the upper tail of outcomes whose probability does not exceed
    /// P(X = k) (relative tolerance 1e-7), or the mirror image when k lies above the mean.
    static func binomialTwoSided(k: Int, n: Int, p: Double) -> Double {
        let d = logPMF(k, n, p)
        let mean = Double(n) * p
        let rerr = log1p(1e-7)
        if Double(k) == mean { return 1 }
        if Double(k) < mean {
            // Smallest y ≥ ⌈mean⌉ whose probability is at most P(k): the pmf falls from the mode, so bisect.
            var lo = Int(mean.rounded(.up)), hi = n
            if logPMF(hi, n, p) > d + rerr { return min(1, cdf(k, n, p)) }
            while lo < hi {
                let mid = (lo + hi) / 2
                if logPMF(mid, n, p) <= d + rerr { hi = mid } else { lo = mid + 1 }
            }
            return min(1, cdf(k, n, p) + sf(lo - 1, n, p))
        }
        var lo = 0, hi = Int(mean.rounded(.down))
        if logPMF(lo, n, p) > d + rerr { return min(1, sf(k - 1, n, p)) }
        // Largest y ≤ ⌊mean⌋ whose probability is at most P(k).
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if logPMF(mid, n, p) <= d + rerr { lo = mid } else { hi = mid - 1 }
        }
        return min(1, cdf(lo, n, p) + sf(k - 1, n, p))
    }

    static func logPMF(_ k: Int, _ n: Int, _ p: Double) -> Double {
        let (kk, nn) = (Double(k), Double(n))
        let choose: Double = lgamma(nn + 1) - lgamma(kk + 1) - lgamma(nn - kk + 1)
        return choose + (k == 0 ? 0 : kk * log(p)) + (k == n ? 0 : (nn - kk) * log1p(-p))
    }

    /// P(X ≤ k) = I₁₋ₚ(n − k, k + 1).
    static func cdf(_ k: Int, _ n: Int, _ p: Double) -> Double {
        if k < 0 { return 0 }
        if k >= n { return 1 }
        return SpecialFunctions.regularisedBeta(x: 1 - p, a: Double(n - k), b: Double(k + 1))
    }

    /// P(X > k) = Iₚ(k + 1, n − k).
    static func sf(_ k: Int, _ n: Int, _ p: Double) -> Double {
        if k < 0 { return 1 }
        if k >= n { return 0 }
        return SpecialFunctions.regularisedBeta(x: p, a: Double(k + 1), b: Double(n - k))
    }
}

extension SpecialFunctions {
    /// Regularised incomplete beta Iₓ(a, b): the continued fraction (modified Lentz) on whichever side of the
    /// mean converges fast, with Iₓ(a, b) = 1 − I₁₋ₓ(b, a) for the other.
    static func regularisedBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront: Double = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x > (a + 1) / (a + b + 2) { return 1 - regularisedBeta(x: 1 - x, a: b, b: a) }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1..<100_000 {
            let mm = Double(m)
            var num = mm * (b - mm) * x / ((a + 2 * mm - 1) * (a + 2 * mm))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            num = -(a + mm) * (a + b + mm) * x / ((a + 2 * mm) * (a + 2 * mm + 1))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(logFront) * h / a
    }

    /// The x with Iₓ(a, b) = p, by bisection (monotone, 0 < x < 1) to full precision.
    static func betaQuantile(_ p: Double, a: Double, b: Double) -> Double {
        var lo = 0.0, hi = 1.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if regularisedBeta(x: mid, a: a, b: b) < p { lo = mid } else { hi = mid }
            if hi - lo <= 2 * Double.ulpOfOne * max(hi, 1e-300) { break }
        }
        return 0.5 * (lo + hi)
    }
}
