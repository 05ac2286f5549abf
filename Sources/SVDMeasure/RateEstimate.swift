/// Why a measure could not be computed, in words an analyst can act on.
public struct MeasureError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How the confidence limits of a count were obtained. PHE's indicator methods (Fingertips, and the
/// PHEindicatormethods `phe_rate`) use exact Poisson limits below 10 events and Byar's approximation
/// from 10 upwards; we follow them so our intervals match the published public-health ones.
public enum ConfidenceMethod: String, Sendable, Equatable {
    case exactPoisson
    case byar

    /// Counts at or above this use Byar's method.
    public static let byarMinimumCount = 10

    public static func forCount(_ count: Int) -> ConfidenceMethod {
        count < byarMinimumCount ? .exactPoisson : .byar
    }
}

/// Confidence limits on a Poisson count (events, not yet divided by a population).
public struct PoissonLimits: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let method: ConfidenceMethod

    /// - exact (O < 10): lower = χ²⁻¹(α/2; 2O)/2 (0 when O = 0), upper = χ²⁻¹(1 − α/2; 2O + 2)/2,
    ///   i.e. Gamma(O, 1) and Gamma(O + 1, 1) quantiles.
    /// - Byar (O ≥ 10): lower = O(1 − 1/(9O) − z/(3√O))³, upper = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³,
    ///   z = Φ⁻¹(1 − α/2).
    public init(count: Int, confidence: Double = 0.95) throws {
        guard count >= 0 else { throw MeasureError("count must not be negative (got \(count))") }
        guard confidence > 0, confidence < 1 else {
            throw MeasureError("confidence must lie strictly between 0 and 1 (got \(confidence))")
        }
        method = ConfidenceMethod.forCount(count)
        if confidence == 0.95 {
            // The common case, from limits worked out once (the exact inversion costs microseconds).
            (lower, upper) = method == .exactPoisson ? Self.exact95[count] : Self.byar(count: count, z: Self.z95)
        } else {
            (lower, upper) = method == .exactPoisson
                ? Self.exact(count: count, confidence: confidence)
                : Self.byar(count: count, z: SpecialFunctions.normalQuantile(1 - (1 - confidence) / 2))
        }
    }

    private static let z95 = SpecialFunctions.normalQuantile(1 - 0.05 / 2)
    private static let exact95 = (0..<ConfidenceMethod.byarMinimumCount).map { exact(count: $0, confidence: 0.95) }

    private static func exact(count: Int, confidence: Double) -> (Double, Double) {
        let alpha = 1 - confidence
        let o = Double(count)
        let lower = count == 0 ? 0 : SpecialFunctions.gammaQuantile(shape: o, probability: alpha / 2)
        return (lower, SpecialFunctions.gammaQuantile(shape: o + 1, probability: 1 - alpha / 2))
    }

    private static func byar(count: Int, z: Double) -> (Double, Double) {
        let o = Double(count)
        let l = 1 - 1 / (9 * o) - z / (3 * o.squareRoot())
        let u = 1 - 1 / (9 * (o + 1)) + z / (3 * (o + 1).squareRoot())
        // Byar's lower limit would only turn negative for tiny counts at extreme confidence; clamp at 0.
        return (l > 0 ? o * l * l * l : 0, (o + 1) * u * u * u)
    }
}

/// A crude rate with its confidence interval, e.g. incidents per 1,000 residents.
public struct RateEstimate: Sendable, Equatable {
    public let count: Int
    public let population: Double
    /// Rate is per this many people (1,000 for "per 1,000").
    public let multiplier: Double
    public let confidence: Double
    public let rate: Double
    public let lower: Double
    public let upper: Double
    public let method: ConfidenceMethod

    public init(count: Int, population: Double, multiplier: Double, confidence: Double = 0.95) throws {
        guard population > 0, population.isFinite else {
            throw MeasureError("population must be a positive finite number (got \(population))")
        }
        guard multiplier > 0, multiplier.isFinite else {
            throw MeasureError("multiplier must be a positive finite number (got \(multiplier))")
        }
        let limits = try PoissonLimits(count: count, confidence: confidence)
        let scale = multiplier / population
        self.count = count
        self.population = population
        self.multiplier = multiplier
        self.confidence = confidence
        rate = Double(count) * scale
        lower = limits.lower * scale
        upper = limits.upper * scale
        method = limits.method
    }

    public static func perThousand(count: Int, population: Double, confidence: Double = 0.95) throws -> RateEstimate {
        try RateEstimate(count: count, population: population, multiplier: 1000, confidence: confidence)
    }

    /// Compares this rate with the whole area's rate, PHE "compared with benchmark" style.
    public func compared(toBenchmarkRate benchmark: Double) -> Comparison {
        Comparison(lower: lower, upper: upper, benchmark: benchmark)
    }
}

/// Significance against a benchmark (the area as a whole): the district differs only when its whole
/// confidence interval lies on one side of the benchmark value, as Fingertips' benchmark colouring does.
public enum Comparison: String, Sendable, Equatable, CaseIterable {
    case higher
    case similar
    case lower

    /// `lower`/`upper` are the district's confidence limits; `benchmark` the area value on the same scale.
    public init(lower: Double, upper: Double, benchmark: Double) {
        if lower > benchmark {
            self = .higher
        } else if upper < benchmark {
            self = .lower
        } else {
            self = .similar
        }
    }

    /// "Higher", "Similar", "Lower" — table cell text.
    public var label: String {
        switch self {
        case .higher: "Higher"
        case .similar: "Similar"
        case .lower: "Lower"
        }
    }

    /// "significantly higher than Kent & Medway", "similar to Kent & Medway", …
    public func phrase(benchmarkName: String) -> String {
        switch self {
        case .higher: "significantly higher than \(benchmarkName)"
        case .similar: "similar to \(benchmarkName)"
        case .lower: "significantly lower than \(benchmarkName)"
        }
    }
}
