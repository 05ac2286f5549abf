import XCTest
import Foundation
import SVDCore

/// The command line's one style, run as a user runs it: a bad argument exits 64 and unusable input exits 2, each
/// with one line on stderr naming the option or the file; `--district` by code or name in `hotspots` and `report`;
/// `svd --version`. Inputs are a 2,000-row demo, so every case is quick.
final class CLIStyleTests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI("style")
        try cli.ok(["demo", "--rows", "2000", "--seed", "5", "--out", "x.csv"])
    }

    override func tearDownWithError() throws { cli.remove() }

    /// The run failed with `status` and said why on one line of stderr, `svd: error: …`, holding every `expected`.
    func assertOneLineError(_ args: [String], status: Int32, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try cli.svd(args)
        let shown = "svd \(args.joined(separator: " ")) → \(r.status): \(r.stderr)"
        XCTAssertEqual(r.status, status, shown, file: file, line: line)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 1, "one line: \(shown)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("svd: error: ") && r.stderr.hasSuffix("\n"), shown, file: file, line: line)
        for text in expected { XCTAssertTrue(r.stderr.contains(text), "'\(text)' missing: \(shown)", file: file, line: line) }
        XCTAssertEqual(r.stdout, "", "nothing on stdout: \(shown)", file: file, line: line)
    }

    func testBadArgumentsExit64WithOneLineNamingTheOption() throws {
        let month = "not a month like 2024-03"
        let cases: [([String], [String])] = [
            // Typed values: ArgumentParser names the option and the value.
            (["hotspots", "x.csv", "--method", "hexbin"], ["--method", "'hexbin'", "dbscan", "gistar", "kde"]),
            (["assess", "x.csv", "--from", "2024-13"], ["--from", "'2024-13'", month]),
            (["report", "x.csv", "--to", "March"], ["--to", "'March'", month]),
            (["hotspots", "x.csv", "--method", "gistar", "--compare-from", "2024", "--compare-to", "2024-06"], ["--compare-from", "'2024'", month]),
            (["hotspots", "x.csv", "--method", "gistar", "--compare-from", "2024-01", "--compare-to", "2024-6-1"], ["--compare-to", "'2024-6-1'", month]),
            (["demo", "--end", "2026-1x", "--out", "d.csv"], ["--end", "'2026-1x'", month]),
            (["assess", "x.csv", "--format", "csv,xml"], ["--format", "'xml'"]),
            (["hotspots", "x.csv", "--format", "md,"], ["--format"]),
            (["demo", "--format", "csv", "--out", "d.csv"], ["--format", "'csv'", "native", "police-uk"]),
            (["hotspots", "x.csv", "--method", "gistar", "--cell", "fine"], ["--cell", "'fine'", "auto"]),
            (["assess", "x.csv", "--tier", "everyone"], ["--tier", "'everyone'"]),
            // Values that parse but do not fit.
            (["assess", "x.csv", "--from", "2025-01", "--to", "2024-12"], ["--from 2025-01 is after --to 2024-12"]),
            (["hotspots", "x.csv", "--from", "2025-01", "--to", "2024-12"], ["--from 2025-01 is after --to 2024-12"]),
            (["hotspots", "x.csv", "--method", "gistar", "--compare-from", "2024-06", "--compare-to", "2024-01"], ["--compare-from 2024-06 is after --compare-to 2024-01"]),
            (["assess", "x.csv", "--hotspots", "51"], ["--hotspots"]),
            (["assess", "x.csv", "--hotspots"], ["--hotspots"]),
            (["report", "x.csv", "--hotspots", "0"], ["--hotspots"]),
            (["hotspots", "x.csv", "--eps", "0"], ["--eps"]),
            (["hotspots", "x.csv", "--method", "kde", "--bandwidth", "50"], ["--bandwidth 50", "refused in the public tier"]),
            (["assess"], ["incident file"]),
            // Names of the area and its definitions: found before the files are read.
            (["hotspots", "x.csv", "--strand", "knives"], ["--strand 'knives'", "knife_weapon"]),
            (["hotspots", "x.csv", "--district", "Atlantis"], ["--district 'Atlantis'", "E07000112 Folkestone and Hythe"]),
            (["report", "x.csv", "--district", "Atlantis"], ["--district 'Atlantis'", "E07000112 Folkestone and Hythe"]),
            (["report", "x.csv", "--district", "E0700011"], ["--district 'E0700011'"]),
        ]
        for (args, expected) in cases {
            try assertOneLineError(args + (args.first == "demo" ? [] : ["--out", "o", "--quiet"]), status: 64, expected)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("d.csv")), "no argument error may write output")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("o")), "no argument error may write output")
        // One district message, whichever command asks.
        let hotspots = try cli.svd(["hotspots", "x.csv", "--district", "Atlantis", "--quiet"])
        let report = try cli.svd(["report", "x.csv", "--district", "Atlantis", "--quiet"])
        XCTAssertEqual(hotspots.stderr, report.stderr)
    }

    /// `--district` takes a code or a name, in any case, in both commands, and they mean the same district.
    func testDistrictByCodeOrName() throws {
        var said: [String] = []
        for (out, district) in [("by-code", "E07000110"), ("by-name", "maidstone"), ("by-upper", "MAIDSTONE")] {
            let r = try cli.svd(["hotspots", "x.csv", "--district", district, "--tier", "partner", "--out", out, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            said.append(r.stdout.replacingOccurrences(of: out, with: "OUT"))
        }
        XCTAssertTrue(said[0].contains("Maidstone:"), said[0])
        XCTAssertEqual(Set(said).count, 1, "\(said)")
        for (out, district) in [("code.html", "E07000112"), ("name.html", "Folkestone and Hythe"), ("lower.html", " folkestone and hythe")] {
            let r = try cli.svd(["report", "x.csv", "--district", district, "--hotspots", "5", "--out", out, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.hasPrefix("Wrote \(out): Folkestone and Hythe local pack"), r.stdout)
        }
        // --strand is a definitions id, in any case.
        let strand = try cli.svd(["hotspots", "x.csv", "--strand", "KNIFE_WEAPON", "--tier", "partner", "--out", "knife", "--quiet"])
        XCTAssertEqual(strand.status, 0, strand.stderr)
        XCTAssertTrue(strand.stdout.contains("strand Knife"), strand.stdout)
    }

    /// Typed values keep the spellings they had: `--method` in any case, `--cell auto`, `--format csv,md,json`,
    /// `--hotspots N` in assess.
    func testExistingSpellingsStillWork() throws {
        try cli.ok(["hotspots", "x.csv", "--method", "GiStar", "--cell", "AUTO", "--format", "csv,md,json", "--out", "g", "--quiet"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: cli.path("g/hotspots_gistar.json")))
        try cli.ok(["assess", "x.csv", "--from", "2024-01", "--to", "2026-10", "--hotspots", "2", "--format", "csv", "--out", "a", "--quiet"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: cli.path("a/hotspots_by_district.csv")), "--hotspots 2 writes the hotspot table")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("a/hotspots_by_district.md")), "--format csv writes CSV only")
        try cli.ok(["assess", "x.csv", "--out", "none", "--quiet"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("none/hotspots_by_district.csv")), "no --hotspots, no hotspot table")
        try cli.ok(["demo", "--rows", "50", "--end", "2024-03", "--format", "police-uk", "--out", "p.csv"])
    }

    func testVersion() throws {
        let r = try cli.svd(["--version"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("svd \(SVDVersion.number)"), r.stdout)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1, r.stdout)
        XCTAssertEqual(r.stderr, "")
    }

    /// Files that are missing, not files, empty or not incident data exit 2 with one line naming the file.
    func testUnusableInputExits2NamingTheFile() throws {
        // Binary bytes: the "header" quoted back holds control characters, which must not break the line.
        var garbage = Data((0..<256).map { UInt8($0) }.filter { $0 != 0x0A })
        garbage.append(contentsOf: [0x0A] + (0..<200).map { UInt8(($0 * 37) % 256) })
        try garbage.write(to: cli.dir.appendingPathComponent("garbage.csv"))
        try "a,b\n1,2\n".write(to: cli.dir.appendingPathComponent("other.csv"), atomically: true, encoding: .utf8)
        try Data().write(to: cli.dir.appendingPathComponent("empty.csv"))
        try FileManager.default.createDirectory(at: cli.dir.appendingPathComponent("folder.csv"), withIntermediateDirectories: true)
        try "serious_violence: [\n".write(to: cli.dir.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["assess", "missing.csv"], "missing.csv"),
            (["hotspots", "missing.csv"], "missing.csv"),
            (["report", "x.csv", "missing.csv"], "missing.csv"),
            (["assess", "garbage.csv"], "garbage.csv"),
            (["hotspots", "other.csv"], "other.csv"),
            (["report", "empty.csv"], "empty.csv"),
            (["assess", "folder.csv"], "folder.csv"),
            (["assess", "x.csv", "--definitions", "nowhere.yaml"], "nowhere.yaml"),
            (["hotspots", "x.csv", "--strand", "knife_weapon", "--definitions", "broken.yaml"], "broken.yaml"),
            (["assess", "x.csv", "--mapping", "nowhere.yaml"], "nowhere.yaml"),
        ]
        for (args, file) in cases {
            try assertOneLineError(args + ["--out", "o", "--quiet"], status: 2, [file])
        }
    }
}
