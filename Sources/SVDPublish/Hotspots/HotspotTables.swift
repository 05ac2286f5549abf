import Foundation
import SVDCore
import SVDMeasure
import SVDLocate

/// One DBSCAN cluster reduced to counts: what the published table and map may draw on.
/// Counts come from the cluster's members; nothing here locates a single incident.
public struct ClusterSummary: Sendable {
    /// Canonical cluster id (input-order free): indexes the run's outlines. Never published.
    public var id: Int
    /// The published hotspot number: rank among the run's published clusters over the whole area, most incidents
    /// first (H1), set by `HotspotPublisher.ranking`; 0 until then. The same in every table, map, report and pack.
    public var number = 0
    public var incidents: KeyedCount
    /// Distinct generalisation squares the members occupy (see `SpatialRules`).
    public var places: Int
    /// Area of the published (generalised) outline, and of its convex hull.
    public var concaveAreaHectares: Double
    public var convexAreaHectares: Double
    public var centroid: BNGPoint
    /// Members per district index.
    public var districtCounts: [KeyedCount]
    public var victimAgeKnown = KeyedCount.zero
    public var victimUnder25 = KeyedCount.zero
    public var victimUnder18 = KeyedCount.zero
    /// Members per hour of day 0–23 (unknown hours left out).
    public var hours: [KeyedCount]
    /// Members per weekday, Monday first (month-only dates left out).
    public var weekdays: [KeyedCount]
    /// Members per strand of the run's definitions (strands overlap).
    public var strands: [KeyedCount]
    public var weaponKnown = KeyedCount.zero
    public var knife = KeyedCount.zero
    public var weaponEnabled = KeyedCount.zero
    /// Members whose victim is under the first cohort's age (for the report), when that age is not 25 or 18.
    public var victimUnderCohort = KeyedCount.zero

    public init(id: Int, incidents: KeyedCount, places: Int = 0, concaveAreaHectares: Double, convexAreaHectares: Double, centroid: BNGPoint,
                districts: Int, strands: Int) {
        self.id = id
        self.incidents = incidents
        self.places = places
        self.concaveAreaHectares = concaveAreaHectares
        self.convexAreaHectares = convexAreaHectares
        self.centroid = centroid
        districtCounts = Array(repeating: .zero, count: districts)
        hours = Array(repeating: .zero, count: 24)
        weekdays = Array(repeating: .zero, count: 7)
        self.strands = Array(repeating: .zero, count: strands)
    }

    public var label: String { "H\(number)" }

    /// District holding most members (the lowest index on a tie); nil when none lies in a district.
    public var mainDistrict: Int? {
        var best: Int?
        for (d, n) in districtCounts.enumerated() where n.count > 0 && n.count > (best.map { districtCounts[$0].count } ?? 0) { best = d }
        return best
    }
}

/// One published hotspot, typed: the `svd hotspots` table row, the map feature's properties, `assess`'s
/// per-district table and the report's profile are all formatted from it, so they cannot disagree.
public struct HotspotRow: Sendable {
    /// "H3": the area-wide number (see `ClusterSummary.number`).
    public let label: String
    public let incidents: Released
    /// Area of the generalised outline and of its convex hull, in hectares.
    public let areaHectares: Double
    public let incidentsPerHectare: Double?
    public let convexAreaHectares: Double
    public let mainDistrict: String
    /// Districts holding at least 10% of its published incidents, most first.
    public let districts: [String]
    /// Centroid of the generalised outline (BNG), and in WGS84 for tables.
    public let centroid: BNGPoint
    public let longitude: Double
    public let latitude: Double
    /// OS grid reference of the centroid at 100 m ("TQ 757 685"), and the nearest place of the area's gazetteer (nil
    /// without one).
    public let gridReference: String
    public let place: String?
    /// Shares (per cent, or withheld) and peaks (text, or withheld), from published counts only.
    public let victimsUnder25: PublishedTable.Value
    public let victimsUnder18: PublishedTable.Value
    public let peakHour: PublishedTable.Value
    public let peakWeekday: PublishedTable.Value
    /// Of incidents with a known weapon field: knife, and any weapon (knife, firearm, other).
    public let knife: PublishedTable.Value
    public let weaponEnabled: PublishedTable.Value
    public let mainStrand: PublishedTable.Value
    public let strandShares: [PublishedTable.Value]

