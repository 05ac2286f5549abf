import CGEOS

/// A prepared geometry (`GEOSPrepare_r`): indexed for repeated predicates against one fixed geometry.
/// Keeps the source geometry alive, as GEOS requires. Same threading rule as its context.
public final class PreparedGeometry {
    public let geometry: Geometry
    public let bounds: Bounds
    let pointer: OpaquePointer

    public init(_ geometry: Geometry) throws {
        guard let prepared = GEOSPrepare_r(geometry.context.handle, geometry.pointer) else {
            throw geometry.context.failure("GEOSPrepare_r")
        }
        self.geometry = geometry
        pointer = prepared
        bounds = try geometry.bounds()
    }

    deinit { GEOSPreparedGeom_destroy_r(geometry.context.handle, pointer) }

    public func contains(_ other: Geometry) throws -> Bool {
        try predicate("GEOSPreparedContains_r", other, GEOSPreparedContains_r)
    }

    public func containsProperly(_ other: Geometry) throws -> Bool {
        try predicate("GEOSPreparedContainsProperly_r", other, GEOSPreparedContainsProperly_r)
    }

    public func intersects(_ other: Geometry) throws -> Bool {
        try predicate("GEOSPreparedIntersects_r", other, GEOSPreparedIntersects_r)
    }

    public func covers(_ other: Geometry) throws -> Bool {
        try predicate("GEOSPreparedCovers_r", other, GEOSPreparedCovers_r)
    }

    /// Whether the point (x, y) lies in the interior (`contains`) or anywhere in the closure (`covers`).
    /// Points outside the bounds are rejected without GEOS; GEOS 3.11 has no XY predicate, so the rest build a
    /// transient point.
    public func containsPoint(x: Double, y: Double, includingBoundary: Bool = false) throws -> Bool {
        guard bounds.contains(x: x, y: y) else { return false }
        let point = try Geometry(pointX: x, y: y, context: geometry.context)
        return includingBoundary ? try covers(point) : try contains(point)
    }

    func predicate(_ operation: String, _ other: Geometry,
                   _ body: (GEOSContextHandle_t?, OpaquePointer?, OpaquePointer?) -> CChar) throws -> Bool {
        precondition(other.context === geometry.context, "geometries from different GEOS contexts")
        return try geometry.context.predicate(operation, body(geometry.context.handle, pointer, other.pointer))
    }
}

@available(*, unavailable, message: "A prepared geometry belongs to its context's thread")
extension PreparedGeometry: Sendable {}
