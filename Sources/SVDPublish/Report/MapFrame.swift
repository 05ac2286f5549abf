import SVDCore

/// BNG metres to SVG pixels: x grows east, y is flipped so north is up, one scale for both axes.
struct MapFrame {
    let minE: Double
    let maxN: Double
    let scale: Double          // pixels per metre
    let margin: Double
    let width: Double
    let height: Double

    /// Fits the box into `width`, and into `maxHeight` too when given (a tall district then draws narrower).
    init(min lo: BNGPoint, max hi: BNGPoint, width: Double, maxHeight: Double? = nil, margin: Double = 10) {
        let spanE = max(hi.easting - lo.easting, 1), spanN = max(hi.northing - lo.northing, 1)
        minE = lo.easting
        maxN = hi.northing
        self.margin = margin
        var s = (width - 2 * margin) / spanE
        if let maxHeight { s = min(s, (maxHeight - 2 * margin) / spanN) }
        scale = s
        self.width = (spanE * s + 2 * margin).rounded(.up)
        height = (spanN * s + 2 * margin).rounded(.up)
    }

    @inline(__always) func x(_ e: Double) -> Double { margin + (e - minE) * scale }
    @inline(__always) func y(_ n: Double) -> Double { margin + (maxN - n) * scale }

    /// Path data for polygons (`[polygon][ring][point]`), each ring simplified to below `tolerancePixels`
    /// so a district costs a few hundred points, not tens of thousands.
    func path(_ polygons: [[[BNGPoint]]], tolerancePixels: Double = 0.6) -> String {
        var d = ""
        let tolerance = tolerancePixels / scale
        for polygon in polygons {
            for ring in polygon {
                let kept = Simplify.ring(ring, tolerance: tolerance)
                guard kept.count >= 3 else { continue }
                var lastX = "", lastY = ""
                for (i, p) in kept.enumerated() {
                    let sx = Format.coordinate(x(p.easting)), sy = Format.coordinate(y(p.northing))
                    if i > 0 && sx == lastX && sy == lastY { continue }
                    d += (i == 0 ? "M" : "L") + sx + " " + sy
                    lastX = sx
                    lastY = sy
                }
                d += "Z"
            }
        }
        return d
    }

    /// The point to hang a label on: the area-weighted centroid of the district's largest outer ring.
    static func labelPoint(_ polygons: [[[BNGPoint]]]) -> BNGPoint? {
        var best: (area: Double, point: BNGPoint)?
        for polygon in polygons {
            guard let shell = polygon.first, shell.count >= 3 else { continue }
            var a = 0.0, cx = 0.0, cy = 0.0
            // Relative to the first vertex: BNG coordinates are large, and the products lose digits otherwise.
            let o = shell[0]
            for i in 0..<shell.count {
                let p = shell[i], q = shell[(i + 1) % shell.count]
                let px = p.easting - o.easting, py = p.northing - o.northing
                let qx = q.easting - o.easting, qy = q.northing - o.northing
                let cross = px * qy - qx * py
                a += cross
                cx += (px + qx) * cross
                cy += (py + qy) * cross
            }
            guard a != 0 else { continue }
            let area = abs(a / 2)
            let c = BNGPoint(easting: o.easting + cx / (3 * a), northing: o.northing + cy / (3 * a))
            if best == nil || area > best!.area { best = (area, c) }
        }
        return best?.point
    }
}

/// Douglas–Peucker on one ring, for drawing only (analysis always uses the full boundaries).
enum Simplify {
    static func ring(_ ring: [BNGPoint], tolerance: Double) -> [BNGPoint] {
        guard ring.count > 4, tolerance > 0 else { return ring }
        var keep = [Bool](repeating: false, count: ring.count)
        // A closed ring is split at its first vertex and the vertex farthest from it, so both halves are open chains.
        let first = 0
        var far = 0, farDistance = -1.0
        for i in 1..<ring.count {
            let dx = ring[i].easting - ring[0].easting, dy = ring[i].northing - ring[0].northing
            let d = dx * dx + dy * dy
            if d > farDistance { farDistance = d; far = i }
        }
        keep[first] = true
        keep[far] = true
        keep[ring.count - 1] = true
        var stack: [(Int, Int)] = [(first, far), (far, ring.count - 1)]
        let t2 = tolerance * tolerance
        while let (a, b) = stack.popLast() {
            guard b > a + 1 else { continue }
            let p = ring[a], q = ring[b]
            let vx = q.easting - p.easting, vy = q.northing - p.northing
            let length2 = vx * vx + vy * vy
            var worst = -1.0, at = a
            for i in (a + 1)..<b {
                let wx = ring[i].easting - p.easting, wy = ring[i].northing - p.northing
                let d2: Double
                if length2 == 0 {
                    d2 = wx * wx + wy * wy
                } else {
                    let cross = vx * wy - vy * wx
                    d2 = cross * cross / length2
                }
                if d2 > worst { worst = d2; at = i }
            }
            if worst > t2 {
                keep[at] = true
                stack.append((a, at))
                stack.append((at, b))
            }
        }
        var out: [BNGPoint] = []
        for i in ring.indices where keep[i] { out.append(ring[i]) }
        return out
    }
}
