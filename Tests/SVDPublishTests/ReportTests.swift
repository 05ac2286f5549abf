import XCTest
import Foundation
import SVDCore
import SVDDemo
import SVDDetect
import SVDPublish
@testable import SVDEngine

/// `svd report` on demo data: the file is XML, self-contained, complete, and publishes no small count.
final class ReportTests: XCTestCase {
    struct Rendered {
        let binned: BinnedIncidents
        let area: String
        /// Local pack of the district with the fewest incidents (where small counts certainly exist).
        let packDistrict: Int
        let pack: String
        /// The same pack in the partner tier (true counts): the positive control for the small-count scan.
        let packUnsuppressed: String
        /// The area report in the partner tier, for exact counts.
        let areaPartner: String
    }

    nonisolated(unsafe) static var rendered: Rendered?
    nonisolated(unsafe) static var setupError: Error?

    override class func setUp() {
        super.setUp()
        do {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-report-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("demo.csv")
            try DemoGenerator(seed: 7, rows: 30_000).write(to: file, format: .native)
            let binned = try BinnedIncidents(request: IncidentRequest(files: [file], workers: 2), rejectsFile: nil, progress: nil, points: .all)
            let n = binned.area.districts.count
            var perDistrict = [Int](repeating: 0, count: n + 1)
            for p in binned.result.points { perDistrict[Int(p.district)] += 1 }
            // The smallest district that has a street-level hotspot in the latest 12 months (at 30,000 rows the very
            // smallest may have none with the 100 m, density-aware defaults).
            let bySize = (0..<n).sorted { perDistrict[$0] < perDistrict[$1] }
            let smallest = try bySize.first { try !binned.reportHotspots(district: $0).clusters.isEmpty } ?? bySize[0]
            let on = DisclosurePolicy()
            rendered = Rendered(binned: binned, area: try binned.report(disclosure: on), packDistrict: smallest,
                                pack: try binned.report(disclosure: on, district: smallest),
                                packUnsuppressed: try binned.report(disclosure: .partner, district: smallest),
                                areaPartner: try binned.report(disclosure: .partner))
        } catch {
            setupError = error
        }
    }

    func fixture() throws -> Rendered {
        if let error = Self.setupError { throw error }
        return try XCTUnwrap(Self.rendered)
    }

    // MARK: Structure

    func testParsesAsXMLWithEverySectionInOrder() throws {
        let r = try fixture()
        for (name, html) in [("area", r.area), ("pack", r.pack), ("partner pack", r.packUnsuppressed)] {
            let root = try parseXML(html)
            XCTAssertEqual(root.name, "html", name)
            let ids = root.all("section").compactMap { $0.attributes["id"] }
            // The demo file names two sources (police and A&E), so the by-source panel comes before data quality.
            var expected = NeedsAssessmentReport.sectionIDs
            expected.insert("sources", at: expected.firstIndex(of: "data-quality")!)
            // The partner tier adds the micro-place targeting list after the emerging hot spots.
            if name == "partner pack" { expected.insert("targeting", at: expected.firstIndex(of: "emerging")! + 1) }
            XCTAssertEqual(ids, expected, name)
            if name != "partner pack" {
                XCTAssertEqual(ids, ["headline", "district-map", "hotspots", "emerging", "hour-weekday", "trend", "age-strands", "people-places", "sources", "data-quality", "methods"])
            }
        }
    }

