import CGEOS

/// A planar coordinate (x = easting, y = northing when used with British National Grid).
public struct Coordinate: Hashable, Sendable {
    public var x: Double
    public var y: Double
    @inlinable public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// Axis-aligned bounds of a geometry.
public struct Bounds: Hashable, Sendable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }
    @inlinable public func contains(x: Double, y: Double) -> Bool {
        x >= minX && x <= maxX && y >= minY && y <= maxY
    }
}

public enum GeometryType: Int32, Sendable {
    case point = 0, lineString, linearRing, polygon, multiPoint, multiLineString, multiPolygon, geometryCollection
}

/// An owned `GEOSGeometry*`. Keeps its context alive; use it only on that context's thread.
public final class Geometry {
    public let context: GEOSContext
    public let pointer: OpaquePointer

    /// Takes ownership of `pointer`, or throws the context's pending error if it is nil.
    init(owning pointer: OpaquePointer?, in context: GEOSContext, operation: String) throws {
        guard let pointer else { throw context.failure(operation) }
        self.context = context
        self.pointer = pointer
    }

    deinit { GEOSGeom_destroy_r(context.handle, pointer) }

    // MARK: Construction

    public convenience init(wkt: String, context: GEOSContext) throws {
        let h = context.handle
        guard let reader = GEOSWKTReader_create_r(h) else { throw context.failure("GEOSWKTReader_create_r") }
        defer { GEOSWKTReader_destroy_r(h, reader) }
        try self.init(owning: GEOSWKTReader_read_r(h, reader, wkt), in: context, operation: "GEOSWKTReader_read_r")
    }

    public convenience init(pointX x: Double, y: Double, context: GEOSContext) throws {
        try self.init(owning: GEOSGeom_createPointFromXY_r(context.handle, x, y), in: context,
                      operation: "GEOSGeom_createPointFromXY_r")
    }

    /// A polygon from rings: the first is the shell, the rest holes. Each ring must be closed with ≥ 4 points;
    /// GEOS rejects anything else with a `GEOSError`.
    public convenience init(polygon rings: [[Coordinate]], context: GEOSContext) throws {
        try self.init(owning: Geometry.makePolygon(rings, context), in: context, operation: "GEOSGeom_createPolygon_r")
    }

