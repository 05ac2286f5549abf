import Foundation
import SVDCore
import SVDLocate
import SVDDetect
import SVDPublish

extension HotspotAnalysis {
    /// What a run publishes: tables (CSV/Markdown/JSON via `PublishedTable`) and GeoJSON maps in WGS84.
    public struct Output {
        public var tables: [PublishedTable]
        /// File name (with .geojson) and text.
        public var maps: [(name: String, text: String)]
        /// Lines for the terminal.
        public var summary: [String]
    }

    /// Most KDE cells a map carries: the top 1 % of the surface is plenty to see where density peaks.
    public static let maxDensityCells = 20_000

    public func publish() -> Output {
        switch parameters.method {
        case .dbscan: return publishClusters()
        case .gistar: return publishGiStar()
        case .kde: return publishDensity()
        }
    }

    var policy: DisclosurePolicy { publisher.policy }

    /// A count for free text, as the disclosure engine publishes it.
    func countText(_ c: KeyedCount) -> String { publisher.disclosure.release(c).cell.display }

    var selectionNote: String {
        var note = "Serious-violence incidents of \(scope): \(countText(analysed)) analysed"
        if !outsideArea.isZero { note += "; \(countText(outsideArea)) outside \(area.name) left out" }
        if !withoutDay.isZero { note += "; \(countText(withoutDay)) with a month-only date left out of the space-time run" }
        return note + "."
    }

    // MARK: DBSCAN

    func publishClusters() -> Output {
        let p = parameters
        let (ranked, withheld) = publisher.rank(clusters)
        var method = "DBSCAN: eps \(Self.metres(p.eps)) m, at least \(p.minPoints) incidents (the point itself included) within eps"
        if let d = p.epsDays { method += " and within \(d) days" }
        let noise = clustering.map { c in c.labels.indices.reduce(KeyedCount.zero) { c.labels[$1] < 0 ? $0 + .record(key: incidents[$1].recordKey) : $0 } } ?? .zero
        let notes = [method + ".", selectionNote,
                     "\(clusters.count) clusters found; \(countText(noise)) incidents lie in no cluster."]
        let table = publisher.clusterTable(ranked, withheld: withheld, top: p.top,
                                           title: "Hotspots (DBSCAN clusters), \(scope)", notes: notes)
        let columns = publisher.clusterColumns
        var concave: [MapPolygon] = [], convex: [MapPolygon] = []
        for (i, c) in ranked.enumerated() {
            let profile = shapes[c.id]
            let properties = zip(columns, publisher.clusterRow(c, rank: i + 1)).map { (key: $0, value: GeoJSONProperty($1)) }
            let fallback = profile.concaveHull.count < 4 || profile.convexHull.count < 4 ? disc(of: c.id, around: profile.centroid) : []
            concave.append(MapPolygon(rings: [profile.concaveHull.count >= 4 ? profile.concaveHull : fallback], properties: properties))
            convex.append(MapPolygon(rings: [profile.convexHull.count >= 4 ? profile.convexHull : fallback], properties: properties))
        }
        var summary = ["\(scope): \(countText(analysed)) incidents, \(clusters.count) clusters, \(ranked.count) published."]
        if withheld > 0 { summary.append("\(withheld) clusters under \(policy.threshold) incidents not published.") }
        return Output(tables: [table],
                      maps: [("hotspots_dbscan.geojson", GeoJSON.featureCollection(concave, name: "hotspots_dbscan", disclosure: policy)),
                             ("hotspots_dbscan_convex.geojson", GeoJSON.featureCollection(convex, name: "hotspots_dbscan_convex", disclosure: policy))],
                      summary: summary)
    }

    /// A cluster whose members coincide or lie on a line has no hull area: it is drawn as a 32-sided disc
    /// around its centroid that covers every member with a 10 m margin.
    func disc(of cluster: Int, around centre: BNGPoint) -> [BNGPoint] {
        var radius = 0.0
        if let labels = clustering?.labels {
            for (i, l) in labels.enumerated() where Int(l) == cluster {
                let dx = incidents[i].location.easting - centre.easting, dy = incidents[i].location.northing - centre.northing
                radius = max(radius, (dx * dx + dy * dy).squareRoot())
            }
        }
        // A regular polygon's edges dip inside its circumcircle by cos(π/32); scale out to keep members covered.
        let r = (radius + 10) / cos(Double.pi / 32)
        return (0...32).map { k in
            let a = Double(k % 32) * 2 * Double.pi / 32
            return BNGPoint(easting: centre.easting + r * cos(a), northing: centre.northing + r * sin(a))
        }
    }