    func testNothingOutsideTheFile() throws {
        let r = try fixture()
        for html in [r.area, r.pack] {
            XCTAssertFalse(html.contains("http://"))
            XCTAssertFalse(html.contains("https://"))
            XCTAssertFalse(html.contains("@import"))
            let root = try parseXML(html)
            var elements: [XMLNode] = []
            func walk(_ n: XMLNode) { elements.append(n); n.children.forEach(walk) }
            walk(root)
            for e in elements {
                XCTAssertFalse(["script", "link", "img", "image", "iframe", "object", "embed", "use"].contains(e.name), "external-capable element <\(e.name)>")
                XCTAssertNil(e.attributes["src"], "<\(e.name) src>")
                XCTAssertNil(e.attributes["xlink:href"], "<\(e.name) xlink:href>")
                if let href = e.attributes["href"] { XCTAssertTrue(href.hasPrefix("#"), "href \(href) leaves the file") }
                for (k, v) in e.attributes where v.contains("url(") {
                    XCTAssertTrue(v.hasPrefix("url(#"), "\(k)=\(v) refers outside the file")
                }
            }
            // Every in-file reference points at an element that exists.
            let ids = Set(elements.compactMap { $0.attributes["id"] })
            for e in elements {
                for (_, v) in e.attributes {
                    if v.hasPrefix("url(#") { XCTAssertTrue(ids.contains(String(v.dropFirst(5).dropLast())), v) }
                    if v.hasPrefix("#"), e.attributes["href"] == v { XCTAssertTrue(ids.contains(String(v.dropFirst())), v) }
                }
            }
            let style = root.all("style").first?.allText ?? ""
            XCTAssertFalse(style.contains("url("), "CSS must not load anything")
            XCTAssertTrue(style.contains("@media print"))
            XCTAssertTrue(style.contains("size:A4"))
        }
    }

    /// Each chart carries its own title and description, and its section has the numbers in a table.
    func testEveryChartHasTextAlternatives() throws {
        let r = try fixture()
        let root = try parseXML(r.area)
        let svgs = root.all("svg")
        XCTAssertGreaterThanOrEqual(svgs.count, 6)
        for svg in svgs {
            let title = svg.children.first { $0.name == "title" }
            let desc = svg.children.first { $0.name == "desc" }
            XCTAssertFalse(title?.allText.isEmpty ?? true, "svg without <title>")
            XCTAssertGreaterThan(desc?.allText.count ?? 0, 30, "svg without a useful <desc>")
            XCTAssertEqual(svg.attributes["role"], "img")
        }
        for section in root.all("section") where !section.all("svg").isEmpty {
            let rows = section.all("table").flatMap { $0.all("tr") }
            XCTAssertGreaterThan(rows.count, 2, "section \(section.attributes["id"]!) has a chart but no table")
        }
    }

    // MARK: Content

    func testHeadlineCardsAndTheirCountAgainstThePoints() throws {
        let r = try fixture()
        let root = try parseXML(r.area)
        let headline = try XCTUnwrap(root.all("section").first { $0.attributes["id"] == "headline" })
        let cards = headline.all("div").filter { $0.classes.contains("card") }
        let defs = r.binned.definitions
        // The KPI cards come first, then all serious violence, the cohorts and the strands.
        let kpis = defs.measures.filter(\.headline).map(\.label)
        XCTAssertEqual(kpis.count, 2)
        XCTAssertEqual(cards.count, kpis.count + 1 + defs.cohorts.count + defs.strands.count)
        let labels = cards.map { $0.children.first { $0.classes.contains("label") }?.allText ?? "" }
        XCTAssertEqual(labels, kpis + ["All serious violence"] + defs.cohorts.map(\.label) + defs.strands.map(\.label))
        XCTAssertTrue(labels.contains("Knife/weapon-enabled"))

        // The card goes cube → marginals → rolling 12 months; the points are collected separately at binning.
        let end = r.binned.period.upperBound
        let last12 = end.adding(months: -11).index...end.index
        let n = r.binned.area.districts.count
        let expected = r.binned.result.points.filter { Int($0.district) < n && last12.contains($0.month) }.count
        func bigNumber(_ html: String) throws -> Int? {
            let headline = try XCTUnwrap(try parseXML(html).all("section").first { $0.attributes["id"] == "headline" })
            let card = try XCTUnwrap(headline.all("div").first { d in
                d.classes.contains("card") && d.children.first { $0.classes.contains("label") }?.allText == "All serious violence"
            })
            return Int((card.all("span").first { $0.classes.contains("big") }?.allText ?? "").replacingOccurrences(of: ",", with: ""))
        }
        XCTAssertEqual(try bigNumber(r.areaPartner), expected, "the partner tier shows the true count")
        // The public tier perturbs it, by no more than the published bound.
        let shown = try XCTUnwrap(try bigNumber(r.area))
        XCTAssertLessThanOrEqual(abs(shown - expected), DisclosurePolicy().maxAbsNoise)
        XCTAssertGreaterThan(expected, 5_000)
    }

