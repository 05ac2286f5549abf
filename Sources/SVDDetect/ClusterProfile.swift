import Foundation
import GEOS
import SVDCore

/// Shape and size of one DBSCAN cluster, for maps and the needs-assessment tables.
public struct ClusterProfile: Sendable {
    public let cluster: Int32
    /// Core and border points in the cluster.
    public let members: Int
    public let corePoints: Int
    /// Mean of the members.
    public let centroid: BNGPoint
    /// Shell of the convex hull (closed ring); empty when the members are collinear or coincide.
    public let convexHull: [BNGPoint]
    /// Shell of the GEOS concave hull (no holes); empty in the same degenerate cases.
    public let concaveHull: [BNGPoint]
    public let convexAreaHectares: Double
    public let concaveAreaHectares: Double
    /// Members per hectare of the concave hull; nil when that hull has no area.
    public let densityPerHectare: Double?
}

public enum ClusterProfiles {
    /// Default GEOS concave-hull ratio: 0 is the tightest hull, 1 the convex hull. 0.3 follows the outline
    /// of a town-centre cluster without fragmenting into slivers.
    public static let defaultConcaveRatio = 0.3

    /// Profiles of every cluster in `clustering`, in cluster-id order. `points` must be the points that were clustered.
    public static func profiles(points: [BNGPoint], clustering: DBSCANResult,
                                concaveRatio: Double = defaultConcaveRatio) throws -> [ClusterProfile] {
        guard points.count == clustering.labels.count else {
            throw DetectError.lengthMismatch(what: "points for the clustering", expected: clustering.labels.count, got: points.count)
        }
        guard concaveRatio.isFinite, (0...1).contains(concaveRatio) else {
            throw DetectError.invalidParameter(name: "concave hull ratio", value: "\(concaveRatio)", reason: "must be between 0 and 1")
        }
        let k = clustering.clusterCount
        // Members grouped by cluster with a counting sort.
        var start = [Int](repeating: 0, count: k + 1)
        for l in clustering.labels where l >= 0 { start[Int(l) + 1] += 1 }
        for c in 0..<k { start[c + 1] += start[c] }
        var fill = start
        var grouped = [BNGPoint](repeating: BNGPoint(easting: 0, northing: 0), count: start[k])
        for (i, l) in clustering.labels.enumerated() where l >= 0 {
            grouped[fill[Int(l)]] = points[i]
            fill[Int(l)] += 1
        }

        var results = [ClusterProfile?](repeating: nil, count: k)
        var failure: Error?
        let lock = NSLock()
        results.withUnsafeMutableBufferPointer { out in
            grouped.withUnsafeBufferPointer { members in
                parallelChunks(k, minimumChunk: 16) { range in
                    // GEOS contexts are single-threaded: one per chunk.
                    let context = GEOSContext()
                    for c in range {
                        do {
                            let slice = UnsafeBufferPointer(rebasing: members[start[c]..<start[c + 1]])
                            out[c] = try profile(Int32(c), slice, cores: clustering.coreCounts[c],
                                                 ratio: concaveRatio, context: context)
                        } catch {
                            lock.lock(); if failure == nil { failure = error }; lock.unlock()
                            return
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return results.map { $0! }
    }

    static func profile(_ id: Int32, _ members: UnsafeBufferPointer<BNGPoint>, cores: Int, ratio: Double,
                        context: GEOSContext) throws -> ClusterProfile {
        var sx = 0.0, sy = 0.0
        for p in members { sx += p.easting; sy += p.northing }
        let n = Double(members.count)
        // Duplicates (snapped locations) add nothing to a hull but cost GEOS time.
        var distinct = members.map { Coordinate(x: $0.easting, y: $0.northing) }
        distinct.sort { ($0.x, $0.y) < ($1.x, $1.y) }
        var unique: [Coordinate] = []
        unique.reserveCapacity(distinct.count)
        for c in distinct where unique.last != c { unique.append(c) }
        let cloud = try Geometry.collection(.multiPoint, of: unique.map { try Geometry(pointX: $0.x, y: $0.y, context: context) },
                                            context: context)
        let convex = try cloud.convexHull()
        let concave = try cloud.concaveHull(ratio: ratio, allowHoles: false)
        let concaveArea = try concave.area() / 10_000
        return ClusterProfile(
            cluster: id, members: members.count, corePoints: cores,
            centroid: BNGPoint(easting: sx / n, northing: sy / n),
            convexHull: try shell(convex), concaveHull: try shell(concave),
            convexAreaHectares: try convex.area() / 10_000, concaveAreaHectares: concaveArea,
            densityPerHectare: concaveArea > 0 ? n / concaveArea : nil)
    }

    /// Outer ring of a polygonal result; lines and points (collinear or coincident members) have none.
    static func shell(_ g: Geometry) throws -> [BNGPoint] {
        guard let first = try g.polygonRings().first?.first else { return [] }
        return first.map { BNGPoint(easting: $0.x, northing: $0.y) }
    }
}