    /// The row under `HotspotPublisher.clusterColumns`.
    public func values(rank: Int) -> [PublishedTable.Value] {
        [.count(rank), .text(label), incidents.cell,
         .number(areaHectares, decimals: 2), incidentsPerHectare.map { .number($0, decimals: 1) } ?? .empty,
         .number(convexAreaHectares, decimals: 2), .text(mainDistrict), .text(districts.joined(separator: "; ")),
         // Three decimals (about 100 m): enough to find the place, too coarse to point at an address.
         .number(longitude, decimals: 3), .number(latitude, decimals: 3), .text(gridReference)]
            + (place.map { [.text($0)] } ?? [])
            + [victimsUnder25, victimsUnder18, peakHour, peakWeekday, knife, weaponEnabled, mainStrand] + strandShares
    }
}

/// A grid cell of a Gi* run, as published.
public struct GridCellSummary: Sendable {
    public var southWest: BNGPoint
    public var cellSize: Double
    public var district: String
    public var incidents: KeyedCount
    public var z: Double
    public var p: Double
    public var q: Double
    public var classLabel: String
    /// Set when the run compared two periods.
    public var previousIncidents: KeyedCount?
    public var trend: String?
    /// The analysis period's length ÷ the comparison period's, for the change test.
    public var exposureRatio: Double

    public init(southWest: BNGPoint, cellSize: Double, district: String, incidents: KeyedCount, z: Double, p: Double, q: Double,
                classLabel: String, previousIncidents: KeyedCount? = nil, trend: String? = nil, exposureRatio: Double = 1) {
        self.southWest = southWest
        self.cellSize = cellSize
        self.district = district
        self.incidents = incidents
        self.z = z
        self.p = p
        self.q = q
        self.classLabel = classLabel
        self.previousIncidents = previousIncidents
        self.trend = trend
        self.exposureRatio = exposureRatio
    }
}

/// A cell of a kernel density surface, as published.
public struct DensityCellSummary: Sendable {
    public var southWest: BNGPoint
    public var cellSize: Double
    public var district: String
    /// Incidents per square kilometre at the cell centre.
    public var density: Double
    /// Density band: 0 is 75–100 % of the highest mapped density, 1 is 50–75 %, 2 is 25–50 %, 3 under 25 %.
    public var band: Int

    public init(southWest: BNGPoint, cellSize: Double, district: String, density: Double, band: Int = 0) {
        self.southWest = southWest
        self.cellSize = cellSize
        self.district = district
        self.density = density
        self.band = band
    }

    public static let bandLabels = ["75–100% of peak", "50–75% of peak", "25–50% of peak", "under 25% of peak"]

    /// The band of a density, relative to the highest mapped density.
    public static func band(_ density: Double, peak: Double) -> Int {
        guard peak > 0 else { return 3 }
        let r = density / peak
        return r >= 0.75 ? 0 : r >= 0.5 ? 1 : r >= 0.25 ? 2 : 3
    }
}

/// Builds hotspot tables and map properties under the run's disclosure policy, so the CSV, Markdown and
/// GeoJSON of one run publish exactly the same values.
///
/// Rules: every count goes through the run's `Disclosure`; a cluster whose published count is hidden is not
/// published at all; shares and peaks are computed from published counts, and only for clusters whose
/// published count reaches the minimum base (a handful of incidents can be recognised from their profile).
public struct HotspotPublisher: Sendable {
    public let policy: DisclosurePolicy
    public let districtCodes: [String]
    public let districtNames: [String]
    public let strands: [(id: String, label: String)]
    public let disclosure: Disclosure
    /// How places are generalised and which may be published.
    public let spatial: SpatialRules

    /// Place names of the area, when it provides a gazetteer: every hotspot and cell row then names its place.
    public let places: Gazetteer?

