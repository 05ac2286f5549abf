import XCTest
import Foundation
@testable import SVDAudit

/// `svd audit` against outputs the built `svd` writes from synthetic incidents: default (perturbed, public tier)
/// outputs give nothing away; `--no-perturb` outputs (the positive control) give small counts away by every route
/// the linked tables open, and every count recovered equals the true count of a partner-tier run.
final class AuditTests: XCTestCase {
    /// One scratch folder for the class: demo data and runs made once.
    nonisolated(unsafe) static var svd: SVDRunner!
    nonisolated(unsafe) static var failedSetup: String?

    override class func setUp() {
        super.setUp()
        do {
            let s = try SVDRunner("suite")
            svd = s
            try make(s)
        } catch {
            failedSetup = "\(error)"
        }
    }

    override class func tearDown() {
        svd?.remove()
        super.tearDown()
    }

    override func setUpWithError() throws {
        if let failed = Self.failedSetup { XCTFail("fixture: \(failed)"); throw XCTSkip("fixture failed") }
    }

    static func make(_ s: SVDRunner) throws {
        func ok(_ args: [String]) throws {
            let r = try s.run(args)
            guard r.status == 0 else { throw AuditInputError("svd \(args.joined(separator: " ")) failed: \(r.stderr)") }
        }
        try ok(["demo", "--rows", "1000", "--seed", "11", "--out", "d1000.csv"])
        try ok(["demo", "--rows", "300", "--seed", "12", "--out", "d300.csv"])
        try ok(["demo", "--rows", "3000", "--seed", "13", "--out", "d3000.csv"])
        let quiet = ["--quiet", "--format", "csv,md,json"]
        // Default outputs: this month's run, last month's, the report and two packs.
        try ok(["assess", "d1000.csv", "--out", "def"] + quiet)
        try ok(["assess", "d1000.csv", "--to", "2026-09", "--out", "def-last"] + quiet)
        try ok(["report", "d1000.csv", "--out", "def-report.html", "--quiet"])
        try ok(["report", "d1000.csv", "--district", "E07000114", "--out", "def-pack-thanet.html", "--quiet"])
        try ok(["report", "d1000.csv", "--district", "E07000111", "--out", "def-pack-sevenoaks.html", "--quiet"])
        // The positive control: the same runs with perturbation off, and the truth (partner tier, same periods).
        try ok(["assess", "d1000.csv", "--no-perturb", "--out", "np"] + quiet)
        try ok(["assess", "d1000.csv", "--no-perturb", "--to", "2026-09", "--out", "np-last"] + quiet)
        try ok(["report", "d1000.csv", "--no-perturb", "--out", "np-report.html", "--quiet"])
        try ok(["report", "d1000.csv", "--no-perturb", "--district", "E07000114", "--out", "np-pack-thanet.html", "--quiet"])
        try ok(["assess", "d1000.csv", "--tier", "partner", "--out", "truth", "--quiet"])
        try ok(["report", "d1000.csv", "--tier", "partner", "--out", "truth-report.html", "--quiet"])
        try ok(["report", "d1000.csv", "--tier", "partner", "--district", "E07000114", "--out", "truth-pack-thanet.html", "--quiet"])
        try ok(["assess", "d1000.csv", "--tier", "partner", "--to", "2026-09", "--out", "truth-last", "--quiet"])
        // 24-month periods: incidents = last 12 + previous 12.
        try ok(["assess", "d300.csv", "--no-perturb", "--from", "2024-11", "--out", "np24"] + quiet)
        try ok(["assess", "d300.csv", "--from", "2024-11", "--out", "def24"] + quiet)
        try ok(["assess", "d300.csv", "--tier", "partner", "--from", "2024-11", "--out", "truth24", "--quiet"])
        try ok(["assess", "d3000.csv", "--no-perturb", "--out", "np3k", "--quiet"])
        try ok(["assess", "d3000.csv", "--out", "def3k", "--quiet"])
        try ok(["assess", "d3000.csv", "--tier", "partner", "--out", "truth3k", "--quiet"])
    }

    func p(_ name: String) -> String { Self.svd.path(name) }

