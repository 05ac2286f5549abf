import XCTest
import Foundation

/// `svd hotspots --method cells` on a 20k-row demo: the tables exist, the partner tier's top cells hold the counts the
/// test finds by binning the demo CSV itself, and the public tier refuses the list.
final class MicroPlacesCLITests: XCTestCase {
    /// The definitions' serious-violence offences (geodata/kent-medway/definitions.yaml).
    static let seriousViolence: Set<String> = ["homicide", "attempted murder", "violence with injury", "violence without injury", "robbery", "rape",
                                               "other sexual offences", "possession of weapons", "drug trafficking", "violence and sexual offences", "assault"]

    /// Rows of a published CSV (marking lines dropped), as dictionaries by column.
    static func table(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return [] }
        return lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    func testMicroPlacesTablesCountsAndDisclosure() throws {
        let cli = try CLI("micro-places")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "20000", "--seed", "7", "--out", "x.csv"])
        try cli.ok(["hotspots", "x.csv", "--method", "cells", "--tier", "partner", "--quiet", "--out", "part"])
        // The public tier refuses the list (exit 64): it is a partner-tier patrol-planning tool.
        let pub = try cli.svd(["hotspots", "x.csv", "--method", "cells", "--quiet", "--out", "pub"])
        XCTAssertEqual(pub.status, 64)
        XCTAssertTrue(pub.stderr.contains("add --tier partner"), pub.stderr)
        for dir in ["part"] {
            for name in ["micro_places.csv", "micro_places.md", "micro_places_concentration.csv", "micro_places_backtest.csv", "micro_places.geojson"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: cli.path("\(dir)/\(name)")), "\(dir)/\(name)")
            }
        }

        // Independent binning of the demo CSV: in-scope offences of the latest 36 months, 150 m cells on the National Grid.
        let text = try String(contentsOfFile: cli.path("x.csv"), encoding: .utf8)
        var rows: [(month: Int, e: Double, n: Double)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count >= 5, Self.seriousViolence.contains(String(f[2])), let e = Double(f[3]), let n = Double(f[4]) else { continue }
            let ym = f[1].prefix(7).split(separator: "-")
            guard ym.count == 2, let y = Int(ym[0]), let m = Int(ym[1]) else { continue }
            rows.append((y * 12 + m - 1, e, n))
        }
        let last = rows.map(\.month).max()!
        struct Cell: Hashable { let e: Int, n: Int }
        var whole: [Cell: Int] = [:], latest: [Cell: Int] = [:], previous: [Cell: Int] = [:]
        for r in rows where r.month > last - 36 {
            let c = Cell(e: Int((r.e / 150).rounded(.down)) * 150, n: Int((r.n / 150).rounded(.down)) * 150)
            whole[c, default: 0] += 1
            if r.month > last - 12 { latest[c, default: 0] += 1 } else if r.month > last - 24 { previous[c, default: 0] += 1 }
        }

        let partner = try Self.table(URL(fileURLWithPath: cli.path("part/micro_places.csv")))
        XCTAssertEqual(partner.count, 20, "--top default")
        for row in partner {
            let id = row["cell_id"]!
            let parts = id.dropFirst().split(separator: "N")
            let c = Cell(e: Int(parts[0])!, n: Int(parts[1])!)
            XCTAssertEqual(Int(row["incidents"]!), whole[c], "\(id) over the period")
            XCTAssertEqual(Int(row["latest_12_months"]!), latest[c] ?? 0, "\(id) latest 12 months")
            XCTAssertEqual(Int(row["previous_12_months"]!), previous[c] ?? 0, "\(id) previous 12 months")
            XCTAssertFalse(row["grid_ref"]!.isEmpty)
            XCTAssertFalse(row["district"]!.isEmpty)
        }
        // The ranking: the listed counts are the 20 largest of the independent binning, in order.
        XCTAssertEqual(partner.map { Int($0["incidents"]!)! }, Array(whole.values.sorted(by: >).prefix(20)))

        let curve = try Self.table(URL(fileURLWithPath: cli.path("part/micro_places_concentration.csv")))
        XCTAssertEqual(curve.count, 9)
        XCTAssertTrue(curve.contains { $0["statement"]!.hasPrefix("50% of serious violence in ") })
        let backtest = try Self.table(URL(fileURLWithPath: cli.path("part/micro_places_backtest.csv")))
        XCTAssertEqual(backtest.map { $0["n"]! }, ["10", "20", "50"])
        // Back-test by hand from the independent binning: last year's top 10 cells' share of this year's incidents.
        let before = previous.sorted { $0.value != $1.value ? $0.value > $1.value : ($0.key.n, $0.key.e) < ($1.key.n, $1.key.e) }
        let top10 = before.prefix(10).map(\.key)
        let kth = before[9].value
        if before.count > 10 && before[10].value != kth || before.count == 10 {
            let hit = Double(top10.reduce(0) { $0 + (latest[$1] ?? 0) }) / Double(latest.values.reduce(0, +)) * 100
            XCTAssertEqual(Double(backtest[0]["hit_rate_pct"]!)!, hit, accuracy: 0.051)
        }

    }
}

/// `--weights`: cells ranked by the sum of offence weights, checked against the demo CSV; refused in the public tier.
final class MicroPlacesWeightsCLITests: XCTestCase {
    func testHarmWeightsRankByWeightedSum() throws {
        let cli = try CLI("micro-weights")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "20000", "--seed", "7", "--out", "x.csv"])
        try "offence,weight\nViolence with injury,3\nhomicide,100\nrobbery,2.5\n".write(toFile: cli.path("w.csv"), atomically: true, encoding: .utf8)
        let refused = try cli.svd(["hotspots", "x.csv", "--method", "cells", "--weights", "w.csv", "--quiet", "--out", "pub"])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--tier partner"), refused.stderr)
        try cli.ok(["hotspots", "x.csv", "--method", "cells", "--weights", "w.csv", "--tier", "partner", "--quiet", "--out", "part"])

        let weights: [String: Double] = ["violence with injury": 3, "homicide": 100, "robbery": 2.5]
        let text = try String(contentsOfFile: cli.path("x.csv"), encoding: .utf8)
        var rows: [(month: Int, e: Double, n: Double, w: Double)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count >= 5, MicroPlacesCLITests.seriousViolence.contains(String(f[2])), let e = Double(f[3]), let n = Double(f[4]) else { continue }
            let ym = f[1].prefix(7).split(separator: "-")
            guard ym.count == 2, let y = Int(ym[0]), let m = Int(ym[1]) else { continue }
            rows.append((y * 12 + m - 1, e, n, weights[String(f[2])] ?? 1))
        }
        let last = rows.map(\.month).max()!
        var harm: [String: Double] = [:]
        for r in rows where r.month > last - 36 {
            harm["E\(Int((r.e / 150).rounded(.down)) * 150)N\(Int((r.n / 150).rounded(.down)) * 150)", default: 0] += r.w
        }
        let listed = try MicroPlacesCLITests.table(URL(fileURLWithPath: cli.path("part/micro_places.csv")))
        XCTAssertEqual(listed.count, 20)
        for row in listed { XCTAssertEqual(Double(row["harm"]!)!, harm[row["cell_id"]!]!, accuracy: 0.005, row["cell_id"]!) }
        XCTAssertEqual(listed.map { Double($0["harm"]!)! }, Array(harm.values.sorted(by: >).prefix(20)).map { ($0 * 100).rounded() / 100 })
    }
}
