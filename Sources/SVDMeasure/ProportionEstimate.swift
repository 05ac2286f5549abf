/// A proportion with its Wilson score interval, e.g. the share of suspects aged 10–25 among suspects of known age.
///
/// Wilson (1927): with p̂ = x/n and z = Φ⁻¹(1 − α/2),
///   centre = (p̂ + z²/(2n)) / (1 + z²/n),  half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²)).
/// It stays inside [0, 1] and behaves well for small n and for p̂ near 0 or 1, unlike the Wald interval
/// (the method PHE's indicator methods use for proportions, `phe_proportion`).
public struct ProportionEstimate: Sendable, Equatable {
    public let successes: Int
    public let trials: Int
    public let confidence: Double
    /// x / n.
    public let proportion: Double
    public let lower: Double
    public let upper: Double

    public init(successes: Int, trials: Int, confidence: Double = 0.95) throws {
        guard trials > 0 else { throw MeasureError("a proportion needs at least one trial (got \(trials))") }
        guard successes >= 0, successes <= trials else {
            throw MeasureError("successes must lie in 0…\(trials) (got \(successes))")
        }
        guard confidence > 0, confidence < 1 else {
            throw MeasureError("confidence must lie strictly between 0 and 1 (got \(confidence))")
        }
        let n = Double(trials), p = Double(successes) / n
        let z = SpecialFunctions.normalQuantile(1 - (1 - confidence) / 2)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        self.successes = successes
        self.trials = trials
        self.confidence = confidence
        proportion = p
        // At p̂ = 0 or 1 the limit is exactly 0 or 1; elsewhere clamp rounding.
        lower = successes == 0 ? 0 : max(0, centre - half)
        upper = successes == trials ? 1 : min(1, centre + half)
    }

    /// Where a reference share (e.g. the population's) lies against the interval.
    public func compared(toReference reference: Double) -> Representation {
        Representation(lower: lower, upper: upper, reference: reference)
    }
}

/// Whether a group is over- or under-represented against a reference share: only when the whole confidence
/// interval of its share lies above (over) or below (under) the reference; else similar.
public enum Representation: String, Sendable, Equatable, CaseIterable {
    case over
    case similar
    case under

    public init(lower: Double, upper: Double, reference: Double) {
        if lower > reference {
            self = .over
        } else if upper < reference {
            self = .under
        } else {
            self = .similar
        }
    }
}