    func audit(_ names: [String], options: AuditOptions = AuditOptions()) throws -> AuditReport {
        try Auditor.run(paths: names.map(p), options: options)
    }

    /// Every count the audit recovered from a published cell (CSV, report or pack) equals the truth.
    func assertTrue(_ report: AuditReport, truth: [String: String], file: StaticString = #filePath, line: UInt = #line) {
        var checked = 0
        for f in report.findings where f.value != nil && f.row != nil && f.file.hasSuffix(".html") {
            guard let t = truth[URL(fileURLWithPath: f.file).lastPathComponent] else { continue }
            guard let v = Truth.html(p(t), table: f.table ?? "", row: f.row!, column: f.column!) else {
                XCTFail("no truth for \(f.line)", file: file, line: line)
                continue
            }
            XCTAssertEqual(f.value, v, f.line, file: file, line: line)
            checked += 1
        }
        for f in report.findings where f.value != nil && f.row != nil && f.file.hasSuffix(".csv") {
            let url = URL(fileURLWithPath: f.file)
            guard let folder = truth[url.deletingLastPathComponent().lastPathComponent] else { continue }
            let table = url.deletingPathExtension().lastPathComponent
            guard let t = Truth(folder: p(folder)).value(table: table, row: f.row!, column: f.column!) else {
                XCTFail("no truth for \(f.line)", file: file, line: line)
                continue
            }
            XCTAssertEqual(f.value, t, f.line, file: file, line: line)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0, "no recovered cell checked against the truth", file: file, line: line)
    }

    // MARK: Default outputs

    func testDefaultOutputsGiveNothingAway() throws {
        // Tables, report, packs and last month's run, all together: no small count can be pinned, no unfit file.
        let r = try audit(["def", "def-last", "def-report.html", "def-pack-thanet.html", "def-pack-sevenoaks.html"])
        // Reports and packs declare their outlines' generalisation grid, so their maps are checked against it too.
        XCTAssertEqual(r.findings, [], r.summary)
        XCTAssertGreaterThan(r.statistics.cells, 3000)
        XCTAssertTrue(r.statistics.reachedFixpoint)
        XCTAssertTrue(r.notes.filter { $0.contains("disagree") }.isEmpty, r.notes.joined(separator: "\n"))
        let r24 = try audit(["def24"])
        XCTAssertEqual(r24.findings, [], r24.summary)
        let r3k = try audit(["def3k"])
        XCTAssertEqual(r3k.findings, [], r3k.summary)
    }

    // MARK: Positive control

    func testNoPerturbOutputsAreFlaggedAndTheirSmallCountsRecovered() throws {
        let r = try audit(["np"])
        let routes = r.routes()
        // Every file says it is not safe to publish.
        let files = try FileManager.default.contentsOfDirectory(atPath: p("np")).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(r.findings.filter { $0.route == .fitness && $0.message.contains("perturbation is off") }.count, files.count)
        // Hour × weekday rows, age × sex, offences: one hidden cell in a row with its total.
        XCTAssertGreaterThan(routes[.rowColumnTotals] ?? 0, 10, r.summary)
        XCTAssertGreaterThan(routes[.linkedTables] ?? 0, 0, r.summary)
        assertTrue(r, truth: ["np": "truth"])
        // No relation the audit assumes is contradicted by exact tables: the identities are right.
        XCTAssertTrue(r.notes.filter { $0.contains("disagree") }.isEmpty, r.notes.joined(separator: "\n"))

        let r3k = try audit(["np3k"])
        XCTAssertGreaterThan(r3k.routes()[.rowColumnTotals] ?? 0, 10)
        assertTrue(r3k, truth: ["np3k": "truth3k"])
        XCTAssertTrue(r3k.notes.filter { $0.contains("disagree") }.isEmpty, r3k.notes.joined(separator: "\n"))
    }

