import XCTest
import Foundation

/// Every output folder says which run made it: version, command line, inputs with their SHA-256 (checked here with
/// Python's hashlib, not the code under test), the area and definitions with theirs, the period and the tier.
final class RunManifestTests: XCTestCase {
    func testManifestNamesTheRunAndHashesEveryInput() throws {
        let cli = try CLI("manifest")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "4000", "--seed", "3", "--out", "a.csv"])
        try cli.ok(["demo", "--rows", "1500", "--seed", "4", "--format", "police-uk", "--out", "b.csv"])
        // One corrupt row, so rejected is not zero.
        try (String(contentsOfFile: cli.path("a.csv"), encoding: .utf8) + "X1,not a date,robbery,575000,155000\n")
            .write(toFile: cli.path("a.csv"), atomically: true, encoding: .utf8)
        try cli.ok(["assess", "a.csv", "b.csv", "--quiet", "--tier", "partner", "--out", "out"])
        let version = try cli.svd(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let check = """
        import hashlib, json, os, sys
        m = json.load(open(sys.argv[1]))
        root = sys.argv[2]
        def sha(p): return hashlib.sha256(open(p, 'rb').read()).hexdigest()
        out = {"version": m["svd_version"], "commit": m.get("git_commit", ""), "args": m["arguments"],
               "period": m["period"], "tier": m["disclosure"]["tier"], "files": m["files"][-1],
               "area_ok": m["area"]["sha256"] == sha(os.path.join(root, "geodata/kent-medway/area.json")),
               "definitions_ok": m["definitions"]["sha256"] == sha(os.path.join(root, "geodata/kent-medway/definitions.yaml")),
               "inputs": [[i["file"], i["bytes"] == os.path.getsize(i["file"]), i["sha256"] == sha(i["file"]),
                           i["rows_read"], i["accepted"], i["rejected"], i["format"]] for i in m["inputs"]],
               "key": m["disclosure_key"]}
        print(json.dumps(out))
        """
        try check.write(toFile: cli.path("check.py"), atomically: true, encoding: .utf8)
        let r = try cli.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", cli.path("check.py"), cli.path("out/manifest.json"), CLI.packageRoot.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertTrue(version.hasPrefix("svd \(o["version"] as! String)"), "\(version) vs \(o["version"]!)")
        if let commit = o["commit"] as? String, !commit.isEmpty { XCTAssertTrue(version.contains(String(commit.prefix(12))), version) }
        XCTAssertEqual(o["args"] as? [String], ["assess", "a.csv", "b.csv", "--quiet", "--tier", "partner", "--out", "out"])
        XCTAssertEqual(o["period"] as? [String: String], ["from": "2023-11", "to": "2026-10"])
        XCTAssertEqual(o["tier"] as? String, "partner")
        XCTAssertEqual(o["area_ok"] as? Bool, true, "area hash")
        XCTAssertEqual(o["definitions_ok"] as? Bool, true, "definitions hash")
        let inputs = try XCTUnwrap(o["inputs"] as? [[Any]])
        XCTAssertEqual(inputs.count, 2)
        XCTAssertEqual(inputs[0][0] as? String, "a.csv")
        XCTAssertEqual(inputs[0][1] as? Bool, true, "size")
        XCTAssertEqual(inputs[0][2] as? Bool, true, "sha256 of a.csv")
        XCTAssertEqual(inputs[0][3] as? Int, 4001)
        XCTAssertEqual(inputs[0][5] as? Int, 1)
        XCTAssertEqual(inputs[1][2] as? Bool, true, "sha256 of b.csv")
        XCTAssertEqual(inputs[1][6] as? String, "data.police.uk")
        XCTAssertEqual(o["key"] as? String, "partnership key file")

        // The report carries the same in its methods section.
        try cli.ok(["report", "a.csv", "--quiet", "--out", "r.html"])
        let html = try String(contentsOfFile: cli.path("r.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<dt>This run</dt>"))
        let hash = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(contentsOf: cli.dir.appendingPathComponent("out/manifest.json"))) as? [String: Any])?["inputs"] as? [[String: Any]])[0]["sha256"] as? String
        XCTAssertTrue(html.contains("SHA-256 \(try XCTUnwrap(hash))"), "the report names a.csv's hash")
    }
}
