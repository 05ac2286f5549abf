import Foundation
import SVDCore

/// Published places: hotspot outlines and cells in GeoJSON, and the report's hotspot map.
///
/// Public tier: every outline vertex must lie on the generalisation grid the file declares (a line of the BNG grid
/// of that many metres); with no grid declared, a vertex given to more than 4 decimals of a degree is a finding.
/// Grid cells (Gi*, density) must be squares of their own lattice. With an incident file: a published point that is
/// not on a declared grid and is given finely enough to point at a place (4 decimals or finer) is a finding within
/// 5 m of an incident, and an outline resting on fewer than 5 distinct incident locations is a finding.
struct Places {
    let options: AuditOptions
    let incidents: IncidentIndex?
    var findings: [Finding] = []
    var notes: [String] = []
    var vertices = 0

    /// Tolerance for "on a grid line" after the WGS84 round trip (6 decimals ≈ 0.1 m).
    static let gridTolerance = 1.0

    init(options: AuditOptions, incidents: IncidentIndex?) {
        self.options = options
        self.incidents = incidents
    }

    /// A declared generalisation grid: lines every `size` metres of the British National Grid, moved by `offset`.
    struct Grid: Equatable {
        var size: Double
        var offset: Double = 0
    }

    /// The generalisation grid a disclosure object declares: `generalisation` (metres, or an object with
    /// `grid_m`/`cell_m`/`metres` and `offset_m`), `generalisation_m` or `grid_m`, at any depth.
    static func declaredGrid(_ d: [String: Any]?) -> Grid? {
        guard let d else { return nil }
        func number(_ v: Any?) -> Double? {
            if let n = v as? Double, n.isFinite { return n }
            if let n = v as? Int { return Double(n) }
            return nil
        }
        for key in ["generalisation", "generalisation_m", "generalization", "grid_m", "grid"] {
            guard let v = d[key] else { continue }
            if let n = number(v), n > 0 { return Grid(size: n, offset: number(d["offset_m"]) ?? 0) }
            if let o = v as? [String: Any] {
                for k in ["grid_m", "cell_m", "size_m", "metres", "meters", "m", "size", "cell"] {
                    if let n = number(o[k]), n > 0 { return Grid(size: n, offset: number(o["offset_m"]) ?? number(o["offset"]) ?? 0) }
                }
            }
        }
        for (_, v) in d.sorted(by: { $0.key < $1.key }) { if let o = v as? [String: Any], let g = declaredGrid(o) { return g } }
        return nil
    }

    static func onGridLine(_ p: BNGPoint, grid: Grid, tolerance: Double) -> Bool {
        onGridLine(BNGPoint(easting: p.easting - grid.offset, northing: p.northing - grid.offset), grid: grid.size, tolerance: tolerance)
    }

    static func onGridLine(_ p: BNGPoint, grid g: Double, tolerance: Double) -> Bool {
        let de = abs(p.easting - (p.easting / g).rounded() * g), dn = abs(p.northing - (p.northing / g).rounded() * g)
        return min(de, dn) <= tolerance
    }

    static func decimals(_ x: Double) -> Int {
        for d in 0...9 {
            let s = pow(10, Double(d))
            if abs((x * s).rounded() - x * s) < 1e-6 { return d }
        }
        return 10
    }

    static func lonLat(_ p: BNGPoint) -> String {
        let g = BritishNationalGrid.toWGS84(p)
        return String(format: "%.6f,%.6f", g.longitude, g.latitude)
    }

    // MARK: GeoJSON