    func testTwentyFourMonthPeriodSplitsIntoLastAndPrevious12() throws {
        let r = try audit(["np24"])
        let split = r.findings.filter { $0.route == .periodSplit }
        XCTAssertFalse(split.isEmpty, r.summary)
        XCTAssertTrue(split.contains { $0.file.hasSuffix("district_change.csv") || $0.file.hasSuffix("district_summary.csv") }, r.summary)
        XCTAssertGreaterThan(r.routes()[.monthsRolling] ?? 0, 0, r.summary)
        assertTrue(r, truth: ["np24": "truth24"])
        XCTAssertTrue(r.notes.filter { $0.contains("disagree") }.isEmpty, r.notes.joined(separator: "\n"))
    }

    func testReportAndPackTablesJoinTheLinkedTables() throws {
        let alone = try audit(["np"])
        let together = try audit(["np", "np-report.html", "np-pack-thanet.html"])
        let recovered = { (r: AuditReport) in r.findings.filter { $0.value != nil }.count }
        XCTAssertGreaterThan(recovered(together), recovered(alone))
        // The pack's own tables (hour × weekday, months of Thanet) give counts away.
        XCTAssertTrue(together.findings.contains { $0.file.hasSuffix("np-pack-thanet.html") && $0.value != nil }, together.summary)
        // Every report and pack is marked unsafe.
        XCTAssertEqual(together.findings.filter { $0.file.hasSuffix(".html") && $0.route == .fitness }.count, 2)
        assertTrue(together, truth: ["np": "truth", "np-report.html": "truth-report.html", "np-pack-thanet.html": "truth-pack-thanet.html"])
        XCTAssertTrue(together.findings.contains { $0.file.hasSuffix(".html") && $0.value != nil })
        XCTAssertTrue(together.notes.filter { $0.contains("disagree") }.isEmpty, together.notes.joined(separator: "\n"))
    }

    func testRunToRunDifferencesPinSmallCountsOnlyWithoutPerturbation() throws {
        let r = try audit(["np-last", "np"])
        let rr = r.findings.filter { $0.route == .runToRun }
        XCTAssertGreaterThan(rr.count, 0, r.summary)
        // Each run alone does not give these away.
        let alone = try audit(["np"]).findings.filter { $0.route == .runToRun }
        XCTAssertEqual(alone.count, 0)
        assertTrue(r, truth: ["np": "truth", "np-last": "truth-last"])
        XCTAssertTrue(r.notes.filter { $0.contains("disagree") }.isEmpty, r.notes.joined(separator: "\n"))
        // Perturbed, the same pair is safe (checked with everything else in testDefaultOutputsGiveNothingAway).
    }

    /// The brief's example: an hour row of four "<5" cells whose total is "<5" (so at most 4) gives each away as 1.
    func testHourRowOfFourSmallCellsTotallingFour() throws {
        let s = try SVDRunner("row")
        defer { s.remove() }
        let dir = s.path("run")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let header = "# NOT SAFE TO PUBLISH — perturbation switched off (test use only): small counts can be recovered from linked tables.\n"
        try (header + "hour,Mon,Tue,Wed,Thu,Fri,Sat,Sun,weekday_unknown,all\n06:00,<5,<5,<5,<5,0,0,0,0,<5\n07:00,<5,<5,6,0,0,0,0,0,9\n")
            .write(toFile: dir + "/hour_by_weekday.csv", atomically: true, encoding: .utf8)
        try #"{"disclosure":{"marking":"OFFICIAL","min_base":50,"perturbation":null,"threshold":5,"tier":"public"},"files":["hour_by_weekday.csv"],"period":{"from":"2023-11","to":"2026-10"}}"#
            .write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
        let r = try Auditor.run(paths: [dir])
        let row = r.findings.filter { $0.row == "06:00" && $0.value != nil }
        XCTAssertEqual(Set(row.compactMap(\.column)), ["Mon", "Tue", "Wed", "Thu", "all"], r.summary)
        XCTAssertTrue(row.allSatisfy { $0.value == ($0.column == "all" ? 4 : 1) && $0.route == .rowColumnTotals }, r.summary)
        // 07:00: two "<5" cells summing to 3 are 1 and 2 or 2 and 1: not pinned.
        XCTAssertTrue(r.findings.filter { $0.row == "07:00" }.isEmpty, r.summary)

        // Perturbed (±16), the same table pins nothing.
        try (header.replacingOccurrences(of: "NOT SAFE TO PUBLISH — perturbation switched off (test use only): small counts can be recovered from linked tables.",
                                         with: "OFFICIAL — public tier: counts perturbed by the cell key method (at most ±16), values below 5 shown as <5, breakdowns of fewer than 50 incidents withheld [c].")
             + "hour,Mon,Tue,Wed,Thu,Fri,Sat,Sun,weekday_unknown,all\n06:00,<5,<5,<5,<5,0,0,0,0,<5\n")
            .write(toFile: dir + "/hour_by_weekday.csv", atomically: true, encoding: .utf8)
        try #"{"disclosure":{"marking":"OFFICIAL","min_base":50,"perturbation":{"max_abs_noise":16},"threshold":5,"tier":"public"},"files":["hour_by_weekday.csv"],"period":{"from":"2023-11","to":"2026-10"}}"#
            .write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
        let safe = try Auditor.run(paths: [dir])
        XCTAssertEqual(safe.findings, [], safe.summary)
    }

