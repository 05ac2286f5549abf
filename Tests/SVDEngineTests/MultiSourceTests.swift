import XCTest
import Foundation

/// Several agencies' extracts in one assessment (issue 12): per-file mappings and sources, by-source tables,
/// row accounting per file and per source, venue lookups and partner context figures, through the built `svd`.
final class MultiSourceTests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI("multisource")
        try cli.ok(["demo", "--rows", "3000", "--seed", "11", "--end", "2024-12", "--out", "police.csv"])
        // An A&E ISTV extract in the built-in mapping's layout, written here, not by svd: 6 rows, one broken.
        try """
        AttendanceRef,Attendance Date,Arrival Time,Incident Easting,Incident Northing,Patient Age,Patient Sex,Assault Location Code,Weapon Code,Alcohol Consumed,Assailant Relationship
        ED1,03/02/2024,23:40,575900,155700,19,1,01,N,Y,Stranger
        ED2,14/07/2024,01:15,575950,155650,17,2,02,K,N,Acquaintance
        ED3,20/12/2024,,614900,157800,34,1,03,N,N,Partner
        ED4,01/06/2023,22:05,614950,157750,22,9,99,U,Y,Not stated
        ED5,31/13/2024,22:05,614950,157750,22,1,01,N,Y,Stranger
        ED6,11/11/2024,20:30,575900,155700,41,2,04,B,N,Sibling
        """.write(toFile: cli.path("ae.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { cli.remove() }

    func csv(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: cli.path(path), encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func row(_ table: [[String]], _ first: String, column: String) -> String? {
        guard let c = table.first?.firstIndex(of: column) else { return nil }
        return table.first { $0.first == first }?[c]
    }

    func testSourcesFileGivesBySourceTablesAndBalancedAccounting() throws {
        try """
        # two agencies
        sources:
          - file: police.csv
            source: police
            partner: Kent Police
          - file: ae.csv
            mapping: ae-istv
            source: A&E
            partner: Emergency departments
            period: 2023-01 to 2024-12
        """.write(toFile: cli.path("sources.yaml"), atomically: true, encoding: .utf8)
        try cli.ok(["assess", "--sources", "sources.yaml", "--tier", "partner", "--quiet", "--out", "o"])
        let summary = try csv("o/source_summary.csv")
        XCTAssertEqual(summary.dropFirst().map { $0[0] }, ["police", "A&E"])
        XCTAssertEqual(row(summary, "A&E", column: "rows_read"), "6")
        XCTAssertEqual(row(summary, "A&E", column: "rows_accepted"), "5")
        XCTAssertEqual(row(summary, "A&E", column: "rows_rejected"), "1")
        XCTAssertEqual(row(summary, "police", column: "rows_read"), "3000")
        XCTAssertEqual(row(summary, "A&E", column: "supplied_by"), "Emergency departments")
        // Partner tier: true counts, so the sources' incidents add up to the combined total.
        let total = try XCTUnwrap(try csv("o/district_summary.csv").first { $0.count > 1 && $0[1] == "TOTAL" })
        let combined = Int(total[3].replacingOccurrences(of: "\"", with: ""))!
        let police = Int(row(summary, "police", column: "incidents")!)!, ae = Int(row(summary, "A&E", column: "incidents")!)!
        XCTAssertEqual(police + ae, combined)
        // Two A&E rows are in Maidstone (within the period), none elsewhere but Canterbury.
        let byDistrict = try csv("o/source_by_district.csv")
        let maidstone = byDistrict.first { $0[0] == "A&E" && $0[2] == "Maidstone" }
        XCTAssertNotNil(maidstone)
        // Data quality: each file with its source and supplier, and each source balanced.
        let dq = try String(contentsOfFile: cli.path("o/data_quality.csv"), encoding: .utf8)
        XCTAssertTrue(dq.contains("\"file ae.csv (mapped (A&E ISTV); source A&E, supplied by Emergency departments; stated period 2023-01 to 2024-12, rows dated 2023-06 to 2024-12): rows read / accepted / rejected\",6 / 5 / 1"), dq)
        XCTAssertTrue(dq.contains("source police (1 file): rows read / accepted / rejected,3000 / 3000 / 0"), dq)
        // The supplier's stated period beside the months the accepted rows span.
        XCTAssertTrue(dq.contains("stated period 2023-01 to 2024-12, rows dated 2023-06 to 2024-12"), dq)
        let rejects = try String(contentsOfFile: cli.path("o.restricted/rejects.csv"), encoding: .utf8)
        XCTAssertTrue(rejects.contains("ae.csv") && rejects.contains("unparseable_date"), rejects)
        // The manifest names each input's source, supplier and mapping.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.path("o/manifest.json")))) as! [String: Any]
        let inputs = manifest["inputs"] as! [[String: Any]]
        XCTAssertEqual(inputs.map { $0["source"] as? String }, ["police", "A&E"])
        XCTAssertEqual((inputs[1]["mapping"] as? [String: Any])?["file"] as? String, "ae-istv (built in)")

        // --source writes every table for one source.
        try cli.ok(["assess", "--sources", "sources.yaml", "--tier", "partner", "--quiet", "--out", "p", "--source", "a&e"])
        let one = try csv("p/district_summary.csv")
        XCTAssertEqual(one.first { $0.count > 1 && $0[1] == "TOTAL" }?[3], "\(ae)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("p/source_summary.csv")))
        // FILE:MAPPING arguments do the same as the sources file (the demo's native file names its own sources).
        let unknown = try cli.svd(["assess", "police.csv", "ae.csv:ae-istv", "--quiet", "--out", "q", "--source", "fire"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("not a source of these inputs (sources: police, A&E)"), unknown.stderr)

        // The report carries the by-source panel.
        try cli.ok(["report", "--sources", "sources.yaml", "--quiet", "--out", "r.html"])
        let html = try String(contentsOfFile: cli.path("r.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<section id=\"sources\"><h2>By source</h2>"), "no by-source panel")
    }

    /// A native file whose source column names two sources: each source is credited with its own rows.
    func testAFileNamingSeveralSourcesIsAccountedPerSource() throws {
        let rows = try String(contentsOfFile: cli.path("police.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        let ae = rows.filter { $0.hasSuffix(",A&E") }.count
        XCTAssertGreaterThan(ae, 0)
        try cli.ok(["assess", "police.csv", "--tier", "partner", "--quiet", "--out", "o"])
        let summary = try csv("o/source_summary.csv")
        XCTAssertEqual(row(summary, "A&E", column: "rows_accepted"), "\(ae)")
        XCTAssertEqual(row(summary, "police", column: "rows_accepted"), "\(3000 - ae)")
        let dq = try String(contentsOfFile: cli.path("o/data_quality.csv"), encoding: .utf8)
        XCTAssertTrue(dq.contains("accepted rows its source column puts under other sources: A&E \(ae)"), dq)
    }

    func testMappingErrorsNameTheFileAndWriteNothing() throws {
        // A police file read with the A&E mapping: its header lacks the mapping's columns.
        let wrong = try cli.svd(["assess", "ae.csv:ae-istv", "police.csv:ae-istv", "--quiet", "--out", "o"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.stderr.contains("police.csv: header lacks column(s) required by the mapped (A&E ISTV) format"), wrong.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("o")))
        // An unknown key in a sources file: file and line.
        try "sources:\n  - file: police.csv\n    partnr: Kent Police\n".write(toFile: cli.path("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try cli.svd(["assess", "--sources", "bad.yaml", "--quiet", "--out", "o"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("bad.yaml:3: unknown key 'partnr'"), bad.stderr)
        // A mapping that is neither built in nor a file.
        let missing = try cli.svd(["assess", "ae.csv:ae-itsv", "--quiet", "--out", "o"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("ae-itsv: cannot read mapping for ae.csv"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("o")))
    }

    func testVenueLookupPlacesRowsOrRejectsThemAsUnplaced() throws {
        let mapping = """
        name: A&E with venues
        source: {value: "A&E"}
        id: Ref
        date: {column: Date, format: dd/MM/yyyy}
        offence: {value: assault}
        coordinates: bng
        easting: Easting
        northing: Northing
        venue: {column: Venue, lookup: venues.csv}
        victim_age: Age
        """
        try mapping.write(toFile: cli.path("venues.yaml"), atomically: true, encoding: .utf8)
        try """
        venue,easting,northing,district
        "The Grapes, High St",575900,155700,
        Thanet schools,,,Thanet
        """.write(toFile: cli.path("venues.csv"), atomically: true, encoding: .utf8)
        try """
        Ref,Date,Easting,Northing,Venue,Age
        V1,03/02/2024,,,the grapes  high st,19
        V2,04/02/2024,,,THANET SCHOOLS,15
        V3,05/02/2024,,,Unknown Pub,30
        V4,06/02/2024,,,,30
        V5,07/02/2024,614900,157800,Unknown Pub,30
        """.write(toFile: cli.path("v.csv"), atomically: true, encoding: .utf8)
        try cli.ok(["assess", "v.csv:venues.yaml", "--tier", "partner", "--quiet", "--out", "o", "--from", "2024-01", "--to", "2024-12"])
        let rejects = try String(contentsOfFile: cli.path("o.restricted/rejects.csv"), encoding: .utf8)
        XCTAssertEqual(rejects.split(separator: "\n").filter { $0.contains("unplaced_location") }.count, 2, rejects)
        XCTAssertTrue(rejects.contains("venue 'Unknown Pub' is not in venues.csv"), rejects)
        let summary = try csv("o/district_summary.csv")
        func count(_ name: String) -> String? { summary.first { $0.count > 2 && $0[2] == name }?[3] }
        XCTAssertEqual(count("Maidstone"), "1")   // V1, placed at the venue's point
        XCTAssertEqual(count("Thanet"), "1")      // V2, placed in its district without a point
        XCTAssertEqual(count("Canterbury"), "1")  // V5 has coordinates: the venue is not needed
        // A district the area does not have is an error naming the lookup.
        try "venue,district\nSomewhere,Narnia\n".write(toFile: cli.path("venues.csv"), atomically: true, encoding: .utf8)
        let bad = try cli.svd(["assess", "v.csv:venues.yaml", "--quiet", "--out", "o2"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("venues.csv: district 'Narnia' is not a district of the area"), bad.stderr)
    }

    func testContextFiguresAreSummedPerDistrictAndLabelled() throws {
        var text = "district,month,measure,value,supplied_by\n"
        var maidstoneLatest = 0, maidstonePrevious = 0
        for m in 1...24 {
            let month = String(format: "%04d-%02d", m <= 12 ? 2023 : 2024, (m - 1) % 12 + 1)
            let v = m * 3
            text += "Maidstone,\(month),Exclusions,\(v),County council\n"
            text += "E07000114,\(month),Exclusions,\(v + 1),County council\n"
            if m > 12 { maidstoneLatest += v } else { maidstonePrevious += v }
        }
        try text.write(toFile: cli.path("context.csv"), atomically: true, encoding: .utf8)
        try cli.ok(["assess", "police.csv", "--context", "context.csv", "--tier", "partner", "--quiet", "--out", "o"])
        let table = try csv("o/context_by_district.csv")
        let maidstone = try XCTUnwrap(table.first { $0.count > 3 && $0[3] == "Maidstone" })
        XCTAssertEqual(maidstone[4], "\(maidstoneLatest)")
        XCTAssertEqual(maidstone[5], "\(maidstonePrevious)")
        let dover = try XCTUnwrap(table.first { $0.count > 3 && $0[3] == "Dover" })
        XCTAssertEqual(dover[4], "0")
        let title = try String(contentsOfFile: cli.path("o/context_by_district.md"), encoding: .utf8)
        XCTAssertTrue(title.contains("not incidents"))
        try "district,month,measure,value\nNarnia,2024-01,Exclusions,3\n".write(toFile: cli.path("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try cli.svd(["assess", "police.csv", "--context", "bad.csv", "--quiet", "--out", "o2"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("bad.csv:2: district 'Narnia' is not a district of Kent & Medway"), bad.stderr)
    }
}
