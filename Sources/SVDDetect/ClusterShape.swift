import Foundation
import SVDCore

/// Outline and size of one cluster, as published: both hull modes (concave outline and convex hull) are drawn on
/// the corners of the grid squares the members occupy, so no vertex, area or centroid depends on where in its
/// square an incident lies.
public struct ClusterShape: Sendable {
    public let cluster: Int
    /// Area-weighted centroid of the generalised outline.
    public let centroid: BNGPoint
    /// Generalised outline (closed, counter-clockwise): concave hull of the occupied squares' corners.
    public let concaveHull: [BNGPoint]
    /// Convex hull of the occupied squares' corners (closed, counter-clockwise).
    public let convexHull: [BNGPoint]
    public let concaveAreaHectares: Double
    public let convexAreaHectares: Double
    /// Distinct generalisation squares the members occupy.
    public let places: Int
}

extension Generalise {
    /// Generalised outlines of every cluster, one task per cluster, largest first.
    public static func shapes(_ locations: [BNGPoint], labels: [Int32], clusterCount k: Int, grid: GeneralisationGrid) throws -> [ClusterShape] {
        let outlines = try Generalise.outlines(locations, labels: labels, clusterCount: k, grid: grid)
        return outlines.enumerated().map { c, o in
            ClusterShape(cluster: c, centroid: o.centroid, concaveHull: o.shell, convexHull: o.convexShell,
                         concaveAreaHectares: o.area / 10_000, convexAreaHectares: o.convexArea / 10_000, places: o.places)
        }
    }
}
