/// How a cell's hot-spot status moved between an earlier and a later period, in plain two-period words. (The names
/// of ArcGIS's emerging hot spot patterns — new, intensifying, diminishing… — need a series of steps and a trend
/// test; they belong to `EmergingHotspots`, not to a comparison of two periods, where a cell near the 90 % line
/// flips between "hot" and "not hot" by chance.)
public enum HotspotTrend: UInt8, Sendable, CaseIterable {
    /// Not a hot spot in either period (cold spots are not tracked here).
    case none = 0
    /// Hot in the later period, not in the earlier one.
    case hotNowOnly
    /// Hot in both at the same confidence.
    case hotInBoth
    /// Hot in both, at a higher confidence level now.
    case hotInBothHigherNow
    /// Hot in both, at a lower confidence level now.
    case hotInBothLowerNow
    /// Hot in the earlier period, not in the later one.
    case hotBeforeOnly

    public var label: String {
        switch self {
        case .none: return "Hot in neither period"
        case .hotNowOnly: return "Hot now only"
        case .hotInBoth: return "Hot in both periods"
        case .hotInBothHigherNow: return "Hot in both, higher confidence now"
        case .hotInBothLowerNow: return "Hot in both, lower confidence now"
        case .hotBeforeOnly: return "Hot before only"
        }
    }
}

/// Two-period hot-spot change: which period a cell was a hot spot in. A cell is hot when its Gi* class is a hot
/// spot at ≥ 90 % (after FDR correction if the results used it); confidence levels 90/95/99 % are compared between
/// periods. Both results must be on the same grid so that a cell means the same ground in both. Whether the cell's
/// count changed more than chance is a separate test (the published `change` column).
public enum HotspotChange {
    public static func classify(earlier: GiStarResult, later: GiStarResult) throws -> [HotspotTrend] {
        guard earlier.spec == later.spec else {
            throw DetectError.gridMismatch(reason: "the two periods must use the same grid (origin, cell size, columns, rows)")
        }
        return zip(earlier.classes, later.classes).map { trend(earlier: $0, later: $1) }
    }

    public static func trend(earlier: HotspotClass, later: HotspotClass) -> HotspotTrend {
        let before = earlier.isHot ? earlier.confidenceLevel : 0
        let now = later.isHot ? later.confidenceLevel : 0
        switch (before, now) {
        case (0, 0): return .none
        case (0, _): return .hotNowOnly
        case (_, 0): return .hotBeforeOnly
        default: return now > before ? .hotInBothHigherNow : now < before ? .hotInBothLowerNow : .hotInBoth
        }
    }
}