    func testDistrictMapDrawsAndLabelsEveryDistrict() throws {
        let r = try fixture()
        let root = try parseXML(r.area)
        let map = try XCTUnwrap(root.all("section").first { $0.attributes["id"] == "district-map" }?.all("svg").first)
        let names = r.binned.area.districts.map(\.name)
        let labels = map.all("text").map(\.allText)
        for name in names { XCTAssertTrue(labels.contains(name), "no label for \(name)") }
        let filled = map.all("path").filter { $0.children.contains { $0.name == "title" } }
        XCTAssertEqual(filled.count, names.count)
        for p in filled {
            let d = p.attributes["d"] ?? ""
            XCTAssertTrue(d.hasPrefix("M") && d.hasSuffix("Z"))
            // Simplified for drawing, yet not degenerate.
            XCTAssertLessThan(d.count, 40_000)
            XCTAssertGreaterThan(d.count, 200)
        }
        // North up: the viewBox is taller than wide only if the area is; every label lies inside it.
        let box = (map.attributes["viewBox"] ?? "").split(separator: " ").compactMap { Double($0) }
        XCTAssertEqual(box.count, 4)
        for t in map.all("text") {
            guard let x = Double(t.attributes["x"] ?? ""), let y = Double(t.attributes["y"] ?? "") else { continue }
            XCTAssertTrue((0...box[2]).contains(x) && (0...box[3]).contains(y), "label \(t.allText) off the map")
        }
    }

    /// The pack is about its district: named in the title, highlighted in the table, and its hotspot table lists
    /// only clusters of that district, while the area report's spans several districts.
    func testDistrictPackHoldsOnlyItsOwnHotspots() throws {
        let r = try fixture()
        let name = r.binned.area.districts[r.packDistrict].name
        let pack = try parseXML(r.pack), area = try parseXML(r.area)
        XCTAssertTrue(pack.all("h1").first?.allText.contains(name) ?? false)
        XCTAssertFalse(area.all("h1").first?.allText.contains("local pack") ?? true)

        func hotspotDistricts(_ root: XMLNode) throws -> [String] {
            let section = try XCTUnwrap(root.all("section").first { $0.attributes["id"] == "hotspots" })
            let table = try XCTUnwrap(section.all("table").first)
            let header = table.all("th").map(\.allText)
            let col = try XCTUnwrap(header.firstIndex(of: "Districts"))
            return table.all("tbody").first!.all("tr").map { $0.all("td")[col].allText }
        }
        let packRows = try hotspotDistricts(pack)
        XCTAssertFalse(packRows.isEmpty, "the pack's district has a cluster in the latest 12 months")
        XCTAssertEqual(Set(packRows), [name])
        let areaRows = try hotspotDistricts(area)
        XCTAssertGreaterThan(Set(areaRows.flatMap { $0.components(separatedBy: ", ") }).count, 2)
        XCTAssertEqual(areaRows.count, 10)

        let selected = pack.all("tr").filter { $0.classes.contains("selected") }
        XCTAssertEqual(selected.count, 1)
        XCTAssertEqual(selected.first?.all("td").first?.allText, name)
    }

    // MARK: Disclosure