    // MARK: Gi*

    func publishGiStar() -> Output {
        guard let g = giStar else { return Output(tables: [], maps: [], summary: []) }
        let spec = g.spec
        let compared = trends != nil
        let counts = HotspotAnalysis.keyedCells(incidents, spec: spec)
        var mapped: [Int] = []
        for i in 0..<spec.cellCount where g.classes[i] != .notSignificant || (trends?[i] ?? .none) != .none { mapped.append(i) }
        // Hot first (strongest z first), then cells that only changed, then cold (most negative first).
        func group(_ i: Int) -> Int { g.classes[i].isHot ? 0 : g.classes[i].isCold ? 2 : 1 }
        mapped.sort { a, b in
            let ga = group(a), gb = group(b)
            if ga != gb { return ga < gb }
            let za = g.z[a].isFinite ? g.z[a] : 0, zb = g.z[b].isFinite ? g.z[b] : 0
            if za != zb { return ga == 2 ? za < zb : za > zb }
            return a < b
        }
        let districts = cellDistricts(spec, mapped)
        let cells: [GridCellSummary] = mapped.enumerated().map { slot, i in
            let centre = spec.centre(ofCell: i)
            let sw = BNGPoint(easting: centre.easting - spec.cellSize / 2, northing: centre.northing - spec.cellSize / 2)
            return GridCellSummary(southWest: sw, cellSize: spec.cellSize, district: districts[slot],
                                   incidents: counts[i], z: g.z[i], p: g.p[i], q: g.q[i], classLabel: g.classes[i].label,
                                   previousIncidents: previousCellCounts.map { $0[i] }, trend: trends.map { $0[i].label })
        }
        let hot = (1...3).map { level in g.classes.reduce(0) { $0 + ($1.isHot && $1.confidenceLevel == level ? 1 : 0) } }
        let cold = g.classes.reduce(0) { $0 + ($1.isCold ? 1 : 0) }
        var notes = [
            "Getis–Ord Gi* on \(Self.metres(spec.cellSize)) m cells (grid \(spec.columns) × \(spec.rows) over \(parameters.district == nil ? area.name : "the district")'s bounds), "
                + "binary distance band \(Self.metres(g.band)) m between cell centres, the cell itself included; "
                + (g.observations == .allCells ? "every cell of the grid is an observation (empty cells count as zero)." : "occupied cells only are observations."),
            "Classes from Benjamini–Hochberg adjusted p (q): 99 %, 95 %, 90 %. p is two-sided.",
            selectionNote,
            "\(groupedThousands(hot.reduce(0, +))) hot cells (99 %: \(groupedThousands(hot[2])), 95 %: \(groupedThousands(hot[1])), 90 %: \(groupedThousands(hot[0]))) and \(groupedThousands(cold)) cold cells; the table lists the first \(min(parameters.top, cells.count)), the map all \(groupedThousands(cells.count)) mapped cells.",
        ]
        if let comparisonPeriod {
            notes.append("Trend compares hot spots (≥ 90 %) with \(comparisonPeriod.lowerBound) to \(comparisonPeriod.upperBound) on the same grid: "
                         + "new, persistent, intensifying, diminishing, former.")
        }
        let table = publisher.cellTable(Array(cells.prefix(parameters.top)), compared: compared,
                                        title: "Hot and cold spots (Gi*), \(scope)", notes: notes)
        let columns = publisher.cellColumns(compared: compared)
        let features = cells.enumerated().map { r, c in
            MapPolygon(rings: [Self.square(c.southWest, c.cellSize)],
                       properties: zip(columns, publisher.cellRow(c, rank: r + 1, compared: compared)).map { (key: $0, value: GeoJSONProperty($1)) })
        }
        return Output(tables: [table], maps: [("hotspots_gistar.geojson", GeoJSON.featureCollection(features, name: "hotspots_gistar", disclosure: policy))],
                      summary: ["\(scope): \(countText(analysed)) incidents, \(hot.reduce(0, +)) hot and \(cold) cold cells of \(Self.metres(spec.cellSize)) m."])
    }

