import Foundation
import SVDCore

/// Who may receive an output, and so how it is protected.
public enum DisclosureTier: String, Sendable, CaseIterable {
    /// Anyone: perturbed counts, the small-count rule, minimum bases, generalised places. Marked OFFICIAL.
    case `public`
    /// Partners under the Information Sharing Agreement: true counts, small ones included, finer places;
    /// never incident ids or exact points. Marked OFFICIAL-SENSITIVE.
    case partner

    /// The government security classification every file of the tier carries.
    public var marking: String { self == .public ? "OFFICIAL" : "OFFICIAL-SENSITIVE" }
}

/// The run's disclosure settings. The default is the public tier, safe for monthly publication of
/// overlapping periods and for district packs beside the full report (README, "Disclosure control").
public struct DisclosurePolicy: Sendable, Equatable {
    public var tier: DisclosureTier
    /// Small-count rule: published values 1…threshold−1 read "<threshold". Public tier: at least 3.
    public var threshold: Int
    /// Cell-key perturbation of every count. Off only in tests' positive controls (`--no-perturb`).
    public var perturb: Bool
    /// Ratio α of the two-sided geometric noise: P(noise = z) ∝ α^|z|.
    public var noiseRatio: Double
    /// A breakdown (age × sex, hour × weekday, months, places, strands) of a district or area is published
    /// only when that scope's published total reaches this.
    public var minimumBase: Int

    public static let minimumPublicThreshold = 3

    public init(tier: DisclosureTier = .public, threshold: Int = 5, perturb: Bool = true,
                noiseRatio: Double = 0.25, minimumBase: Int = 50) {
        self.tier = tier
        self.threshold = threshold
        self.perturb = perturb
        self.noiseRatio = noiseRatio
        self.minimumBase = minimumBase
    }

    public static let partner = DisclosurePolicy(tier: .partner)

    /// True in the public tier: counts are protected before they are written.
    public var protects: Bool { tier == .public }

    /// The largest change perturbation can make to a count (published in every manifest).
    public var maxAbsNoise: Int { protects && perturb ? CellKeyNoise.maxMagnitude(ratio: noiseRatio) : 0 }

    /// Lines every published file starts with: protective marking, tier, and what was done.
    public var headerLines: [String] {
        switch tier {
        case .partner:
            return ["\(tier.marking) — partner tier: true counts including small ones. Share only with partners under the Information Sharing Agreement; do not publish."]
        case .public where !perturb:
            return ["NOT SAFE TO PUBLISH — perturbation switched off (test use only): small counts can be recovered from linked tables."]
        case .public:
            return ["\(tier.marking) — public tier: counts perturbed by the cell key method (at most ±\(maxAbsNoise)), values below \(threshold) shown as <\(threshold), breakdowns of fewer than \(minimumBase) incidents withheld [c]."]
        }
    }

    /// The policy as the run manifest records it.
    public var manifest: [String: Any] {
        var d: [String: Any] = ["tier": tier.rawValue, "marking": tier.marking]
        if protects {
            d["threshold"] = threshold
            d["min_base"] = minimumBase
            d["perturbation"] = perturb ? ["method": "cell-key", "noise": "two-sided geometric", "ratio": noiseRatio,
                                           "max_abs_noise": maxAbsNoise, "zeros": "never perturbed"] as [String: Any] : NSNull()
        } else {
            d["perturbation"] = NSNull()
        }
        return d
    }
}

/// The noise the cell key method adds: a two-sided geometric variate chosen by the cell key, so the same
/// records always get the same noise, in every table, pack and run.
public enum CellKeyNoise {
    /// The noise for a cell key: its uniform quantile under P(z) = (1−α)/(1+α)·α^|z|.
    public static func noise(key: UInt32, ratio alpha: Double) -> Int {
        let u = (Double(key) + 0.5) / 4_294_967_296.0
        let p0 = (1 - alpha) / (1 + alpha)
        if u < p0 { return 0 }
        let v = (u - p0) / (1 - p0)
        let negative = v < 0.5
        let w = negative ? v * 2 : (v - 0.5) * 2
        let magnitude = 1 + Int((log1p(-w) / log(alpha)).rounded(.down))
        return negative ? -magnitude : magnitude
    }

    /// The largest |noise| any 32-bit key gives (the key grid bounds the tail).
    public static func maxMagnitude(ratio alpha: Double) -> Int {
        let p0 = (1 - alpha) / (1 + alpha)
        // The keys nearest the top of each half give the largest magnitude.
        let top = UInt32.max
        let half = UInt32((p0 + (1 - p0) / 2) * 4_294_967_296.0 - 0.5)
        return [top, half, half &- 1, half &+ 1].map { abs(noise(key: $0, ratio: alpha)) }.max()!
    }
}

/// A count as published, with the number that derived figures (rates, changes, shares, ranks) must use:
/// they are computed from what is shown, never from the true count, or they would give it back.
public struct Released: Sendable, Equatable {
    public let cell: PublishedTable.Value
    /// The published count, or nil when it is hidden (small) or withheld.
    public let value: Int?

    public var isHidden: Bool { value == nil }
    public static let withheld = Released(cell: .withheld, value: nil)
}

/// The one disclosure engine: every count on its way to any output (tables, report, packs, maps) passes
/// through `release`. It knows nothing of table layouts, so no output can take a different path.
public struct Disclosure: Sendable {
    public let policy: DisclosurePolicy

    public init(policy: DisclosurePolicy) { self.policy = policy }

    public func release(_ c: KeyedCount) -> Released {
        let n = c.count
        guard policy.protects, n > 0 else { return Released(cell: .count(n), value: n) }
        let shown = policy.perturb ? max(0, n + CellKeyNoise.noise(key: c.key, ratio: policy.noiseRatio)) : n
        if shown > 0 && shown < policy.threshold { return Released(cell: .suppressed(threshold: policy.threshold), value: nil) }
        return Released(cell: .count(shown), value: shown)
    }

    /// Whether a scope (a district, the area, a hotspot) with this total may be broken down further.
    public func allowsBreakdown(of total: KeyedCount) -> Bool {
        guard policy.protects else { return true }
        return (release(total).value ?? 0) >= policy.minimumBase
    }

    /// Releases each count, or withholds them all when the scope's total is below the minimum base.
    public func breakdown(_ counts: [KeyedCount], base: KeyedCount) -> [Released] {
        allowsBreakdown(of: base) ? counts.map(release) : counts.map { _ in .withheld }
    }

    /// A share of a published whole, from published values only.
    public func share(_ part: Released, of whole: Released, decimals: Int = 1) -> PublishedTable.Value {
        guard let p = part.value, let w = whole.value, w > 0 else { return .empty }
        return .percent(Double(p) / Double(w) * 100, decimals: decimals)
    }
}
