import XCTest
import Foundation

/// `svd hotspots --method repeats` on a 20k-row demo: the listed locations and the summary by type equal the test's
/// own grouping of the demo CSV into 10 m squares by location type; sensitive places never appear; the public tier
/// refuses the list.
final class RepeatLocationsCLITests: XCTestCase {
    func testRepeatLocationsEqualIndependentGrouping() throws {
        let cli = try CLI("repeat-locations")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "20000", "--seed", "7", "--out", "x.csv"])
        try cli.ok(["hotspots", "x.csv", "--method", "repeats", "--tier", "partner", "--top", "30", "--quiet", "--out", "part"])
        let pub = try cli.svd(["hotspots", "x.csv", "--method", "repeats", "--quiet", "--out", "pub"])
        XCTAssertEqual(pub.status, 64)
        XCTAssertTrue(pub.stderr.contains("add --tier partner"), pub.stderr)
        let include = try cli.svd(["hotspots", "x.csv", "--method", "repeats", "--tier", "partner", "--sensitive-places", "include", "--quiet", "--out", "inc"])
        XCTAssertEqual(include.status, 64, "dwellings are never listed")
        let snapElsewhere = try cli.svd(["hotspots", "x.csv", "--method", "cells", "--tier", "partner", "--snap", "5", "--quiet", "--out", "c"])
        XCTAssertEqual(snapElsewhere.status, 64)

        // Independent grouping: in-scope offences of the latest 36 months, without domestic abuse, sexual offences and
        // dwellings (or private places of unknown type), by 10 m National Grid square and location type.
        let text = try String(contentsOfFile: cli.path("x.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        func col(_ name: String) -> Int { header.firstIndex(of: name)! }
        let (cOff, cDate, cE, cN, cType, cPublic, cDomestic) = (col("offence"), col("datetime"), col("easting"), col("northing"),
                                                                col("location_type"), col("public_place"), col("domestic"))
        struct Location: Hashable { let e: Int, n: Int, type: String }
        var rows: [(month: Int, at: Location)] = []
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let offence = f[cOff]
            guard MicroPlacesCLITests.seriousViolence.contains(offence), let e = Double(f[cE]), let n = Double(f[cN]) else { continue }
            let type = f[cType].isEmpty ? "unknown" : f[cType]
            if ["rape", "other sexual offences"].contains(offence) || f[cDomestic] == "yes" || type == "dwelling" || (type == "unknown" && f[cPublic] == "no") { continue }
            let ym = f[cDate].prefix(7).split(separator: "-")
            rows.append((Int(ym[0])! * 12 + Int(ym[1])! - 1, Location(e: Int((e / 10).rounded(.down)) * 10, n: Int((n / 10).rounded(.down)) * 10, type: type)))
        }
        let last = rows.map(\.month).max()!
        var counts: [Location: Int] = [:], latest: [Location: Int] = [:]
        for r in rows where r.month > last - 36 {
            counts[r.at, default: 0] += 1
            if r.month > last - 12 { latest[r.at, default: 0] += 1 }
        }
        let repeats = counts.filter { $0.value >= 2 }
        XCTAssertGreaterThan(repeats.count, 30, "the demo has repeat locations by chance in dense streets")

        let listed = try MicroPlacesCLITests.table(URL(fileURLWithPath: cli.path("part/repeat_locations.csv")))
        XCTAssertEqual(listed.count, 30)
        for row in listed {
            let id = row["location_id"]!
            let parts = id.split(separator: "-", maxSplits: 1)
            let en = parts[0].dropFirst().split(separator: "N")
            let at = Location(e: Int(en[0])!, n: Int(en[1])!, type: row["location_type"]!)
            XCTAssertEqual(String(parts[1]), at.type.replacingOccurrences(of: " ", with: "_"))
            XCTAssertEqual(Int(row["incidents"]!), counts[at], id)
            XCTAssertEqual(Int(row["latest_12_months"]!), latest[at] ?? 0, id)
            XCTAssertNotEqual(at.type, "dwelling")
            XCTAssertEqual(row["grid_ref"]!.split(separator: " ").map(\.count), [2, 4, 4], "10 m reference: \(row["grid_ref"]!)")
        }
        XCTAssertEqual(listed.map { Int($0["incidents"]!)! }, Array(repeats.values.sorted(by: >).prefix(30)))

        // The summary by type: locations, repeat locations and incidents at them.
        let byType = try MicroPlacesCLITests.table(URL(fileURLWithPath: cli.path("part/repeat_locations_by_type.csv")))
        XCTAssertFalse(byType.contains { $0["location_type"] == "dwelling" })
        for row in byType {
            let type = row["location_type"]!
            let mine = counts.filter { $0.key.type == type }
            XCTAssertEqual(Int(row["locations"]!), mine.count, type)
            XCTAssertEqual(Int(row["repeat_locations"]!), mine.filter { $0.value >= 2 }.count, type)
            XCTAssertEqual(Int(row["incidents"]!), mine.values.reduce(0, +), type)
            XCTAssertEqual(Int(row["incidents_at_repeat_locations"]!), mine.values.filter { $0 >= 2 }.reduce(0, +), type)
            XCTAssertEqual(Int(row["most_at_one_location"]!), mine.values.max(), type)
        }
        XCTAssertEqual(Set(byType.map { $0["location_type"]! }), Set(counts.keys.map(\.type)))
    }
}
