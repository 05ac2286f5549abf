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
        /// What the report draws from the same run: the emerging cells, the targeting list's tables.
        public var emerging: ReportEmerging? = nil
        public var targeting: ReportTargeting? = nil
    }

    /// Most KDE cells a map carries: the top 1 % of the surface is plenty to see where density peaks.
    public static let maxDensityCells = 20_000

    public func publish() -> Output {
        switch parameters.method {
        case .dbscan: return publishClusters()
        case .gistar: return publishGiStar()
        case .kde: return publishDensity()
        case .emerging: return publishEmerging()
        case .cells: return publishMicroPlaces()
        case .repeats: return publishRepeatLocations()
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

    /// What the run left out of the map as sensitive, and the rules on places; empty lines dropped.
    var placeNotes: [String] {
        var notes: [String] = []
        if spatial.excludeSensitivePlaces {
            notes.append("Sensitive places: \(SensitivePlaces.note) are left out of every map and hotspot, as police.uk and most VRU maps do"
                         + (sensitiveLeftOut.isZero ? "" : " (\(countText(sensitiveLeftOut)) incidents)")
                         + "; partners' outputs (--tier partner) include them.")
        }
        notes.append("grid_ref is the Ordnance Survey National Grid reference of the hotspot's published centroid (100 m) or of the cell's centre (at the finest standard precision not finer than the cell)"
                     + (parameters.places.map { "; place is the place of the area's gazetteer it lies in, or the nearest (\($0.source))" } ?? "") + ".")
        return notes + adjustments
    }

    // MARK: DBSCAN

    /// How a district's hotspots are chosen from the area run.
    func districtNote(_ d: Int) -> String {
        "Clusters are found over the whole of \(area.name), so one crossing a boundary is not cut; those with at least "
            + "\(Int(HotspotPublisher.namedDistrictShare * 100))% of their incidents in \(area.districts[d].name) are listed, with the numbers "
            + "(H1 = most incidents in the area) they have in the area's table and report."
    }

    func publishClusters() -> Output {
        let p = parameters
        let ranked = ranking.published
        var method = "DBSCAN: eps \(Self.metres(p.eps)) m, at least \(minPoints) incidents (the point itself included) within eps"
            + (p.minPoints == nil ? " (density-aware: \(Int(HotspotParameters.densityMultiple)) times what the area's mean density puts within eps, at least \(HotspotParameters.smallestMinPoints))" : "")
        if let d = p.epsDays { method += " and within \(d) days" }
        let noise = clustering.map { c in c.labels.indices.reduce(KeyedCount.zero) { c.labels[$1] < 0 ? $0 + .record(key: incidents[$1].recordKey) : $0 } } ?? .zero
        var notes = [method + ".", selectionNote] + placeNotes
            + ["\(clusters.count) clusters found; \(countText(noise)) incidents lie in no cluster."]
        if let d = selectedDistrict { notes.append(districtNote(d)) }
        let table = publisher.clusterTable(ranking, top: p.top, title: "Hotspots (DBSCAN clusters), \(scope)", notes: notes)
        let columns = publisher.clusterColumns
        var concave: [MapPolygon] = [], convex: [MapPolygon] = []
        for (i, c) in ranked.enumerated() {
            let shape = shapes[c.id]
            let properties = zip(columns, publisher.clusterRow(c, rank: i + 1)).map { (key: $0, value: GeoJSONProperty($1)) }
            concave.append(MapPolygon(rings: [shape.concaveHull], properties: properties))
            convex.append(MapPolygon(rings: [shape.convexHull], properties: properties))
        }
        var summary = selectedDistrict == nil ? ["\(scope): \(countText(analysed)) incidents, \(clusters.count) clusters, \(ranked.count) published."]
            : ["\(scope): \(ranked.count) of the area's published hotspots lie in the district (\(countText(analysed)) incidents and \(clusters.count) clusters in \(area.name))."]
        if ranking.withheldSmall > 0 { summary.append("\(ranking.withheldSmall) clusters under \(policy.threshold) incidents not published.") }
        if ranking.withheldPlaces > 0 {
            summary.append("\(ranking.withheldPlaces) clusters on fewer than \(spatial.minPlaces) distinct \(Self.metres(spatial.generalisation)) m squares not published.")
        }
        if !sensitiveLeftOut.isZero { summary.append("\(countText(sensitiveLeftOut)) incidents at sensitive places (\(SensitivePlaces.note)) left out of the map.") }
        return Output(tables: [table],
                      maps: [("hotspots_dbscan.geojson", GeoJSON.featureCollection(concave, name: "hotspots_dbscan", disclosure: policy, places: spatial)),
                             ("hotspots_dbscan_convex.geojson", GeoJSON.featureCollection(convex, name: "hotspots_dbscan_convex", disclosure: policy, places: spatial))],
                      summary: summary)
    }

    // MARK: Gi*

    func publishGiStar() -> Output {
        guard let g = giStar else { return Output(tables: [], maps: [], summary: []) }
        let spec = g.spec
        let compared = trends != nil
        let counts = HotspotAnalysis.keyedCells(incidents, spec: spec)
        var candidates: [Int] = []
        for i in 0..<spec.cellCount where g.classes[i] != .notSignificant || (trends?[i] ?? .none) != .none { candidates.append(i) }
        // Places: a class rests on the cell's band neighbourhood, so that neighbourhood must hold enough distinct places
        // (in the period the class or trend speaks of).
        let k = spatial.minPlaces
        let now = HotspotAnalysis.neighbourhoodPlaces(incidents.map(\.location), spec: spec, band: g.band, grid: generalisationGrid,
                                                      cells: candidates, atLeast: k)
        let before = previousLocations.map {
            HotspotAnalysis.neighbourhoodPlaces($0, spec: spec, band: g.band, grid: generalisationGrid, cells: candidates, atLeast: k)
        }
        var mapped: [Int] = []
        for (slot, i) in candidates.enumerated() {
            let hotBefore = previousGiStar.map { $0.classes[i].isHot } ?? false
            if g.classes[i] != .notSignificant && !now[slot] { continue }
            if hotBefore && !(before?[slot] ?? false) { continue }
            mapped.append(i)
        }
        let withheld = candidates.count - mapped.count
        // Hot first, then cells that only changed, then cold. Partners: strongest z first. Public: strongest class first,
        // then the published count (z is not published, so the order must not give it away).
        func group(_ i: Int) -> Int { g.classes[i].isHot ? 0 : g.classes[i].isCold ? 2 : 1 }
        let shown = Dictionary(uniqueKeysWithValues: mapped.map { ($0, publisher.disclosure.release(counts[$0]).value ?? 0) })
        mapped.sort { a, b in
            let ga = group(a), gb = group(b)
            if ga != gb { return ga < gb }
            if spatial.publishStatistics {
                let za = g.z[a].isFinite ? g.z[a] : 0, zb = g.z[b].isFinite ? g.z[b] : 0
                if za != zb { return ga == 2 ? za < zb : za > zb }
            } else {
                let la = g.classes[a].confidenceLevel, lb = g.classes[b].confidenceLevel
                if la != lb { return la > lb }
                if shown[a]! != shown[b]! { return ga == 2 ? shown[a]! < shown[b]! : shown[a]! > shown[b]! }
            }
            return a < b
        }
        let districts = cellDistricts(spec, mapped)
        let cells: [GridCellSummary] = mapped.enumerated().map { slot, i in
            let centre = spec.centre(ofCell: i)
            let sw = BNGPoint(easting: centre.easting - spec.cellSize / 2, northing: centre.northing - spec.cellSize / 2)
            return GridCellSummary(southWest: sw, cellSize: spec.cellSize, district: districts[slot],
                                   incidents: counts[i], z: g.z[i], p: g.p[i], q: g.q[i], classLabel: g.classes[i].label,
                                   previousIncidents: previousCellCounts.map { $0[i] }, trend: trends.map { $0[i].label },
                                   exposureRatio: comparisonPeriod.map { Double(months(period)) / Double(months($0)) } ?? 1)
        }
        let hot = (1...3).map { level in mapped.reduce(0) { $0 + (g.classes[$1].isHot && g.classes[$1].confidenceLevel == level ? 1 : 0) } }
        let cold = mapped.reduce(0) { $0 + (g.classes[$1].isCold ? 1 : 0) }
        let extent = parameters.district == nil ? area.name : "the district"
        var notes = [
            "Getis–Ord Gi* on \(Self.metres(spec.cellSize)) m cells"
                + (spatial.publishStatistics ? " (grid \(spec.columns) × \(spec.rows) over \(extent)'s bounds)" : " over \(extent)'s bounds")
                + ", binary distance band \(Self.metres(g.band)) m between cell centres, the cell itself included; "
                + Self.observationNote(g, extent: extent, statistics: spatial.publishStatistics),
            spatial.publishStatistics ? "Classes from Benjamini–Hochberg adjusted p (q): 99 %, 95 %, 90 %. p is two-sided."
                : "Classes from Benjamini–Hochberg adjusted p (q): 99 %, 95 %, 90 %. z, p and q are not published in the public tier: with the cells' counts they would give hidden counts back; each cell shows its class and its published count.",
            selectionNote,
        ] + placeNotes
        if k > 1 {
            notes.append("Places: a cell is mapped only if the cells within its band hold incidents in at least \(k) distinct \(Self.metres(spatial.generalisation)) m squares; "
                         + "\(withheld == 0 ? "none" : groupedThousands(withheld)) withheld.")
        }
        notes.append("\(groupedThousands(hot.reduce(0, +))) hot cells mapped (99 %: \(groupedThousands(hot[2])), 95 %: \(groupedThousands(hot[1])), 90 %: \(groupedThousands(hot[0]))) and \(groupedThousands(cold)) cold cells; the table lists the first \(min(parameters.top, cells.count)), the map all \(groupedThousands(cells.count)) mapped cells.")
        if let comparisonPeriod {
            notes.append("trend says in which of the two periods the cell was a hot spot (≥ 90 %), compared with \(comparisonPeriod.lowerBound) to \(comparisonPeriod.upperBound) on the same grid: "
                         + "hot now only, hot before only, hot in both (at the same, a higher or a lower confidence now). A cell near the 90 % line can change "
                         + "by chance between two periods; these are not the emerging hot spot patterns (--method emerging), which need a series of steps and a trend test. "
                         + "change tests the cell's two published counts (exact conditional test of two Poisson counts, 95 %, for the periods' lengths).")
        }
        let table = publisher.cellTable(Array(cells.prefix(parameters.top)), compared: compared,
                                        title: "Hot and cold spots (Gi*), \(scope)", notes: notes)
        let columns = publisher.cellColumns(compared: compared)
        let features = cells.enumerated().map { r, c in
            MapPolygon(rings: [Self.square(c.southWest, c.cellSize)],
                       properties: zip(columns, publisher.cellRow(c, rank: r + 1, compared: compared)).map { (key: $0, value: GeoJSONProperty($1)) })
        }
        return Output(tables: [table], maps: [("hotspots_gistar.geojson", GeoJSON.featureCollection(features, name: "hotspots_gistar", disclosure: policy, places: spatial))],
                      summary: ["\(scope): \(countText(analysed)) incidents, \(hot.reduce(0, +)) hot and \(cold) cold cells of \(Self.metres(spec.cellSize)) m mapped"
                                + (withheld > 0 ? " (\(withheld) withheld: too few places)." : ".")])
    }

    /// Which cells Gi* observed, in words.
    static func observationNote(_ g: GiStarResult, extent: String, statistics: Bool) -> String {
        let cells = statistics ? " (\(groupedThousands(g.observationCount)))" : ""
        switch (g.observations, g.land != nil) {
        case (.allCells, true):
            return "the cells intersecting \(extent)'s districts are the observations\(cells), empty ones counting as zero; cells of sea or of land outside \(extent) are not observations (they are absent, not zeros)."
        case (.allCells, false):
            return "every cell of the grid is an observation (empty cells count as zero), sea included."
        case (.occupiedCells, true):
            return "occupied cells only are observations\(cells)."
        case (.occupiedCells, false):
            return "occupied cells only are observations."
        }
    }

    /// For each listed cell: whether the cells within `band` of it hold locations in at least `k` distinct squares.
    static func neighbourhoodPlaces(_ locations: [BNGPoint], spec: GridSpec, band: Double, grid: GeneralisationGrid,
                                    cells: [Int], atLeast k: Int) -> [Bool] {
        guard !cells.isEmpty else { return [] }
        // Distinct squares per occupied grid cell.
        var pairs: [(cell: Int, key: Int64)] = []
        pairs.reserveCapacity(locations.count)
        for p in locations { if let c = spec.cellIndex(of: p) { pairs.append((c, grid.cell(of: p).key)) } }
        pairs.sort { ($0.cell, $0.key) < ($1.cell, $1.key) }
        var squares: [Int: [Int64]] = [:]
        var i = 0
        while i < pairs.count {
            var list: [Int64] = []
            let c = pairs[i].cell
            while i < pairs.count && pairs[i].cell == c {
                if list.last != pairs[i].key { list.append(pairs[i].key) }
                i += 1
            }
            squares[c] = list
        }
        // Offsets of the cells whose centres lie within the band (as Gi* counts them, the cell itself included).
        let reach = Int((band / spec.cellSize).rounded(.down)) + 1
        let limit = band * band * (1 + 1e-12)
        var offsets: [(Int, Int)] = []
        for dy in -reach...reach { for dx in -reach...reach {
            let d2 = Double(dx * dx + dy * dy) * spec.cellSize * spec.cellSize
            if d2 <= limit { offsets.append((dx, dy)) }
        } }
        return cells.map { cell in
            let col = cell % spec.columns, row = cell / spec.columns
            var seen = Set<Int64>()
            for (dx, dy) in offsets {
                let c = col + dx, r = row + dy
                guard c >= 0, r >= 0, c < spec.columns, r < spec.rows, let list = squares[r * spec.columns + c] else { continue }
                for key in list {
                    seen.insert(key)
                    if seen.count >= k { return true }
                }
            }
            return seen.count >= k
        }
    }

    // MARK: KDE

    func publishDensity() -> Output {
        guard let s = density else { return Output(tables: [], maps: [], summary: []) }
        let spec = s.spec
        var nonZero: [Int] = []
        for i in 0..<spec.cellCount where s.density[i] > 0 { nonZero.append(i) }
        nonZero.sort { (s.density[$0], -$0) > (s.density[$1], -$1) }
        let mappedCount = min(Self.maxDensityCells, max(parameters.top, nonZero.count / 100), nonZero.count)
        // Places: a density rests on the incidents within the radius, which must lie in enough distinct squares.
        let k = spatial.minPlaces
        var mappedCells = Array(nonZero.prefix(mappedCount))
        if k > 1 {
            let index = PlaceIndex(incidents.map(\.location), grid: generalisationGrid)
            mappedCells = mappedCells.filter { index.distinctCells(within: s.bandwidth, of: spec.centre(ofCell: $0), upTo: k) >= k }
        }
        let withheld = mappedCount - mappedCells.count
        let peak = mappedCells.first.map { s.density[$0] } ?? 0
        if !spatial.publishStatistics {
            // Bands, then cells south to north, west to east: the order says nothing finer than the band.
            mappedCells.sort { (DensityCellSummary.band(s.density[$0], peak: peak), $0) < (DensityCellSummary.band(s.density[$1], peak: peak), $1) }
        }
        let districts = cellDistricts(spec, mappedCells)
        let cells: [DensityCellSummary] = mappedCells.enumerated().map { slot, i in
            let centre = spec.centre(ofCell: i)
            return DensityCellSummary(southWest: BNGPoint(easting: centre.easting - spec.cellSize / 2, northing: centre.northing - spec.cellSize / 2),
                                      cellSize: spec.cellSize, district: districts[slot], density: s.density[i],
                                      band: DensityCellSummary.band(s.density[i], peak: peak))
        }
        var notes = [
            "Quartic kernel density, radius \(Self.metres(s.bandwidth)) m"
                + (parameters.bandwidth != nil ? "" : adjustments.contains { $0.hasPrefix("The automatic radius") } ? " (the tier's floor)" : " (ArcGIS default rule)") + ", "
                + "sampled at the centres of \(Self.metres(spec.cellSize)) m cells"
                + (s.land != nil ? " intersecting \(parameters.district == nil ? area.name : "the district")'s districts (sea and land outside are not mapped)" : "")
                + (spatial.publishStatistics ? "; incidents per km²." : "; bands relative to the highest mapped density (75–100 %, 50–75 %, 25–50 %, under 25 %). Densities themselves are not published in the public tier: a density is a sum of kernels, and a lone incident's is exactly one."),
            selectionNote,
        ] + placeNotes
        notes.append("The \(spatial.publishStatistics ? "table lists the \(min(parameters.top, cells.count)) densest cells; the map" : "table lists \(min(parameters.top, cells.count)) cells by band; the map holds") "
                     + "the densest \(groupedThousands(mappedCount)) cells (top 1 % of non-zero cells, at least --top, at most \(groupedThousands(Self.maxDensityCells)))"
                     + (k > 1 ? ", less those whose radius holds incidents in fewer than \(k) distinct \(Self.metres(spatial.generalisation)) m squares (\(withheld == 0 ? "none" : groupedThousands(withheld)) withheld)." : "."))
        let table = publisher.densityTable(Array(cells.prefix(parameters.top)), title: "Kernel density hotspots, \(scope)", notes: notes)
        let columns = publisher.densityColumns
        let features = cells.enumerated().map { r, c in
            MapPolygon(rings: [Self.square(c.southWest, c.cellSize)],
                       properties: zip(columns, publisher.densityRow(c, rank: r + 1)).map { (key: $0, value: GeoJSONProperty($1)) })
        }
        let summary = spatial.publishStatistics
            ? "\(scope): \(countText(analysed)) incidents, peak density \(String(format: "%.1f", peak)) per km²."
            : "\(scope): \(countText(analysed)) incidents, \(groupedThousands(cells.count)) cells mapped in density bands (radius \(Self.metres(s.bandwidth)) m)."
        return Output(tables: [table], maps: [("hotspots_kde.geojson", GeoJSON.featureCollection(features, name: "hotspots_kde", disclosure: policy, places: spatial))],
                      summary: [summary])
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

    func months(_ p: ClosedRange<MonthKey>) -> Int { Int(p.upperBound.index - p.lowerBound.index) + 1 }

    static func square(_ sw: BNGPoint, _ side: Double) -> [BNGPoint] {
        [sw, BNGPoint(easting: sw.easting + side, northing: sw.northing),
         BNGPoint(easting: sw.easting + side, northing: sw.northing + side),
         BNGPoint(easting: sw.easting, northing: sw.northing + side), sw]
    }

    static func metres(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(format: "%.1f", v)
    }
}