    mutating func check(geojson doc: Doc, inputs: Inputs) {
        guard let g = doc.geojson, let features = g["features"] as? [[String: Any]] else { return }
        let isPublic = doc.semantics.tier == .public
        let manifest = inputs.groups[doc.group].manifest
        let grid = Self.declaredGrid(doc.disclosure) ?? Self.declaredGrid(manifest?["disclosure"] as? [String: Any])
            ?? Self.declaredGrid(manifest?["places"] as? [String: Any])
        let months = doc.period
        if grid == nil && isPublic, let g = Self.undeclaredGrid(features) {
            notes.append("\(doc.path): the outlines' vertices lie on a \(Self.metres(g)) m grid, but the file does not declare it (svd_disclosure.generalisation): declare it so the audit checks against it")
        }
        for (i, f) in features.enumerated() {
            let props = f["properties"] as? [String: Any] ?? [:]
            let name = (props["hotspot_id"] ?? props["cell_id"]).map { JSONTable.text($0) } ?? "feature \(i + 1)"
            let location = "feature \(i + 1) (\(name))"
            guard let geometry = f["geometry"] as? [String: Any], let type = geometry["type"] as? String else { continue }
            var polygons: [[[(Double, Double)]]] = []
            if type == "Polygon", let c = geometry["coordinates"] as? [[[Double]]] {
                polygons = [c.map { $0.compactMap { $0.count >= 2 ? ($0[0], $0[1]) : nil } }]
            } else if type == "MultiPolygon", let c = geometry["coordinates"] as? [[[[Double]]]] {
                polygons = c.map { $0.map { $0.compactMap { $0.count >= 2 ? ($0[0], $0[1]) : nil } } }
            } else if type == "Point", let c = geometry["coordinates"] as? [Double], c.count >= 2 {
                polygons = [[[(c[0], c[1])]]]
            }
            let lonLat = polygons.flatMap { $0.flatMap { $0 } }
            vertices += lonLat.count
            let bng = polygons.map { $0.map { $0.map { BritishNationalGrid.fromWGS84(longitude: $0.0, latitude: $0.1) } } }
            let isCell = props["cell_id"] != nil
            var onGrid = Array(repeating: false, count: lonLat.count)
            if isCell {
                // A grid cell: its own lattice (side from the centre and the south-west corner in its id).
                if let lattice = Self.cellLattice(props) {
                    let flat = bng.flatMap { $0.flatMap { $0 } }
                    for (k, p) in flat.enumerated() {
                        onGrid[k] = abs(p.easting - lattice.e0 - ((p.easting - lattice.e0) / lattice.side).rounded() * lattice.side) <= Self.gridTolerance
                            && abs(p.northing - lattice.n0 - ((p.northing - lattice.n0) / lattice.side).rounded() * lattice.side) <= Self.gridTolerance
                    }
                    let off = onGrid.filter { !$0 }.count
                    if isPublic && off > 0 {
                        findings.append(Finding(file: doc.path, location: location, message: "\(off) of \(flat.count) vertices are not corners of the cell's own \(Int(lattice.side)) m lattice: the cell outline is not a grid square", route: .places))
                    }
                }
            } else if let grid {
                let flat = bng.flatMap { $0.flatMap { $0 } }
                for (k, p) in flat.enumerated() { onGrid[k] = Self.onGridLine(p, grid: grid, tolerance: Self.gridTolerance) }
                let off = onGrid.indices.filter { !onGrid[$0] }
                if isPublic, let first = off.first {
                    findings.append(Finding(file: doc.path, location: location,
                                            message: "\(off.count) of \(flat.count) vertices are off the declared \(Places.metres(grid.size)) m generalisation grid (e.g. \(String(format: "%.6f,%.6f", lonLat[first].0, lonLat[first].1))): the outline is not generalised", route: .places))
                }
            } else if isPublic {
                let fine = lonLat.filter { Self.decimals($0.0) > 4 || Self.decimals($0.1) > 4 }
                if let e = fine.first, !lonLat.isEmpty {
                    findings.append(Finding(file: doc.path, location: location,
                                            message: "\(fine.count) of \(lonLat.count) vertices are given to more than 4 decimals of a degree (e.g. \(String(format: "%.6f,%.6f", e.0, e.1))) and the file declares no generalisation grid: the outline can run through incidents' own positions", route: .places))
                }
            }
            guard let incidents else { continue }
            // Points that could be an incident's position: not on a grid, and given to 4 decimals or finer.
            let flat = bng.flatMap { $0.flatMap { $0 } }
            var near: [(Int, Double, IncidentIndex.Point)] = []
            for (k, p) in flat.enumerated() where !onGrid[k] && (Self.decimals(lonLat[k].0) >= 4 || Self.decimals(lonLat[k].1) >= 4) {
                if let (q, d) = incidents.nearest(p, within: options.nearIncidentMetres, months: nil) { near.append((k, d, q)) }
            }
            if let (k, d, q) = near.min(by: { $0.1 < $1.1 }) {
                findings.append(Finding(file: doc.path, location: location,
                                        message: "\(near.count) of \(flat.count) vertices lie within \(Places.metres(options.nearIncidentMetres)) m of an incident (vertex \(k + 1) at \(String(format: "%.6f,%.6f", lonLat[k].0, lonLat[k].1)) is \(String(format: "%.1f", d)) m from line \(q.line) of \(incidents.file)): the outline gives incidents' positions away", route: .places))
            }
            for (plon, plat, label) in [("centroid_lon", "centroid_lat", "centroid"), ("centre_lon", "centre_lat", "cell centre")] {
                guard let a = (props[plon] as? Double), let b = (props[plat] as? Double), !isCell else { continue }
                guard Self.decimals(a) >= 4 || Self.decimals(b) >= 4 else { continue }
                let p = BritishNationalGrid.fromWGS84(longitude: a, latitude: b)
                if let grid, Self.onGridLine(p, grid: grid, tolerance: Self.gridTolerance) { continue }
                if let (q, d) = incidents.nearest(p, within: options.nearIncidentMetres, months: nil) {
                    findings.append(Finding(file: doc.path, location: "\(location) / \(plon),\(plat)",
                                            message: "the \(label) \(a),\(b) is \(String(format: "%.1f", d)) m from line \(q.line) of \(incidents.file): it points at an incident", route: .places))
                }
            }
            // An outline (not a grid cell) must rest on enough distinct incident locations.
            if !isCell, props["hotspot_id"] != nil || grid == nil {
                for rings in bng where (rings.first?.count ?? 0) >= 3 {
                    let n = incidents.distinctLocations(inside: rings, months: months, stopAt: options.minLocations)
                    if n < options.minLocations {
                        findings.append(Finding(file: doc.path, location: location,
                                                message: "the outline contains \(n) distinct incident location\(n == 1 ? "" : "s") of \(incidents.file) (fewer than \(options.minLocations)): it singles out \(n == 1 ? "one place" : "a handful of places")", route: .places))
                    }
                }
            }
        }
    }

