import Foundation
import SVDCore
import SVDDetect

/// Outline and size of one cluster, as drawn on the map.
public struct ClusterShape: Sendable {
    public let cluster: Int
    /// Mean of the members.
    public let centroid: BNGPoint
    /// GEOS concave hull shell (closed); empty when not computed or when the members coincide or are collinear.
    public let concaveHull: [BNGPoint]
    /// Convex hull shell (closed); empty in the same degenerate cases.
    public let convexHull: [BNGPoint]
    /// NaN when the concave hull was not computed.
    public let concaveAreaHectares: Double
    public let convexAreaHectares: Double
}

extension HotspotAnalysis {
    /// Hulls of every cluster with `ClusterProfiles` (GEOS), one cluster per task, largest first, so the
    /// few town-centre clusters that dominate the cost (a concave hull of 100k members takes seconds) run side by side.
    static func shapes(_ locations: [BNGPoint], labels: [Int32], clusterCount k: Int) throws -> [ClusterShape] {
        let members = groupByCluster(locations, labels: labels, clusterCount: k)
        let order = (0..<k).sorted { (members[$0].count, -$0) > (members[$1].count, -$1) }
        final class Results: @unchecked Sendable {
            var shapes: [ClusterShape?]
            var failure: Error?
            let lock = NSLock()
            init(_ k: Int) { shapes = Array(repeating: nil, count: k) }
        }
        let results = Results(k)
        DispatchQueue.concurrentPerform(iterations: k) { i in
            let c = order[i]
            do {
                // ClusterProfiles takes a clustering: a single all-core cluster over exactly these members.
                let whole = try DBSCAN.cluster(members[c], eps: 1e7, minPoints: 1)
                let p = try ClusterProfiles.profiles(points: members[c], clustering: whole)[0]
                let shape = ClusterShape(cluster: c, centroid: p.centroid, concaveHull: p.concaveHull, convexHull: p.convexHull,
                                         concaveAreaHectares: p.concaveAreaHectares, convexAreaHectares: p.convexAreaHectares)
                results.lock.lock(); results.shapes[c] = shape; results.lock.unlock()
            } catch {
                results.lock.lock(); if results.failure == nil { results.failure = error }; results.lock.unlock()
            }
        }
        if let failure = results.failure { throw failure }
        return results.shapes.map { $0! }
    }

    /// Convex hulls only (Andrew's monotone chain), for tables that need a cluster's size but no map: far cheaper
    /// than GEOS's concave hull on large clusters.
    static func convexShapes(_ locations: [BNGPoint], labels: [Int32], clusterCount k: Int) -> [ClusterShape] {
        let members = groupByCluster(locations, labels: labels, clusterCount: k)
        return (0..<k).map { c in
            var sx = 0.0, sy = 0.0
            for p in members[c] { sx += p.easting; sy += p.northing }
            let n = Double(members[c].count)
            let hull = convexHull(members[c])
            return ClusterShape(cluster: c, centroid: BNGPoint(easting: sx / n, northing: sy / n), concaveHull: [], convexHull: hull,
                                concaveAreaHectares: .nan, convexAreaHectares: ringArea(hull) / 10_000)
        }
    }

    static func groupByCluster(_ locations: [BNGPoint], labels: [Int32], clusterCount k: Int) -> [[BNGPoint]] {
        var sizes = [Int](repeating: 0, count: k)
        for l in labels where l >= 0 { sizes[Int(l)] += 1 }
        var members = sizes.map { n -> [BNGPoint] in
            var a = [BNGPoint]()
            a.reserveCapacity(n)
            return a
        }
        for (i, l) in labels.enumerated() where l >= 0 { members[Int(l)].append(locations[i]) }
        return members
    }

    /// Counter-clockwise closed shell of the convex hull; empty when the points are collinear or coincide.
    static func convexHull(_ points: [BNGPoint]) -> [BNGPoint] {
        let sorted = points.sorted { ($0.easting, $0.northing) < ($1.easting, $1.northing) }
        guard sorted.count >= 3 else { return [] }
        func cross(_ o: BNGPoint, _ a: BNGPoint, _ b: BNGPoint) -> Double {
            (a.easting - o.easting) * (b.northing - o.northing) - (a.northing - o.northing) * (b.easting - o.easting)
        }
        var lower: [BNGPoint] = [], upper: [BNGPoint] = []
        for p in sorted {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        for p in sorted.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        let shell = Array(lower.dropLast()) + Array(upper.dropLast())
        guard shell.count >= 3 else { return [] }
        return shell + [shell[0]]
    }

    /// Area of a closed ring in square metres.
    static func ringArea(_ ring: [BNGPoint]) -> Double {
        guard ring.count >= 4 else { return 0 }
        // Relative to the first vertex: grid coordinates are large and their products would swamp a small area.
        let ox = ring[0].easting, oy = ring[0].northing
        var twice = 0.0
        for i in 0..<(ring.count - 1) {
            let ax = ring[i].easting - ox, ay = ring[i].northing - oy
            let bx = ring[i + 1].easting - ox, by = ring[i + 1].northing - oy
            twice += ax * by - bx * ay
        }
        return abs(twice) / 2
    }
}
