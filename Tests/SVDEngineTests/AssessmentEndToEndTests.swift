import XCTest
import Foundation
import GEOS
import SVDCore
import SVDDemo
import SVDLocate
import SVDBin
import SVDPublish
@testable import SVDEngine

/// The whole ingest → locate → bin → measure → publish path on demo data, checked against
/// references that do not use the code under test (a plain CSV split and GEOS point-in-polygon).
final class AssessmentEndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func demo(rows: Int, seed: UInt64) throws -> URL {
        let url = dir.appendingPathComponent("demo-\(rows)-\(seed).csv")
        try DemoGenerator(seed: seed, rows: rows).write(to: url, format: .native)
        return url
    }

    /// District counts equal GEOS point-in-polygon on a test-side parse of the same file.
    func testDistrictCountsMatchGEOSOnIndependentParse() throws {
        let file = try demo(rows: 6_000, seed: 7)
        let binned = try BinnedIncidents(request: IncidentRequest(files: [file], workers: 2), rejectsFile: nil, progress: nil)
        let defs = binned.definitions
        let reference = try GEOSReferenceLocator(area: binned.area)
        let text = try String(contentsOf: file, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let col = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var expected = Array(repeating: 0, count: binned.area.districts.count + 1)
        for line in lines {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let category = normaliseCategory(f[col["offence"]!])
            guard defs.seriousViolence.contains(category) else { continue }
            let month = MonthKey(parsing: f[col["datetime"]!].prefix(7))!
            guard binned.period.contains(month) else { continue }
            let p = BNGPoint(easting: Double(f[col["easting"]!])!, northing: Double(f[col["northing"]!])!)
            let d = Int(try reference.district(at: p))
            expected[d < 0 ? expected.count - 1 : d] += 1
        }
        let marginals = CubeMarginals(cube: binned.result.cube, period: binned.period)
        XCTAssertEqual(marginals.byDistrict[0].map(\.count), expected)
        XCTAssertEqual(binned.result.summaries[0].summary.rowsRead, lines.count)
        XCTAssertGreaterThan(expected.reduce(0, +), 4_000)
    }

    /// Splitting the files across threads changes nothing: 1 worker and 2 workers publish identical tables.
    func testWorkerCountDoesNotChangeTables() throws {
        let file = try demo(rows: 8_000, seed: 11)
        func tables(_ workers: Int) throws -> [String] {
            let b = try BinnedIncidents(request: IncidentRequest(files: [file], workers: workers), rejectsFile: nil, progress: nil)
            return AssessmentTables(input: b.assessmentInput(disclosure: DisclosurePolicy())).all()
                .filter { $0.id != "data_quality" }.map { $0.csv() }
        }
        XCTAssertEqual(try tables(1), try tables(2))
    }

    /// On a small file full of small cells, no published count lies between 1 and 4, and some were hidden.
    func testNoSmallCountIsPublished() throws {
        let file = try demo(rows: 1_500, seed: 3)
        let b = try BinnedIncidents(request: IncidentRequest(files: [file]), rejectsFile: nil, progress: nil)
        let tables = AssessmentTables(input: b.assessmentInput(disclosure: DisclosurePolicy(threshold: 5))).all()
        var hidden = 0
        for t in tables where t.id != "data_quality" {
            for row in t.rows {
                for (c, v) in row.enumerated() {
                    switch v {
                    case .count(let n):
                        // Record accounting (files, rows read, accepted, rejected) is exact, as in data_quality.
                        let accounting = t.id == "source_summary" && (t.columns[c] == "files" || t.columns[c].hasPrefix("rows_"))
                        if t.columns[c] != "rank" && t.columns[c] != "population" && t.columns[c] != "band_population" && !t.columns[c].hasSuffix("difference") && !accounting {
                            XCTAssertFalse((1...4).contains(n), "\(t.id) column \(t.columns[c]) publishes \(n)")
                        }
                    case .suppressed, .withheld: hidden += 1
                    default: break
                    }
                }
            }
        }
        XCTAssertGreaterThan(hidden, 50, "a 1,500-row file must produce small cells to hide")
        let partner = tables[0].render(.csv, header: DisclosurePolicy.partner.headerLines)
        XCTAssertTrue(partner.hasPrefix("# OFFICIAL-SENSITIVE — partner tier"))
        XCTAssertTrue(tables[0].render(.csv, header: DisclosurePolicy().headerLines).hasPrefix("# OFFICIAL — public tier"))
    }

    /// Malformed rows are rejected with their line, and every row is accounted for.
    func testMalformedRowsAreAccountedFor() throws {
        let url = dir.appendingPathComponent("bad.csv")
        let body = """
        id,datetime,offence,easting,northing,victim_age
        A1,2025-01-03T22:10,violence with injury,575900,155700,19
        A2,not-a-date,robbery,575900,155700,20
        A3,2025-01-04T01:00,robbery,575900,155700,130
        A4,2025-01-04T01:00,robbery,575900
        A5,2025-01-05T13:00,burglary,575900,155700,
        A6,2025-01-05T13:00,violence with injury,9999999,155700,33

        """
        try body.write(to: url, atomically: true, encoding: .utf8)
        let rejects = dir.appendingPathComponent("rejects.csv")
        let b = try BinnedIncidents(request: IncidentRequest(files: [url]), rejectsFile: rejects, progress: nil)
        let s = b.result.summaries[0].summary
        XCTAssertEqual(s.rowsRead, 6)
        XCTAssertEqual(s.accepted, 2)
        XCTAssertEqual(s.rejected, 4)
        let rejected = try String(contentsOf: rejects, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(rejected.map { $0.split(separator: ",")[1] }, ["3", "4", "5", "7"])
        let table = AssessmentTables(input: b.assessmentInput(disclosure: DisclosurePolicy())).offenceMix()
        XCTAssertTrue(table.rows.contains { $0.first == .text("burglary") && $0[1] == .text("out of scope") })
    }
}
