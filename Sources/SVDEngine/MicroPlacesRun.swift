import Foundation
import SVDCore
import SVDDetect
import SVDPublish

/// The micro-place targeting list of one run (`svd hotspots --method cells`): fixed square cells over the land grid,
/// their keyed counts over the period and over its latest 12 months and the 12 before (for the back-test). Only
/// keyed counts are kept: everything published (ranks, shares, the curve, PAI) is computed from released counts.
public struct MicroPlacesRun: Sendable {
    /// Essex Police's Grip hotspots were 150 m cells.
    public static let defaultCellSize = 150.0
    /// Back-test sizes always reported (with --top).
    public static let backtestSizes = [10, 20, 50]
    /// Shares of places the concentration curve is read at, and shares of incidents the headline lines give.
    public static let placeShares = [0.01, 0.02, 0.05, 0.10, 0.25, 0.50]
    public static let incidentShares = [0.25, 0.50, 0.75]
    /// Length of the back-test's years.
    public static let yearMonths = 12

    public let spec: GridSpec
    /// Places: the land cells (those intersecting the area's districts, plus any holding an incident); every cell without a mask.
    public let landCells: Int
    /// Incidents per cell over the period.
    public let counts: [KeyedCount]
    /// The latest 12 months of the period and the 12 before (nil when the period is shorter than 24 months).
    public let latestYear: ClosedRange<MonthKey>?
    public let previousYear: ClosedRange<MonthKey>?
    public let latestCounts: [KeyedCount]?
    public let previousCounts: [KeyedCount]?
    /// With harm weights (partner tier): weighted sums per cell over the period, the latest and the previous year.
    public let harm: [Double]?
    public let latestHarm: [Double]?
    public let previousHarm: [Double]?
    /// Offences of the data without a weight (weight 1).
    public let unweighted: [String]

    init(analysis a: (bounds: (min: BNGPoint, max: BNGPoint), locations: [BNGPoint], incidents: [IncidentPoint], period: ClosedRange<MonthKey>, mask: LandMask?),
         parameters: HotspotParameters, offenceNames: [String] = [], spatial: SpatialRules, tier: DisclosureTier, adjustments: inout [String]) throws {
        var size = parameters.cellSize ?? Self.defaultCellSize
        if size < spatial.minCellSize {
            adjustments.append("The cell (\(HotspotAnalysis.metres(size)) m) is finer than the \(tier.rawValue) tier allows: \(HotspotAnalysis.metres(spatial.minCellSize)) m cells are used.")
            size = spatial.minCellSize
        }
        let spec = try HotspotAnalysis.grid(a.bounds, cellSize: size, points: a.locations)
        self.spec = spec
        var counts = [KeyedCount](repeating: .zero, count: spec.cellCount)
        var occupied = [Double](repeating: 0, count: spec.cellCount)
        let length = Int(a.period.upperBound.index - a.period.lowerBound.index) + 1
        let split = length >= 2 * Self.yearMonths
        let latestFirst = a.period.upperBound.adding(months: -(Self.yearMonths - 1))
        let previousFirst = a.period.upperBound.adding(months: -(2 * Self.yearMonths - 1))
        var latest = [KeyedCount](repeating: .zero, count: split ? spec.cellCount : 0)
        var previous = latest
        let lf = latestFirst.index, pf = previousFirst.index
        for p in a.incidents {
            guard let c = spec.cellIndex(of: p.location) else { continue }
            let one = KeyedCount.record(key: p.recordKey)
            counts[c] += one
            occupied[c] = 1
            if split {
                if p.month >= lf { latest[c] += one } else if p.month >= pf { previous[c] += one }
            }
        }
        self.counts = counts
        if let weights = parameters.weights {
            let w = offenceNames.map { weights[normaliseCategory($0)] ?? 1 }
            var used = [Bool](repeating: false, count: offenceNames.count)
            var whole = [Double](repeating: 0, count: spec.cellCount)
            var late = [Double](repeating: 0, count: split ? spec.cellCount : 0), early = late
            for p in a.incidents {
                guard let c = spec.cellIndex(of: p.location) else { continue }
                let o = Int(p.offence)
                let x = o < w.count ? w[o] : 1
                if o < used.count { used[o] = true }
                whole[c] += x
                if split { if p.month >= lf { late[c] += x } else if p.month >= pf { early[c] += x } }
            }
            harm = whole
            latestHarm = split ? late : nil
            previousHarm = split ? early : nil
            unweighted = offenceNames.indices.filter { used[$0] && weights[normaliseCategory(offenceNames[$0])] == nil }.map { offenceNames[$0] }
        } else {
            harm = nil; latestHarm = nil; previousHarm = nil; unweighted = []
        }
        let land = try HotspotAnalysis.landCells(a.mask, spec: spec, counts: [occupied])
        landCells = land.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? spec.cellCount
        latestYear = split ? latestFirst...a.period.upperBound : nil
        previousYear = split ? previousFirst...latestFirst.adding(months: -1) : nil
        latestCounts = split ? latest : nil
        previousCounts = split ? previous : nil
    }
}