    /// Integers standing alone in text (not part of a decimal, date, time, range, label or "<5").
    static let standaloneInteger = try! NSRegularExpression(
        pattern: #"(?<![0-9A-Za-z:/\-\u2013\u2212+<#.])(?<!\d,)(\d{1,3}(?:,\d{3})+|\d+)(?![0-9A-Za-z%:/\-\u2013]|[.,]\d)"#)

    /// Every standalone integer from 1 to 4 in the document's text, with its context. Record accounting in the
    /// data-quality table (rows read/accepted/rejected: records, not people) is exempt and is checked separately.
    func smallIntegers(_ root: XMLNode) -> [String] {
        var found: [String] = []
        for (text, holder) in root.textRuns() {
            if holder.hasAncestor({ $0.name == "style" || ($0.name == "tr" && $0.classes.contains("records")) }) { continue }
            let ns = text as NSString
            for m in Self.standaloneInteger.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let token = ns.substring(with: m.range(at: 1)).replacingOccurrences(of: ",", with: "")
                if let v = Int(token), (1...4).contains(v) {
                    let lo = max(0, m.range.location - 40), hi = min(ns.length, m.range.location + m.range.length + 40)
                    found.append("<\(holder.name)> …\(ns.substring(with: NSRange(location: lo, length: hi - lo)))…")
                }
            }
        }
        return found
    }

    func testNoCountFromOneToFourIsPublished() throws {
        let r = try fixture()
        let area = try parseXML(r.area), pack = try parseXML(r.pack), raw = try parseXML(r.packUnsuppressed)
        XCTAssertEqual(smallIntegers(area), [])
        XCTAssertEqual(smallIntegers(pack), [])
        // The scan sees counts where they are printed: without suppression the same pack shows many small ones…
        XCTAssertGreaterThan(smallIntegers(raw).count, 20)
        XCTAssertTrue(r.packUnsuppressed.contains("OFFICIAL-SENSITIVE — partner tier"))
        XCTAssertFalse(r.pack.contains("OFFICIAL-SENSITIVE"))
        XCTAssertTrue(r.pack.contains("OFFICIAL — public tier"))
        // …and with suppression they appear as "<5" markers, in the tables and in the heat map's cell titles.
        let marked = pack.textRuns().filter { $0.text.contains("<5") }
        XCTAssertGreaterThan(marked.filter { $0.holder.name == "td" }.count, 10)
        XCTAssertGreaterThan(marked.filter { $0.holder.name == "title" }.count, 5)
    }

    /// Rows marked as record accounting hold only the extract's row counts, nothing about incidents in places or times.
    func testRecordAccountingRowsAreOnlyRowCounts() throws {
        let root = try parseXML(try fixture().pack)
        let rows = root.all("tr").filter { $0.classes.contains("records") }
        XCTAssertGreaterThanOrEqual(rows.count, 3)
        for row in rows {
            let label = row.all("td").first?.allText ?? ""
            XCTAssertTrue(label.hasPrefix("file ") || label.hasPrefix("rows ") || label.hasPrefix("rejected: "), label)
            XCTAssertTrue(row.hasAncestor { $0.attributes["id"] == "data-quality" })
        }
    }

    func testAttributionFromTheArea() throws {
        let r = try fixture()
        let root = try parseXML(r.area)
        let footer = root.all("footer").first?.allText ?? ""
        XCTAssertTrue(footer.contains("Open Government Licence"))
        XCTAssertTrue(footer.contains("Office for National Statistics"))
        let methods = root.all("section").first { $0.attributes["id"] == "methods" }?.allText ?? ""
        for phrase in ["Byar", "exact Poisson", "<5", r.binned.definitions.name, "DBSCAN"] {
            XCTAssertTrue(methods.contains(phrase), "methods lack \(phrase)")
        }
    }

    // Hotspot outlines: the report draws `HotspotAnalysis`'s generalised outlines (SpatialDisclosureTests).
}