    /// District share a cluster needs to be named among the districts it lies in.
    public static let namedDistrictShare = 0.10

    public init(policy: DisclosurePolicy, districtCodes: [String], districtNames: [String], strands: [(id: String, label: String)],
                spatial: SpatialRules? = nil, places: Gazetteer? = nil) {
        self.policy = policy
        self.districtCodes = districtCodes
        self.districtNames = districtNames
        self.strands = strands
        disclosure = Disclosure(policy: policy)
        self.spatial = spatial ?? SpatialRules(policy: policy)
        self.places = places
    }

    /// Columns naming a published place: its OS grid reference, and its place name when the area has a gazetteer.
    var placeColumns: [String] { ["grid_ref"] + (places != nil ? ["place"] : []) }

    /// An OS grid reference of a published cluster's outline centroid, at 100 m: the published centroid is the
    /// generalised outline's (never an incident's position) and its longitude and latitude are already published to
    /// three decimals (about 70 × 110 m), so the reference names nothing finer than the table does.
    public func gridReference(ofCentroid p: BNGPoint) -> String {
        OSGridReference.reference(p, precision: 100) ?? ""
    }

    /// An OS grid reference of a published cell: its centre at the finest standard precision not finer than the cell
    /// (100 m for 100–999 m cells, 1 km for 1 km cells), so it never names a square smaller than the cell.
    public func gridReference(ofCell southWest: BNGPoint, size: Double) -> String {
        let centre = BNGPoint(easting: southWest.easting + size / 2, northing: southWest.northing + size / 2)
        return OSGridReference.reference(centre, precision: OSGridReference.precision(notFinerThan: size)) ?? ""
    }

    func placeValues(gridRef: String, at p: BNGPoint) -> [PublishedTable.Value] {
        [.text(gridRef)] + (places.map { [.text($0.name(at: p) ?? "")] } ?? [])
    }


    // MARK: Clusters

    /// Which clusters may be published, ranked.
    public struct ClusterRanking: Sendable {
        /// Publishable clusters, most published incidents first (then by id).
        public var published: [ClusterSummary]
        /// Withheld because their published count is hidden (below the small-count threshold).
        public var withheldSmall: Int
        /// Withheld because they rest on too few distinct places or cover too small a footprint.
        public var withheldPlaces: Int
        public var withheld: Int { withheldSmall + withheldPlaces }

        public init(published: [ClusterSummary], withheldSmall: Int, withheldPlaces: Int) {
            self.published = published
            self.withheldSmall = withheldSmall
            self.withheldPlaces = withheldPlaces
        }
    }

    /// Publishable clusters ranked by incidents (most first, then by id) and numbered H1, H2… in that order over
    /// the whole run; with `inDistrict`, only those the district is named in (as the districts column names it)
    /// keep their place, with their area numbers. Withheld counts are of clusters with members in the district.
    public func ranking(_ clusters: [ClusterSummary], inDistrict district: Int? = nil) -> ClusterRanking {
        var r = rankAll(clusters)
        for i in r.published.indices { r.published[i].number = i + 1 }
        guard let district else { return r }
        let areaPublished = Set(r.published.map(\.id))
        var small = 0, places = 0
        for c in clusters where district < c.districtCounts.count && !c.districtCounts[district].isZero && !areaPublished.contains(c.id) {
            if spatial.allows(places: c.places, area: c.concaveAreaHectares * 10_000) { small += 1 } else { places += 1 }
        }
        return ClusterRanking(published: r.published.filter { districts(of: $0).contains(district) }, withheldSmall: small, withheldPlaces: places)
    }

    /// District indices a cluster is named in: those holding at least `namedDistrictShare` of its published
    /// incidents, most first.
    public func districts(of c: ClusterSummary) -> [Int] {
        let count = disclosure.release(c.incidents).value ?? 0
        let inDistrict = c.districtCounts.map { disclosure.release($0).value ?? 0 }
        return c.districtCounts.indices
            .filter { inDistrict[$0] > 0 && Double(inDistrict[$0]) >= Self.namedDistrictShare * Double(count) }
            .sorted { (inDistrict[$0], -$0) > (inDistrict[$1], -$1) }
    }

