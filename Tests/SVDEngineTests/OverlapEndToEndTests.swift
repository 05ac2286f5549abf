import XCTest
import Foundation

/// The overlap estimate through the CLI against the truth `svd demo --partners` writes: the demo's A&E and ambulance
/// extracts copy a chosen share of police records (moved by a geocoding error, later in time), the rest are fresh.
final class OverlapEndToEndTests: XCTestCase {
    func testEstimatedOverlapMatchesTheKnownTruth() throws {
        let cli = try CLI("overlap")
        defer { cli.remove() }
        try cli.ok(["demo", "--rows", "30000", "--seed", "8", "--partners", "--ae-police-overlap", "0.3",
                    "--ambulance-police-overlap", "0.6", "--out", "d.csv"])
        try cli.ok(["assess", "--sources", "d-sources.yaml", "--tier", "partner", "--quiet", "--out", "o"])

        // The truth, from the files alone: which partner records copy a police record.
        func lines(_ name: String) throws -> [[String]] {
            try String(contentsOfFile: cli.path(name), encoding: .utf8).split(separator: "\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
        }
        var linked: [String: Bool] = [:]
        for r in try lines("d-overlap-truth.csv").dropFirst() { linked[r[1]] = !r[2].isEmpty }
        // Only records with a time can be matched: A&E rows with a blank arrival time are left out.
        let ae = try lines("d-ae-istv.csv")
        let timeColumn = try XCTUnwrap(ae[0].firstIndex(of: "Arrival Time"))
        let timed = ae.dropFirst().filter { !$0[timeColumn].isEmpty }.map { $0[0] }
        let aeTruth = Double(timed.filter { linked[$0]! }.count) / Double(timed.count)
        let ambulance = try lines("d-ambulance.csv")
        let complaint = try XCTUnwrap(ambulance[0].firstIndex(of: "Chief Complaint"))
        let assaults = ambulance.dropFirst().filter { ["Assault / Sexual Assault", "Stab / Gunshot / Penetrating Trauma"].contains($0[complaint]) }.map { $0[0] }
        let ambulanceTruth = Double(assaults.filter { linked[$0]! }.count) / Double(assaults.count)
        XCTAssertEqual(aeTruth, 0.3, accuracy: 0.03)
        XCTAssertEqual(ambulanceTruth, 0.6, accuracy: 0.01)

        let table = try lines("o/source_overlap.csv").filter { !($0.first?.hasPrefix("#") ?? true) }
        let header = table[0]
        func value(_ row: [String], _ column: String) -> Double { Double(row[header.firstIndex(of: column)!].replacingOccurrences(of: "%", with: ""))! / 100 }
        for (source, truth) in [("A&E", aeTruth), ("ambulance", ambulanceTruth)] {
            let all = try XCTUnwrap(table.first { $0[0] == source && $0[1] == "all" }, source)
            let estimate = value(all, "estimated_with_police_record_percent")
            let (lower, upper) = (1 - value(all, "upper_95"), 1 - value(all, "lower_95"))
            XCTAssertEqual(estimate, truth, accuracy: 0.04, source)
            // The interval (on the share without a police record) covers the truth, to the table's rounding.
            XCTAssertLessThanOrEqual(lower - 0.001, truth, source)
            XCTAssertGreaterThanOrEqual(upper + 0.001, truth, source)
            // Without the chance correction the raw matched share overstates the overlap.
            let raw = Double(all[header.firstIndex(of: "matched_to_police")!])! / Double(all[header.firstIndex(of: "records")!])!
            XCTAssertGreaterThan(raw, estimate, source)
        }
        // Public tier: the all-records rows only (the breakdowns are partner tier until the attacker models them).
        try cli.ok(["assess", "--sources", "d-sources.yaml", "--quiet", "--out", "pub"])
        let published = try lines("pub/source_overlap.csv").filter { !($0.first?.hasPrefix("#") ?? true) }.dropFirst()
        XCTAssertEqual(published.map { $0[0] + "/" + $0[1] }, ["A&E/all", "ambulance/all"])

        // Per-source accounting: every file's rows are read, and accepted plus rejected equals read.
        let summary = try lines("o/source_summary.csv").filter { !($0.first?.hasPrefix("#") ?? true) }
        let h = summary[0]
        for (source, file) in [("police", "d.csv"), ("A&E", "d-ae-istv.csv"), ("ambulance", "d-ambulance.csv")] {
            let row = try XCTUnwrap(summary.first { $0[0] == source })
            let read = Int(row[h.firstIndex(of: "rows_read")!])!
            XCTAssertEqual(read, try lines(file).count - 1, source)
            XCTAssertEqual(read, Int(row[h.firstIndex(of: "rows_accepted")!])! + Int(row[h.firstIndex(of: "rows_rejected")!])!, source)
        }
    }
}
