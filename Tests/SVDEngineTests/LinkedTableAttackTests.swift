import XCTest
import Foundation

/// The independent attacker (`Tests/Attack/attack_tables.py`: Python, numpy + scipy, no svd code) against
/// everything svd publishes: all tables of a run, the report with the 13 district packs, two runs a month apart
/// and two definitions differing by one offence. With the default protection it must recover nothing; with
/// perturbation off (`--no-perturb`, the positive control) it must recover small counts, and every value it
/// claims must equal the truth (partner-tier outputs of the same runs).
final class LinkedTableAttackTests: XCTestCase {
    static let periods: [(label: String, from: String)] = [("12", "2025-11"), ("24", "2024-11"), ("36", "2023-11")]

    struct Attack {
        let status: Int32
        let recovered: Int
        let wrongClaims: Int
        let output: String
    }

    func attack(_ cli: CLI, _ inputs: [String], truth: [String]) throws -> Attack {
        let json = cli.path("attack-\(UUID().uuidString).json")
        let r = try cli.python("Tests/Attack/attack_tables.py", inputs.map(cli.path) + ["--truth"] + truth.map(cli.path) + ["--json", json, "--quiet"])
        XCTAssertTrue([0, 1].contains(r.status), "attacker crashed: \(r.stderr)")
        let report = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))) as? [String: Any] ?? [:]
        let recovered = try XCTUnwrap(report["recovered"] as? Int, "attacker wrote no report: \(r.stderr)")
        let wrong = try XCTUnwrap((report["truth"] as? [String: Any])?["wrong"] as? Int, "attacker checked no truth")
        return Attack(status: r.status, recovered: recovered, wrongClaims: wrong, output: r.stdout + r.stderr)
    }

    /// Default outputs: nothing recovered. Perturbation off: leaks found, every claim true.
    func check(_ cli: CLI, protected: [String], unperturbed: [String], truth: [String], what: String) throws {
        let safe = try attack(cli, protected, truth: truth)
        XCTAssertEqual(safe.status, 0, "\(what): the attacker recovered small counts from protected outputs:\n\(safe.output.suffix(3000))")
        XCTAssertEqual(safe.recovered, 0, what)
        let control = try attack(cli, unperturbed, truth: truth)
        XCTAssertEqual(control.status, 1, "\(what): positive control found nothing — the attack proves nothing:\n\(control.output.suffix(2000))")
        XCTAssertGreaterThan(control.recovered, 0, what)
        XCTAssertEqual(control.wrongClaims, 0, "\(what): the attacker claimed values the truth contradicts")
    }

    func demo(_ cli: CLI, rows: Int) throws -> String {
        let name = "demo-\(rows).csv"
        try cli.ok(["demo", "--rows", String(rows), "--seed", "11", "--out", name])
        return name
    }

    /// Three outputs of one invocation: public (default), public without perturbation, partner (the truth).
    func assess(_ cli: CLI, _ args: [String], out: String) throws -> (String, String, String) {
        try cli.ok(["assess"] + args + ["--out", out, "--format", "csv", "--quiet"])
        try cli.ok(["assess"] + args + ["--out", out + "-np", "--format", "csv", "--quiet", "--no-perturb"])
        try cli.ok(["assess"] + args + ["--out", out + "-truth", "--format", "csv", "--quiet", "--tier", "partner"])
        return (out, out + "-np", out + "-truth")
    }

    func testAllTablesOfOneRun() throws {
        let cli = try CLI("attack-run")
        defer { cli.remove() }
        for rows in [300, 1_000, 3_000] {
            let f = try demo(cli, rows: rows)
            for p in Self.periods {
                let (pub, np, truth) = try assess(cli, [f, "--from", p.from, "--to", "2026-10"], out: "r\(rows)-\(p.label)")
                try check(cli, protected: [pub], unperturbed: [np], truth: [truth], what: "\(rows) rows, \(p.label) months")
            }
        }
    }

    func testReportAndThirteenPacks() throws {
        let cli = try CLI("attack-packs")
        defer { cli.remove() }
        let codes = ["E06000035", "E07000105", "E07000106", "E07000107", "E07000108", "E07000109", "E07000110",
                     "E07000111", "E07000112", "E07000113", "E07000114", "E07000115", "E07000116"]
        // One size: 3 × 14 reports in a debug build are the suite's slowest step.
        for rows in [1_000] {
            let f = try demo(cli, rows: rows)
            var sets: [String: [String]] = [:]
            for (suffix, extra) in [("", [String]()), ("-np", ["--no-perturb"]), ("-truth", ["--tier", "partner"])] {
                var files = ["report\(rows)\(suffix).html"]
                try cli.ok(["report", f, "--out", files[0], "--quiet"] + extra)
                for code in codes {
                    let name = "pack\(rows)-\(code)\(suffix).html"
                    try cli.ok(["report", f, "--district", code, "--out", name, "--quiet"] + extra)
                    files.append(name)
                }
                sets[suffix] = files
            }
            try check(cli, protected: sets[""]!, unperturbed: sets["-np"]!, truth: sets["-truth"]!, what: "report and 13 packs, \(rows) rows")
        }
    }

    func testTwoRunsOneMonthApart() throws {
        let cli = try CLI("attack-monthly")
        defer { cli.remove() }
        for rows in [300, 3_000] {
            let f = try demo(cli, rows: rows)
            let a = try assess(cli, [f, "--to", "2026-09"], out: "sep\(rows)")
            let b = try assess(cli, [f, "--to", "2026-10"], out: "oct\(rows)")
            try check(cli, protected: [a.0, b.0], unperturbed: [a.1, b.1], truth: [a.2, b.2], what: "runs a month apart, \(rows) rows")
        }
    }

    func testDefinitionsDifferingByOneOffence() throws {
        let cli = try CLI("attack-definitions")
        defer { cli.remove() }
        let defs = try String(contentsOf: CLI.packageRoot.appendingPathComponent("geodata/kent-medway/definitions.yaml"), encoding: .utf8)
        let without = defs.replacingOccurrences(of: "  - attempted murder\n", with: "")
        XCTAssertNotEqual(defs, without)
        try without.write(to: cli.dir.appendingPathComponent("no-attempted-murder.yaml"), atomically: true, encoding: .utf8)
        for rows in [1_000, 3_000] {
            let f = try demo(cli, rows: rows)
            let a = try assess(cli, [f], out: "all\(rows)")
            let b = try assess(cli, [f, "--definitions", "no-attempted-murder.yaml"], out: "noam\(rows)")
            try check(cli, protected: [a.0, b.0], unperturbed: [a.1, b.1], truth: [a.2, b.2], what: "definitions differing by attempted murder, \(rows) rows")
        }
    }
}
