import SVDCore

/// Repeat locations: incidents at the same snapped location, i.e. in the same `snap`-metre National Grid square with
/// the same location type (a pub and the street outside it are two locations). data.police.uk's anonymous map
/// points put every incident of a point on one coordinate, so they always share a square; geocoded police records
/// snap to the square of their address point.
public enum RepeatLocations {
    /// One location: its square (column, row of `snap`-metre squares from the National Grid's origin) and type, and
    /// the positions in `Grouping.order` of its incidents.
    public struct Location: Sendable, Equatable {
        public var column: Int
        public var row: Int
        public var type: LocationType
        public var members: Range<Int>

        public var incidents: Int { members.count }

        /// South-west corner of the location's square.
        public func southWest(snap: Double) -> BNGPoint {
            BNGPoint(easting: Double(column) * snap, northing: Double(row) * snap)
        }
    }

    public struct Grouping: Sendable {
        public let snap: Double
        /// Input indices, grouped by location (each location's members in input order).
        public let order: [Int32]
        /// Every location with at least one incident, ordered by square (column, row) then type.
        public let locations: [Location]

        /// The input indices of a location's incidents.
        public func incidents(of l: Location) -> ArraySlice<Int32> { order[l.members] }
    }

    /// Squares per axis the key packs (2²¹ · snap metres covers Great Britain's grid at 1 m).
    static let axisLimit = 1 << 21

    /// Groups `points` (with their location types) into locations. O(n log n): one sort of packed keys.
    public static func group(_ points: [BNGPoint], types: [LocationType], snap: Double) throws -> Grouping {
        guard snap.isFinite, snap > 0 else { throw DetectError.invalidParameter(name: "snap", value: "\(snap)", reason: "must be a positive number of metres") }
        guard types.count == points.count else { throw DetectError.lengthMismatch(what: "location types", expected: points.count, got: types.count) }
        // (location key, input index) pairs sorted in place: no indirection through a key array while sorting.
        var keyed = [(key: UInt64, index: Int32)]()
        keyed.reserveCapacity(points.count)
        for (i, p) in points.enumerated() {
            guard p.easting.isFinite, p.northing.isFinite else { throw DetectError.nonFiniteCoordinate(index: i) }
            let c = Int((p.easting / snap).rounded(.down)), r = Int((p.northing / snap).rounded(.down))
            guard (0..<axisLimit).contains(c), (0..<axisLimit).contains(r) else {
                throw DetectError.invalidParameter(name: "snap", value: "\(snap)", reason: "point \(i) (E \(p.easting), N \(p.northing)) lies outside the National Grid squares it can key")
            }
            // column | row | type.
            keyed.append((UInt64(c) << 26 | UInt64(r) << 5 | UInt64(types[i].rawValue), Int32(i)))
        }
        // Ties (same location) by input index, so each location's members are in input order.
        keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }
        let order = keyed.map(\.index)
        var locations: [Location] = []
        var start = 0
        while start < keyed.count {
            let k = keyed[start].key
            var end = start + 1
            while end < keyed.count && keyed[end].key == k { end += 1 }
            locations.append(Location(column: Int(k >> 26), row: Int((k >> 5) & UInt64(axisLimit - 1)),
                                      type: LocationType(rawValue: UInt8(k & 31)) ?? .unknown, members: start..<end))
            start = end
        }
        return Grouping(snap: snap, order: order, locations: locations)
    }

    /// Locations with at least `minimum` incidents, most first; ties by square and type (reproducible).
    public static func repeats(_ g: Grouping, minimum: Int = 2) -> [Location] {
        g.locations.filter { $0.incidents >= minimum }.sorted {
            $0.incidents != $1.incidents ? $0.incidents > $1.incidents
                : ($0.column, $0.row, $0.type.rawValue) < ($1.column, $1.row, $1.type.rawValue)
        }
    }
}