    /// The coarsest common grid (BNG metres) nearly all outline vertices of a file lie on, if any.
    static func undeclaredGrid(_ features: [[String: Any]]) -> Double? {
        var points: [BNGPoint] = []
        for f in features {
            guard (f["properties"] as? [String: Any])?["cell_id"] == nil, let geometry = f["geometry"] as? [String: Any],
                  let c = geometry["coordinates"] as? [[[Double]]] else { continue }
            for ring in c { for v in ring where v.count >= 2 { points.append(BritishNationalGrid.fromWGS84(longitude: v[0], latitude: v[1])) } }
        }
        guard points.count >= 8 else { return nil }
        for g in [1000.0, 500, 250, 200, 100, 50, 25, 20, 10] {
            let on = points.filter { onGridLine($0, grid: g, tolerance: gridTolerance) }.count
            if Double(on) >= 0.99 * Double(points.count) { return g }
        }
        return nil
    }

    /// South-west corner and side of a published grid cell.
    static func cellLattice(_ p: [String: Any]) -> (e0: Double, n0: Double, side: Double)? {
        guard let id = p["cell_id"] as? String, id.hasPrefix("E"), let nIndex = id.firstIndex(of: "N"),
              let e = Double(id[id.index(after: id.startIndex)..<nIndex]), let n = Double(id[id.index(after: nIndex)...]) else { return nil }
        if let ce = p["centre_easting"] as? Double ?? (p["centre_easting"] as? Int).map(Double.init) {
            let side = 2 * (ce - e)
            if side > 0 { return (e.truncatingRemainder(dividingBy: side), n.truncatingRemainder(dividingBy: side), side) }
        }
        return nil
    }

