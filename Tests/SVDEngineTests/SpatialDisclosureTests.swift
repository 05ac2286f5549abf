import XCTest
import Foundation
import GEOS
import SVDCore
import SVDDemo
import SVDDetect
import SVDPublish
@testable import SVDEngine

/// Spatial disclosure control (docs/spatial-disclosure.md): generalised outlines, the places rule, sensitive places,
/// minimum resolutions, Gi* and KDE without solvable statistics, one hotspot engine for every output, and the
/// independent attacker (Tests/Attack/attack_places.py) on real `svd` outputs, with its positive control.
final class SpatialDisclosureTests: XCTestCase {
    nonisolated(unsafe) static var dir: URL!
    /// A 20k demo and its binning (the seed `svd demo --seed 11` uses), shared by the in-process tests.
    nonisolated(unsafe) static var demoFile: URL!
    nonisolated(unsafe) static var binned: BinnedIncidents!
    /// The repeat address: 12 domestic-abuse incidents within 2 m of each other, among 5,000 background incidents.
    nonisolated(unsafe) static var repeatFile: URL!
    nonisolated(unsafe) static var repeatBinned: BinnedIncidents!
    static let address = BNGPoint(easting: 598_734.6, northing: 148_212.3)

    override class func setUp() {
        super.setUp()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-spatial-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        demoFile = dir.appendingPathComponent("demo.csv")
        try! DemoGenerator(seed: 11, rows: 20_000).write(to: demoFile, format: .native)
        binned = try! BinnedIncidents(request: IncidentRequest(files: [demoFile], workers: 2), rejectsFile: nil, progress: nil, points: .all)

        repeatFile = dir.appendingPathComponent("repeat.csv")
        let background = dir.appendingPathComponent("background.csv")
        try! DemoGenerator(seed: 3, rows: 5_000).write(to: background, format: .native)
        var text = try! String(contentsOf: background, encoding: .utf8)
        // Twelve incidents at one address (a dwelling), each within 0.9 m of the address point.
        for i in 0..<12 {
            let a = Double(i) * 2.4, r = 0.15 + 0.06 * Double(i)
            let e = address.easting + r * cos(a), n = address.northing + r * sin(a)
            // In the latest 12 months, so the report's and assess's patrol window holds them too.
            text += "DA\(i + 1),2026-\(String(format: "%02d", i % 9 + 1))-1\(i % 9)T2\(i % 4):15,violence with injury,"
                + String(format: "%.1f,%.1f", e, n) + ",34,F,36,M,dwelling,no,yes,none,no,no,police\n"
        }
        try! text.write(to: repeatFile, atomically: true, encoding: .utf8)
        repeatBinned = try! BinnedIncidents(request: IncidentRequest(files: [repeatFile], workers: 2), rejectsFile: nil, progress: nil,
                                            points: .all)
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: dir)
        super.tearDown()
    }

    private func analysis(_ binned: BinnedIncidents, _ policy: DisclosurePolicy = DisclosurePolicy(), method: HotspotMethod = .dbscan,
                          _ configure: (inout HotspotParameters) -> Void = { _ in }) throws -> HotspotAnalysis {
        var p = HotspotParameters(method: method)
        p.top = 1_000
        configure(&p)
        return try HotspotAnalysis(binned: binned, parameters: p, disclosure: policy)
    }

    private func contains(_ ring: [BNGPoint], _ p: BNGPoint, _ context: GEOSContext) throws -> Bool {
        let polygon = try Geometry(polygon: [ring.map { Coordinate(x: $0.easting, y: $0.northing) }], context: context)
        return try polygon.buffer(1).covers(Geometry(pointX: p.easting, y: p.northing, context: context))
    }

    // MARK: The repeat address

    /// Twelve domestic incidents within 2 m make a DBSCAN cluster, but no public output shows it: domestic abuse is
    /// left out of maps, and even when it is let in, one place is fewer than five squares. Partners see it.
    func testRepeatAddressIsNeverAPublicHotspot() throws {
        let context = GEOSContext()
        let b = Self.repeatBinned!
        func publishedHere(_ a: HotspotAnalysis) throws -> [String] {
            try a.publisher.ranking(a.clusters).published.filter { try contains(a.shapes[$0.id].concaveHull, Self.address, context) }.map(\.label)
        }
        // Public tier, defaults: the incidents are left out as sensitive.
        let pub = try analysis(b)
        XCTAssertEqual(try publishedHere(pub), [])
        XCTAssertGreaterThanOrEqual(pub.sensitiveLeftOut.count, 12)
        XCTAssertFalse(pub.incidents.contains { abs($0.location.easting - Self.address.easting) < 2 && abs($0.location.northing - Self.address.northing) < 2 })
        // Public tier with sensitive places let in: DBSCAN finds the cluster, the places rule withholds it.
        let open = try analysis(b) { $0.includeSensitivePlaces = true }
        let labels = try XCTUnwrap(open.clustering).labels
        let here = open.incidents.indices.filter { abs(open.incidents[$0].location.easting - Self.address.easting) < 2
            && abs(open.incidents[$0].location.northing - Self.address.northing) < 2 }
        XCTAssertEqual(here.count, 12)
        let cluster = Int(labels[here[0]])
        XCTAssertGreaterThanOrEqual(cluster, 0, "the detector itself must still find the repeat address")
        XCTAssertLessThan(open.shapes[cluster].places, 5)
        XCTAssertFalse(open.publisher.ranking(open.clusters).published.contains { $0.id == cluster })
        XCTAssertGreaterThan(open.publisher.ranking(open.clusters).withheldPlaces, 0)
        XCTAssertEqual(try publishedHere(open), [])
        // Every other public output: the assess table and the report (area and the district's pack).
        let table = DistrictHotspots.table(b, disclosure: DisclosurePolicy())
        let window = try analysis(b) { $0.period = b.latestMonths(HotspotAnalysis.patrolWindowMonths) }
        for id in table.rows.map({ $0[3].plain }) where !id.isEmpty {
            let c = try XCTUnwrap(window.ranking.published.first { $0.label == id }, id)
            XCTAssertFalse(try contains(window.shapes[c.id].concaveHull, Self.address, context), "assess --hotspots shows \(id) at the address")
        }
        let district = Int(open.incidents[here[0]].district)
        for d in [nil, district] {
            let report = try b.reportHotspots(district: d, disclosure: DisclosurePolicy())
            XCTAssertFalse(try report.clusters.contains { try contains($0.hull, Self.address, context) }, "report (district \(d.map(String.init) ?? "all"))")
            XCTAssertFalse(report.clusters.contains { $0.row.areaHectares < 1.25 })
        }
        // Positive control: partners see the cluster, drawn from 10 m squares, never as a point.
        let partner = try analysis(b, .partner)
        let shown = try publishedHere(partner)
        XCTAssertEqual(shown.count, 1)
        let c = try XCTUnwrap(partner.ranking.published.first { $0.label == shown.first })
        XCTAssertGreaterThanOrEqual(partner.shapes[c.id].concaveAreaHectares, 0.01 - 1e-9)
        let partnerReport = try b.reportHotspots(district: district, disclosure: .partner)
        XCTAssertTrue(try partnerReport.clusters.contains { try contains($0.hull, Self.address, context) })
    }

    /// When hotspots cannot be made because every incident shares one place, the published note says so without the place.
    func testPublishedNotesNameNoPlace() throws {
        let url = Self.dir.appendingPathComponent("identical.csv")
        try (["id,datetime,offence,easting,northing,location_type"] + (1...40).map { "I\($0),2025-01-03T22:10,robbery,575912.3,155734.8,street" } + [""])
            .joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        let b = try BinnedIncidents(request: IncidentRequest(files: [url], workers: 2), rejectsFile: nil, progress: nil, points: .all)
        let report = try b.reportHotspots(disclosure: DisclosurePolicy())
        let table = DistrictHotspots.table(b, disclosure: DisclosurePolicy())
        for note in report.notes + table.notes {
            XCTAssertFalse(note.contains("575912") || note.contains("155734") || note.contains("40 incidents"), note)
        }
        XCTAssertTrue(report.notes.contains { $0.contains("share one location") })
    }

    // MARK: Generalised geometry

    /// Every published vertex lies on the generalisation grid (grid corners), no vertex or centroid is an incident
    /// position, and vertices lie within 5 m of incidents no more often than the same outlines moved 25–75 m.
    func testNoPublishedVertexIsAnIncidentPosition() throws {
        let a = try analysis(Self.binned)
        let g = a.spatial.generalisation, o = GeneralisationGrid.offset
        XCTAssertEqual(g, 50)
        let published = a.publisher.ranking(a.clusters).published
        XCTAssertGreaterThan(published.count, 10)
        // Every incident of the area (sensitive or not, any period): none may be pointed at.
        let positions = Self.binned.result.points.map(\.location)
        let index = PlaceIndex(positions, grid: try GeneralisationGrid(cellSize: 10))
        func near(_ p: BNGPoint, _ r: Double) -> Bool { index.distinctCells(within: r, of: p, upTo: 1) > 0 }
        var vertices: [BNGPoint] = []
        for c in published {
            let s = a.shapes[c.id]
            for p in s.concaveHull + s.convexHull {
                let x = (p.easting - o) / g, y = (p.northing - o) / g
                let onX = abs(x - x.rounded()) < 1e-9, onY = abs(y - y.rounded()) < 1e-9
                XCTAssertTrue(onX && onY, "\(c.label): vertex \(p) is not a \(g) m grid corner")
                vertices.append(p)
            }
            XCTAssertFalse(near(s.centroid, 0.5), "\(c.label): the centroid is an incident position")
            XCTAssertFalse(near(c.centroid, 0.5))
        }
        XCTAssertFalse(vertices.contains { near($0, 0.01) }, "a vertex equals an incident position")
        let hits = vertices.filter { near($0, 5) }.count
        var chance = 0.0
        for k in 0..<16 {
            let angle = Double(k) * 2 * Double.pi / 16, d = 25 + Double(k % 4) * 16
            chance += Double(vertices.filter { near(BNGPoint(easting: $0.easting + d * cos(angle), northing: $0.northing + d * sin(angle)), 5) }.count) / 16
        }
        XCTAssertLessThanOrEqual(Double(hits), 2 * chance + 5, "\(hits) of \(vertices.count) vertices within 5 m of an incident; chance \(chance)")

        // The published GeoJSON carries the same corners (to 1e-6°), the report and assess the same outlines.
        let map = try XCTUnwrap(a.publish().maps.first { $0.name == "hotspots_dbscan.geojson" })
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(map.text.utf8)) as? [String: Any])
        // The map declares its grid, so a reader can check every vertex against it.
        let declared = try XCTUnwrap((object["svd_disclosure"] as? [String: Any])?["generalisation"] as? [String: Any])
        XCTAssertEqual(declared["grid_m"] as? Double, g)
        XCTAssertEqual(declared["offset_m"] as? Double, o)
        XCTAssertEqual(GeneralisationOffset.metres, GeneralisationGrid.offset)
        for f in try XCTUnwrap(object["features"] as? [[String: Any]]) {
            let ring = try XCTUnwrap(((f["geometry"] as? [String: Any])?["coordinates"] as? [[[Double]]])?.first)
            for c in ring {
                let p = BritishNationalGrid.fromWGS84(longitude: c[0], latitude: c[1])
                XCTAssertEqual((p.easting - o) / g, ((p.easting - o) / g).rounded(), accuracy: 0.2 / g)
                XCTAssertEqual((p.northing - o) / g, ((p.northing - o) / g).rounded(), accuracy: 0.2 / g)
            }
        }
        // The report and assess take the patrol window's run: the same outlines, counts and numbers as that run.
        let w = try analysis(Self.binned) { $0.period = Self.binned.latestMonths(HotspotAnalysis.patrolWindowMonths) }
        let report = try Self.binned.reportHotspots(disclosure: DisclosurePolicy())
        XCTAssertEqual(report.clusters.map(\.row.label), w.ranking.published.map(\.label))
        for (r, c) in zip(report.clusters, w.ranking.published) {
            XCTAssertEqual(r.hull, w.shapes[c.id].concaveHull)
            XCTAssertEqual(r.row.centroid, w.shapes[c.id].centroid)
            XCTAssertEqual(r.row.incidents, w.publisher.disclosure.release(c.incidents))
        }
        let assess = DistrictHotspots.table(Self.binned, disclosure: DisclosurePolicy())
        let areaColumn = try XCTUnwrap(assess.columns.firstIndex(of: "area_ha"))
        for row in assess.rows where !row[3].plain.isEmpty {
            let c = try XCTUnwrap(w.ranking.published.first { $0.label == row[3].plain }, row[3].plain)
            XCTAssertEqual(row[areaColumn], .number(c.concaveAreaHectares, decimals: 2))
        }
    }

    /// Outlines rest on the grid only: moving every member within its square changes no published byte.
    func testOutlinesDependOnSquaresOnly() throws {
        let grid = try GeneralisationGrid(cellSize: 50)
        var rng = SystemRandomNumberGenerator()
        var points: [BNGPoint] = []
        for _ in 0..<400 {
            points.append(BNGPoint(easting: 575_000 + Double.random(in: 0..<600, using: &rng), northing: 155_000 + Double.random(in: 0..<400, using: &rng)))
        }
        let moved = points.map { p -> BNGPoint in
            let c = grid.cell(of: p)
            return grid.corner(column: Int64(c.column), row: Int64(c.row)).offsetBy(25)
        }
        let labels = [Int32](repeating: 0, count: points.count)
        let a = try Generalise.outlines(points, labels: labels, clusterCount: 1, grid: grid)[0]
        let b = try Generalise.outlines(moved, labels: labels, clusterCount: 1, grid: grid)[0]
        XCTAssertEqual(a.shell, b.shell)
        XCTAssertEqual(a.convexShell, b.convexShell)
        XCTAssertEqual(a.area, b.area)
        XCTAssertEqual(a.centroid, b.centroid)
        XCTAssertEqual(a.places, grid.occupiedCells(points).count)
        // Every occupied square lies inside the outline.
        let context = GEOSContext()
        let outline = try Geometry(polygon: [a.shell.map { Coordinate(x: $0.easting, y: $0.northing) }], context: context)
        for c in grid.occupiedCells(points) {
            let sw = grid.corner(column: Int64(c.column), row: Int64(c.row))
            XCTAssertTrue(try outline.buffer(1e-6).covers(Geometry(rectangle: Bounds(minX: sw.easting, minY: sw.northing, maxX: sw.easting + 50, maxY: sw.northing + 50),
                                                                     context: context)))
        }
    }

    /// Large outlines are computed from the corners that can shape them; the result equals the outline of all corners.
    func testThinnedOutlinesEqualFullOutlines() throws {
        let a = try analysis(Self.binned, .partner)
        let grid = a.generalisationGrid
        let labels = try XCTUnwrap(a.clustering).labels
        let context = GEOSContext()
        var checked = 0, thinned = 0
        for c in a.clusters.indices where a.clusters[c].incidents.count >= 150 {
            let members = a.incidents.indices.filter { labels[$0] == Int32(c) }.map { a.incidents[$0].location }
            let cells = grid.occupiedCells(members)
            let full = try Generalise.outline(cells: cells, grid: grid, thinningFrom: .max, context: context)
            let thin = try Generalise.outline(cells: cells, grid: grid, thinningFrom: 0, context: context)
            XCTAssertEqual(thin.area, full.area, accuracy: full.area * 1e-9, "H\(c + 1)")
            XCTAssertEqual(thin.convexArea, full.convexArea, accuracy: 1e-6)
            let corners = Set(cells.flatMap { c in [(0, 0), (1, 0), (0, 1), (1, 1)].map { GridCell(column: c.column + Int32($0.0), row: c.row + Int32($0.1)) } })
            if Generalise.hullCandidates(corners.sorted()).count < corners.count { thinned += 1 }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 5)
        XCTAssertGreaterThan(thinned, 0, "no outline was thinned: the comparison proves nothing")
    }

    // MARK: Gi* and KDE

    /// Public Gi*: classes and released counts only (no z, p, q, no grid size), every mapped cell's band holds five
    /// squares; public KDE: bands, no densities. Partners keep the statistics.
    func testGiStarAndDensityPublishNoSolvableValues() throws {
        let g = try analysis(Self.binned, method: .gistar) { $0.cellSize = 200 }
        let gt = try XCTUnwrap(g.publish().tables.first)
        for c in ["z", "p", "q"] { XCTAssertFalse(gt.columns.contains(c)) }
        XCTAssertTrue(gt.columns.contains("class"))
        XCTAssertFalse(gt.notes.contains { $0.contains(" × ") }, "the grid size (hence the total over cells) must not be published")
        let gmap = try XCTUnwrap(g.publish().maps.first).text
        XCTAssertFalse(gmap.contains("\"z\":"))
        let partner = try analysis(Self.binned, .partner, method: .gistar) { $0.cellSize = 200 }
        XCTAssertTrue(try XCTUnwrap(partner.publish().tables.first).columns.contains("z"))

        let k = try analysis(Self.binned, method: .kde) { $0.district = "E07000110" }
        let out = k.publish()
        let kt = try XCTUnwrap(out.tables.first)
        XCTAssertFalse(kt.columns.contains("density_per_km2"))
        XCTAssertTrue(kt.columns.contains("density_band"))
        XCTAssertFalse(try XCTUnwrap(out.maps.first).text.contains("density_per_km2"))
        let surface = try XCTUnwrap(k.density)
        XCTAssertGreaterThanOrEqual(surface.bandwidth, 200)
        // Every mapped cell's radius holds incidents in five distinct squares.
        let index = PlaceIndex(k.incidents.map(\.location), grid: k.generalisationGrid)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.maps[0].text.utf8)) as? [String: Any])
        let features = try XCTUnwrap(object["features"] as? [[String: Any]])
        XCTAssertGreaterThan(features.count, 20)
        for f in features.prefix(500) {
            let id = try XCTUnwrap((f["properties"] as? [String: Any])?["cell_id"] as? String)
            let parts = id.dropFirst().split(separator: "N").compactMap { Double($0) }
            let centre = BNGPoint(easting: parts[0] + 50, northing: parts[1] + 50)
            XCTAssertGreaterThanOrEqual(index.distinctCells(within: surface.bandwidth, of: centre, upTo: 5), 5, id)
        }
        XCTAssertTrue(try XCTUnwrap(try analysis(Self.binned, .partner, method: .kde) { $0.district = "E07000110" }.publish().tables.first)
            .columns.contains("density_per_km2"))
    }

    // MARK: The command line and the attacker

    /// `svd hotspots` refuses resolutions that locate single incidents in the public tier: exit 64, one line naming the option.
    func testFineCellsAndKernelsAreRefusedInThePublicTier() throws {
        let cli = try PlaceCLI("refuse")
        defer { cli.remove() }
        try cli.copy(Self.repeatFile, as: "x.csv")
        for (args, option) in [(["--method", "gistar", "--cell", "10"], "--cell 10"), (["--method", "kde", "--cell", "50"], "--cell 50"),
                               (["--method", "kde", "--bandwidth", "50"], "--bandwidth 50"), (["--generalise", "20"], "--generalise 20"),
                               (["--min-places", "2"], "--min-places 2")] {
            let r = try cli.svd(["hotspots", "x.csv", "--quiet", "--out", "h"] + args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(option) && r.stderr.contains("refused in the public tier"), r.stderr)
            XCTAssertEqual(r.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count, 1, r.stderr)
        }
        let ok = try cli.svd(["hotspots", "x.csv", "--quiet", "--out", "p", "--tier", "partner", "--method", "gistar", "--cell", "50",
                              "--district", "E07000105"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    /// The independent attacker finds nothing on public `svd hotspots` (every public method, emerging included) and `svd report` outputs
    /// (area and pack) of a 20k demo plus the repeat address.
    func testAttackerFindsNothingOnPublicOutputs() throws {
        let cli = try PlaceCLI("attack-public")
        defer { cli.remove() }
        try cli.prepareDemo()
        for (out, args) in [("dbscan", []), ("gistar", ["--method", "gistar", "--cell", "200"]), ("gistar_auto", ["--method", "gistar"]),
                            ("kde", ["--method", "kde", "--district", "E07000110"]), ("emerging", ["--method", "emerging", "--district", "E07000107", "--cell", "100"])] {
            let r = try cli.svd(["hotspots", "x.csv", "--quiet", "--out", out] + args)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        XCTAssertEqual(try cli.svd(["report", "x.csv", "--quiet", "--out", "report.html"]).status, 0)
        XCTAssertEqual(try cli.svd(["report", "x.csv", "--quiet", "--district", "E07000105", "--out", "pack.html"]).status, 0)
        let attack = try cli.attack(["dbscan", "gistar", "gistar_auto", "kde", "emerging", "report.html", "pack.html"])
        XCTAssertEqual(attack.status, 0, attack.stdout + attack.stderr)
        XCTAssertTrue(attack.stdout.contains("no findings"), attack.stdout)
    }

    /// Positive control: the same attacker flags outputs made with protection off (partner tier, 10 m cells and a
    /// 50 m kernel, the repeat address in the partner pack): positions, places and raw densities.
    func testAttackerFlagsUnprotectedOutputs() throws {
        let cli = try PlaceCLI("attack-partner")
        defer { cli.remove() }
        try cli.prepareDemo()
        let partner = ["--tier", "partner", "--quiet"]
        XCTAssertEqual(try cli.svd(["hotspots", "x.csv", "--out", "dbscan"] + partner).status, 0)
        XCTAssertEqual(try cli.svd(["hotspots", "x.csv", "--out", "gistar", "--method", "gistar", "--cell", "10", "--district", "E07000107"] + partner).status, 0)
        XCTAssertEqual(try cli.svd(["hotspots", "x.csv", "--out", "kde", "--method", "kde", "--cell", "10", "--bandwidth", "50", "--district", "E07000107"] + partner).status, 0)
        XCTAssertEqual(try cli.svd(["hotspots", "x.csv", "--out", "emerging", "--method", "emerging", "--cell", "100", "--district", "E07000107"] + partner).status, 0)
        XCTAssertEqual(try cli.svd(["report", "x.csv", "--district", "E07000105", "--out", "pack.html"] + partner).status, 0)
        let attack = try cli.attack(["dbscan", "gistar", "kde", "emerging", "pack.html"])
        XCTAssertEqual(attack.status, 1, attack.stdout + attack.stderr)
        for expected in ["dbscan/hotspots_dbscan.geojson: H", "distinct place", "cell centres are tied to incident positions", "kernels", "pack.html: map outline",
                         "emerging/hotspots_emerging.geojson: emerging cell", "pack.html: emerging cell"] {
            XCTAssertTrue(attack.stdout.contains(expected), "the attacker should report \(expected)")
        }
    }
}

private extension BNGPoint {
    func offsetBy(_ d: Double) -> BNGPoint { BNGPoint(easting: easting + d, northing: northing + d) }
}

/// The built `svd` and the place attacker in a scratch folder (through the shared `CLI` runner).
struct PlaceCLI {
    let cli: CLI
    var dir: URL { cli.dir }
    static var svd: URL { CLI.svd }
    static var attacker: URL { CLI.packageRoot.appendingPathComponent("Tests/Attack/attack_places.py") }
    typealias Run = CLI.Run

    init(_ name: String) throws {
        cli = try CLI("places-\(name)")
        // No skipping: .ci/run installs what these need, and a skipped attacker proves nothing.
        guard FileManager.default.isExecutableFile(atPath: Self.svd.path) else { throw CLIUnavailable("the svd binary is not built beside the tests (\(Self.svd.path))") }
    }

    func remove() { cli.remove() }

    func copy(_ file: URL, as name: String) throws {
        try FileManager.default.copyItem(at: file, to: dir.appendingPathComponent(name))
    }

    /// `svd demo --rows 20000 --seed 11` plus the repeat address's twelve incidents, as x.csv.
    func prepareDemo() throws {
        XCTAssertEqual(try svd(["demo", "--rows", "20000", "--seed", "11", "--out", "x.csv"]).status, 0)
        let extra = try String(contentsOf: SpatialDisclosureTests.repeatFile, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("DA") }
        let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("x.csv"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((extra.joined(separator: "\n") + "\n").utf8))
        try handle.close()
    }

    @discardableResult
    func svd(_ args: [String]) throws -> Run { try cli.svd(args) }

    func attack(_ published: [String]) throws -> Run {
        let probe = try cli.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import numpy, scipy"])
        guard probe.status == 0 else { throw CLIUnavailable("python3 with numpy and scipy is needed for the attacker (.ci/run installs them): \(probe.stderr)") }
        return try cli.python("Tests/Attack/attack_places.py", ["--raw", "x.csv", "--quiet"] + published)
    }
}

struct CLIUnavailable: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