    /// A difference shown beside a hidden count gives its published value away (unperturbed: the count itself).
    func testDifferenceBesideAHiddenCount() throws {
        let s = try SVDRunner("derived")
        defer { s.remove() }
        let dir = try copy("np", "run", in: s)
        let csv = dir + "/cohort_summary.csv"
        var lines = try String(contentsOfFile: csv, encoding: .utf8).components(separatedBy: "\n")
        // all_ages: last 12 months hidden, previous 12 shown, difference kept.
        var cells = lines[2].components(separatedBy: ",")
        let previous = Int(cells[3])!
        cells[2] = "<5"
        cells[4] = String(3 - previous)
        lines[2] = cells.joined(separator: ",")
        try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try Auditor.run(paths: [csv])
        XCTAssertTrue(r.findings.contains { $0.route == .derivedValue && $0.value == 3 && $0.column == "last_12_months" }, r.summary)
    }

    /// The report's hotspot map is drawn in pixels: with the area it is placed on the ground and its outlines checked.
    func testReportHotspotMapIsPlacedOnTheGround() throws {
        let r = try Self.svd.run(["audit", "def-report.html", "def-pack-thanet.html", "--incidents", "d1000.csv"])
        XCTAssertTrue([0, 1].contains(r.status), r.stderr)
        XCTAssertFalse(r.stderr.contains("does not match"), r.stderr)
        XCTAssertFalse(r.stderr.contains("give --area"), r.stderr)
        XCTAssertTrue(r.stderr.contains("against 1000 incidents"), r.stderr)
    }

    // MARK: Fitness

    func copy(_ from: String, _ to: String, in s: SVDRunner) throws -> String {
        let dest = s.path(to)
        try FileManager.default.copyItem(atPath: p(from), toPath: dest)
        return dest
    }

    func testPartnerTierFilesAreReported() throws {
        let r = try audit(["truth"])
        let partner = r.findings.filter { $0.route == .fitness && $0.message.contains("partner tier") }
        let files = try FileManager.default.contentsOfDirectory(atPath: p("truth")).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(partner.count, files.count, r.summary)
        // True counts 1–4 are published outright.
        XCTAssertTrue(r.findings.contains { $0.route == .publishedSmallCount }, r.summary)
    }

    func testMissingManifestIsAnIncompleteRun() throws {
        let s = try SVDRunner("manifest")
        defer { s.remove() }
        let dir = try copy("def", "run", in: s)
        try FileManager.default.removeItem(atPath: dir + "/manifest.json")
        let r = try Auditor.run(paths: [dir])
        XCTAssertEqual(r.findings.filter { $0.route == .fitness && $0.message.contains("no manifest.json") }.map(\.file), [dir], r.summary)
    }

