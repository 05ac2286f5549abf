import XCTest
import Foundation

/// One hotspot engine: the report's hotspot rows are the rows `svd hotspots` publishes for the same window and
/// options, a CSP's pack shows the area's hotspot numbers, and `assess --hotspots` names them alike. Read from the
/// files the commands write, as a user would compare them.
final class HotspotIdentityTests: XCTestCase {
    nonisolated(unsafe) static var cli: CLI!
    /// hotspot_id → the CSV row of `svd hotspots` over the patrol window, every published hotspot.
    nonisolated(unsafe) static var area: [String: [String: String]] = [:]
    static let window = ("2025-11", "2026-10")

    override class func setUp() {
        super.setUp()
        cli = try! CLI("identity")
        for args in [["demo", "--rows", "60000", "--seed", "5", "--out", "d.csv"],
                     ["hotspots", "d.csv", "--quiet", "--from", window.0, "--to", window.1, "--top", "1000", "--format", "csv", "--out", "h"]] {
            let r = try! cli.svd(args)
            precondition(r.status == 0, r.stderr)
        }
        let rows = try! Self.csv(cli.dir.appendingPathComponent("h/hotspots_dbscan.csv"))
        area = Dictionary(uniqueKeysWithValues: rows.map { ($0["hotspot_id"]!, $0) })
    }

    override class func tearDown() { cli.remove(); super.tearDown() }

    /// Rows of a CSV written by svd: `#` marking lines skipped, header then records (no quoted commas in these columns).
    static func csv(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    /// The report's "Hotspot profiles" table, one array of cell texts per row.
    func profiles(_ html: String) throws -> [[String]] {
        let start = try XCTUnwrap(html.range(of: "<caption>Hotspot profiles</caption>"))
        let end = try XCTUnwrap(html.range(of: "</table>", range: start.upperBound..<html.endIndex))
        let body = html[start.upperBound..<end.lowerBound]
        let cell = try NSRegularExpression(pattern: "<td[^>]*>(.*?)</td>")
        return body.components(separatedBy: "<tr").dropFirst().compactMap { row in
            let ns = row as NSString
            let cells = cell.matches(in: row, range: NSRange(location: 0, length: ns.length)).map {
                ns.substring(with: $0.range(at: 1)).replacingOccurrences(of: "&amp;", with: "&")
            }
            return cells.isEmpty ? nil : cells
        }
    }

    /// A report row against the CSV row of the same id: every column the report shows.
    func assertSame(_ r: [String], _ csv: [String: String], file: StaticString = #filePath, line: UInt = #line) {
        func number(_ s: String) -> Double? { Double(s.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "%", with: "")) }
        XCTAssertEqual(number(r[1]), number(csv["incidents"]!), "incidents of \(r[0])", file: file, line: line)
        XCTAssertEqual(number(r[2])!, number(csv["area_ha"]!)!, accuracy: 0.051, "area of \(r[0])", file: file, line: line)
        XCTAssertEqual(r[3], csv["districts"]!.replacingOccurrences(of: "; ", with: ", "), "districts of \(r[0])", file: file, line: line)
        XCTAssertEqual(r[4].replacingOccurrences(of: "%", with: ""), csv["victims_under_25_pct"]!, file: file, line: line)
        XCTAssertEqual(r[5].replacingOccurrences(of: "%", with: ""), csv["victims_under_18_pct"]!, file: file, line: line)
        let peak = csv["peak_weekday"] == "[c]" || csv["peak_hour"] == "[c]" ? "[c]" : "\(csv["peak_weekday"]!)\u{00A0}\(csv["peak_hour"]!)"
        XCTAssertEqual(r[6], peak, file: file, line: line)
        XCTAssertEqual(r[7].replacingOccurrences(of: "%", with: ""), csv["weapon_enabled_pct"]!, file: file, line: line)
        XCTAssertEqual(r[8], csv["grid_ref"]! + (csv["place"].map { ", \($0)" } ?? ""), "grid reference of \(r[0])", file: file, line: line)
    }

    func testReportRowsAreTheHotspotsCommandsRows() throws {
        let cli = Self.cli!
        try cli.ok(["report", "d.csv", "--quiet", "--hotspots", "10", "--out", "r.html"])
        let rows = try profiles(try String(contentsOfFile: cli.path("r.html"), encoding: .utf8))
        XCTAssertEqual(rows.map { $0[0] }, (1...10).map { "H\($0)" }, "the area report ranks H1…H10 in order")
        for r in rows { assertSame(r, try XCTUnwrap(Self.area[r[0]], r[0])) }
    }

    func testPackShowsTheAreasNumbers() throws {
        let cli = Self.cli!
        var seen = Set<String>()
        for district in ["Dover", "E06000035", "thanet"] {
            let out = "pack-\(district).html"
            try cli.ok(["report", "d.csv", "--quiet", "--district", district, "--hotspots", "50", "--out", out])
            let rows = try profiles(try String(contentsOfFile: cli.path(out), encoding: .utf8))
            XCTAssertFalse(rows.isEmpty, district)
            for r in rows {
                let csv = try XCTUnwrap(Self.area[r[0]], "\(district) pack shows \(r[0]), which the area run does not publish")
                assertSame(r, csv)
                seen.insert(r[0])
            }
            // The pack lists exactly the area's hotspots that name the district, in the area's order.
            let name = district == "E06000035" ? "Medway" : district.capitalized
            let expected = Self.area.values.filter { $0["districts"]!.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.contains(name) }
                .sorted { Int($0["rank"]!)! < Int($1["rank"]!)! }.map { $0["hotspot_id"]! }
            XCTAssertEqual(rows.map { $0[0] }, Array(expected.prefix(50)), district)
        }
        XCTAssertGreaterThan(seen.count, 3)
        // `svd hotspots --district` publishes the same rows, with the same numbers.
        try cli.ok(["hotspots", "d.csv", "--quiet", "--from", Self.window.0, "--to", Self.window.1, "--district", "dover", "--top", "1000",
                    "--format", "csv", "--out", "hd"])
        for row in try Self.csv(cli.dir.appendingPathComponent("hd/hotspots_dbscan.csv")) {
            let a = try XCTUnwrap(Self.area[row["hotspot_id"]!])
            for column in ["incidents", "area_ha", "districts", "centroid_lon", "victims_under_25_pct", "peak_hour", "knife_pct"] {
                XCTAssertEqual(row[column], a[column], "\(row["hotspot_id"]!) \(column)")
            }
        }
    }

    func testAssessHotspotsNameTheSameHotspots() throws {
        let cli = Self.cli!
        try cli.ok(["assess", "d.csv", "--quiet", "--hotspots", "3", "--format", "csv", "--out", "a"])
        let rows = try Self.csv(cli.dir.appendingPathComponent("a/hotspots_by_district.csv")).filter { !($0["hotspot_id"] ?? "").isEmpty }
        XCTAssertGreaterThan(rows.count, 10)
        for row in rows {
            let a = try XCTUnwrap(Self.area[row["hotspot_id"]!], row["hotspot_id"]!)
            for column in ["incidents", "area_ha", "incidents_per_ha", "victims_under_25_pct", "peak_weekday", "weapon_enabled_pct", "main_strand"] {
                XCTAssertEqual(row[column], a[column], "\(row["hotspot_id"]!) \(column)")
            }
            XCTAssertEqual(row["district"], a["main_district"])
        }
    }
}
