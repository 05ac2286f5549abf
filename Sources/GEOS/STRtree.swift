import CGEOS

/// A GEOS STR-packed R-tree over geometry envelopes, holding integer items (e.g. indices into an array).
/// GEOS builds the tree on the first query; inserting after that is refused.
public final class STRtree {
    public let context: GEOSContext
    let pointer: OpaquePointer
    /// Inserted geometries are kept alive for the tree's lifetime, whatever GEOS keeps of them.
    private var geometries: [Geometry] = []
    private var queried = false

    public init(context: GEOSContext, nodeCapacity: Int = 10) throws {
        guard let tree = GEOSSTRtree_create_r(context.handle, max(2, nodeCapacity)) else {
            throw context.failure("GEOSSTRtree_create_r")
        }
        self.context = context
        pointer = tree
    }

    deinit { GEOSSTRtree_destroy_r(context.handle, pointer) }

    public var count: Int { geometries.count }

    public func insert(_ geometry: Geometry, item: Int) throws {
        precondition(geometry.context === context, "geometries from different GEOS contexts")
        guard !queried else { throw GEOSError(operation: "GEOSSTRtree_insert_r", message: "tree already built by a query") }
        guard item >= 0 else { throw GEOSError(operation: "GEOSSTRtree_insert_r", message: "item \(item) is negative") }
        geometries.append(geometry)
        // Items travel as pointer bit patterns; +1 keeps item 0 from being a null pointer.
        GEOSSTRtree_insert_r(context.handle, pointer, geometry.pointer, UnsafeMutableRawPointer(bitPattern: item + 1))
    }

    /// Calls `body` with every item whose envelope intersects `geometry`'s envelope (order unspecified).
    public func query(_ geometry: Geometry, _ body: (Int) throws -> Void) rethrows {
        for item in query(geometry) { try body(item) }
    }

    /// Items whose envelope intersects `geometry`'s envelope, in ascending order.
    public func query(_ geometry: Geometry) -> [Int] {
        precondition(geometry.context === context, "geometries from different GEOS contexts")
        queried = true
        var found: [Int] = []
        withUnsafeMutablePointer(to: &found) { box in
            GEOSSTRtree_query_r(context.handle, pointer, geometry.pointer, { item, userdata in
                let found = userdata!.assumingMemoryBound(to: [Int].self)
                found.pointee.append(Int(bitPattern: item) - 1)
            }, box)
        }
        found.sort()
        return found
    }
}

@available(*, unavailable, message: "A tree belongs to its context's thread")
extension STRtree: Sendable {}