    /// A multipolygon from polygons given as rings (shell first).
    public convenience init(multiPolygon polygons: [[[Coordinate]]], context: GEOSContext) throws {
        var parts: [OpaquePointer?] = []
        parts.reserveCapacity(polygons.count)
        do {
            for rings in polygons { parts.append(try Geometry.makePolygon(rings, context)) }
        } catch {
            for p in parts { GEOSGeom_destroy_r(context.handle, p) }
            throw error
        }
        let made = parts.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(context.handle, Int32(GEOS_MULTIPOLYGON.rawValue), $0.baseAddress, UInt32($0.count))
        }
        if made == nil { for p in parts { GEOSGeom_destroy_r(context.handle, p) } }
        try self.init(owning: made, in: context, operation: "GEOSGeom_createCollection_r")
    }

    /// The rectangle [minX, maxX] × [minY, maxY] as a polygon.
    public convenience init(rectangle b: Bounds, context: GEOSContext) throws {
        try self.init(polygon: [[Coordinate(x: b.minX, y: b.minY), Coordinate(x: b.maxX, y: b.minY),
                                 Coordinate(x: b.maxX, y: b.maxY), Coordinate(x: b.minX, y: b.maxY),
                                 Coordinate(x: b.minX, y: b.minY)]], context: context)
    }

    /// A collection (multi-geometry of `type`) holding clones of `geometries`.
    public static func collection(_ type: GeometryType, of geometries: [Geometry], context: GEOSContext) throws -> Geometry {
        let h = context.handle
        var parts: [OpaquePointer?] = []
        for g in geometries {
            precondition(g.context === context, "geometries from different GEOS contexts")
            guard let c = GEOSGeom_clone_r(h, g.pointer) else {
                for p in parts { GEOSGeom_destroy_r(h, p) }
                throw context.failure("GEOSGeom_clone_r")
            }
            parts.append(c)
        }
        let made = parts.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(h, type.rawValue, $0.baseAddress, UInt32($0.count))
        }
        if made == nil { for p in parts { GEOSGeom_destroy_r(h, p) } }
        return try Geometry(owning: made, in: context, operation: "GEOSGeom_createCollection_r")
    }

    static func makeRing(_ ring: [Coordinate], _ context: GEOSContext) throws -> OpaquePointer {
        let h = context.handle
        // GEOS 3.11 builds 1–3 point rings and only isValid complains later; refuse them here.
        guard ring.isEmpty || ring.count >= 4 else {
            throw GEOSError(operation: "GEOSGeom_createLinearRing_r",
                            message: "a LinearRing needs 0 or at least 4 points, got \(ring.count)")
        }
        var flat = [Double]()
        flat.reserveCapacity(ring.count * 2)
        for c in ring { flat.append(c.x); flat.append(c.y) }
        guard let sequence = GEOSCoordSeq_copyFromBuffer_r(h, flat, UInt32(ring.count), 0, 0) else {
            throw context.failure("GEOSCoordSeq_copyFromBuffer_r")
        }
        // The ring takes ownership of the sequence, also when it fails.
        guard let made = GEOSGeom_createLinearRing_r(h, sequence) else { throw context.failure("GEOSGeom_createLinearRing_r") }
        return made
    }

    static func makePolygon(_ rings: [[Coordinate]], _ context: GEOSContext) throws -> OpaquePointer {
        let h = context.handle
        guard let shellRing = rings.first else {
            guard let empty = GEOSGeom_createEmptyPolygon_r(h) else { throw context.failure("GEOSGeom_createEmptyPolygon_r") }
            return empty
        }
        let shell = try makeRing(shellRing, context)
        var holes: [OpaquePointer?] = []
        do {
            for ring in rings.dropFirst() { holes.append(try makeRing(ring, context)) }
        } catch {
            GEOSGeom_destroy_r(h, shell)
            for hole in holes { GEOSGeom_destroy_r(h, hole) }
            throw error
        }
        let made = holes.withUnsafeMutableBufferPointer {
            GEOSGeom_createPolygon_r(h, shell, $0.baseAddress, UInt32($0.count))
        }
        guard let made else { throw context.failure("GEOSGeom_createPolygon_r") }
        return made
    }

    // MARK: Validity

    public func isValid() throws -> Bool {
        try context.predicate("GEOSisValid_r", GEOSisValid_r(context.handle, pointer))
    }

    /// GEOS's explanation, e.g. "Self-intersection[1 1]" or "Valid Geometry".
    public func isValidReason() throws -> String {
        guard let text = GEOSisValidReason_r(context.handle, pointer) else { throw context.failure("GEOSisValidReason_r") }
        defer { GEOSFree_r(context.handle, text) }
        return String(cString: text)
    }

    public func makeValid() throws -> Geometry {
        try derived("GEOSMakeValid_r", GEOSMakeValid_r(context.handle, pointer))
    }

    // MARK: Measures and properties

    public func area() throws -> Double {
        var value = 0.0
        guard GEOSArea_r(context.handle, pointer, &value) == 1 else { throw context.failure("GEOSArea_r") }
        return value
    }

    /// The shortest distance between the two geometries (0 when they touch or overlap).
    public func distance(to other: Geometry) throws -> Double {
        var value = 0.0
        guard GEOSDistance_r(context.handle, pointer, other.pointer, &value) == 1 else { throw context.failure("GEOSDistance_r") }
        return value
    }

    public var type: GeometryType? { GeometryType(rawValue: GEOSGeomTypeId_r(context.handle, pointer)) }

    public func isEmpty() throws -> Bool {
        try context.predicate("GEOSisEmpty_r", GEOSisEmpty_r(context.handle, pointer))
    }

    public var numGeometries: Int { Int(GEOSGetNumGeometries_r(context.handle, pointer)) }

    /// A copy of the n-th part of a collection (the geometry itself for a non-collection, n = 0).
    public func geometry(at index: Int) throws -> Geometry {
        guard index >= 0, index < numGeometries else {
            throw GEOSError(operation: "geometry(at:)", message: "index \(index) outside 0..<\(numGeometries)")
        }
        guard let part = GEOSGetGeometryN_r(context.handle, pointer, Int32(index)) else {
            throw context.failure("GEOSGetGeometryN_r")
        }
        return try derived("GEOSGeom_clone_r", GEOSGeom_clone_r(context.handle, part))
    }

    public func bounds() throws -> Bounds {
        let h = context.handle
        var b = Bounds(minX: 0, minY: 0, maxX: 0, maxY: 0)
        guard GEOSGeom_getXMin_r(h, pointer, &b.minX) == 1, GEOSGeom_getYMin_r(h, pointer, &b.minY) == 1,
              GEOSGeom_getXMax_r(h, pointer, &b.maxX) == 1, GEOSGeom_getYMax_r(h, pointer, &b.maxY) == 1 else {
            throw context.failure("GEOSGeom_getXMin_r")
        }
        return b
    }

    // MARK: Predicates

    public func contains(_ other: Geometry) throws -> Bool {
        try binaryPredicate("GEOSContains_r", other, GEOSContains_r)
    }

    public func intersects(_ other: Geometry) throws -> Bool {
        try binaryPredicate("GEOSIntersects_r", other, GEOSIntersects_r)
    }

    public func covers(_ other: Geometry) throws -> Bool {
        try binaryPredicate("GEOSCovers_r", other, GEOSCovers_r)
    }

    public func within(_ other: Geometry) throws -> Bool {
        try binaryPredicate("GEOSWithin_r", other, GEOSWithin_r)
    }

    // MARK: Overlay and constructive operations

    public func intersection(_ other: Geometry) throws -> Geometry {
        sameContext(other)
        return try derived("GEOSIntersection_r", GEOSIntersection_r(context.handle, pointer, other.pointer))
    }

    public func union(_ other: Geometry) throws -> Geometry {
        sameContext(other)
        return try derived("GEOSUnion_r", GEOSUnion_r(context.handle, pointer, other.pointer))
    }

    public func difference(_ other: Geometry) throws -> Geometry {
        sameContext(other)
        return try derived("GEOSDifference_r", GEOSDifference_r(context.handle, pointer, other.pointer))
    }

    /// Union of all parts of this geometry (dissolves a collection of polygons into one outline).
    public func unaryUnion() throws -> Geometry {
        try derived("GEOSUnaryUnion_r", GEOSUnaryUnion_r(context.handle, pointer))
    }

    /// The topological boundary (rings of a polygon as lines, endpoints of a line).
    public func boundary() throws -> Geometry {
        try derived("GEOSBoundary_r", GEOSBoundary_r(context.handle, pointer))
    }

    public func convexHull() throws -> Geometry {
        try derived("GEOSConvexHull_r", GEOSConvexHull_r(context.handle, pointer))
    }

    /// Concave hull of the vertices; `ratio` 1 gives the convex hull, 0 the tightest hull (GEOS ≥ 3.11).
    public func concaveHull(ratio: Double, allowHoles: Bool = false) throws -> Geometry {
        try derived("GEOSConcaveHull_r", GEOSConcaveHull_r(context.handle, pointer, ratio, allowHoles ? 1 : 0))
    }

    public func envelope() throws -> Geometry {
        try derived("GEOSEnvelope_r", GEOSEnvelope_r(context.handle, pointer))
    }

    public func buffer(_ width: Double, quadrantSegments: Int = 8) throws -> Geometry {
        try derived("GEOSBuffer_r", GEOSBuffer_r(context.handle, pointer, width, Int32(quadrantSegments)))
    }

    /// Douglas–Peucker simplification; `preserveTopology` keeps rings valid and non-crossing (for map drawing).
    public func simplify(tolerance: Double, preserveTopology: Bool = true) throws -> Geometry {
        if preserveTopology {
            return try derived("GEOSTopologyPreserveSimplify_r", GEOSTopologyPreserveSimplify_r(context.handle, pointer, tolerance))
        }
        return try derived("GEOSSimplify_r", GEOSSimplify_r(context.handle, pointer, tolerance))
    }

    // MARK: Export

    /// Coordinates of a point, line or ring geometry.
    public func coordinates() throws -> [Coordinate] {
        let h = context.handle
        guard let sequence = GEOSGeom_getCoordSeq_r(h, pointer) else { throw context.failure("GEOSGeom_getCoordSeq_r") }
        return try Geometry.read(sequence, context)
    }

    /// The shell of a polygon.
    public func exteriorRing() throws -> [Coordinate] {
        let h = context.handle
        guard let ring = GEOSGetExteriorRing_r(h, pointer) else { throw context.failure("GEOSGetExteriorRing_r") }
        guard let sequence = GEOSGeom_getCoordSeq_r(h, ring) else { throw context.failure("GEOSGeom_getCoordSeq_r") }
        return try Geometry.read(sequence, context)
    }

    /// The holes of a polygon.
    public func interiorRings() throws -> [[Coordinate]] {
        let h = context.handle
        let count = GEOSGetNumInteriorRings_r(h, pointer)
        guard count >= 0 else { throw context.failure("GEOSGetNumInteriorRings_r") }
        return try (0..<count).map { i in
            guard let ring = GEOSGetInteriorRingN_r(h, pointer, i) else { throw context.failure("GEOSGetInteriorRingN_r") }
            guard let sequence = GEOSGeom_getCoordSeq_r(h, ring) else { throw context.failure("GEOSGeom_getCoordSeq_r") }
            return try Geometry.read(sequence, context)
        }
    }

    /// All polygons in this geometry as rings (shell first), descending into collections; other types are skipped.
    public func polygonRings() throws -> [[[Coordinate]]] {
        switch type {
        case .polygon:
            if try isEmpty() { return [] }
            return [[try exteriorRing()] + (try interiorRings())]
        case .multiPolygon, .geometryCollection:
            let h = context.handle
            var out: [[[Coordinate]]] = []
            for i in 0..<numGeometries {
                guard let part = GEOSGetGeometryN_r(h, pointer, Int32(i)) else { throw context.failure("GEOSGetGeometryN_r") }
                // Borrowed view of the part: the parent owns it, so clone to walk it safely.
                guard let copy = GEOSGeom_clone_r(h, part) else { throw context.failure("GEOSGeom_clone_r") }
                out += try Geometry(owning: copy, in: context, operation: "GEOSGeom_clone_r").polygonRings()
            }
            return out
        default:
            return []
        }
    }

    /// Well-known text; `precision` digits after the point when given, trailing zeros trimmed.
    public func wkt(precision: Int? = nil) throws -> String {
        let h = context.handle
        guard let writer = GEOSWKTWriter_create_r(h) else { throw context.failure("GEOSWKTWriter_create_r") }
        defer { GEOSWKTWriter_destroy_r(h, writer) }
        GEOSWKTWriter_setTrim_r(h, writer, 1)
        if let precision { GEOSWKTWriter_setRoundingPrecision_r(h, writer, Int32(precision)) }
        guard let text = GEOSWKTWriter_write_r(h, writer, pointer) else { throw context.failure("GEOSWKTWriter_write_r") }
        defer { GEOSFree_r(h, text) }
        return String(cString: text)
    }

    // MARK: Helpers

    static func read(_ sequence: OpaquePointer, _ context: GEOSContext) throws -> [Coordinate] {
        let h = context.handle
        var size: UInt32 = 0
        guard GEOSCoordSeq_getSize_r(h, sequence, &size) == 1 else { throw context.failure("GEOSCoordSeq_getSize_r") }
        var flat = [Double](repeating: 0, count: Int(size) * 2)
        guard GEOSCoordSeq_copyToBuffer_r(h, sequence, &flat, 0, 0) == 1 else {
            throw context.failure("GEOSCoordSeq_copyToBuffer_r")
        }
        return (0..<Int(size)).map { Coordinate(x: flat[2 * $0], y: flat[2 * $0 + 1]) }
    }

    func derived(_ operation: String, _ result: OpaquePointer?) throws -> Geometry {
        try Geometry(owning: result, in: context, operation: operation)
    }

    func sameContext(_ other: Geometry) {
        precondition(other.context === context, "geometries from different GEOS contexts")
    }

    func binaryPredicate(_ operation: String, _ other: Geometry,
                         _ body: (GEOSContextHandle_t?, OpaquePointer?, OpaquePointer?) -> CChar) throws -> Bool {
        sameContext(other)
        return try context.predicate(operation, body(context.handle, pointer, other.pointer))
    }
}

@available(*, unavailable, message: "A geometry belongs to its context's thread")
extension Geometry: Sendable {}
