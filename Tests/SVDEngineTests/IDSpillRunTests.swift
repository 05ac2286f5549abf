import XCTest
import Foundation
import SVDCore
import SVDDemo
import SVDEngine
import SVDPublish

/// A run whose ids are spilled to disk (`BinningRun.idSpillThreshold`, here 0 so any run spills) against the same
/// run holding them in the table: the same reports and the same rejects, byte for byte. With repeated ids (a second
/// police file repeating the first one's, and rows repeated within a file) the spilled run reads its files twice.
final class IDSpillRunTests: XCTestCase {
    func testASpilledRunIsTheTablesRun() throws {
        let fixture = try AgencyFixture()
        defer { fixture.remove() }
        let folder = fixture.folder
        // again.csv repeats police.csv's ids; it also repeats some of its own rows.
        let text = try String(contentsOf: fixture.again, encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst()
        try (text + rows.prefix(25).joined(separator: "\n") + "\n").write(to: fixture.again, atomically: true, encoding: .utf8)
        let inputs = fixture.inputs

        func run(_ inputs: [IncidentInput], spill: Bool, rejects name: String) throws -> (BinnedIncidents, [String], Data) {
            var request = IncidentRequest(inputs: inputs, workers: 2)
            request.disclosureKey = .testing
            if spill { request.idSpillThreshold = 0 }
            let url = folder.appendingPathComponent(name)
            let b = try BinnedIncidents(request: request, rejectsFile: url, points: BinnedIncidents.reportPointWindow(for: request))
            let reports = [try b.report(disclosure: .partner), try b.report(disclosure: DisclosurePolicy(), district: 3)]
            return (b, reports, try Data(contentsOf: url))
        }

        let held = try run(inputs, spill: false, rejects: "held.csv")
        // The spill in a temporary directory of its own, to see it leaves nothing there.
        let tmp = folder.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let saved = ProcessInfo.processInfo.environment["TMPDIR"]
        setenv("TMPDIR", tmp.path, 1)
        defer { if let saved { setenv("TMPDIR", saved, 1) } else { unsetenv("TMPDIR") } }
        let spilled = try run(inputs, spill: true, rejects: "spilled.csv")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), [])
        XCTAssertFalse(held.0.result.idsSpilled)
        XCTAssertTrue(spilled.0.result.idsSpilled)
        XCTAssertEqual(spilled.0.result.passes, 2, "ids repeat, so the files are read again")
        let repeats = held.0.result.summaries[3].summary
        XCTAssertGreaterThan(repeats.rowsRead - repeats.accepted, 400, "again.csv's rows are all repeats")
        XCTAssertTrue(spilled.1 == held.1, "the reports differ")
        XCTAssertTrue(spilled.2 == held.2, "the rejects differ")
        XCTAssertEqual(spilled.0.result.summaries.map(\.summary), held.0.result.summaries.map(\.summary))

        // No repeats: one pass, the same again.
        let clean = Array(inputs.prefix(3))
        let heldClean = try run(clean, spill: false, rejects: "held-clean.csv")
        let spilledClean = try run(clean, spill: true, rejects: "spilled-clean.csv")
        XCTAssertTrue(spilledClean.0.result.idsSpilled)
        XCTAssertEqual(spilledClean.0.result.passes, 1)
        XCTAssertTrue(spilledClean.1 == heldClean.1, "the reports differ")
        XCTAssertTrue(spilledClean.2 == heldClean.2, "the rejects differ")

        // Nowhere to spill (the temporary directory is missing): the ids are held, the run is the same.
        setenv("TMPDIR", folder.appendingPathComponent("missing").path, 1)
        let nowhere = try run(inputs, spill: true, rejects: "nowhere.csv")
        XCTAssertFalse(nowhere.0.result.idsSpilled)
        XCTAssertTrue(nowhere.1 == held.1, "the reports differ")
        XCTAssertTrue(nowhere.2 == held.2, "the rejects differ")
    }

    /// Changes a file when its second pass begins.
    final class Tamperer: IngestObserver, @unchecked Sendable {
        let file: URL
        init(file: URL) { self.file = file }
        func begin(file label: String) {
            guard label.hasPrefix(file.lastPathComponent), label.contains("again") else { return }
            let h = try! FileHandle(forWritingTo: file)
            h.seekToEndOfFile()
            h.write(Data("\n".utf8))
            try! h.close()
        }
        func update(done: Int, total: Int) {}
        func end() {}
    }

    /// A file changed between the two passes is refused with its name, not half-read.
    func testAFileChangedBetweenThePassesIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("svd-spill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("police.csv")
        try DemoGenerator(seed: 7, rows: 500).write(to: file, format: .native)
        let text = try String(contentsOf: file, encoding: .utf8)
        try (text + text.split(separator: "\n")[1] + "\n").write(to: file, atomically: true, encoding: .utf8)
        var request = IncidentRequest(inputs: [IncidentInput(url: file, partner: "Police")], workers: 2)
        request.idSpillThreshold = 0
        XCTAssertEqual(try BinnedIncidents(request: request, rejectsFile: nil).result.passes, 2)
        XCTAssertThrowsError(try BinnedIncidents(request: request, rejectsFile: nil, progress: Tamperer(file: file))) { error in
            XCTAssertTrue("\(error)".contains("police.csv") && "\(error)".contains("changed while svd read it twice"), "\(error)")
        }
    }
}