    private func rankAll(_ clusters: [ClusterSummary]) -> ClusterRanking {
        // Ranked by the published count, so the order reveals nothing the table does not show.
        var shown: [Int: Int] = [:]
        var small = 0, places = 0
        var kept: [ClusterSummary] = []
        for c in clusters {
            guard spatial.allows(places: c.places, area: c.concaveAreaHectares * 10_000) else { places += 1; continue }
            guard let v = disclosure.release(c.incidents).value, v > 0 else { small += 1; continue }
            shown[c.id] = v
            kept.append(c)
        }
        let ranked = kept.sorted { (shown[$0.id]!, -$0.id) > (shown[$1.id]!, -$1.id) }
        return ClusterRanking(published: ranked, withheldSmall: small, withheldPlaces: places)
    }

    public var clusterColumns: [String] {
        ["rank", "hotspot_id", "incidents", "area_ha", "incidents_per_ha", "convex_area_ha", "main_district", "districts",
         "centroid_lon", "centroid_lat"] + placeColumns + ["victims_under_25_pct", "victims_under_18_pct", "peak_hour", "peak_weekday",
         "knife_pct", "weapon_enabled_pct", "main_strand"] + strands.map { "\($0.id)_pct" }
    }

    /// A published cluster as every output shows it.
    public func row(_ c: ClusterSummary) -> HotspotRow {
        let count = disclosure.release(c.incidents)
        let profiled = disclosure.allowsBreakdown(of: c.incidents)
        let centre = BritishNationalGrid.toWGS84(c.centroid)
        return HotspotRow(
            label: c.label, incidents: count, areaHectares: c.concaveAreaHectares,
            incidentsPerHectare: c.concaveAreaHectares > 0 ? count.value.map { Double($0) / c.concaveAreaHectares } : nil,
            convexAreaHectares: c.convexAreaHectares,
            mainDistrict: c.mainDistrict.map { districtNames[$0] } ?? "outside the area",
            districts: districts(of: c).map { districtNames[$0] }, centroid: c.centroid,
            longitude: centre.longitude, latitude: centre.latitude,
            gridReference: gridReference(ofCentroid: c.centroid), place: places.map { $0.name(at: c.centroid) ?? "" },
            victimsUnder25: share(c.victimUnder25, of: c.victimAgeKnown, profiled),
            victimsUnder18: share(c.victimUnder18, of: c.victimAgeKnown, profiled),
            peakHour: peak(c.hours, profiled) { String(format: "%02d:00", $0) },
            peakWeekday: peak(c.weekdays, profiled) { CivilDate.weekdayNames[$0] },
            knife: share(c.knife, of: c.weaponKnown, profiled), weaponEnabled: share(c.weaponEnabled, of: c.weaponKnown, profiled),
            mainStrand: peak(c.strands, profiled) { strands[$0].label },
            strandShares: c.strands.map { share($0, of: c.incidents, profiled) })
    }

    /// Values for `clusterColumns`.
    public func clusterRow(_ c: ClusterSummary, rank: Int) -> [PublishedTable.Value] { row(c).values(rank: rank) }

