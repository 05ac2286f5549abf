import XCTest
import Foundation

/// The report's emerging hot spots and targeting list are `svd hotspots --method emerging` and `--method cells` over
/// the same period, formatted: the pattern tally equals the emerging map's, the targeting rows equal micro_places.csv,
/// and the public report has no targeting list.
final class ReportPlacesCLITests: XCTestCase {
    /// Cell texts of the rows of the table captioned `caption` inside section `id`.
    static func tableRows(_ html: String, section id: String, caption: String) -> [[String]] {
        guard let s = html.range(of: "<section id=\"\(id)\""), let e = html.range(of: "</section>", range: s.upperBound..<html.endIndex) else { return [] }
        let sectionText = String(html[s.lowerBound..<e.lowerBound])
        guard let c = sectionText.range(of: "<caption>\(caption)"), let end = sectionText.range(of: "</table>", range: c.upperBound..<sectionText.endIndex) else { return [] }
        let body = String(sectionText[c.upperBound..<end.lowerBound])
        return body.components(separatedBy: "<tr").dropFirst().compactMap { row in
            let cells = row.components(separatedBy: "<td").dropFirst().map { cell -> String in
                let text = cell.drop { $0 != ">" }.dropFirst()
                return String(text.prefix { $0 != "<" }).replacingOccurrences(of: "&amp;", with: "&")
            }
            return cells.isEmpty ? nil : cells
        }
    }

    func testReportFormatsTheHotspotCommandsOutputs() throws {
        let cli = try CLI("report-places")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "20000", "--seed", "7", "--out", "x.csv"])
        try cli.ok(["report", "x.csv", "--tier", "partner", "--quiet", "--out", "partner.html"])
        try cli.ok(["report", "x.csv", "--quiet", "--out", "public.html"])
        try cli.ok(["hotspots", "x.csv", "--method", "emerging", "--tier", "partner", "--quiet", "--out", "em"])
        try cli.ok(["hotspots", "x.csv", "--method", "emerging", "--quiet", "--out", "em-public"])
        try cli.ok(["hotspots", "x.csv", "--method", "cells", "--tier", "partner", "--top", "10", "--quiet", "--out", "cells"])
        let words = ["no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9]
        func number(_ s: String) -> Int? { words[s] ?? Int(s.replacingOccurrences(of: ",", with: "")) }

        for (report, folder) in [("partner.html", "em"), ("public.html", "em-public")] {
            let html = try String(contentsOfFile: cli.path(report), encoding: .utf8)
            let tally = Self.tableRows(html, section: "emerging", caption: "Cells by pattern")
            XCTAssertFalse(tally.isEmpty, report)
            // The emerging map's features by pattern.
            let map = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.path("\(folder)/hotspots_emerging.geojson")))) as! [String: Any]
            var expected: [String: Int] = [:]
            for f in map["features"] as! [[String: Any]] { expected[(f["properties"] as! [String: Any])["pattern"] as! String, default: 0] += 1 }
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: tally.map { ($0[0], number($0[1])!) }), expected, report)
        }

        let partner = try String(contentsOfFile: cli.path("partner.html"), encoding: .utf8)
        let listed = Self.tableRows(partner, section: "targeting", caption: "Micro-place targeting list")
        let csv = try MicroPlacesCLITests.table(URL(fileURLWithPath: cli.path("cells/micro_places.csv")))
        XCTAssertEqual(listed.count, 10)
        XCTAssertEqual(listed.map { [$0[0], $0[1], $0[2], $0[3]] }, csv.map { [$0["rank"]!, $0["grid_ref"]!, $0["district"]!, $0["incidents"]!] })
        let public_ = try String(contentsOfFile: cli.path("public.html"), encoding: .utf8)
        XCTAssertFalse(public_.contains("<section id=\"targeting\""), "the targeting list is partner tier only")
    }
}
