import Foundation
import SVDCore

/// Spatial disclosure control: how places are generalised before anything place-based (hotspot outlines, Gi* and
/// density cells, their maps and tables, the report's hotspot map) is published. The public tier's defaults are
/// fixed so that no published vertex, centroid or cell centre is an incident's position and no published place
/// rests on fewer than a handful of separate locations; see the README, "Disclosure control", Places.
public struct SpatialRules: Sendable, Equatable {
    /// Side in metres of the BNG-aligned grid members are snapped to: outlines are built from its squares only.
    public var generalisation: Double
    /// A hotspot, Gi* cell or density cell is published only if it rests on at least this many distinct
    /// generalisation squares (for cells: squares holding an incident within the cell's neighbourhood).
    public var minPlaces: Int
    /// Smallest published outline, in square metres.
    public var minFootprint: Double
    /// Leave domestic abuse, sexual offences (the definitions' sexual violence & domestic abuse strand) and
    /// incidents at dwellings out of place-based outputs.
    public var excludeSensitivePlaces: Bool
    /// Smallest Gi*/density grid cell and kernel radius, in metres.
    public var minCellSize: Double
    public var minBandwidth: Double
    /// Publish Gi* z, p and q and raw densities (partner tier); the public tier gives classes and bands only.
    public var publishStatistics: Bool

    // Public tier defaults (and floors, except where noted).
    public static let publicGeneralisation = 50.0
    public static let publicMinPlaces = 5
    /// The lowest --min-places the public tier accepts.
    public static let publicMinPlacesFloor = 3
    public static let publicMinCellSize = 100.0
    public static let publicMinBandwidth = 200.0
    // Partner tier: finer, never exact points.
    public static let partnerGeneralisation = 10.0
    public static let partnerMinCellSize = 10.0
    public static let partnerMinBandwidth = 50.0

    public init(policy: DisclosurePolicy) {
        if policy.protects {
            generalisation = Self.publicGeneralisation
            minPlaces = Self.publicMinPlaces
            excludeSensitivePlaces = true
            minCellSize = Self.publicMinCellSize
            minBandwidth = Self.publicMinBandwidth
            publishStatistics = false
        } else {
            generalisation = Self.partnerGeneralisation
            minPlaces = 1
            excludeSensitivePlaces = false
            minCellSize = Self.partnerMinCellSize
            minBandwidth = Self.partnerMinBandwidth
            publishStatistics = true
        }
        minFootprint = Double(minPlaces) * generalisation * generalisation
    }

    /// The rules with the options a run may change; refuses values below the tier's floors (a `ParameterError`).
    public func with(generalisation g: Double?, minPlaces k: Int?, includeSensitivePlaces: Bool?, tier: DisclosureTier) throws -> SpatialRules {
        var r = self
        if let g {
            guard g.isFinite, g > 0 else { throw ParameterError("generalise", "must be a positive number of metres (got \(g))") }
            let floor = tier == .public ? Self.publicGeneralisation : Self.partnerGeneralisation
            guard g >= floor else {
                throw ParameterError("generalise", "\(Self.metres(g)) is refused in the \(tier.rawValue) tier: below \(Self.metres(floor)) m a generalisation square can point at an address")
            }
            r.generalisation = g
        }
        if let k {
            let floor = tier == .public ? Self.publicMinPlacesFloor : 1
            guard k >= floor else {
                throw ParameterError("min-places", "\(k) is refused in the \(tier.rawValue) tier: a published place must rest on at least \(floor) distinct \(Self.metres(r.generalisation)) m squares")
            }
            r.minPlaces = k
        }
        if let includeSensitivePlaces { r.excludeSensitivePlaces = !includeSensitivePlaces }
        r.minFootprint = Double(r.minPlaces) * r.generalisation * r.generalisation
        return r
    }

