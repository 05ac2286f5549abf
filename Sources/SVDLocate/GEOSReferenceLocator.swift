import GEOS
import SVDCore

/// The reference point-in-district implementation: each district as a GEOS prepared geometry behind an STRtree.
/// Slow compared with `DistrictLocator`; for checking it and for one-off queries. Holds GEOS handles, so use one
/// instance per thread.
public final class GEOSReferenceLocator {
    public let context: GEOSContext
    let prepared: [PreparedGeometry]
    let tree: STRtree

    public init(area: Area, context: GEOSContext = GEOSContext()) throws {
        self.context = context
        prepared = try area.districts.map { try PreparedGeometry($0.geometry(in: context)) }
        tree = try STRtree(context: context)
        for (i, p) in prepared.enumerated() { try tree.insert(p.geometry, item: i) }
    }

    /// The first district (in area order) whose interior contains the point, or `DistrictLocator.outside`.
    /// Points exactly on a border are in no interior, so they come back outside here.
    public func district(at point: BNGPoint) throws -> Int32 {
        let probe = try Geometry(pointX: point.easting, y: point.northing, context: context)
        for d in tree.query(probe) where try prepared[d].contains(probe) { return Int32(d) }
        return DistrictLocator.outside
    }

    /// Every district whose closed boundary covers the point (more than one on a shared border).
    public func districts(covering point: BNGPoint) throws -> [Int] {
        let probe = try Geometry(pointX: point.easting, y: point.northing, context: context)
        return try tree.query(probe).filter { try prepared[$0].covers(probe) }
    }
}

@available(*, unavailable, message: "Holds GEOS handles: one per thread")
extension GEOSReferenceLocator: Sendable {}
