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
        var attackedByTable: [String: Int] = [:]
        var recoveredByTable: [String: Int] = [:]
        var findings: [[String: Any]] = []
        var modelConsistent = false
    }

    func attack(_ cli: CLI, _ inputs: [String], truth: [String], options: [String] = []) throws -> Attack {
        let json = cli.path("attack-\(UUID().uuidString).json")
        let r = try cli.python("Tests/Attack/attack_tables.py", inputs.map(cli.path) + ["--truth"] + truth.map(cli.path) + ["--json", json, "--quiet"] + options)
        XCTAssertTrue([0, 1].contains(r.status), "attacker crashed: \(r.stderr)")
        let report = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))) as? [String: Any] ?? [:]
        let recovered = try XCTUnwrap(report["recovered"] as? Int, "attacker wrote no report: \(r.stderr)")
        let wrong = try XCTUnwrap((report["truth"] as? [String: Any])?["wrong"] as? Int, "attacker checked no truth")
        return Attack(status: r.status, recovered: recovered, wrongClaims: wrong, output: r.stdout + r.stderr,
                      attackedByTable: report["attacked_by_table"] as? [String: Int] ?? [:],
                      recoveredByTable: report["by_table"] as? [String: Int] ?? [:],
                      findings: report["findings"] as? [[String: Any]] ?? [],
                      modelConsistent: (report["truth"] as? [String: Any])?["model_consistent"] as? Bool ?? false)
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

    static let codes = ["E06000035", "E07000105", "E07000106", "E07000107", "E07000108", "E07000109", "E07000110",
                        "E07000111", "E07000112", "E07000113", "E07000114", "E07000115", "E07000116"]

    func testReportAndThirteenPacks() throws {
        let cli = try CLI("attack-packs")
        defer { cli.remove() }
        let codes = Self.codes
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

    /// Two sources through a sources file (a police extract and a smaller A&E one) and partner context figures: the
    /// by-source tables (each source's counts add up to the all-sources tables per district, month and hour) and
    /// context_by_district are attacked with every other table. Public tier: nothing, though their cells are attacked.
    /// Control: cells of the source tables and of the context table are recovered, some of them only through the
    /// all-sources tables (police and all sources exact, A&E the difference), and the same outputs without the source
    /// tables give fewer. Then with a second run ending a month earlier.
    func testSourceTablesAndContext() throws {
        let cli = try CLI("attack-sources")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "6000", "--seed", "3", "--end", "2024-12", "--out", "police.csv"])
        try cli.ok(["demo", "--rows", "300", "--seed", "7", "--end", "2024-12", "--out", "ae.csv"])
        try """
        sources:
          - file: police.csv
            source: police
            partner: Kent Police
          - file: ae.csv
            source: A&E
            partner: Emergency departments
        """.write(toFile: cli.path("sources.yaml"), atomically: true, encoding: .utf8)
        // Context: 1-4 referrals a month in every district but Dover, which has 2 a year (hidden, and pinned by the
        // exact TOTAL in the control); a second measure with every district small.
        var context = "district,month,measure,value,supplied_by\n"
        for year in 2022...2024 {
            for month in 1...12 {
                for (i, code) in Self.codes.enumerated() {
                    let referrals = code == "E07000108" ? (month == 3 || month == 8 ? 1 : 0) : 1 + (i + month + year) % 4
                    context += "\(code),\(year)-\(String(format: "%02d", month)),knife referrals,\(referrals),Youth Justice\n"
                    context += "\(code),\(year)-\(String(format: "%02d", month)),school exclusions,\((i * 7 + month * 3 + year) % 11 == 0 ? 1 : 0),KCC\n"
                }
            }
        }
        try context.write(toFile: cli.path("context.csv"), atomically: true, encoding: .utf8)
        let (pub, np, truth) = try assess(cli, ["--sources", "sources.yaml", "--context", "context.csv", "--from", "2023-01"], out: "s24")
        let tables = ["source_summary", "source_by_district", "source_by_month", "source_by_hour", "context_by_district"]
        for t in tables {
            XCTAssertTrue(FileManager.default.fileExists(atPath: cli.path("\(pub)/\(t).csv")), "no \(t) written")
        }

        let safe = try attack(cli, [pub], truth: [truth])
        XCTAssertEqual(safe.status, 0, "the attacker recovered small counts from protected outputs:\n\(safe.output.suffix(3000))")
        XCTAssertEqual(safe.recovered, 0)
        XCTAssertTrue(safe.modelConsistent, "the source/context model contradicts the partner-tier truth")
        for t in tables.dropFirst() {   // source_summary's counts here are all far above 5 + 16
            XCTAssertGreaterThan(safe.attackedByTable[t] ?? 0, 0, "no cell of \(t) attacked")
        }

        let control = try attack(cli, [np], truth: [truth])
        XCTAssertEqual(control.status, 1, "positive control found nothing:\n\(control.output.suffix(2000))")
        XCTAssertEqual(control.wrongClaims, 0, "the attacker claimed values the truth contradicts")
        XCTAssertTrue(control.modelConsistent)
        let fromSources = control.recoveredByTable.filter { $0.key.hasPrefix("source_") }.values.reduce(0, +)
        XCTAssertGreaterThan(fromSources, 0, "the control recovered nothing from the source tables: \(control.recoveredByTable)")
        XCTAssertGreaterThan(control.recoveredByTable["context_by_district"] ?? 0, 0, "\(control.recoveredByTable)")
        // Some source cell needs an all-sources table: the link between the two is modelled and used.
        let linked = control.findings.filter { f in
            guard let t = f["table"] as? String, t.hasPrefix("source_"), let proof = f["proof"] as? String else { return false }
            return ["hour_by_weekday", "monthly_trend", "district_summary"].contains { proof.contains($0) }
        }
        XCTAssertFalse(linked.isEmpty, "no source cell recovered through the all-sources tables")

        // The same control outputs without the source tables: fewer cells recovered.
        let bare = np + "-without-sources"
        try FileManager.default.copyItem(atPath: cli.path(np), toPath: cli.path(bare))
        for t in tables.prefix(4) {
            try FileManager.default.removeItem(atPath: cli.path("\(bare)/\(t).csv"))
        }
        let without = try attack(cli, [bare], truth: [truth])
        XCTAssertEqual(without.wrongClaims, 0)
        XCTAssertLessThan(without.recovered, control.recovered, "the source tables added nothing to the attack")
        XCTAssertLessThanOrEqual(without.recovered, control.recovered - fromSources)

        // With a run ending a month earlier: the same, across the two runs' source and context tables.
        let nov = try assess(cli, ["--sources", "sources.yaml", "--context", "context.csv", "--from", "2023-01", "--to", "2024-11"], out: "s23")
        let safePair = try attack(cli, [nov.0, pub], truth: [nov.2, truth])
        XCTAssertEqual(safePair.status, 0, "runs a month apart: small counts recovered from protected outputs:\n\(safePair.output.suffix(3000))")
        XCTAssertEqual(safePair.recovered, 0)
        let pair = try attack(cli, [nov.1, np], truth: [nov.2, truth])
        XCTAssertEqual(pair.status, 1, "runs a month apart: positive control found nothing:\n\(pair.output.suffix(2000))")
        XCTAssertEqual(pair.wrongClaims, 0)
        XCTAssertTrue(safePair.modelConsistent && pair.modelConsistent)
        XCTAssertGreaterThan(pair.recoveredByTable.filter { $0.key.hasPrefix("source_") }.values.reduce(0, +), 0, "\(pair.recoveredByTable)")
    }
}
