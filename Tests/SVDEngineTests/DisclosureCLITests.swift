import XCTest
import Foundation

/// The built `svd` binary, as a user runs it: tiers, markings, the manifest, the restricted rejects folder,
/// the disclosure key, and exit codes for refused settings.
final class DisclosureCLITests: XCTestCase {
    var cli: CLI!
    var dir: URL { cli.dir }

    override func setUpWithError() throws { cli = try CLI("cli") }
    override func tearDownWithError() throws { cli.remove() }

    @discardableResult
    func svd(_ args: [String], key: String? = nil) throws -> CLI.Run { try cli.svd(args, key: key) }

    func demo(rows: Int = 2_000) throws -> String {
        try svd(["demo", "--rows", String(rows), "--seed", "5", "--out", "x.csv"])
        return "x.csv"
    }

    func testPublicTierRefusesThresholdBelowThree() throws {
        let f = try demo()
        let r = try svd(["assess", f, "--out", "a", "--suppress-below", "2", "--quiet"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("refused in the public tier"), r.stderr)
        XCTAssertEqual(try svd(["assess", f, "--out", "a", "--tier", "nobody", "--quiet"]).status, 64)
        XCTAssertEqual(try svd(["assess", f, "--out", "p", "--tier", "partner", "--quiet"]).status, 0)
    }

    /// Every published file carries the marking; the manifest records the policy; rejects stay out of the folder.
    func testMarkingsManifestAndRestrictedRejects() throws {
        let f = try demo()
        try "id,datetime,offence,easting,northing\nBAD1,not-a-date,robbery,575900,155700\n"
            .write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let r = try svd(["assess", f, "bad.csv", "--out", "pub", "--format", "csv,md,json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = dir.appendingPathComponent("pub")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        XCTAssertFalse(files.contains("rejects.csv"), "whole input records must not sit in the folder to publish")
        let restricted = dir.appendingPathComponent("pub.restricted")
        let rejects = try String(contentsOf: restricted.appendingPathComponent("rejects.csv"), encoding: .utf8)
        XCTAssertTrue(rejects.contains("BAD1"))
        XCTAssertTrue(try String(contentsOf: restricted.appendingPathComponent("MARKING.txt"), encoding: .utf8).hasPrefix("OFFICIAL-SENSITIVE"))
        for name in files where name != "manifest.json" {
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            XCTAssertTrue(text.contains("OFFICIAL — public tier"), "\(name) carries no marking")
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as! [String: Any]
        let disclosure = manifest["disclosure"] as! [String: Any]
        XCTAssertEqual(disclosure["tier"] as? String, "public")
        XCTAssertEqual(disclosure["marking"] as? String, "OFFICIAL")
        XCTAssertEqual((disclosure["perturbation"] as? [String: Any])?["max_abs_noise"] as? Int, 16)
        XCTAssertFalse(String(decoding: try Data(contentsOf: out.appendingPathComponent("manifest.json")), as: UTF8.self).contains("000102"),
                       "the manifest must never hold the key")

        XCTAssertEqual(try svd(["assess", f, "--out", "partner", "--tier", "partner", "--quiet"]).status, 0)
        let partner = try String(contentsOf: dir.appendingPathComponent("partner/district_summary.csv"), encoding: .utf8)
        XCTAssertTrue(partner.hasPrefix("# OFFICIAL-SENSITIVE — partner tier"))
    }

    /// The same key gives byte-identical tables; another key other perturbations; a missing key file is refused.
    func testDisclosureKey() throws {
        let f = try demo()
        let other = dir.appendingPathComponent("other-key")
        try "ffeeddccbbaa99887766554433221100\n".write(to: other, atomically: true, encoding: .utf8)
        for (out, key) in [("k1", nil), ("k1again", nil), ("k2", other.path)] as [(String, String?)] {
            XCTAssertEqual(try svd(["assess", f, "--out", out, "--quiet"], key: key).status, 0)
        }
        func table(_ out: String) throws -> String { try String(contentsOf: dir.appendingPathComponent("\(out)/hour_by_weekday.csv"), encoding: .utf8) }
        XCTAssertEqual(try table("k1"), try table("k1again"))
        XCTAssertNotEqual(try table("k1"), try table("k2"))
        let missing = try svd(["assess", f, "--out", "m", "--quiet"], key: dir.appendingPathComponent("nope").path)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("disclosure key file not found"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, "one-line reason")
    }
}
