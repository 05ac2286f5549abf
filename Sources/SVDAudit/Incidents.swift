import Foundation
import SVDCore

/// Incident locations from an extract (native schema with easting/northing or longitude/latitude, or data.police.uk),
/// indexed on a grid for "what lies within r metres" and "what lies inside this outline".
struct IncidentIndex {
    struct Point {
        var location: BNGPoint
        var line: Int32
        /// Month index, or Int32.min when the row has no date.
        var month: Int32
    }

    var points: [Point] = []
    let cell = 50.0
    private var buckets: [Int64: [Int32]] = [:]
    let file: String

    init(url: URL) throws {
        file = url.path
        guard let data = FileManager.default.contents(atPath: url.path) else { throw AuditInputError("\(url.path): cannot read the incident file") }
        let text = String(decoding: data, as: UTF8.self)
        let (_, records, lines) = CSV.read(text)
        guard let header = records.first else { throw AuditInputError("\(url.path): empty incident file") }
        let cols = header.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
        func col(_ names: [String]) -> Int? { names.lazy.compactMap { cols.firstIndex(of: $0) }.first }
        let e = col(["easting", "x"]), n = col(["northing", "y"])
        let lon = col(["longitude", "lon"]), lat = col(["latitude", "lat"])
        let date = col(["datetime", "date", "month"])
        guard (e != nil && n != nil) || (lon != nil && lat != nil) else {
            throw AuditInputError("\(url.path): no easting/northing or longitude/latitude columns")
        }
        points.reserveCapacity(records.count)
        for (i, r) in records.enumerated().dropFirst() {
            func value(_ c: Int?) -> Double? { c.flatMap { $0 < r.count ? Double(r[$0].trimmingCharacters(in: .whitespaces)) : nil } }
            var p: BNGPoint?
            if let x = value(e), let y = value(n) {
                p = BNGPoint(easting: x, northing: y)
            } else if let a = value(lon), let b = value(lat), BritishNationalGrid.validLongitudes.contains(a), BritishNationalGrid.validLatitudes.contains(b) {
                p = BritishNationalGrid.fromWGS84(longitude: a, latitude: b)
            }
            guard let p, BritishNationalGrid.isOnGrid(p) else { continue }
            var month = Int32.min
            if let d = date, d < r.count, let m = MonthKey(parsing: Substring(r[d].prefix(7))) { month = m.index }
            points.append(Point(location: p, line: Int32(lines[i]), month: month))
        }
        for (i, p) in points.enumerated() { buckets[key(p.location), default: []].append(Int32(i)) }
    }

    private func key(_ p: BNGPoint) -> Int64 { key(Int64((p.easting / cell).rounded(.down)), Int64((p.northing / cell).rounded(.down))) }
    private func key(_ x: Int64, _ y: Int64) -> Int64 { x << 32 | (y & 0xFFFF_FFFF) }

    /// Calls `body` with every incident in the buckets covering the box (and in `months`), until it returns false.
    private func forEachPoint(minE: Double, maxE: Double, minN: Double, maxN: Double, months: Span?, _ body: (Point) -> Bool) {
        let x0 = Int64((minE / cell).rounded(.down)), x1 = Int64((maxE / cell).rounded(.down))
        let y0 = Int64((minN / cell).rounded(.down)), y1 = Int64((maxN / cell).rounded(.down))
        for x in x0...x1 {
            for y in y0...y1 {
                guard let b = buckets[key(x, y)] else { continue }
                for i in b {
                    let q = points[Int(i)]
                    if let months, q.month != Int32.min, q.month < months.lo || q.month > months.hi { continue }
                    if !body(q) { return }
                }
            }
        }
    }

    /// The nearest incident within `radius` metres of `p`, with its distance.
    func nearest(_ p: BNGPoint, within radius: Double, months: Span?) -> (Point, Double)? {
        var best: (Point, Double)?
        forEachPoint(minE: p.easting - radius, maxE: p.easting + radius, minN: p.northing - radius, maxN: p.northing + radius, months: months) { q in
            let d = ((q.location.easting - p.easting) * (q.location.easting - p.easting)
                     + (q.location.northing - p.northing) * (q.location.northing - p.northing)).squareRoot()
            if d <= radius && d < (best?.1 ?? .infinity) { best = (q, d) }
            return true
        }
        return best
    }

    /// Distinct incident locations (to the metre) inside a polygon (first ring the shell, the rest holes),
    /// or within `margin` metres of its boundary (an outline's vertices are often incidents themselves).
    func distinctLocations(inside rings: [[BNGPoint]], margin: Double = 1, months: Span?, stopAt limit: Int) -> Int {
        guard let shell = rings.first, shell.count >= 3 else { return 0 }
        var minE = Double.infinity, minN = Double.infinity, maxE = -Double.infinity, maxN = -Double.infinity
        for p in shell { minE = min(minE, p.easting); maxE = max(maxE, p.easting); minN = min(minN, p.northing); maxN = max(maxN, p.northing) }
        var seen = Set<Int64>()
        forEachPoint(minE: minE - margin, maxE: maxE + margin, minN: minN - margin, maxN: maxN + margin, months: months) { q in
            let l = q.location
            guard l.easting >= minE - margin, l.easting <= maxE + margin, l.northing >= minN - margin, l.northing <= maxN + margin else { return true }
            let k = Int64(l.easting.rounded()) << 32 | Int64(l.northing.rounded())
            if seen.contains(k) { return true }
            let inside = Geometry.contains(shell, l) && !rings.dropFirst().contains { Geometry.contains($0, l) && Geometry.distance(l, ring: $0) > margin }
            if inside || Geometry.distance(l, ring: shell) <= margin { seen.insert(k) }
            return seen.count < limit
        }
        return seen.count
    }
}

enum Geometry {
    /// Crossing-number point-in-polygon.
    static func contains(_ ring: [BNGPoint], _ p: BNGPoint) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            if (a.northing > p.northing) != (b.northing > p.northing) {
                let x = a.easting + (p.northing - a.northing) / (b.northing - a.northing) * (b.easting - a.easting)
                if p.easting < x { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Distance from a point to a ring's edges.
    static func distance(_ p: BNGPoint, ring: [BNGPoint]) -> Double {
        var best = Double.infinity
        for i in 0..<ring.count {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            let vx = b.easting - a.easting, vy = b.northing - a.northing
            let wx = p.easting - a.easting, wy = p.northing - a.northing
            let l2 = vx * vx + vy * vy
            let t = l2 > 0 ? max(0, min(1, (wx * vx + wy * vy) / l2)) : 0
            let dx = wx - t * vx, dy = wy - t * vy
            best = min(best, (dx * dx + dy * dy).squareRoot())
        }
        return best
    }
}