    public func clusterTable(_ ranking: ClusterRanking, top: Int, title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "hotspots_dbscan", title: title, columns: clusterColumns)
        for (i, c) in ranking.published.prefix(top).enumerated() { table.rows.append(clusterRow(c, rank: i + 1)) }
        table.notes = notes + clusterNotes(ranking)
        return table
    }

    /// Top `perDistrict` clusters of each district (by the district holding most of their members).
    public func topPerDistrict(_ ranking: ClusterRanking, perDistrict: Int, notes: [String]) -> PublishedTable {
        let ranked = ranking.published
        let columns = ["district_code", "district", "rank_in_district", "hotspot_id", "incidents", "area_ha", "incidents_per_ha",
                       "centroid_lon", "centroid_lat"] + placeColumns + ["victims_under_25_pct", "victims_under_18_pct", "peak_hour", "peak_weekday",
                       "weapon_enabled_pct", "main_strand"]
        var table = PublishedTable(id: "hotspots_by_district", title: "Top hotspots per district (DBSCAN clusters)", columns: columns)
        for d in districtCodes.indices {
            let mine = ranked.filter { $0.mainDistrict == d }.prefix(perDistrict)
            if mine.isEmpty {
                table.rows.append([.text(districtCodes[d]), .text(districtNames[d])] + Array(repeating: .empty, count: columns.count - 2))
                continue
            }
            for (i, c) in mine.enumerated() {
                let r = row(c)
                table.rows.append([.text(districtCodes[d]), .text(districtNames[d]), .count(i + 1), .text(r.label), r.incidents.cell,
                                   .number(r.areaHectares, decimals: 2), r.incidentsPerHectare.map { .number($0, decimals: 1) } ?? .empty,
                                   .number(r.longitude, decimals: 3), .number(r.latitude, decimals: 3)]
                                  + placeValues(gridRef: r.gridReference, at: r.centroid)
                                  + [r.victimsUnder25, r.victimsUnder18,
                                   r.peakHour, r.peakWeekday, r.weaponEnabled, r.mainStrand])
            }
        }
        table.notes = notes + clusterNotes(ranking)
            + ["A cluster belongs to the district holding most of its members; a district with no cluster has one empty row."]
        return table
    }

    func clusterNotes(_ ranking: ClusterRanking) -> [String] {
        var notes = [
            "Clusters are ranked by incidents; hotspot_id is stable for the same data and parameters, whatever the row order.",
            spatial.outlineNote + " area_ha is the outline's area; convex_area_ha that of the convex hull of the same squares.",
            "Shares of victims by age are of incidents with a known victim age; knife and weapon shares of incidents with a known weapon field; strand shares of all incidents (strands overlap).",
            "Peaks are the most frequent hour and weekday (incidents with a month-only date or unknown hour are left out).",
        ]
        if let places = spatial.placesNote(withheld: ranking.withheldPlaces, what: "hotspot") { notes.append(places) }
        if policy.protects {
            notes.append("Disclosure control: clusters whose published count is below \(policy.threshold) are not published"
                         + (ranking.withheldSmall > 0 ? " (\(ranking.withheldSmall) withheld)" : "") + "; shares and peaks of clusters under \(policy.minimumBase) incidents, "
                         + "and any share resting on a hidden count, are withheld (\(withheldMark)).")
        }
        return notes
    }

    /// A share in per cent of published counts; withheld when either is hidden.
    func share(_ part: KeyedCount, of whole: KeyedCount, _ profiled: Bool) -> PublishedTable.Value {
        guard profiled else { return .withheld }
        let (p, w) = (disclosure.release(part), disclosure.release(whole))
        guard p.value != nil, w.value != nil else { return .withheld }
        return w.value == 0 ? .percent(nil, decimals: 0) : disclosure.share(p, of: w, decimals: 0)
    }

    /// The slot with the most published incidents (the first on a tie); withheld when that count is hidden.
    func peak(_ counts: [KeyedCount], _ profiled: Bool, _ name: (Int) -> String) -> PublishedTable.Value {
        guard profiled else { return .withheld }
        // A hidden slot counts as 0: were it the true peak, the published one is still a shown count.
        let values = counts.map { disclosure.release($0).value ?? 0 }
        guard let best = values.indices.max(by: { (values[$0], -$0) < (values[$1], -$1) }), values[best] > 0 else { return .withheld }
        return .text(name(best))
    }

    // MARK: Grid cells

    /// Public tier: no z, p or q (z is linear in the neighbourhood's count, so with the cells' counts it gives
    /// hidden ones back); the class and the cell's released count only.
    public func cellColumns(compared: Bool) -> [String] {
        ["rank", "cell_id", "centre_easting", "centre_northing", "centre_lon", "centre_lat", "district"] + placeColumns + ["incidents"]
            + (spatial.publishStatistics ? ["z", "p", "q"] : []) + ["class"]
            + (compared ? ["previous_incidents", "trend", "change"] : [])
    }

    public func cellRow(_ c: GridCellSummary, rank: Int, compared: Bool) -> [PublishedTable.Value] {
        let centre = BNGPoint(easting: c.southWest.easting + c.cellSize / 2, northing: c.southWest.northing + c.cellSize / 2)
        let g = BritishNationalGrid.toWGS84(centre)
        var row: [PublishedTable.Value] = [
            .count(rank), .text(Self.cellID(c.southWest)),
            .number(centre.easting, decimals: 0), .number(centre.northing, decimals: 0),
            .number(g.longitude, decimals: 5), .number(g.latitude, decimals: 5), .text(c.district),
        ] + placeValues(gridRef: gridReference(ofCell: c.southWest, size: c.cellSize), at: centre) + [
            disclosure.release(c.incidents).cell,
        ]
        if spatial.publishStatistics { row += [.number(c.z, decimals: 3), .number(c.p, decimals: 5), .number(c.q, decimals: 5)] }
        row.append(.text(c.classLabel))
        if compared {
            let now = disclosure.release(c.incidents), before = c.previousIncidents.map { disclosure.release($0) }
            // Tested on the published counts only, as every change svd publishes.
            var change = PublishedTable.Value.withheld
            if let n = now.value, let b = before?.value,
               let test = try? ChangeSignificance(current: n, previous: b, exposureRatio: c.exposureRatio) { change = .text(test.verdict.rawValue) }
            row += [before?.cell ?? .empty, .text(c.trend ?? ""), change]
        }
        return row
    }

    public func cellTable(_ cells: [GridCellSummary], compared: Bool, title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "hotspots_gistar", title: title, columns: cellColumns(compared: compared))
        for (i, c) in cells.enumerated() { table.rows.append(cellRow(c, rank: i + 1, compared: compared)) }
        table.notes = notes
        if policy.protects { table.notes.append("Cell counts are published like every count: perturbed, and below \(policy.threshold) read \"<\(policy.threshold)\".") }
        return table
    }

    /// Public tier: density bands only (a raw density is a sum of kernels, and a lone incident's peak is one kernel).
    public var densityColumns: [String] {
        ["rank", "cell_id", "centre_easting", "centre_northing", "centre_lon", "centre_lat", "district"] + placeColumns
            + (spatial.publishStatistics ? ["density_per_km2"] : []) + ["density_band"]
    }

    public func densityRow(_ c: DensityCellSummary, rank: Int) -> [PublishedTable.Value] {
        let centre = BNGPoint(easting: c.southWest.easting + c.cellSize / 2, northing: c.southWest.northing + c.cellSize / 2)
        let g = BritishNationalGrid.toWGS84(centre)
        var row: [PublishedTable.Value] = [.count(rank), .text(Self.cellID(c.southWest)), .number(centre.easting, decimals: 0),
                                           .number(centre.northing, decimals: 0), .number(g.longitude, decimals: 5), .number(g.latitude, decimals: 5),
                                           .text(c.district)]
        row += placeValues(gridRef: gridReference(ofCell: c.southWest, size: c.cellSize), at: centre)
        if spatial.publishStatistics { row.append(.number(c.density, decimals: 2)) }
        row.append(.text(DensityCellSummary.bandLabels[min(max(c.band, 0), 3)]))
        return row
    }

    public func densityTable(_ cells: [DensityCellSummary], title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "hotspots_kde", title: title, columns: densityColumns)
        for (i, c) in cells.enumerated() { table.rows.append(densityRow(c, rank: i + 1)) }
        table.notes = notes
        return table
    }

    /// A cell's name: its south-west corner in BNG metres, e.g. "E575900N155700".
    public static func cellID(_ southWest: BNGPoint) -> String {
        func metres(_ v: Double) -> String {
            v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
        }
        return "E" + metres(southWest.easting) + "N" + metres(southWest.northing)
    }
}
