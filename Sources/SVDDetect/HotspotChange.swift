/// How a cell's hot-spot status moved between an earlier and a later period.
public enum HotspotTrend: UInt8, Sendable, CaseIterable {
    /// Not a hot spot in either period (cold spots are not tracked here).
    case none = 0
    /// Hot now, not before.
    case new
    /// Hot in both at the same confidence.
    case persistent
    /// Hot in both, at a higher confidence now.
    case intensifying
    /// Hot in both, at a lower confidence now.
    case diminishing
    /// Hot before, not now.
    case former

    public var label: String {
        switch self {
        case .none: return "No hot spot"
        case .new: return "New"
        case .persistent: return "Persistent"
        case .intensifying: return "Intensifying"
        case .diminishing: return "Diminishing"
        case .former: return "Former"
        }
    }
}

/// Two-period hot-spot change, in the spirit of sfhotspot's `hotspot_classify` and ArcGIS emerging hot
/// spots but with exactly two periods. A cell is hot when its Gi* class is a hot spot at ≥ 90 % (after FDR
/// correction if the results used it); confidence levels 90/95/99 % are compared between periods.
/// Both results must be on the same grid so that a cell means the same ground in both.
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
        case (0, _): return .new
        case (_, 0): return .former
        default: return now > before ? .intensifying : now < before ? .diminishing : .persistent
        }
    }
}