    /// Refuses a grid cell or kernel radius finer than the tier allows.
    public func check(cellSize: Double?, bandwidth: Double?, tier: DisclosureTier) throws {
        if let cellSize, cellSize < minCellSize {
            throw ParameterError("cell", "\(Self.metres(cellSize)) is refused in the \(tier.rawValue) tier: cells under \(Self.metres(minCellSize)) m can locate single incidents"
                                    + (tier == .public ? " (finer cells are for the partner tier)" : ""))
        }
        if let bandwidth, bandwidth < minBandwidth {
            throw ParameterError("bandwidth", "\(Self.metres(bandwidth)) is refused in the \(tier.rawValue) tier: a kernel under \(Self.metres(minBandwidth)) m draws single incidents"
                                    + (tier == .public ? " (finer kernels are for the partner tier)" : ""))
        }
    }

    /// True when `places` distinct squares and an outline of `area` square metres may be published.
    public func allows(places: Int, area: Double? = nil) -> Bool {
        places >= minPlaces && (area.map { $0 >= minFootprint } ?? true)
    }

    /// The rules as a map or manifest declares them (BNG metres).
    public var manifest: [String: Any] {
        ["grid_m": generalisation, "offset_m": GeneralisationOffset.metres, "crs": "EPSG:27700", "min_places": minPlaces,
         "min_footprint_m2": minFootprint, "sensitive_places": excludeSensitivePlaces ? "left out" : "included",
         "min_cell_m": minCellSize, "min_bandwidth_m": minBandwidth, "statistics": publishStatistics ? "published" : "classes and bands only"]
    }

    /// The method note for outlines.
    public var outlineNote: String {
        "Outlines are generalised: incidents are snapped to a \(Self.metres(generalisation)) m British National Grid square grid and the outline is the concave hull (GEOS, ratio 0.3) of the occupied squares' corners, so every vertex lies on the grid; areas and centroids are the outline's, never an incident's position."
    }

    public func placesNote(withheld: Int, what: String) -> String? {
        guard minPlaces > 1 else { return nil }
        return "Places: a \(what) is published only if it rests on at least \(minPlaces) distinct \(Self.metres(generalisation)) m squares"
            + (minFootprint > 0 ? " and covers at least \(Self.hectares(minFootprint)) ha" : "")
            + "; \(withheld == 0 ? "none" : groupedThousands(withheld)) withheld."
    }

    public static func metres(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(format: "%.1f", v)
    }

    static func hectares(_ m2: Double) -> String {
        let ha = m2 / 10_000
        return ha == ha.rounded() ? String(Int(ha)) : String(format: "%.2f", ha)
    }
}

/// What a place-based output may not show, and why: the incidents the public tier leaves out of maps.
public enum SensitivePlaces {
    /// Strands whose incidents are left out: sexual violence and domestic abuse (matched on the strand's id or label).
    public static func strandMask(_ strands: [(id: String, label: String)]) -> UInt8 {
        var mask: UInt8 = 0
        for (i, s) in strands.enumerated() where i < 8 {
            let text = (s.id + " " + s.label).lowercased()
            if text.contains("sexual") || text.contains("domestic") { mask |= UInt8(1) << UInt8(i) }
        }
        return mask
    }

    /// Domestic abuse, an incident in a sensitive strand, or one at a dwelling (by place type, or a private place when the type is unknown).
    @inlinable public static func isSensitive(domestic: Flag, locationType: LocationType, publicPlace: Flag, strandMask: UInt8,
                                              sensitiveStrands: UInt8) -> Bool {
        domestic == .yes || strandMask & sensitiveStrands != 0 || locationType == .dwelling
            || (locationType == .unknown && publicPlace == .no)
    }

    public static let note = "domestic abuse, sexual offences and incidents at dwellings"
}

/// The generalisation grid's offset from the National Grid's round lines (as SVDDetect's `GeneralisationGrid` uses).
public enum GeneralisationOffset {
    public static let metres = 0.25
}