    func testRejectsAndInputRecordsInTheFolderAreReported() throws {
        let s = try SVDRunner("rejects")
        defer { s.remove() }
        let dir = try copy("def", "run", in: s)
        try FileManager.default.copyItem(atPath: p("def.restricted/rejects.csv"), toPath: dir + "/rejects.csv")
        try FileManager.default.copyItem(atPath: p("d300.csv"), toPath: dir + "/extract.csv")
        let r = try Auditor.run(paths: [dir])
        XCTAssertTrue(r.findings.contains { $0.file.hasSuffix("/rejects.csv") && $0.message.contains("rejects file") }, r.summary)
        XCTAssertTrue(r.findings.contains { $0.file.hasSuffix("/extract.csv") && $0.message.contains("input records") }, r.summary)
        XCTAssertTrue(r.findings.contains { $0.file.hasSuffix("/extract.csv") && $0.message.contains("not listed") }, r.summary)
        // The restricted folder itself, given by mistake.
        let restricted = try Auditor.run(paths: [p("def.restricted")])
        XCTAssertTrue(restricted.findings.contains { $0.message.contains("restricted folder") }, restricted.summary)
    }

    func testUnmarkedAndTamperedFilesAreReported() throws {
        let s = try SVDRunner("marks")
        defer { s.remove() }
        let dir = try copy("def", "run", in: s)
        // A CSV whose marking line was removed, and a file the run did not write.
        let csv = dir + "/location_type.csv"
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        try lines.dropFirst().joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        try "notes".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let r = try Auditor.run(paths: [dir])
        XCTAssertTrue(r.findings.contains { $0.file == csv && $0.message.contains("no protective marking") }, r.summary)
        XCTAssertTrue(r.findings.contains { $0.file.hasSuffix("notes.txt") && $0.message.contains("not an svd output") }, r.summary)
    }

    func testPublicGiStarWithStatisticsIsReported() throws {
        let s = try SVDRunner("gistar")
        defer { s.remove() }
        let csv = s.path("hotspots_gistar.csv")
        try ("# OFFICIAL — public tier: counts perturbed by the cell key method (at most ±16), values below 5 shown as <5, breakdowns of fewer than 50 incidents withheld [c].\n"
             + "rank,cell_id,centre_easting,centre_northing,centre_lon,centre_lat,district,incidents,z,p,q,class\n"
             + "1,E575800N155600,575900,155700,0.52,51.27,Maidstone,<5,4.1,0.00004,0.002,Hot spot (99%)\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try Auditor.run(paths: [csv])
        XCTAssertTrue(r.findings.contains { $0.route == .fitness && $0.message.contains("Gi*") && $0.location.contains("z, p, q") }, r.summary)
    }

    // MARK: Ranks

    func testRankOverAHiddenCountIsReported() throws {
        let s = try SVDRunner("rank")
        defer { s.remove() }
        let dir = try copy("def", "run", in: s)
        let csv = dir + "/district_summary.csv"
        var text = try String(contentsOfFile: csv, encoding: .utf8)
        // Hide the third-ranked district's count but keep its rank and place.
        var lines = text.components(separatedBy: "\n")
        var cells = lines[4].components(separatedBy: ",")
        cells[3] = "<5"
        lines[4] = cells.joined(separator: ",")
        text = lines.joined(separator: "\n")
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try Auditor.run(paths: [dir])
        XCTAssertTrue(r.findings.contains { $0.route == .rank && $0.file == csv && $0.message.contains("rank 3") }, r.summary)
    }

    // MARK: Exit codes

    func testExitCodes() throws {
        let s = Self.svd!
        XCTAssertEqual(try s.run(["audit", "def"]).status, 0)
        let np = try s.run(["audit", "np"])
        XCTAssertEqual(np.status, 1)
        // One line per finding: file: row/column: what and how.
        let first = np.stdout.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasPrefix(p("np")) || first.hasPrefix("np/"), first)
        XCTAssertEqual(first.components(separatedBy: ": ").count >= 3, true, first)
        XCTAssertEqual(try s.run(["audit"]).status, 64)
        XCTAssertEqual(try s.run(["audit", "def", "--max-rounds", "0"]).status, 64)
        XCTAssertEqual(try s.run(["audit", "no-such-folder"]).status, 2)
        XCTAssertEqual(try s.run(["audit", "def", "--incidents", "no-such.csv"]).status, 2)
    }
}
