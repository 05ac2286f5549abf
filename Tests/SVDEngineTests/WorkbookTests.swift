import XCTest
import Foundation

/// `--format xlsx`: one workbook per run, a Notes sheet and a sheet per table. Checked against the same run's CSV
/// and Markdown by openpyxl (`check_workbook.py` beside this file), never by the code that wrote it.
final class WorkbookTests: XCTestCase {
    func testWorkbookHoldsExactlyTheCSVsPublishedValues() throws {
        let cli = try CLI("workbook")
        defer { cli.remove() }
        let python = try Self.python(cli)
        try cli.ok(["demo", "--rows", "20000", "--seed", "7", "--out", "d.csv"])
        var runs: [(folder: String, workbook: String, marking: String)] = []
        for (tier, marking) in [("public", "OFFICIAL"), ("partner", "OFFICIAL-SENSITIVE")] {
            try cli.ok(["assess", "d.csv", "--quiet", "--tier", tier, "--hotspots", "3", "--format", "csv,md,xlsx", "--out", tier])
            runs.append((tier, "assessment.xlsx", marking))
        }
        try cli.ok(["hotspots", "d.csv", "--quiet", "--format", "csv,md,xlsx", "--out", "hs"])
        runs.append(("hs", "hotspots.xlsx", "OFFICIAL"))
        for run in runs {
            let r = try cli.run(python.executable, python.arguments + [CLI.packageRoot.appendingPathComponent("Tests/SVDEngineTests/check_workbook.py").path,
                                                                     cli.path("\(run.folder)/\(run.workbook)"), cli.path(run.folder),
                                                                     "--marking", run.marking, "--libreoffice"])
            XCTAssertEqual(r.status, 0, "\(run.folder): \(r.stdout) \(r.stderr)")
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stderr)
            XCTAssertEqual((o["sheets"] as? [String])?.first, "Notes")
            XCTAssertGreaterThan(o["numeric"] as? Int ?? 0, 100, "\(run.folder): numeric cells checked")
            if o["libreoffice"] is NSNull { print("WorkbookTests: LibreOffice not installed; \(run.folder)/\(run.workbook) not opened with it") }
        }
        // svd audit reads each workbook beside the CSVs it must equal: the public runs audit clean, and in the
        // partner run the workbook is unfit to publish like every other file.
        for (folder, status) in [("public", 0), ("hs", 0), ("partner", 1)] as [(String, Int32)] {
            let r = try cli.svd(["audit", folder, "--quiet"])
            XCTAssertEqual(r.status, status, "svd audit \(folder): \(r.stdout)\(r.stderr)")
            if folder == "partner" {
                XCTAssertTrue(r.stdout.contains("partner/assessment.xlsx: sheet Notes row 1: partner tier"), r.stdout)
            }
        }
        // Text formats alone write no workbook.
        try cli.ok(["assess", "d.csv", "--quiet", "--format", "csv", "--out", "plain"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("plain/assessment.xlsx")))
    }

    /// `svd report --xlsx`: the area report's workbook holds exactly the tables `svd assess` publishes for the same
    /// files and period (checked by openpyxl against the CSVs, which the independent attacker reads), so it
    /// publishes nothing more. A district's workbook holds its full tables, which the attacker does not model: the
    /// public tier refuses it, the partner tier writes it.
    func testTheReportWorkbookIsTheAssessmentsPublishedTables() throws {
        let cli = try CLI("report-workbook")
        defer { cli.remove() }
        let python = try Self.python(cli)
        try cli.ok(["demo", "--rows", "20000", "--seed", "9", "--out", "d.csv"])
        try cli.ok(["assess", "d.csv", "--quiet", "--format", "csv,md", "--out", "a"])
        try cli.ok(["report", "d.csv", "--quiet", "--out", "r.html", "--xlsx", "r.xlsx"])
        let r = try cli.run(python.executable, python.arguments + [CLI.packageRoot.appendingPathComponent("Tests/SVDEngineTests/check_workbook.py").path,
                                                                 cli.path("r.xlsx"), cli.path("a"), "--marking", "OFFICIAL", "--unlisted"])
        XCTAssertEqual(r.status, 0, "\(r.stdout) \(r.stderr)")
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stderr)
        XCTAssertGreaterThan(o["numeric"] as? Int ?? 0, 1000)
        let refused = try cli.svd(["report", "d.csv", "--quiet", "--district", "Thanet", "--out", "t.html", "--xlsx", "t.xlsx"])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("partner tier only"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("t.html")))
        try cli.ok(["report", "d.csv", "--quiet", "--district", "Thanet", "--tier", "partner", "--out", "t.html", "--xlsx", "t.xlsx"])
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: cli.path("t.xlsx"))).prefix(2)), [0x50, 0x4B])
    }

    func testAFailedWorkbookLeavesNoPartialFileAndNoManifest() throws {
        let cli = try CLI("workbook-fail")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "2000", "--out", "d.csv"])
        // A folder holds the workbook's name. A run replaces its --out folder whole (written beside it, then
        // swapped in), so a folder svd did not write is refused before anything is read, and left as it was.
        try FileManager.default.createDirectory(atPath: cli.path("out/assessment.xlsx/x"), withIntermediateDirectories: true)
        let r = try cli.svd(["assess", "d.csv", "--quiet", "--format", "csv,xlsx", "--out", "out"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("--out out") && r.stderr.contains("manifest.json"), r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cli.path("out")), ["assessment.xlsx"])
        let beside = try FileManager.default.contentsOfDirectory(atPath: cli.dir.path)
        XCTAssertFalse(beside.contains(where: { $0.contains("partial") || $0.hasPrefix("out.") }), "\(beside)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("out/manifest.json")), "an incomplete run has no manifest")
    }

    /// A Python with openpyxl: `python3` on the PATH, else Debian's (python3-openpyxl, which .ci/run installs).
    static func python(_ cli: CLI) throws -> (executable: URL, arguments: [String]) {
        let candidates: [(URL, [String])] = [(URL(fileURLWithPath: "/usr/bin/env"), ["python3"]), (URL(fileURLWithPath: "/usr/bin/python3"), [])]
        for (executable, arguments) in candidates where FileManager.default.isExecutableFile(atPath: executable.path) {
            if try cli.run(executable, arguments + ["-c", "import openpyxl"]).status == 0 { return (executable, arguments) }
        }
        throw CLIUnavailable("python3 with openpyxl is needed to read the workbook (.ci/run installs python3-openpyxl)")
    }
}