    // MARK: KDE

    func publishDensity() -> Output {
        guard let s = density else { return Output(tables: [], maps: [], summary: []) }
        let spec = s.spec
        var nonZero: [Int] = []
        for i in 0..<spec.cellCount where s.density[i] > 0 { nonZero.append(i) }
        nonZero.sort { (s.density[$0], -$0) > (s.density[$1], -$1) }
        let mappedCount = min(Self.maxDensityCells, max(parameters.top, nonZero.count / 100), nonZero.count)
        let mappedCells = Array(nonZero.prefix(mappedCount))
        let districts = cellDistricts(spec, mappedCells)
        let cells: [DensityCellSummary] = mappedCells.enumerated().map { slot, i in
            let centre = spec.centre(ofCell: i)
            return DensityCellSummary(southWest: BNGPoint(easting: centre.easting - spec.cellSize / 2, northing: centre.northing - spec.cellSize / 2),
                                      cellSize: spec.cellSize, district: districts[slot], density: s.density[i])
        }
        let notes = [
            "Quartic kernel density, radius \(Self.metres(s.bandwidth)) m\(parameters.bandwidth == nil ? " (ArcGIS default rule)" : ""), "
                + "sampled at the centres of \(Self.metres(spec.cellSize)) m cells; incidents per km².",
            selectionNote,
            "The table lists the \(min(parameters.top, cells.count)) densest cells; the map the densest \(cells.count) (top 1 % of non-zero cells, at least --top, at most \(groupedThousands(Self.maxDensityCells))).",
        ]
        let table = publisher.densityTable(Array(cells.prefix(parameters.top)), title: "Kernel density hotspots, \(scope)", notes: notes)
        let columns = publisher.densityColumns
        let features = cells.enumerated().map { r, c in
            MapPolygon(rings: [Self.square(c.southWest, c.cellSize)],
                       properties: zip(columns, publisher.densityRow(c, rank: r + 1)).map { (key: $0, value: GeoJSONProperty($1)) })
        }
        return Output(tables: [table], maps: [("hotspots_kde.geojson", GeoJSON.featureCollection(features, name: "hotspots_kde", disclosure: policy))],
                      summary: ["\(scope): \(countText(analysed)) incidents, peak density \(String(format: "%.1f", cells.first?.density ?? 0)) per km²."])
    }

    /// District name per listed cell: the district of most of the cell's incidents (a coastal or riverside cell's
    /// centre may lie in water), else the district of its centre.
    func cellDistricts(_ spec: GridSpec, _ cells: [Int]) -> [String] {
        let n = area.districts.count
        var slot: [Int: Int] = [:]
        slot.reserveCapacity(cells.count)
        for (k, c) in cells.enumerated() { slot[c] = k }
        var counts = [Int](repeating: 0, count: cells.count * n)
        for p in incidents where Int(p.district) < n {
            if let c = spec.cellIndex(of: p.location), let k = slot[c] { counts[k * n + Int(p.district)] += 1 }
        }
        let locator = DistrictLocator(area: area)
        return cells.indices.map { k in
            var best = -1, most = 0
            for d in 0..<n where counts[k * n + d] > most { best = d; most = counts[k * n + d] }
            if best < 0 { best = Int(locator.district(at: spec.centre(ofCell: cells[k]))) }
            return best >= 0 ? area.districts[best].name : "outside the area"
        }
    }

    static func square(_ sw: BNGPoint, _ side: Double) -> [BNGPoint] {
        [sw, BNGPoint(easting: sw.easting + side, northing: sw.northing),
         BNGPoint(easting: sw.easting + side, northing: sw.northing + side),
         BNGPoint(easting: sw.easting, northing: sw.northing + side), sw]
    }

    static func metres(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(format: "%.1f", v)
    }
}