    /// Area-weighted centroid of a ring (relative to its first vertex, for precision).
    static func centroid(_ ring: [BNGPoint]) -> BNGPoint {
        guard let o = ring.first, ring.count >= 3 else { return ring.first ?? BNGPoint(easting: 0, northing: 0) }
        var a = 0.0, cx = 0.0, cy = 0.0
        for i in 0..<ring.count {
            let p = ring[i], q = ring[(i + 1) % ring.count]
            let px = p.easting - o.easting, py = p.northing - o.northing, qx = q.easting - o.easting, qy = q.northing - o.northing
            let cross = px * qy - qx * py
            a += cross
            cx += (px + qx) * cross
            cy += (py + qy) * cross
        }
        guard a != 0 else { return o }
        return BNGPoint(easting: o.easting + cx / (3 * a), northing: o.northing + cy / (3 * a))
    }

    static func distance(_ a: BNGPoint, _ b: BNGPoint) -> Double {
        ((a.easting - b.easting) * (a.easting - b.easting) + (a.northing - b.northing) * (a.northing - b.northing)).squareRoot()
    }

    static func metres(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }

    // MARK: The report's hotspot map

    /// The report draws BNG metres into SVG pixels with one scale (`MapFrame`): the area's bounds for the area
    /// report, the district's outer rings plus 4% for a pack, 700 px wide and at most 560 high, 10 px margin.
    static func frame(min lo: BNGPoint, max hi: BNGPoint, width: Double = 700, maxHeight: Double? = 560, margin: Double = 10)
        -> (minE: Double, maxN: Double, scale: Double, width: Double, height: Double) {
        let spanE = max(hi.easting - lo.easting, 1), spanN = max(hi.northing - lo.northing, 1)
        var s = (width - 2 * margin) / spanE
        if let maxHeight { s = min(s, (maxHeight - 2 * margin) / spanN) }
        return (lo.easting, hi.northing, s, (spanE * s + 2 * margin).rounded(.up), (spanN * s + 2 * margin).rounded(.up))
    }

