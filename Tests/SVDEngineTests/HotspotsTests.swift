import XCTest
import Foundation
import GEOS
import SVDCore
import SVDDemo
import SVDDetect
import SVDPublish
@testable import SVDEngine

/// `svd hotspots` end to end on a 20k-row demo file: ranking, order-free ids, hulls against GEOS, GeoJSON
/// read back as plain JSON, disclosure control and parameter errors.
final class HotspotsTests: XCTestCase {
    /// One demo file and binning pass shared by the tests (generation and ingest dominate the runtime).
    nonisolated(unsafe) static var dir: URL!
    nonisolated(unsafe) static var demoFile: URL!
    nonisolated(unsafe) static var binned: BinnedIncidents!

    override class func setUp() {
        super.setUp()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-hotspots-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        demoFile = dir.appendingPathComponent("demo.csv")
        try! DemoGenerator(seed: 41, rows: 20_000).write(to: demoFile, format: .native)
        binned = try! BinnedIncidents(request: IncidentRequest(files: [demoFile], workers: 2), rejectsFile: nil, progress: nil,
                                      points: .all)
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: dir)
        super.tearDown()
    }

    private func analysis(_ configure: (inout HotspotParameters) -> Void = { _ in }, method: HotspotMethod = .dbscan,
                          policy: DisclosurePolicy = DisclosurePolicy(), binned: BinnedIncidents? = nil) throws -> HotspotAnalysis {
        var p = HotspotParameters(method: method)
        configure(&p)
        return try HotspotAnalysis(binned: binned ?? Self.binned, parameters: p, disclosure: policy)
    }

    private func column(_ table: PublishedTable, _ name: String) -> [PublishedTable.Value] {
        let c = table.columns.firstIndex(of: name)!
        return table.rows.map { $0[c] }
    }

    // MARK: Memory at 10M rows

    /// A point is 40 bytes (it was 48), points outside every district are kept apart, and a partner-tier run over
    /// every month the pass kept analyses the pass's own array: it used to copy it, a second copy of millions of
    /// points at 10M rows.
    func testAWholeAreaPartnerRunSharesTheBinnedPoints() throws {
        XCTAssertEqual(MemoryLayout<IncidentPoint>.stride, 40)
        let result = Self.binned.result, outside = Self.binned.area.districts.count
        XCTAssertTrue(result.points.allSatisfy { Int($0.district) < outside })
        XCTAssertTrue(result.outsidePoints.allSatisfy { Int($0.district) == outside })
        XCTAssertFalse(result.outsidePoints.isEmpty, "the demo puts a few incidents outside the area")
        let months = result.points.map(\.month)
        let whole = MonthKey(index: try XCTUnwrap(months.min()))...MonthKey(index: try XCTUnwrap(months.max()))
        let a = try analysis({ $0.period = whole }, policy: .partner)
        XCTAssertEqual(a.incidents.count, result.points.count)
        XCTAssertEqual(a.incidents.withUnsafeBufferPointer { $0.baseAddress }, result.points.withUnsafeBufferPointer { $0.baseAddress },
                       "the selection shares the binned array")
        XCTAssertEqual(a.outsideArea, result.outsidePoints.reduce(KeyedCount.zero) { $0 + .record(key: $1.recordKey) })
        // The public tier leaves sensitive places out, so it copies: exactly what it analyses.
        let p = try analysis({ $0.period = whole })
        XCTAssertLessThan(p.incidents.count, result.points.count)
        XCTAssertLessThanOrEqual(p.incidents.capacity, p.incidents.count + p.incidents.count / 16, "no doubling slack")
    }

    // MARK: Ranking and ids

    /// Rows are ranked by incidents, and each row's count equals its cluster's members recounted from the labels
    /// (perturbation off, so published counts are the true ones).
    func testTableRanksClustersByIncidentCount() throws {
        let a = try analysis({ $0.top = 1_000 }, policy: DisclosurePolicy(perturb: false))
        let labels = try XCTUnwrap(a.clustering).labels
        var members: [String: Int] = [:]
        let idOf = Dictionary(uniqueKeysWithValues: a.ranking.published.map { ($0.id, $0.label) })
        for l in labels where l >= 0 { if let id = idOf[Int(l)] { members[id, default: 0] += 1 } }
        let table = try XCTUnwrap(a.publish().tables.first)
        XCTAssertGreaterThan(table.rows.count, 10)
        let ids = column(table, "hotspot_id").map { $0.plain }
        let counts = column(table, "incidents").map { v -> Int in
            guard case .count(let n) = v else { XCTFail("incidents must be published for a published cluster: \(v)"); return -1 }
            return n
        }
        XCTAssertEqual(column(table, "rank").map(\.plain), (1...table.rows.count).map(String.init))
        for k in 1..<counts.count { XCTAssertGreaterThanOrEqual(counts[k - 1], counts[k], "rank \(k + 1)") }
        for (id, n) in zip(ids, counts) { XCTAssertEqual(members[id], n, id) }
        XCTAssertEqual(Set(ids).count, ids.count)
        // The id is the area rank: H1 has most incidents, whatever command shows it.
        XCTAssertEqual(ids, (1...ids.count).map { "H\($0)" })
    }

    /// Shuffling the rows of the input file changes no published byte: ids, profiles and hulls are order-free.
    func testPublishedOutputDoesNotDependOnRowOrder() throws {
        let text = try String(contentsOf: Self.demoFile, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines.removeFirst()
        var rng = SplitMix(seed: 99)
        lines.shuffle(using: &rng)
        let shuffled = Self.dir.appendingPathComponent("shuffled.csv")
        try ([header] + lines).joined(separator: "\n").appending("\n").write(to: shuffled, atomically: true, encoding: .utf8)
        let other = try BinnedIncidents(request: IncidentRequest(files: [shuffled], workers: 2), rejectsFile: nil, progress: nil,
                                        points: .all)
        for method in HotspotMethod.allCases {
            let a = try analysis(method: method).publish(), b = try analysis(method: method, binned: other).publish()
            XCTAssertEqual(a.tables.map { $0.csv() }, b.tables.map { $0.csv() }, "\(method)")
            XCTAssertEqual(a.maps.map(\.text), b.maps.map(\.text), "\(method)")
        }
    }

    // MARK: Geometry

    /// Every member of every cluster lies in (or on) its generalised outline and convex hull, checked with GEOS in BNG,
    /// and within 2e-6° of the published WGS84 polygon; the convex hull covers the outline.
    func testHullsCoverTheirMembers() throws {
        let a = try analysis()
        let labels = try XCTUnwrap(a.clustering).labels
        let context = GEOSContext()
        let maps = try mapsByName(a.publish())
        let features = try XCTUnwrap(maps["hotspots_dbscan.geojson"]?["features"] as? [[String: Any]])
        var polygonByID: [String: Geometry] = [:]
        for f in features {
            let id = try XCTUnwrap((f["properties"] as? [String: Any])?["hotspot_id"] as? String)
            let rings = try XCTUnwrap((f["geometry"] as? [String: Any])?["coordinates"] as? [[[Double]]])
            polygonByID[id] = try Geometry(polygon: rings.map { $0.map { Coordinate(x: $0[0], y: $0[1]) } }, context: context)
                .buffer(2e-6)
        }
        var checked = 0
        // Published ids are area ranks (H1 = most incidents); outlines are indexed by cluster id.
        let idOf = Dictionary(uniqueKeysWithValues: a.ranking.published.map { ($0.id, $0.label) })
        for profile in a.shapes where profile.concaveHull.count >= 4 {
            let concave = try Geometry(polygon: [profile.concaveHull.map { Coordinate(x: $0.easting, y: $0.northing) }], context: context)
            let convex = try Geometry(polygon: [profile.convexHull.map { Coordinate(x: $0.easting, y: $0.northing) }], context: context)
            XCTAssertTrue(try concave.isValid(), "H\(profile.cluster + 1) outline is not valid")
            XCTAssertTrue(try convex.buffer(1e-6).covers(concave), "H\(profile.cluster + 1) convex hull misses part of the outline")
            XCTAssertEqual(try concave.area() / 10_000, profile.concaveAreaHectares, accuracy: 1e-9 * max(1, profile.concaveAreaHectares))
            let published = idOf[profile.cluster].flatMap { polygonByID[$0] }
            for (i, l) in labels.enumerated() where l == profile.cluster {
                let p = a.incidents[i].location
                let point = try Geometry(pointX: p.easting, y: p.northing, context: context)
                XCTAssertTrue(try concave.covers(point), "H\(l + 1) concave hull misses a member")
                XCTAssertTrue(try convex.covers(point), "H\(l + 1) convex hull misses a member")
                if let published {
                    let g = BritishNationalGrid.toWGS84(p)
                    XCTAssertTrue(try published.covers(Geometry(pointX: g.longitude, y: g.latitude, context: context)),
                                  "H\(l + 1) published polygon misses a member")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 1_000)
        XCTAssertFalse(polygonByID.isEmpty)
    }

    /// Every map parses as JSON and follows RFC 7946: a FeatureCollection without crs, closed rings of at least four
    /// positions, exterior rings counter-clockwise, at most six decimals, inside Kent's longitude/latitude box, valid in GEOS.
    func testGeoJSONIsRFC7946AndInKent() throws {
        let runs = [try analysis(), try analysis(method: .gistar), try analysis({ $0.comparison = .previousPeriod; $0.cellSize = 500 },
                    method: .gistar, binned: binnedWithLaterPeriod()), try analysis(method: .kde)]
        let context = GEOSContext()
        var features = 0
        for run in runs {
            for (name, object) in try decodeMaps(run.publish()) {
                XCTAssertEqual(object["type"] as? String, "FeatureCollection", name)
                XCTAssertNil(object["crs"], name)
                for f in try XCTUnwrap(object["features"] as? [[String: Any]], name) {
                    features += 1
                    XCTAssertEqual(f["type"] as? String, "Feature")
                    XCTAssertNotNil(f["properties"] as? [String: Any])
                    let geometry = try XCTUnwrap(f["geometry"] as? [String: Any], name)
                    XCTAssertEqual(geometry["type"] as? String, "Polygon")
                    let rings = try XCTUnwrap(geometry["coordinates"] as? [[[Double]]])
                    for (r, ring) in rings.enumerated() {
                        XCTAssertGreaterThanOrEqual(ring.count, 4)
                        XCTAssertEqual(ring.first, ring.last, "\(name): ring not closed")
                        var twiceArea = 0.0
                        for k in 0..<(ring.count - 1) {
                            twiceArea += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1]
                        }
                        XCTAssertEqual(twiceArea > 0, r == 0, "\(name): ring \(r) has the wrong orientation")
                        for c in ring {
                            XCTAssertEqual(c.count, 2)
                            XCTAssertTrue((-0.2...1.6).contains(c[0]) && (50.85...51.55).contains(c[1]), "\(name): \(c) is not in Kent")
                            for v in c { XCTAssertEqual(v * 1e6, (v * 1e6).rounded(), accuracy: 1e-4, "\(name): more than 6 decimals in \(v)") }
                        }
                    }
                    let polygon = try Geometry(polygon: rings.map { $0.map { Coordinate(x: $0[0], y: $0[1]) } }, context: context)
                    let reason = try polygon.isValidReason()
                    XCTAssertTrue(try polygon.isValid(), "\(name): \(reason)")
                }
            }
        }
        XCTAssertGreaterThan(features, 100)
    }

    // MARK: Disclosure

    /// With min-points 3 some clusters hold 3–4 incidents: they are withheld (as are clusters on too few places),
    /// no count 1–4 reaches a table or a map, and shares of clusters under the minimum base are withheld.
    func testNoSmallCountIsPublished() throws {
        let a = try analysis { $0.minPoints = 3; $0.eps = 60; $0.top = 100_000 }
        let sizes = try XCTUnwrap(a.clustering).clusterSizes
        XCTAssertTrue(sizes.contains { $0 < 5 }, "the run must produce small clusters for the test to mean anything")
        let out = a.publish()
        let table = out.tables[0]
        let ranking = a.publisher.ranking(a.clusters)
        XCTAssertEqual(table.rows.count, ranking.published.count)
        XCTAssertEqual(ranking.published.count + ranking.withheld, sizes.count)
        XCTAssertGreaterThan(ranking.withheldPlaces, 0, "60 m clusters of 3 incidents must include some on fewer than 5 squares")
        for (n, share) in zip(column(table, "incidents"), column(table, "victims_under_25_pct")) {
            guard case .count(let k) = n else { XCTFail("\(n)"); continue }
            XCTAssertGreaterThanOrEqual(k, 5)
            if k < DisclosurePolicy().minimumBase { XCTAssertEqual(share, .withheld) }
        }
        XCTAssertTrue(table.notes.contains { $0.contains("not published") })

        let g = try analysis({ $0.cellSize = 200; $0.top = 100_000 }, method: .gistar).publish()
        var hidden = 0
        for t in out.tables + g.tables {
            for name in ["incidents", "previous_incidents"] where t.columns.contains(name) {
                for v in column(t, name) {
                    if case .count(let k) = v { XCTAssertFalse((1...4).contains(k), "\(t.id).\(name) publishes \(k)") }
                    if case .suppressed = v { hidden += 1 }
                }
            }
        }
        XCTAssertGreaterThan(hidden, 0, "200 m Gi* cells must include small counts to hide")
        for (name, object) in try decodeMaps(out) + decodeMaps(g) {
            for f in object["features"] as? [[String: Any]] ?? [] {
                let properties = f["properties"] as? [String: Any] ?? [:]
                if let k = properties["incidents"] as? Int { XCTAssertFalse((1...4).contains(k), "\(name) publishes \(k)") }
            }
        }
    }

    /// The cluster maps carry polygons only: no point geometry, no id property, no coordinate column.
    func testMapsCarryNoIncidentIdsOrPointColumns() throws {
        let text = try analysis().publish().maps.map(\.text).joined()
        for forbidden in ["\"id\"", "easting\":", "northing\":", "\"Point\"", "MultiPoint"] {
            XCTAssertFalse(text.contains(forbidden), forbidden)
        }
    }

    // MARK: Space-time

    /// A space-time cluster's core points are space-only core points of one spatial cluster
    /// (the time window only removes neighbours), so no space-time cluster straddles two spatial ones.
    func testSpaceTimeClustersNestInSpatialClusters() throws {
        let spatial = try XCTUnwrap(try analysis().clustering)
        let timed = try XCTUnwrap(try analysis { $0.epsDays = 30; $0.minPoints = 5 }.clustering)
        let plain = try XCTUnwrap(try analysis { $0.minPoints = 5 }.clustering)
        XCTAssertGreaterThan(timed.clusterCount, 0)
        var home: [Int32: Int32] = [:]
        for i in timed.labels.indices where timed.isCore[i] {
            XCTAssertTrue(plain.isCore[i])
            if let h = home[timed.labels[i]] { XCTAssertEqual(h, plain.labels[i]) } else { home[timed.labels[i]] = plain.labels[i] }
        }
        XCTAssertEqual(spatial.labels.count, timed.labels.count)
    }

    // MARK: Assess table

    /// Top hotspots per district: at most three per district, each counted in the district holding most of its
    /// members (recounted here from the incidents), ids and counts as in the hotspot table.
    func testTopHotspotsPerDistrict() throws {
        let table = DistrictHotspots.table(Self.binned, disclosure: DisclosurePolicy())
        // The same run as `svd hotspots` over the patrol window (the latest 12 months).
        let a = try analysis { $0.top = 1_000; $0.period = Self.binned.latestMonths(HotspotAnalysis.patrolWindowMonths) }
        let main = a.publish().tables[0]
        let idOf = Dictionary(uniqueKeysWithValues: a.ranking.published.map { ($0.id, $0.label) })
        let incidentsByID = Dictionary(uniqueKeysWithValues: zip(column(main, "hotspot_id").map(\.plain), column(main, "incidents")))
        let labels = try XCTUnwrap(a.clustering).labels
        let codes = Self.binned.area.districts.map(\.code)
        var byDistrict = [String: [Int]]()
        for (i, l) in labels.enumerated() where l >= 0 {
            guard let id = idOf[Int(l)] else { continue }
            byDistrict[id, default: Array(repeating: 0, count: codes.count + 1)][Int(a.incidents[i].district)] += 1
        }
        var perDistrict: [String: Int] = [:]
        for row in table.rows {
            let code = row[0].plain, id = row[3].plain
            guard !id.isEmpty else { continue }
            perDistrict[code, default: 0] += 1
            XCTAssertEqual(row[4], incidentsByID[id], id)
            let counts = try XCTUnwrap(byDistrict[id])
            let top = counts.indices.max { (counts[$0], -$0) < (counts[$1], -$1) }!
            XCTAssertEqual(codes[top], code, id)
        }
        XCTAssertEqual(Set(table.rows.map { $0[0].plain }).count, codes.count)
        XCTAssertTrue(perDistrict.values.allSatisfy { $0 <= 3 })
        // Street-level defaults (100 m, density-aware core size) give fewer, smaller hotspots than 150 m / 10 did.
        XCTAssertGreaterThan(perDistrict.values.reduce(0, +), codes.count)

        let withoutPoints = try BinnedIncidents(request: IncidentRequest(files: [Self.demoFile]), rejectsFile: nil, progress: nil)
        let empty = DistrictHotspots.table(withoutPoints, disclosure: DisclosurePolicy())
        XCTAssertTrue(empty.rows.isEmpty)
        XCTAssertTrue(empty.notes[0].hasPrefix("Not computed"))
    }

    // MARK: Errors

    /// Bad parameters and unusable input give one-line errors naming the problem (the parameter as the CLI spells its
    /// option, without the dashes the CLI adds), never a crash.
    func testBadParametersAndInputGiveOneLineErrors() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        let cases: [(String, (inout HotspotParameters) -> Void, HotspotMethod)] = [
            ("eps", { $0.eps = 0 }, .dbscan), ("eps", { $0.eps = -5 }, .dbscan), ("eps", { $0.eps = .nan }, .dbscan),
            ("min-points", { $0.minPoints = 0 }, .dbscan), ("eps-days", { $0.epsDays = -1 }, .dbscan),
            ("cell 1 is refused", { $0.cellSize = 1 }, .gistar), ("cell", { $0.cellSize = 0 }, .kde),
            ("bandwidth 50 is refused", { $0.bandwidth = 50 }, .kde), ("generalise 10 is refused", { $0.generalisation = 10 }, .dbscan),
            ("min-places 2 is refused", { $0.minPlaces = 2 }, .dbscan),
            ("bandwidth", { $0.bandwidth = -1 }, .kde), ("top", { $0.top = 0 }, .dbscan),
            ("comparison needs method gistar", { $0.comparison = .previousPeriod }, .dbscan),
            ("unknown strand", { $0.strand = "nope" }, .dbscan), ("unknown district", { $0.district = "E0" }, .dbscan),
            ("comparison period", { $0.comparison = .previousPeriod }, .gistar),
        ]
        for (expected, configure, method) in cases {
            let m = message { _ = try analysis(configure, method: method) }
            XCTAssertTrue(m.contains(expected), "\(expected): \(m)")
            XCTAssertFalse(m.contains("\n"), m)
        }

        func file(_ name: String, _ rows: [String]) throws -> URL {
            let url = Self.dir.appendingPathComponent(name)
            try (["id,datetime,offence,easting,northing,victim_age"] + rows + [""]).joined(separator: "\n")
                .write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        let identical = try file("identical.csv", (1...40).map { "I\($0),2025-01-03T22:10,robbery,575900,155700,19" })
        let outside = try file("outside.csv", (1...40).map { "O\($0),2025-01-03T22:10,robbery,\(400_000 + $0 * 10),300000,19" })
        let empty = try file("empty.csv", ["E1,2025-01-03T22:10,burglary,575900,155700,19"])
        for (url, expected) in [(identical, "share one location"), (outside, "outside Kent & Medway"), (empty, "no accepted serious-violence")] {
            let m = message {
                let b = try BinnedIncidents(request: IncidentRequest(files: [url]), rejectsFile: nil, progress: nil, points: .all)
                for method in HotspotMethod.allCases { _ = try analysis(method: method, binned: b) }
            }
            XCTAssertTrue(m.contains(expected), "\(url.lastPathComponent): \(m)")
            XCTAssertFalse(m.contains("\n"), m)
        }
        let none = try file("none.csv", [])
        let m = message { _ = try BinnedIncidents(request: IncidentRequest(files: [none]), rejectsFile: nil, progress: nil, points: .all) }
        XCTAssertTrue(m.contains("no incidents were accepted"), m)
    }

    // MARK: Helpers

    /// The demo's last 12 months as the period, so the previous 12 months hold data to compare with.
    private func binnedWithLaterPeriod() throws -> BinnedIncidents {
        let last = Self.binned.period.upperBound
        return try BinnedIncidents(request: IncidentRequest(files: [Self.demoFile], from: last.adding(months: -11), to: last, workers: 2),
                                   rejectsFile: nil, progress: nil, points: .all)
    }

    private func decodeMaps(_ output: HotspotAnalysis.Output) throws -> [(String, [String: Any])] {
        try output.maps.map { map in
            let object = try JSONSerialization.jsonObject(with: Data(map.text.utf8))
            return (map.name, try XCTUnwrap(object as? [String: Any], map.name))
        }
    }

    private func mapsByName(_ output: HotspotAnalysis.Output) throws -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: try decodeMaps(output))
    }
}

/// Seeded generator so the shuffled file is the same on every run.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BB1_33E1_11EB
        return z ^ (z >> 31)
    }
}
