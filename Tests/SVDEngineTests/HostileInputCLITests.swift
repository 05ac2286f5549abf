import XCTest
import Foundation

/// The CLI side of issue 15's Inputs: what a user sees for hostile or careless input.
final class HostileInputCLITests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI("hostile")
        try cli.ok(["demo", "--rows", "2000", "--seed", "5", "--end", "2024-12", "--out", "x.csv"])
    }

    override func tearDownWithError() throws { cli.remove() }

    var demo: String { get throws { try String(contentsOfFile: cli.path("x.csv"), encoding: .utf8) } }

    /// One row dated 2100 among 2,000 gave "Period 2097-02 to 2100-01" and a total of "<5".
    func testOneRowDated2100DoesNotMoveThePeriod() throws {
        var lines = try demo.split(separator: "\n").map(String.init)
        var f = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        f[1] = "2100-01-01T00:00"
        lines[1] = f.joined(separator: ",")
        try (lines.joined(separator: "\n") + "\n").write(toFile: cli.path("y.csv"), atomically: true, encoding: .utf8)
        let r = try cli.svd(["assess", "y.csv", "--quiet", "--out", "o"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("to 2024-12."), r.stdout)
        XCTAssertTrue(r.stdout.contains("1999 accepted, 1 rejected"), r.stdout)
        let rejects = try String(contentsOfFile: cli.path("o.restricted/rejects.csv"), encoding: .utf8)
        XCTAssertTrue(rejects.contains(",2,implausible_date,"), rejects)
        // A later floor rejects the early rows too.
        let later = try cli.svd(["assess", "y.csv", "--quiet", "--out", "o2", "--earliest", "2024-01"])
        XCTAssertEqual(later.status, 0, later.stderr)
        XCTAssertTrue(later.stdout.contains("Period 2024-01 to 2024-12"), later.stdout)
    }

    /// Repeated ids were counted twice; now the later copies are rejected and counted in data quality.
    func testDuplicateIDsAreRejectedAndReported() throws {
        let text = try demo
        let body = text.split(separator: "\n").dropFirst().prefix(10).joined(separator: "\n")
        try (text + body + "\n").write(toFile: cli.path("d.csv"), atomically: true, encoding: .utf8)
        for workers in ["1", "2"] {
            let r = try cli.svd(["assess", "d.csv", "--quiet", "--workers", workers, "--out", "o\(workers)", "--format", "csv"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("2010 rows read, 2000 accepted, 10 rejected"), r.stdout)
            let dq = try String(contentsOfFile: cli.path("o\(workers)/data_quality.csv"), encoding: .utf8)
            XCTAssertTrue(dq.contains("rejected: duplicate_id,10"), dq)
        }
        XCTAssertEqual(FileManager.default.contents(atPath: cli.path("o1.restricted/rejects.csv")),
                       FileManager.default.contents(atPath: cli.path("o2.restricted/rejects.csv")))
    }

    /// A FIFO was "empty file".
    func testAFIFOIsRead() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: cli.path("x.csv")))
        XCTAssertEqual(mkfifo(cli.path("p.csv"), 0o600), 0)
        let path = cli.path("p.csv")
        let writer = Thread { if let h = FileHandle(forWritingAtPath: path) { h.write(data); try? h.close() } }
        writer.start()
        let r = try cli.svd(["assess", "p.csv", "--quiet", "--out", "o"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("2000 rows read, 2000 accepted"), r.stdout)
    }

    /// Error messages echoed raw header bytes (ESC sequences, NULs); reject details quoted raw field text.
    func testControlCharactersNeverReachTheTerminalOrTheRejectDetail() throws {
        let header = "\u{1B}[31mcolumn\u{0}\u{7},\u{202E}y\r\n1,2\n"
        try header.write(toFile: cli.path("esc.csv"), atomically: true, encoding: .utf8)
        let r = try cli.svd(["assess", "esc.csv", "--quiet", "--out", "o"])
        XCTAssertEqual(r.status, 2)
        XCTAssertFalse(r.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, r.stderr.debugDescription)
        XCTAssertTrue(r.stderr.contains("\\x1B[31mcolumn\\x00\\x07, \\u{202E}y"), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)

        var lines = try demo.split(separator: "\n").map(String.init)
        var f = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        f[1] = "\u{1B}]0;owned\u{7}"
        lines[1] = f.joined(separator: ",")
        try (lines.joined(separator: "\n") + "\n").write(toFile: cli.path("bad.csv"), atomically: true, encoding: .utf8)
        let ok = try cli.svd(["assess", "bad.csv", "--quiet", "--out", "o3"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let rejects = try String(contentsOfFile: cli.path("o3.restricted/rejects.csv"), encoding: .utf8)
        let detail = try XCTUnwrap(rejects.split(separator: "\n").dropFirst().first).split(separator: ",")[3]
        XCTAssertTrue(detail.contains("\\x1B]0;owned\\x07"), String(detail))
        XCTAssertFalse(detail.unicodeScalars.contains { $0.value == 0x1B }, String(detail))
    }
}
