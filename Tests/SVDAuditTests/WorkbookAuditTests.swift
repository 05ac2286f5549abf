import XCTest
import Foundation
@testable import SVDAudit
import SVDWorkbook

/// `svd audit` reads `--format xlsx` workbooks as what they are, several tables in one file: the Notes sheet's
/// marking, each sheet's marking rows, every cell in the linked tables, and each sheet against the CSV of the same
/// table. Untouched folders audit clean; edited, unmarked, unprotected and damaged workbooks are reported. The edits
/// are made by `tamper_workbook.py` beside this file (Python's zipfile, and openpyxl for a workbook another program
/// wrote), never by the code that reads them.
final class WorkbookAuditTests: XCTestCase {
    nonisolated(unsafe) static var svd: SVDRunner!
    nonisolated(unsafe) static var failedSetup: String?

    override class func setUp() {
        super.setUp()
        do {
            let s = try SVDRunner("workbook")
            svd = s
            func ok(_ args: [String]) throws {
                let r = try s.run(args)
                guard r.status == 0 else { throw AuditInputError("svd \(args.joined(separator: " ")) failed: \(r.stderr)") }
            }
            try ok(["demo", "--rows", "1000", "--seed", "11", "--out", "d.csv"])
            try ok(["assess", "d.csv", "--quiet", "--format", "csv,md,xlsx", "--out", "def"])
            try ok(["hotspots", "d.csv", "--quiet", "--format", "csv,md,xlsx", "--out", "hs"])
            // The positive control: perturbation off, as CSVs and as a workbook alone; the truth (partner tier).
            try ok(["assess", "d.csv", "--quiet", "--no-perturb", "--format", "csv", "--out", "np-csv"])
            try ok(["assess", "d.csv", "--quiet", "--no-perturb", "--format", "xlsx", "--out", "np-xlsx"])
            try ok(["assess", "d.csv", "--quiet", "--tier", "partner", "--format", "csv", "--out", "truth"])
            try ok(["assess", "d.csv", "--quiet", "--tier", "partner", "--format", "xlsx", "--out", "truth-xlsx"])
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

    func p(_ name: String) -> String { Self.svd.path(name) }

    /// A copy of a fixture folder to edit.
    func copy(_ from: String, _ to: String) throws -> String {
        let dest = p(to)
        try? FileManager.default.removeItem(atPath: dest)
        try FileManager.default.copyItem(atPath: p(from), toPath: dest)
        return dest
    }

    struct Run { let status: Int32; let stdout: String; let stderr: String }

    func run(_ executable: String, _ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = Self.svd.dir
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("tamper_workbook.py").path
    }

    /// The tamper script with Python's standard library only.
    func tamper(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run("/usr/bin/env", ["python3", Self.script] + args)
        XCTAssertEqual(r.status, 0, "tamper_workbook.py \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
    }

    /// The tamper script's openpyxl commands: `python3` on the PATH if it has openpyxl, else Debian's.
    func tamperWithOpenpyxl(_ args: [String]) throws {
        for (exe, pre) in [("/usr/bin/env", ["python3"]), ("/usr/bin/python3", [])] where FileManager.default.isExecutableFile(atPath: exe) {
            let r = try run(exe, pre + [Self.script] + args)
            if r.status == 4 { continue }
            XCTAssertEqual(r.status, 0, "tamper_workbook.py \(args.joined(separator: " ")): \(r.stderr)")
            return
        }
        throw XCTSkip("python3 with openpyxl is needed to rewrite the workbook (.ci/run installs python3-openpyxl)")
    }

    // MARK: Untouched outputs

    func testUntouchedWorkbookFoldersAuditClean() throws {
        for folder in ["def", "hs"] {
            let r = try Self.svd.run(["audit", folder])
            XCTAssertEqual(r.status, 0, "\(folder): \(r.stdout)\(r.stderr)")
            XCTAssertEqual(r.stdout, "", folder)
        }
        let report = try Auditor.run(paths: [p("def")])
        XCTAssertEqual(report.findings, [], report.summary)
        XCTAssertTrue(report.notes.isEmpty, report.notes.joined(separator: "\n"))
        // The workbook's sheets are modelled cell for cell like the CSVs: the folder's CSV, Markdown and workbook
        // give three times the CSVs' cells.
        let csvOnly = try copy("def", "def-csv-only")
        for name in try FileManager.default.contentsOfDirectory(atPath: csvOnly) where !name.hasSuffix(".csv") {
            try FileManager.default.removeItem(atPath: csvOnly + "/" + name)
        }
        let csv = try Auditor.run(paths: [csvOnly])
        XCTAssertGreaterThan(csv.statistics.cells, 1000)
        XCTAssertEqual(report.statistics.cells, 3 * csv.statistics.cells)
        XCTAssertEqual(report.statistics.tables, 3 * csv.statistics.tables)
    }

    // MARK: Positive controls

    /// A sheet edited after the run: its cell no longer matches the CSV's.
    func testWorkbookCellThatDiffersFromTheCSVIsReported() throws {
        let dir = try copy("def", "edited")
        let wb = dir + "/assessment.xlsx"
        try tamper(["bump", p("def/assessment.xlsx"), wb, "sheet:district_summary", "D4", "1"])
        let r = try Auditor.run(paths: [dir])
        let differ = r.findings.filter { $0.file == wb && $0.message.contains("where district_summary.csv has") }
        XCTAssertEqual(differ.count, 1, r.summary)
        let f = try XCTUnwrap(differ.first)
        XCTAssertEqual(f.route, .fitness)
        XCTAssertEqual(f.column, "incidents")
        XCTAssertTrue(f.location.contains("(sheet 'district_summary' row 4)"), f.line)
        // The same count in two files is one unknown: a difference within the noise bound passes the linked tables,
        // so only the comparison of copies tells; it is the only finding.
        XCTAssertEqual(r.findings.count, 1, r.summary)
        let cli = try Self.svd.run(["audit", dir])
        XCTAssertEqual(cli.status, 1)
        XCTAssertEqual(cli.stdout.split(separator: "\n").map(String.init), [f.line])
    }

    /// A workbook rewritten by another program (openpyxl: inline strings, absolute part names, its own styles), with a
    /// sheet renamed as a clash would name it: still read, mapped to its table, and compared with the CSV.
    func testWorkbookRewrittenByAnotherProgramIsReadAndCompared() throws {
        let dir = try copy("def", "rewritten")
        let wb = dir + "/assessment.xlsx"
        try tamperWithOpenpyxl(["openpyxl-rename", p("def/assessment.xlsx"), wb, "district_summary", "district_summary~2"])
        let clean = try Auditor.run(paths: [dir])
        XCTAssertEqual(clean.findings, [], clean.summary)
        XCTAssertEqual(clean.statistics.cells, try Auditor.run(paths: [p("def")]).statistics.cells)

        // A hidden count ("<5") shown outright in the workbook.
        let csv = try String(contentsOfFile: p("def/hour_by_weekday.csv"), encoding: .utf8)
        let (header, records, lines) = CSV.read(csv)
        var target: (cell: String, row: String, column: String)?
        for (i, record) in records.enumerated().dropFirst() {
            if let c = record.firstIndex(of: "<5") {
                // Sheet rows: the marking rows, the title, the header (the CSV's line 1 + marking lines), then the cells.
                let sheetRow = lines[i] + 1
                target = (String(UnicodeScalar(UInt8(65 + c))) + String(sheetRow), record[0], records[0][c])
                break
            }
        }
        let t = try XCTUnwrap(target, "no <5 in hour_by_weekday.csv")
        XCTAssertEqual(header.count, 1)
        try tamperWithOpenpyxl(["openpyxl-set", p("def/assessment.xlsx"), wb, "hour_by_weekday", t.cell, "3"])
        let r = try Auditor.run(paths: [dir])
        XCTAssertTrue(r.findings.contains { $0.file == wb && $0.row == t.row && $0.column == t.column
                && $0.message.contains("'3' where hour_by_weekday.csv has '<5'") }, r.summary)
    }

    /// No marking: the Notes sheet's (the file's), and one sheet's own rows; a tier stated in words that the
    /// marking row contradicts.
    func testWorkbookWithoutMarkingIsReported() throws {
        let dir = try copy("def", "unmarked")
        let wb = dir + "/assessment.xlsx"
        // The marking line is one shared string: every sheet's first row points at it.
        try tamper(["replace", p("def/assessment.xlsx"), wb, "xl/sharedStrings.xml", "<t>OFFICIAL — public tier", "<t>Serious violence tables"])
        var r = try Auditor.run(paths: [dir])
        XCTAssertTrue(r.findings.contains { $0.file == wb && $0.location == "sheet Notes row 1" && $0.message.contains("no protective marking") }, r.summary)
        XCTAssertEqual(try Self.svd.run(["audit", dir]).status, 1)

        try tamper(["replace", p("def/assessment.xlsx"), wb, "sheet:cohort_summary", #"<row r="1" .*?</row>"#, ""])
        r = try Auditor.run(paths: [dir])
        XCTAssertEqual(r.findings.map(\.location), ["sheet 'cohort_summary' row 1"], r.summary)
        XCTAssertTrue(r.findings[0].message.contains("no protective marking in the sheet's first rows"), r.summary)

        try tamper(["replace", p("def/assessment.xlsx"), wb, "xl/sharedStrings.xml", "<t>public</t>", "<t>partner</t>"])
        r = try Auditor.run(paths: [dir])
        XCTAssertTrue(r.findings.contains { $0.file == wb && $0.message.contains("Disclosure tier 'partner' disagrees") }, r.summary)
    }

    /// Unprotected outputs as a workbook alone: the same small counts are recovered from its sheets as from the
    /// CSVs of the same run, each equal to the truth, and named by sheet and row.
    func testSmallCountsRecoveredFromAWorkbookAloneMatchTheCSVs() throws {
        let xlsx = try Auditor.run(paths: [p("np-xlsx")])
        let csv = try Auditor.run(paths: [p("np-csv")])
        let wb = p("np-xlsx/assessment.xlsx")
        XCTAssertTrue(xlsx.findings.contains { $0.file == wb && $0.location == "sheet Notes row 1" && $0.message.contains("perturbation is off") }, xlsx.summary)

        func recovered(_ r: AuditReport) -> Set<String> {
            Set(r.findings.compactMap { f -> String? in
                guard let v = f.value, let row = f.row, let column = f.column else { return nil }
                let table: String
                if let m = f.location.range(of: #"sheet '[^']+'"#, options: .regularExpression) {
                    table = String(f.location[m].dropFirst(7).dropLast())
                } else {
                    table = URL(fileURLWithPath: f.file).deletingPathExtension().lastPathComponent
                }
                return "\(table) \(row) / \(column) = \(v)"
            })
        }
        let fromSheets = recovered(xlsx), fromCSVs = recovered(csv)
        XCTAssertGreaterThan(fromSheets.count, 10, xlsx.summary)
        XCTAssertEqual(fromSheets, fromCSVs)
        XCTAssertEqual(xlsx.findings.filter { $0.route != .fitness }.count, csv.findings.filter { $0.route != .fitness }.count)
        XCTAssertGreaterThan(xlsx.routes()[.rowColumnTotals] ?? 0, 10)
        // Every count recovered from a sheet is the true count.
        let truth = Truth(folder: p("truth"))
        var checked = 0
        for f in xlsx.findings where f.value != nil && f.row != nil && f.file == wb {
            let m = try XCTUnwrap(f.location.range(of: #"sheet '[^']+'"#, options: .regularExpression), f.line)
            let table = String(f.location[m].dropFirst(7).dropLast())
            XCTAssertEqual(f.value, truth.value(table: table, row: f.row!, column: f.column!), f.line)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)

        // The partner tier's workbook: unfit to publish, and its small counts are published outright.
        let partner = try Auditor.run(paths: [p("truth-xlsx")])
        let pwb = p("truth-xlsx/assessment.xlsx")
        XCTAssertTrue(partner.findings.contains { $0.file == pwb && $0.message.contains("partner tier") }, partner.summary)
        XCTAssertTrue(partner.findings.contains { $0.file == pwb && $0.route == .publishedSmallCount && $0.location.contains("(sheet '") }, partner.summary)
    }

    // MARK: Damaged files

    func testDamagedWorkbooksAreOneLineFindings() throws {
        let dir = p("damaged")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let good = p("def/assessment.xlsx")
        try "hello".write(toFile: dir + "/text.xlsx", atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: dir + "/empty.xlsx", contents: Data())
        FileManager.default.createFile(atPath: dir + "/truncated.xlsx", contents: try Data(contentsOf: URL(fileURLWithPath: good)).prefix(3000))
        try tamper(["zip", dir + "/no-workbook.xlsx", "readme.txt", "not a workbook"])
        try tamper(["drop", good, dir + "/no-sheet-part.xlsx", "xl/worksheets/sheet3.xml"])
        try tamper(["replace", good, dir + "/broken-xml.xlsx", "xl/workbook.xml", "</sheets>.*", ""])
        try tamper(["replace", good, dir + "/no-strings.xlsx", "xl/sharedStrings.xml", "<si>.*</sst>", "</sst>"])
        let expected = [
            "text.xlsx": "not a zip archive",
            "empty.xlsx": "not a zip archive",
            "truncated.xlsx": "not a readable zip archive",
            "no-workbook.xlsx": "a zip archive without xl/workbook.xml",
            "no-sheet-part.xlsx": "its part xl/worksheets/sheet3.xml is missing",
            "broken-xml.xlsx": "xl/workbook.xml is not well-formed XML",
            "no-strings.xlsx": "points at shared string",
        ]
        for (name, reason) in expected.sorted(by: { $0.key < $1.key }) {
            let path = dir + "/" + name
            let r = try Auditor.run(paths: [path])
            XCTAssertEqual(r.findings.count, 1, "\(name): \(r.summary)")
            let f = try XCTUnwrap(r.findings.first)
            XCTAssertEqual(f.route, .fitness)
            XCTAssertTrue(f.message.hasPrefix("not a readable workbook: ") && f.message.contains(reason), "\(name): \(f.line)")
            XCTAssertFalse(f.line.contains("\n"), f.line)
            let cli = try Self.svd.run(["audit", path, "--quiet"])
            XCTAssertEqual(cli.status, 1, "\(name): \(cli.stderr)")
            XCTAssertEqual(cli.stdout, f.line + "\n")
        }
    }

    // MARK: Reading

    func testSheetNamesMapBackToTableIds() {
        let long = "victim_age_sex_by_district_and_month"    // 36 characters: Excel keeps 31
        let long2 = "victim_age_sex_by_district_and_strand"
        let candidates: [(id: String, title: String?)] = [("district_summary", nil), ("district_change", "District change"),
                                                           (long, "By month"), (long2, "By strand")]
        XCTAssertEqual(WorkbookTables.tableId(sheet: "district_summary", title: "x", candidates: candidates), "district_summary")
        XCTAssertEqual(WorkbookTables.tableId(sheet: "District_Summary~2", title: "x", candidates: candidates), "district_summary")
        // Cut to 31 and made unique: the two long ids share their first 31 characters, so the title tells.
        XCTAssertEqual(String(long.prefix(31)), String(long2.prefix(31)))
        XCTAssertEqual(WorkbookTables.tableId(sheet: String(long.prefix(31)), title: "By month", candidates: candidates), long)
        XCTAssertEqual(WorkbookTables.tableId(sheet: String(long.prefix(29)) + "~2", title: "By strand", candidates: candidates), long2)
        XCTAssertNil(WorkbookTables.tableId(sheet: String(long.prefix(29)) + "~2", title: "Neither", candidates: candidates))
        XCTAssertNil(WorkbookTables.tableId(sheet: "district", title: "x", candidates: candidates))
    }

    /// Round trip through the writer's own naming: every id comes back from its sheet name (and title, for clashes).
    func testEverySheetNameTheWriterMakesMapsBack() {
        let ids = ["district_summary", "notes", "History", "a/b:c*d?e[f]g\\h", "'quoted'", "victim_age_sex_by_district_and_more_words",
                   "victim_age_sex_by_district_and_other_words", "VICTIM_AGE_SEX_BY_DISTRICT_AND_MORE_WORDS", "",
                   "é" + String(repeating: "x", count: 40), "x" + String(repeating: "y", count: 29) + "'z"]
        let names = Workbook.sheetNames(for: ids)
        let candidates = ids.enumerated().map { (id: $0.element, title: Optional("Table \($0.offset)")) }
        for (i, (id, name)) in zip(ids, names).enumerated() {
            XCTAssertEqual(WorkbookTables.tableId(sheet: name, title: "Table \(i)", candidates: candidates), id, name)
        }
    }

    func testNumbersShowTheirFormatsDecimals() {
        typealias S = XLSXWorkbook.Styles
        XCTAssertEqual(S.decimals(of: "#,##0"), 0)
        XCTAssertEqual(S.decimals(of: "0.00"), 2)
        XCTAssertEqual(S.decimals(of: "#,##0.00"), 2)
        XCTAssertEqual(S.decimals(of: "+0.0;-0.0;0.0"), 1)
        XCTAssertNil(S.decimals(of: "0%"))
        XCTAssertNil(S.decimals(of: "yyyy-mm-dd"))
        XCTAssertNil(S.decimals(of: "General"))
        let number = XLSXWorkbook.SheetReader.number
        XCTAssertEqual(number("0.6", 2), "0.60")
        XCTAssertEqual(number("225", 0), "225")
        XCTAssertEqual(number("-1.4", 1), "-1.4")
        XCTAssertEqual(number("12", 1), "12.0")
        XCTAssertEqual(number("1E-3", nil), "0.001")
        // More digits than the format shows: the stored value, not a rounding of it.
        XCTAssertEqual(number("0.534", 2), "0.534")
        XCTAssertEqual(XLSXWorkbook.SheetReader.reference("AB12")?.row, 12)
        XCTAssertEqual(XLSXWorkbook.SheetReader.reference("AB12")?.column, 27)
        XCTAssertNil(XLSXWorkbook.SheetReader.reference("12AB"))
    }
}
