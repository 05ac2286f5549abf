import XCTest
import Foundation
import SVDCore
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15, Outputs and Determinism, run as an attacker or a careless user would: hostile names in the tables,
/// `--out` naming a device, a FIFO, a link or a folder of other files, a run killed half way, and two identical
/// runs that must give the same bytes.
final class OutputHardeningTests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI("outputs")
        try cli.ok(["demo", "--rows", "2000", "--seed", "5", "--out", "x.csv"])
    }

    override func tearDownWithError() throws { cli.remove() }

    /// The demo file with every `every`-th row's `column` (from row `offset`) set to the next of `values`.
    func rewrite(_ source: String, to target: String, column: String, every: Int, offset: Int = 0, values: [String]) throws {
        let script = """
        import csv, sys
        src, dst, col, every, offset = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        values = sys.argv[6:]
        rows = list(csv.reader(open(src, newline='')))
        c = rows[0].index(col)
        for i, r in enumerate(rows[1:]):
            if i % every == offset: r[c] = values[(i // every) % len(values)]
        csv.writer(open(dst, 'w', newline='')).writerows(rows)
        """
        let r = try cli.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, cli.path(source), cli.path(target), column, String(every), String(offset)] + values)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    static let hostile = [
        "=HYPERLINK(\"http://x.example\",\"click\")", "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3+cmd", "\tTAB=1+1",
        "line one\nline two <script>alert(1)</script>", "a|b <img src=x onerror=alert(1)> & more",
    ]

    // MARK: Formula injection and Markdown

    func testHostileNamesAreNeutralisedInCSVAndWorkbookAndEscapedInMarkdown() throws {
        try rewrite("x.csv", to: "h.csv", column: "offence", every: 5, values: Self.hostile)
        try cli.ok(["assess", "h.csv", "--out", "h", "--format", "csv,md,json,xlsx", "--quiet"])
        try checkHostileOutputs("h", workbook: "assessment.xlsx")
    }

    /// District names come from the area: a copy of the embedded one whose districts are renamed like an attacker would.
    func testHostileDistrictNamesFromAnAreaAreNeutralisedToo() throws {
        let area = cli.dir.appendingPathComponent("area")
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("geodata/kent-medway"), to: area)
        let file = area.appendingPathComponent("area.json")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        var districts = try XCTUnwrap(json["districts"] as? [[String: Any]])
        for i in districts.indices where i < Self.hostile.count { districts[i]["name"] = Self.hostile[i] }
        json["districts"] = districts
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        try cli.ok(["assess", "x.csv", "--area", area.path, "--out", "a", "--format", "csv,md,json,xlsx", "--quiet"])
        try checkHostileOutputs("a", workbook: "assessment.xlsx")
        try cli.ok(["hotspots", "x.csv", "--area", area.path, "--out", "hs", "--format", "csv,md,json,xlsx", "--tier", "partner", "--quiet"])
        try checkHostileOutputs("hs", workbook: "hotspots.xlsx", auditStatus: 1, namesExpected: false)
    }

    /// No CSV or workbook text cell starts like a formula, every Markdown row is one line without markup, and the
    /// audit finds the copies equal (`auditStatus` 1: a partner run, unfit to publish by design, and nothing else).
    func checkHostileOutputs(_ out: String, workbook: String, auditStatus: Int32 = 0, namesExpected: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = cli.dir.appendingPathComponent(out)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        var hostileCells = 0
        for name in names where name.hasSuffix(".csv") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for (r, row) in Self.csvRecords(text).enumerated() {
                for cell in row {
                    if cell.lowercased().contains("hyperlink") || cell.lowercased().contains("@sum") { hostileCells += 1 }
                    if cell.hasPrefix("'"), Double(cell.dropFirst()) != nil { XCTFail("\(name) record \(r + 1): the number '\(cell)' is quoted", file: file, line: line) }
                    guard let first = cell.first, "=+-@\t\r".contains(first) else { continue }
                    // A number may start with a sign; text never starts like a formula.
                    XCTAssertNotNil(Double(cell), "\(name) record \(r + 1): '\(cell)' starts like a formula")
                }
            }
        }
        if namesExpected { XCTAssertGreaterThan(hostileCells, 0, "the hostile names reach the CSVs (else the test tests nothing)", file: file, line: line) }
        // Negative numbers stay numbers.
        if names.contains("district_summary.csv") {
            let change = try String(contentsOf: folder.appendingPathComponent("district_summary.csv"), encoding: .utf8)
            XCTAssertTrue(change.contains(",-"), "the demo has a negative change, written as a number", file: file, line: line)
        }

        for name in names where name.hasSuffix(".md") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            XCTAssertFalse(text.lowercased().contains("<script"), "\(name): raw <script>")
            XCTAssertFalse(text.lowercased().contains("<img"), "\(name): raw <img>")
            // Every table row is one line: after the header and separator, a table line starts and ends with a pipe.
            var inTable = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("|") { inTable = true; XCTAssertTrue(line.hasSuffix("|"), "\(name): a row broken across lines: \(line)"); continue }
                if inTable { XCTAssertTrue(line.isEmpty, "\(name): a table row broken across lines, line '\(line)'"); inTable = false }
            }
        }

        // The workbook's text cells: none starts like a formula.
        let xlsx = try cli.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", """
            import zipfile, re, sys, html
            z = zipfile.ZipFile(sys.argv[1])
            bad = [html.unescape(t) for t in re.findall(r'<t[^>]*>([^<]*)</t>', z.read('xl/sharedStrings.xml').decode())
                   if html.unescape(t)[:1] in ('=', '+', '-', '@', '\\t', '\\r')]
            print(len(bad)); print(bad[:5])
            sys.exit(1 if bad else 0)
            """, folder.appendingPathComponent(workbook).path])
        XCTAssertEqual(xlsx.status, 0, "workbook strings starting like a formula: \(xlsx.stdout) \(xlsx.stderr)")

        // CSV, Markdown, JSON and the workbook still say the same thing.
        let audit = try cli.svd(["audit", out])
        XCTAssertEqual(audit.status, auditStatus, "audit: \(audit.stdout)\(audit.stderr)", file: file, line: line)
        if auditStatus != 0 {
            let findings = audit.stdout.split(separator: "\n").filter { !$0.contains("partner tier") && !$0.contains("OFFICIAL-SENSITIVE") }
            XCTAssertTrue(findings.isEmpty, "only the partner marking is found: \(findings)", file: file, line: line)
        }
    }

    /// RFC 4180 records (enough for svd's own CSVs), `#` lines skipped.
    static func csvRecords(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = "", quoted = false, atStart = true
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if atStart && c == "#" && record.isEmpty && field.isEmpty {
                while let d = chars.popFirst(), d != "\n" {}
                continue
            }
            atStart = false
            if quoted {
                if c == "\"" { if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false } } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": record.append(field); field = ""
            case "\n", "\r\n": record.append(field); records.append(record); record = []; field = ""; atStart = true
            default: field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    // MARK: --out

    func testOutRefusesSpecialFilesAndFoldersOfOtherFiles() throws {
        let fifo = cli.path("fifo")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: cli.path("tonull"), withDestinationPath: "/dev/null")
        try "mine\n".write(toFile: cli.path("plain.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: cli.path("mine"), withIntermediateDirectories: true)
        try "keep me\n".write(toFile: cli.path("mine/notes.txt"), atomically: true, encoding: .utf8)
        var cases: [([String], String)] = [
            (["report", "x.csv", "--out", "fifo"], "FIFO"),
            (["report", "x.csv", "--out", "tonull"], "character device"),
            (["report", "x.csv", "--out", "mine"], "folder"),
            (["report", "x.csv", "--out", "r.html", "--rejects", "fifo"], "--rejects"),
            (["assess", "x.csv", "--out", "fifo"], "FIFO"),
            (["assess", "x.csv", "--out", "plain.txt"], "is a file"),
            (["assess", "x.csv", "--out", "mine"], "did not write"),
            (["hotspots", "x.csv", "--out", "plain.txt"], "is a file"),
        ]
        // /dev/full as root: a device node of the test's own (1,7 is /dev/full), so a failure never harms the real one.
        let device = getuid() == 0 && mknod(cli.path("full"), S_IFCHR | 0o666, dev_t((1 << 8) | 7)) == 0
        if device {
            cases.append((["report", "x.csv", "--out", "full"], "character device"))
            cases.append((["assess", "x.csv", "--out", "full"], "character device"))
        }
        for (args, expected) in cases {
            let r = try cli.svd(args + ["--quiet"])
            let shown = "svd \(args.joined(separator: " ")) → \(r.status): \(r.stderr)"
            XCTAssertEqual(r.status, 64, shown)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(shown)")
            XCTAssertTrue(r.stderr.hasPrefix("svd: error: ") && r.stderr.contains(expected), shown)
            XCTAssertFalse(r.stdout.contains("Wrote"), shown)
        }
        var st = stat()
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
        XCTAssertEqual(lstat(cli.path("tonull"), &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFLNK, "the link is still a link")
        if device {
            XCTAssertEqual(lstat(cli.path("full"), &st), 0)
            XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR, "the device is still a device")
        }
        XCTAssertEqual(try String(contentsOfFile: cli.path("plain.txt"), encoding: .utf8), "mine\n")
        XCTAssertEqual(try String(contentsOfFile: cli.path("mine/notes.txt"), encoding: .utf8), "keep me\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("r.html")), "nothing written when --rejects is refused")

        // A link to a regular file is written through, deliberately: the file is replaced, the link stays.
        try "old\n".write(toFile: cli.path("target.html"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: cli.path("link.html"), withDestinationPath: "target.html")
        try cli.ok(["report", "x.csv", "--out", "link.html", "--rejects", "rejects.csv", "--quiet"])
        XCTAssertEqual(lstat(cli.path("link.html"), &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFLNK)
        XCTAssertTrue(try String(contentsOfFile: cli.path("target.html"), encoding: .utf8).contains("<html"))
        XCTAssertTrue(try String(contentsOfFile: cli.path("rejects.csv"), encoding: .utf8).hasPrefix("file,line,reason"))
        XCTAssertEqual(try visible(), ["link.html", "rejects.csv", "target.html"].sorted() + [], "no temporary files left beside them")
    }

    /// Names in the scratch folder other than the test's own inputs.
    func visible(_ more: Set<String> = []) throws -> [String] {
        let own: Set<String> = ["x.csv", "key", "fifo", "tonull", "full", "plain.txt", "mine", "big.csv"]
        return try FileManager.default.contentsOfDirectory(atPath: cli.dir.path)
            .filter { !own.contains($0) && !$0.hasPrefix(".stdout-") && !$0.hasPrefix(".stderr-") }.sorted()
    }

    // MARK: The reject file

    /// Rejected rows whose record starts like a formula (the id is the first column): the restricted rejects.csv
    /// neutralises its `record` cells as published CSVs do, and still names each row's line and reason.
    func testFormulaLikeRejectedRecordsAreNeutralisedInTheRejectFile() throws {
        // No commas or quotes: the record would then start with a quote, which no spreadsheet reads as a formula.
        let formulas = ["=HYPERLINK(A1)", "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3+cmd", "\tTAB=1+1"]
        try rewrite("x.csv", to: "f1.csv", column: "id", every: 100, values: formulas)
        try rewrite("f1.csv", to: "f.csv", column: "datetime", every: 100, values: ["not a date"])
        try cli.ok(["assess", "f.csv", "--out", "r", "--format", "csv", "--quiet"])
        let rows = Self.csvRecords(try String(contentsOfFile: cli.path("r.restricted/rejects.csv"), encoding: .utf8))
        XCTAssertEqual(rows.first, ["file", "line", "reason", "detail", "record"])
        for row in rows.dropFirst() {
            XCTAssertFalse(row[4].first.map { "=+-@\t\r".contains($0) } ?? false, "record starts like a formula: \(row[4])")
        }
        let hostile = rows.dropFirst().filter { $0[2] == "unparseable_date" }
        XCTAssertEqual(hostile.count, 20, "every 100th of 2,000 rows")
        for row in hostile {
            let record = row[4]
            XCTAssertTrue(record.hasPrefix("'"), "the formula-like record is neutralised: \(record)")
            XCTAssertTrue(formulas.contains { record.dropFirst().hasPrefix($0.prefix(8)) }, "the record text follows the apostrophe: \(record)")
        }
    }

    // MARK: A killed run

    /// Every file under `folder` (recursively, hidden ones too) with its bytes.
    func snapshot(_ folder: String) throws -> [String: Data] {
        let root = cli.dir.appendingPathComponent(folder)
        var out: [String: Data] = [:]
        guard let e = FileManager.default.enumerator(atPath: root.path) else { return out }
        for case let name as String in e {
            var isDir: ObjCBool = false
            let p = root.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue { out[name] = try Data(contentsOf: URL(fileURLWithPath: p)) }
        }
        return out
    }

    func testRunKilledDuringIngestLeavesThePreviousCompleteFolder() throws {
        try cli.ok(["assess", "x.csv", "--out", "a", "--format", "csv,md", "--quiet"])
        let before = try snapshot("a"), restrictedBefore = try snapshot("a.restricted")
        XCTAssertNotNil(before["manifest.json"])
        // A big input (about 60 MB), so ingest lasts long enough to be killed in the middle of it.
        try cli.ok(["demo", "--rows", "500000", "--seed", "7", "--out", "big.csv"])

        let p = Process()
        p.executableURL = CLI.svd
        p.arguments = ["assess", "big.csv", "--out", "a", "--format", "csv,md", "--quiet", "--workers", "1"]
        p.currentDirectoryURL = cli.dir
        var env = ProcessInfo.processInfo.environment
        env["SVD_DISCLOSURE_KEY_FILE"] = cli.path("key")
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let staging = ".a.partial-\(p.processIdentifier)"
        // Kill it as soon as its staged folder exists: it is then reading its input.
        let deadline = Date().addingTimeInterval(60)
        var sawStaging = false
        while Date() < deadline && p.isRunning {
            if FileManager.default.fileExists(atPath: cli.path(staging)) { sawStaging = true; break }
            usleep(500)
        }
        let killedWhileRunning = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertTrue(sawStaging && killedWhileRunning, "the run was killed while it ran (staged folder seen: \(sawStaging))")

        // The previous run's folders, byte for byte; nothing else that is not hidden.
        XCTAssertEqual(try snapshot("a"), before, "the previous complete folder is untouched")
        XCTAssertEqual(try snapshot("a.restricted"), restrictedBefore, "the previous restricted folder is untouched")
        XCTAssertEqual(try visible().filter { !$0.hasPrefix(".") }, ["a", "a.restricted"])

        // The next run clears what the killed one left, and replaces the folder whole.
        try cli.ok(["assess", "x.csv", "--out", "a", "--format", "csv", "--quiet"])
        XCTAssertEqual(try visible(), ["a", "a.restricted"], "no stale staged folders")
        let after = try snapshot("a")
        XCTAssertNil(after["district_summary.md"], "no table of the previous run survives the new one")
        XCTAssertNotNil(after["manifest.json"])
    }

    /// Killed (SIGKILL) while writing its tables: the previous run's folders stay byte for byte, and the next run
    /// clears the half-written staged folder. The writing phase is caught by watching the staged folder: the run is
    /// stopped (SIGSTOP) as soon as a table lands there, and counts as caught only if the manifest, written last, is
    /// not there yet; a run that finished first is simply tried again.
    func testRunKilledWhileWritingLeavesThePreviousCompleteFolder() throws {
        for (command, extra) in [("assess", ["--hotspots", "2"]), ("hotspots", ["--tier", "partner"])] {
            let out = "w-" + command
            try cli.ok([command, "x.csv", "--out", out, "--format", "csv,md,json,xlsx", "--quiet"] + extra)
            var before = try snapshot(out), restrictedBefore = try snapshot(out + ".restricted")
            XCTAssertNotNil(before["manifest.json"])
            var caught: [String]?
            for _ in 0..<10 where caught == nil {
                let p = Process()
                p.executableURL = CLI.svd
                p.arguments = [command, "x.csv", "--out", out, "--format", "csv,md,json,xlsx", "--quiet", "--workers", "1"] + extra
                p.currentDirectoryURL = cli.dir
                var env = ProcessInfo.processInfo.environment
                env["SVD_DISCLOSURE_KEY_FILE"] = cli.path("key")
                p.environment = env
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                let staging = cli.path(".\(out).partial-\(p.processIdentifier)")
                while p.isRunning {
                    if let names = try? FileManager.default.contentsOfDirectory(atPath: staging), !names.isEmpty {
                        kill(p.processIdentifier, SIGSTOP)
                        let now = (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []
                        if !now.isEmpty && !now.contains("manifest.json") { caught = now }
                        break
                    }
                    usleep(100)
                }
                if caught != nil {
                    kill(p.processIdentifier, SIGKILL)
                    p.waitUntilExit()
                } else {
                    // Missed: the run finished (or was swapping in); its folder is the one to keep now.
                    kill(p.processIdentifier, SIGCONT)
                    p.waitUntilExit()
                    before = try snapshot(out)
                    restrictedBefore = try snapshot(out + ".restricted")
                }
            }
            let written = try XCTUnwrap(caught, "\(command): killed while writing (some tables staged, no manifest) in 10 tries")
            XCTAssertFalse(written.isEmpty)
            XCTAssertEqual(try snapshot(out), before, "\(command): the previous complete folder is untouched")
            XCTAssertEqual(try snapshot(out + ".restricted"), restrictedBefore, "\(command): the previous restricted folder is untouched")
            XCTAssertTrue(try visible().contains { $0.hasPrefix(".\(out).partial-") }, "the killed run's staged folder is left, hidden")

            // The next run removes what the killed one left.
            try cli.ok([command, "x.csv", "--out", out, "--format", "csv", "--quiet"] + extra)
            XCTAssertEqual(try visible().filter { $0.contains(out) }, [out, out + ".restricted"], "\(command): no stale staged folders")
            XCTAssertNotNil(try snapshot(out)["manifest.json"])
        }
    }

    // MARK: Determinism

    /// Tied reject reasons (three rows each of four reasons), formats of every kind, workers 1 and 2: each run gives
    /// the same bytes in every file (the manifest's `arguments`, which name the workers, aside).
    func testSameInputGivesTheSameBytes() throws {
        // Five reasons, four rows each (rows 1, 501, 1001, 1501 and so on).
        let corruptions = [("datetime", "not a date"), ("victim_age", "old"), ("easting", "east"), ("offence", ""), ("victim_sex", "Q")]
        var source = "x.csv"
        for (i, (column, value)) in corruptions.enumerated() {
            let target = i == corruptions.count - 1 ? "tied.csv" : "t\(i).csv"
            try rewrite(source, to: target, column: column, every: 500, offset: i + 1, values: [value])
            source = target
        }
        var runs: [[String: Data]] = []
        for workers in ["1", "1", "2", "2"] {
            try cli.ok(["assess", "tied.csv", "--out", "d", "--format", "csv,md,json,xlsx", "--hotspots", "2", "--workers", workers, "--quiet"])
            runs.append(try runFiles("d"))
        }
        let dq = String(decoding: try XCTUnwrap(runs[0]["data_quality.csv"]), as: UTF8.self)
        for reason in ["unparseable_date", "invalid_age", "unparseable_coordinate", "missing_offence", "unrecognised_value"] {
            XCTAssertTrue(dq.contains(reason), "\(reason) in data_quality.csv: \(dq)")
        }
        for (i, run) in runs.enumerated().dropFirst() {
            XCTAssertEqual(Set(run.keys), Set(runs[0].keys), "run \(i + 1): the same files")
            for (name, data) in runs[0] where run[name] != data {
                XCTFail("run \(i + 1) (workers \(i < 2 ? 1 : 2)): \(name) differs from run 1")
            }
        }
    }

    /// A run's files, published and restricted, with the manifest's `arguments` (which name the workers) left out.
    func runFiles(_ out: String) throws -> [String: Data] {
        var files = try snapshot(out)
        for (k, v) in try snapshot(out + ".restricted") { files["restricted/" + k] = v }
        var manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(files["manifest.json"])) as? [String: Any])
        manifest["arguments"] = nil
        files["manifest.json"] = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
        return files
    }

    /// More than 65,535 distinct offence names (corrupt input): which rows the full catalogue refused depended on
    /// thread timing with two workers. Now the first 65,535 distinct names in file order keep theirs, so the same
    /// rows are rejected and every file is the same with 1 and 2 workers.
    func testAFullOffenceCatalogueRejectsTheSameRowsWhateverTheWorkers() throws {
        let lines = try String(contentsOfFile: cli.path("x.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let offence = try XCTUnwrap(header.firstIndex(of: "offence")), id = try XCTUnwrap(header.firstIndex(of: "id"))
        // Every other row a new name (75,000 of them, about 16 MB: several 4 MB chunks); the others keep the demo's.
        var text = lines[0] + "\n"
        var seen = Set<String>(), refusedLines: [Int] = []
        for k in 0..<150_000 {
            var f = lines[1 + k % (lines.count - 1)].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            f[id] = "N\(k)"
            if k % 2 == 0 { f[offence] = "offence \(k / 2)" }
            let name = normaliseCategory(f[offence])
            if !seen.contains(name) {
                if seen.count == 65_535 { refusedLines.append(k + 2) } else { seen.insert(name) }
            }
            text += f.joined(separator: ",") + "\n"
        }
        try text.write(toFile: cli.path("names.csv"), atomically: true, encoding: .utf8)
        var runs: [[String: Data]] = []
        for workers in ["1", "2"] {
            // One folder (the restricted folder's marking names it), read after each run.
            try cli.ok(["assess", "names.csv", "--out", "n", "--format", "csv", "--workers", workers, "--quiet"])
            let rejects = Self.csvRecords(try String(contentsOfFile: cli.path("n.restricted/rejects.csv"), encoding: .utf8)).dropFirst()
            XCTAssertEqual(rejects.filter { $0[2] == "catalog_full" }.map { Int($0[1])! }, refusedLines,
                           "workers \(workers): the rows of names after the first 65,535 in file order are refused")
            XCTAssertEqual(rejects.count, refusedLines.count, "workers \(workers): no other rejects")
            runs.append(try runFiles("n"))
        }
        XCTAssertEqual(Set(runs[1].keys), Set(runs[0].keys))
        for (name, data) in runs[0] where runs[1][name] != data { XCTFail("\(name) differs between 1 and 2 workers") }
    }

    /// More than 255 distinct source labels in a source column: the labels got codes in thread order, so with two
    /// workers which rows were refused, and the order of the sources in every by-source table, changed from run to
    /// run. Now the first 255 distinct labels in file order keep theirs, as offence names do.
    func testAFullSourceCatalogueRejectsTheSameRowsWhateverTheWorkers() throws {
        let lines = try String(contentsOfFile: cli.path("x.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let source = try XCTUnwrap(header.firstIndex(of: "source")), id = try XCTUnwrap(header.firstIndex(of: "id"))
        // Every 400th row a new label (375 of them over about 16 MB: several 4 MB chunks); the others keep the demo's.
        var text = lines[0] + "\n"
        var seen: Set<String> = ["police"], refusedLines: [Int] = []
        for k in 0..<150_000 {
            var f = lines[1 + k % (lines.count - 1)].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            f[id] = "S\(k)"
            if k % 400 == 0 { f[source] = "Src \(k / 400)" }
            let label = f[source].lowercased()
            if !label.isEmpty && !seen.contains(label) {
                if seen.count == 255 { refusedLines.append(k + 2) } else { seen.insert(label) }
            }
            text += f.joined(separator: ",") + "\n"
        }
        XCTAssertGreaterThan(refusedLines.count, 100)
        try text.write(toFile: cli.path("labels.csv"), atomically: true, encoding: .utf8)
        var runs: [[String: Data]] = []
        for workers in ["1", "2", "2"] {
            try cli.ok(["assess", "labels.csv", "--out", "l", "--format", "csv", "--workers", workers, "--quiet"])
            let rejects = Self.csvRecords(try String(contentsOfFile: cli.path("l.restricted/rejects.csv"), encoding: .utf8)).dropFirst()
            XCTAssertEqual(rejects.filter { $0[2] == "catalog_full" }.map { Int($0[1])! }, refusedLines,
                           "workers \(workers): the rows of labels after the first 255 in file order are refused")
            XCTAssertEqual(rejects.count, refusedLines.count, "workers \(workers): no other rejects")
            runs.append(try runFiles("l"))
        }
        for run in runs.dropFirst() {
            XCTAssertEqual(Set(run.keys), Set(runs[0].keys))
            for (name, data) in runs[0] where run[name] != data { XCTFail("\(name) differs between 1 and 2 workers") }
        }
    }
}
