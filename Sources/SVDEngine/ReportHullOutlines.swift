import Foundation
import SVDCore
import SVDDetect

/// Cluster outlines for the report, fast enough for a million incidents.
///
/// GEOS's concave hull triangulates every member, which for town-sized clusters (100k+ incidents) costs seconds.
/// Only the outer members can shape the hull, so each large cluster is thinned first: on a grid of cells, every
/// member in a cell with an empty neighbour is kept, and a cell surrounded on all eight sides keeps one member,
/// which keeps the triangulation inside as fine as the grid so the hull cannot erode into it. The cell is a hundredth
/// of the cluster's diagonal (10–100 m), far below the hull's edge-length threshold (0.3 of the longest edge).
/// Tests check the areas against `ClusterProfiles` on every member.
enum HullOutlines {
    struct Outline {
        let cluster: Int
        let members: Int
        /// Mean of all members (the thinned profile's centroid would be biased to the edge).
        let centroid: BNGPoint
        /// Hulls and areas from the thinned members; its member counts are not the cluster's.
        let profile: ClusterProfile
    }

    /// Clusters smaller than this are profiled whole: thinning would gain little.
    static let thinningFrom = 1_000

    static func profiles(points: [BNGPoint], clustering: DBSCANResult) throws -> [Outline] {
        let k = clustering.clusterCount
        // Members grouped by cluster with a counting sort.
        var startCounts = [Int](repeating: 0, count: k + 1)
        for l in clustering.labels where l >= 0 { startCounts[Int(l) + 1] += 1 }
        for c in 0..<k { startCounts[c + 1] += startCounts[c] }
        var fill = startCounts
        var groupedPoints = [BNGPoint](repeating: BNGPoint(easting: 0, northing: 0), count: startCounts[k])
        for (i, l) in clustering.labels.enumerated() where l >= 0 {
            groupedPoints[fill[Int(l)]] = points[i]
            fill[Int(l)] += 1
        }
        let start = startCounts, grouped = groupedPoints
        // Largest first, so the longest hulls start early and the threads finish together.
        let order = (0..<k).sorted { (a: Int, b: Int) -> Bool in start[a + 1] - start[a] > start[b + 1] - start[b] }
        let results = Results(count: k)
        DispatchQueue.concurrentPerform(iterations: k) { j in
            let c = order[j]
            let members = grouped[start[c]..<start[c + 1]]
            do {
                let kept = members.count >= thinningFrom ? hullCandidates(members) : Array(members)
                // ClusterProfiles takes a clustering: label the kept members as one cluster (one grid cell, all core).
                let single = try DBSCAN.cluster(kept, eps: 1e7, minPoints: 1)
                guard single.clusterCount == 1, let profile = try ClusterProfiles.profiles(points: kept, clustering: single).first else {
                    throw EngineError("hotspot \(c): could not outline its \(members.count) incidents")
                }
                var sx = 0.0, sy = 0.0
                for p in members { sx += p.easting; sy += p.northing }
                let n = Double(members.count)
                results.set(c, .success(Outline(cluster: c, members: members.count,
                                                centroid: BNGPoint(easting: sx / n, northing: sy / n), profile: profile)))
            } catch {
                results.set(c, .failure(error))
            }
        }
        return try results.values.map { try $0!.get() }
    }

    /// The members that can lie on the concave hull, plus one per interior cell.
    static func hullCandidates(_ members: ArraySlice<BNGPoint>) -> [BNGPoint] {
        guard let first = members.first else { return [] }
        var lo = first, hi = first
        for p in members {
            lo.easting = min(lo.easting, p.easting); lo.northing = min(lo.northing, p.northing)
            hi.easting = max(hi.easting, p.easting); hi.northing = max(hi.northing, p.northing)
        }
        let dx = hi.easting - lo.easting, dy = hi.northing - lo.northing
        var cell = min(100, max(10, (dx * dx + dy * dy).squareRoot() / 100))
        while (dx / cell + 3) * (dy / cell + 3) > 4_000_000 { cell *= 2 }
        // One cell of padding all round, so every neighbour index is in range.
        let w = Int(dx / cell) + 3, h = Int(dy / cell) + 3
        var state = [UInt8](repeating: 0, count: w * h)      // 0 empty, 1 occupied, 2 interior cell already kept
        var cellOf = [Int32](repeating: 0, count: members.count)
        for (i, p) in members.enumerated() {
            let q = (Int((p.northing - lo.northing) / cell) + 1) * w + Int((p.easting - lo.easting) / cell) + 1
            cellOf[i] = Int32(q)
            state[q] = 1
        }
        let neighbours = [-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1]
        var out: [BNGPoint] = []
        out.reserveCapacity(members.count / 2)
        for (i, p) in members.enumerated() {
            let q = Int(cellOf[i])
            var interior = true
            for o in neighbours where state[q + o] == 0 { interior = false; break }
            if interior {
                if state[q] == 2 { continue }
                state[q] = 2
            }
            out.append(p)
        }
        return out
    }

    /// Per-cluster results written from the worker threads, each slot by one thread only.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<Outline, Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<Outline, Error>) {
            lock.lock()
            values[i] = r
            lock.unlock()
        }
    }
}
