#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few distribution functions the measures need, written out so the exact Poisson limits do not
/// depend on an approximation such as Wilson–Hilferty (off by up to a few per cent for counts below 10).
enum SpecialFunctions {
    /// Standard normal lower-tail probability Φ(z), through erfc so the far tails keep their relative accuracy.
    static func normalCDF(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// Φ⁻¹(p) for 0 < p < 1: Abramowitz & Stegun 26.2.23 as a start (|error| < 4.5e-4), then Halley steps on
    /// Φ(z) − p, which converge cubically to full double precision.
    static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "normalQuantile needs 0 < p < 1")
        let tail = min(p, 1 - p)
        let t = (-2 * log(tail)).squareRoot()
        let numerator = 2.515517 + t * (0.802853 + t * 0.010328)
        let denominator = 1 + t * (1.432788 + t * (0.189269 + t * 0.001308))
        var z = t - numerator / denominator
        if p < 0.5 { z = -z }
        for _ in 0..<6 {
            let e = normalCDF(z) - p
            let density = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            guard density > 0 else { break }
            let u = e / density
            let step = u / (1 + 0.5 * z * u)
            z -= step
            if abs(step) <= 1e-16 * max(1, abs(z)) { break }
        }
        return z
    }

    /// Regularised incomplete gamma functions (P, Q) = (γ(a,x)/Γ(a), Γ(a,x)/Γ(a)), each computed directly
    /// on its own side of x = a + 1 so neither suffers cancellation: the power series for P below, the
    /// continued fraction for Q (modified Lentz) above.
    static func regularisedGamma(a: Double, x: Double) -> (p: Double, q: Double) {
        if x <= 0 { return (0, 1) }
        let logGammaA: Double = lgamma(a)
        let logPrefactor = a * log(x) - x - logGammaA
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = 1.0
            while n < 10_000 {
                term *= x / (a + n)
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
                n += 1
            }
            let p = min(1, sum * exp(logPrefactor))
            return (p, 1 - p)
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 10_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-17 { break }
            i += 1
        }
        let q = min(1, exp(logPrefactor) * h)
        return (1 - q, q)
    }

    /// The x with P(a, x) = p: the quantile of a Gamma(shape a, scale 1) distribution, so the chi-square
    /// quantile with ν degrees of freedom is 2 · gammaQuantile(ν/2, p).
    /// Newton's method on whichever tail is smaller (so 0.975 is solved as Q = 0.025 without cancellation),
    /// kept inside a bisection bracket so a wild step can never escape.
    static func gammaQuantile(shape a: Double, probability p: Double) -> Double {
        precondition(a > 0 && p > 0 && p < 1, "gammaQuantile needs a > 0 and 0 < p < 1")
        let upperTail = p > 0.5
        let target = upperTail ? 1 - p : p
        // Signed residual, increasing in x: P − p on the lower tail, q − Q on the upper.
        func residual(_ x: Double) -> Double {
            let (lower, upper) = regularisedGamma(a: a, x: x)
            return upperTail ? target - upper : lower - target
        }
        var lo = 0.0
        var hi = max(1.0, a)
        while residual(hi) < 0 { lo = hi; hi *= 2 }
        // Wilson–Hilferty only as the starting point.
        let z = normalQuantile(p)
        let wh = a * pow(1 - 1 / (9 * a) + z / (3 * a.squareRoot()), 3)
        var x = (wh > lo && wh < hi) ? wh : 0.5 * (lo + hi)
        let logGammaA: Double = lgamma(a)
        for _ in 0..<200 {
            let r = residual(x)
            if r == 0 { return x }
            if r < 0 { lo = x } else { hi = x }
            let density = exp((a - 1) * log(x) - x - logGammaA)
            var next = density > 0 ? x - r / density : .nan
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - x) <= 4 * Double.ulpOfOne * x || hi - lo <= 4 * Double.ulpOfOne * hi { return next }
            x = next
        }
        return x
    }
}
