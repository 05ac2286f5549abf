import XCTest
import Foundation
import SVDCore
import SVDDemo
import SVDEngine
import SVDPublish

/// A run from kept parts (each file binned alone, kept as bytes, merged: the portal's publication) against one pass
/// over the same files (`svd report`'s): police, A&E and ambulance extracts (so the source overlap and the
/// by-source tables are in it) and a second police file repeating the first one's ids.
final class BinnedPartTests: XCTestCase {
    func testRunFromPartsIsOnePass() throws {
        let fixture = try AgencyFixture()
        defer { fixture.remove() }
        var request = IncidentRequest(inputs: fixture.inputs, workers: 2)
        request.disclosureKey = .testing
        let window = BinnedIncidents.reportPointWindow(for: request)
        let keys = ["a", "b", "c", "d"]

        let onePass = try BinnedIncidents(request: request, rejectsFile: nil, points: window)
        XCTAssertNotNil(onePass.overlap, "police and partner files: the overlap is in the report")
        let repeats = onePass.result.summaries[3].summary
        XCTAssertGreaterThan(repeats.rowsRead - repeats.accepted, 300, "again.csv's rows are mostly repeats")
        func reports(_ b: BinnedIncidents) throws -> [String] {
            [try b.report(disclosure: .partner), try b.report(disclosure: DisclosurePolicy(), district: 3)]
        }
        let expected = try reports(onePass)

        let fresh = BinnedParts(stored: [nil, nil, nil, nil], inputKeys: keys)
        let first = try BinnedIncidents(request: request, rejectsFile: nil, points: window, parts: fresh)
        XCTAssertEqual(fresh.fresh.keys.sorted(), [0, 1, 2, 3])
        XCTAssertEqual(try reports(first), expected)

        // Every part read back from its bytes; the repeating file is binned again against the first's ids.
        let kept = BinnedParts(stored: (0..<4).map { fresh.fresh[$0] }, inputKeys: keys)
        let second = try BinnedIncidents(request: request, rejectsFile: nil, points: window, parts: kept)
        XCTAssertEqual(kept.reused, [0, 1, 2, 3])
        XCTAssertTrue(kept.fresh.isEmpty)
        XCTAssertEqual(try reports(second), expected)

        // A damaged part, or one of another content key, is binned again, never trusted.
        var damaged = fresh.fresh[1]!
        damaged[damaged.count - 1] ^= 1
        let checked = BinnedParts(stored: [fresh.fresh[0], damaged, fresh.fresh[2], fresh.fresh[3]], inputKeys: ["a", "b", "c", "changed"])
        let third = try BinnedIncidents(request: request, rejectsFile: nil, points: window, parts: checked)
        XCTAssertEqual(checked.reused, [0, 2])
        XCTAssertEqual(checked.fresh.keys.sorted(), [1, 3])
        XCTAssertEqual(try reports(third), expected)
    }
}