    mutating func check(report doc: Doc, vocabulary: Vocabulary) {
        guard let html = doc.html, let map = html.hotspotMap, !map.outlines.isEmpty || !map.centroids.isEmpty else { return }
        guard let area = options.area else {
            notes.append("\(doc.path): the hotspot map is drawn in pixels; give --area to place it on the ground (its outlines were not checked)")
            return
        }
        var lo = area.min, hi = area.max
        if case .district(let code) = doc.scope, let d = area.districts.first(where: { $0.code == code || $0.name == code }) {
            let pad = 0.04 * max(d.max.easting - d.min.easting, d.max.northing - d.min.northing)
            lo = BNGPoint(easting: d.min.easting - pad, northing: d.min.northing - pad)
            hi = BNGPoint(easting: d.max.easting + pad, northing: d.max.northing + pad)
        }
        let f = Self.frame(min: lo, max: hi)
        guard abs(f.width - map.width) <= 1, abs(f.height - map.height) <= 1 else {
            notes.append("\(doc.path): the hotspot map's frame (\(Int(map.width))×\(Int(map.height)) px) does not match \(area.name)'s bounds (\(Int(f.width))×\(Int(f.height))): outlines not checked")
            return
        }
        let margin = 10.0
        func ground(_ x: Double, _ y: Double) -> BNGPoint {
            BNGPoint(easting: f.minE + (x - margin) / f.scale, northing: f.maxN - (y - margin) / f.scale)
        }
        // SVG coordinates carry one decimal: the rounding on the ground.
        let rounding = 0.05 / f.scale
        let resolution = 0.1 / f.scale
        let isPublic = doc.semantics.tier == .public
        let grid = Self.declaredGrid(doc.disclosure)
        let months = doc.period
        if grid == nil && isPublic {
            let all = map.outlines.flatMap { $0.flatMap { $0.map { ground($0.x, $0.y) } } }
            for g in [1000.0, 500, 250, 200, 100, 50, 25, 20, 10] where g > 10 * (rounding + Self.gridTolerance) && all.count >= 8 {
                if Double(all.filter({ Self.onGridLine($0, grid: g, tolerance: rounding + Self.gridTolerance) }).count) >= 0.99 * Double(all.count) {
                    notes.append("\(doc.path): the hotspot outlines' vertices lie on a \(Self.metres(g)) m grid, but the report does not declare it (svd-disclosure meta, \"generalisation\"): declare it so the audit checks against it")
                    break
                }
            }
        }
        for (i, outline) in map.outlines.enumerated() {
            let rings = outline.map { $0.map { ground($0.x, $0.y) } }
            let flat = rings.flatMap { $0 }
            vertices += flat.count
            let location = "hotspot map outline \(i + 1)"
            var onGrid = Array(repeating: false, count: flat.count)
            if let grid {
                for (k, p) in flat.enumerated() { onGrid[k] = Self.onGridLine(p, grid: grid, tolerance: rounding + Self.gridTolerance) }
                let off = onGrid.filter { !$0 }.count
                if isPublic && off > 0 && grid.size > 2 * rounding {
                    findings.append(Finding(file: doc.path, location: location, message: "\(off) of \(flat.count) vertices are off the declared \(Self.metres(grid.size)) m generalisation grid: the outline is not generalised", route: .places))
                }
            } else if isPublic && resolution < 7 {
                findings.append(Finding(file: doc.path, location: location,
                                        message: "vertices are drawn to 0.1 px = \(String(format: "%.1f", resolution)) m on the ground (finer than 4 decimals of a degree) and no generalisation grid is declared: the outline can run through incidents' own positions", route: .places))
            }
            guard let incidents else { continue }
            var near: [(Int, Double, IncidentIndex.Point)] = []
            if resolution < 11 {
                for (k, p) in flat.enumerated() where !onGrid[k] {
                    if let (q, d) = incidents.nearest(p, within: options.nearIncidentMetres, months: nil) { near.append((k, d, q)) }
                }
            }
            if let (k, d, q) = near.min(by: { $0.1 < $1.1 }) {
                findings.append(Finding(file: doc.path, location: location,
                                        message: "\(near.count) of \(flat.count) vertices lie within \(Self.metres(options.nearIncidentMetres)) m of an incident (vertex \(k + 1) at \(Self.lonLat(flat[k])) is \(String(format: "%.1f", d)) m from line \(q.line) of \(incidents.file)): the outline gives incidents' positions away", route: .places))
            }
            for ring in rings where ring.count >= 3 {
                let n = incidents.distinctLocations(inside: [ring], margin: 1 + rounding, months: months, stopAt: options.minLocations)
                if n < options.minLocations {
                    findings.append(Finding(file: doc.path, location: location,
                                            message: "the outline contains \(n) distinct incident location\(n == 1 ? "" : "s") of \(incidents.file) (fewer than \(options.minLocations))", route: .places))
                }
            }
        }
        if let incidents, resolution < 11 {
            // A mark at an outline's own (area-weighted) centroid says nothing the outline does not: only other marks are tested.
            let own = map.outlines.compactMap { rings in rings.first.map { Self.centroid($0.map { ground($0.x, $0.y) }) } }
            for (i, c) in map.centroids.enumerated() {
                let p = ground(c.x, c.y)
                if let grid, Self.onGridLine(p, grid: grid, tolerance: rounding + Self.gridTolerance) { continue }
                if own.contains(where: { Self.distance($0, p) <= 10 * rounding + Self.gridTolerance }) { continue }
                if let (q, d) = incidents.nearest(p, within: options.nearIncidentMetres, months: nil) {
                    findings.append(Finding(file: doc.path, location: "hotspot map centroid \(i + 1)",
                                            message: "the centroid mark at \(Self.lonLat(p)) is \(String(format: "%.1f", d)) m from line \(q.line) of \(incidents.file): it points at an incident", route: .places))
                }
            }
        }
    }
}
