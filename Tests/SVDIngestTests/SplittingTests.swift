import Foundation
import SVDCore
@testable import SVDIngest
import XCTest

/// Reading must not depend on the number of workers or on where blocks are cut.
final class SplittingTests: XCTestCase {
    /// Deterministic generator (SplitMix64), so failures reproduce.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// A native file with quoted line breaks, CRLF, blank lines and a share of bad rows.
    static func syntheticFile(rows: Int, seed: UInt64) -> [UInt8] { syntheticFileWithLines(rows: rows, seed: seed).bytes }

    /// Also returns the physical line where each row "R<n>" starts, counted while writing.
    static func syntheticFileWithLines(rows: Int, seed: UInt64) -> (bytes: [UInt8], lineOf: [String: Int]) {
        var rng = RNG(state: seed)
        var lineOf: [String: Int] = [:]
        var line = 2
        var out = Array("id,datetime,offence,easting,northing,victim_age,victim_sex,location_type,notes\n".utf8)
        let offences = ["Violence with injury", "\"Robbery, personal\"", "Homicide", "\"Violence \"\"without\"\" injury\""]
        let places = ["street", "pub", "\"open space\"", "", "castle"]
        for n in 0..<rows {
            let eol = rng.below(10) == 0 ? "\r\n" : "\n"
            if rng.below(40) == 0 { out += Array(eol.utf8); line += 1; continue }
            let day = 1 + rng.below(31)
            let date = rng.below(50) == 0 ? "2024-02-\(day)" : String(format: "2024-03-%02dT%02d:%02d", day, rng.below(24), rng.below(60))
            let age = rng.below(30) == 0 ? "200" : rng.below(5) == 0 ? "" : String(rng.below(90))
            let notes = rng.below(8) == 0 ? "\"line one\nline, two\"" : "n\(n)"
            let row = "R\(n),\(date),\(offences[rng.below(offences.count)]),\(570000 + rng.below(10000)),\(160000 + rng.below(10000)),"
                + "\(age),\(["M", "F", "", "x"][rng.below(4)]),\(places[rng.below(places.count)]),\(notes)"
            out += Array(row.utf8) + Array(eol.utf8)
            lineOf["R\(n)"] = line
            line += 1 + row.utf8.filter { $0 == 0x0A }.count
        }
        return (out, lineOf)
    }

    static func write(_ bytes: [UInt8], _ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        return url
    }

    static func key(_ i: Incident) -> String {
        "\(i.day) \(i.month) \(i.hour) \(i.location.easting) \(i.location.northing) \(i.offence) \(i.victimAge) \(i.victimSex) \(i.locationType) \(i.source)"
    }

    func assertSameOutcome(_ a: ReadResult, _ b: ReadResult, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.summary, b.summary, what, file: file, line: line)
        XCTAssertEqual(a.rejects, b.rejects, what, file: file, line: line)
        XCTAssertEqual(a.incidents.map(Self.key).sorted(), b.incidents.map(Self.key).sorted(), what, file: file, line: line)
    }

    func testParallelEqualsSequentialWhateverTheCuts() throws {
        let (bytes, lineOf) = Self.syntheticFileWithLines(rows: 3000, seed: 42)
        let url = try Self.write(bytes, "split")
        defer { try? FileManager.default.removeItem(at: url) }
        // The catalog codes depend on first-seen order, so each run gets a catalog pre-seeded in the same order.
        func catalog() -> OffenceCatalog {
            let c = emptyCatalog()
            for o in ["violence with injury", "robbery, personal", "homicide", "violence \"without\" injury"] { _ = c.code(for: o) }
            return c
        }
        let reference = try readFixture(url, workers: 1, blockSize: 1 << 22, catalog: catalog())
        XCTAssertEqual(reference.summary.rowsRead, reference.summary.accepted + reference.summary.rejected)
        XCTAssertGreaterThan(reference.summary.accepted, 1000)
        XCTAssertGreaterThan(reference.summary.rejected, 100)
        XCTAssertGreaterThan(reference.summary.blankLines, 30)
        XCTAssertEqual(reference.rejectLines, reference.rejectLines.sorted())
        // Reject lines agree with the lines counted while the file was written.
        for r in reference.rejects {
            let id = String(r.record.prefix { $0 != "," })
            XCTAssertEqual(r.line, lineOf[id], id)
        }
        // Progress reaches the file size and never goes back.
        final class Seen: @unchecked Sendable { var values: [(Int, Int)] = [] }
        let seen = Seen()
        var reader = try IncidentReader(url: url, catalog: catalog(), sources: SourceCatalog())
        reader.blockSize = 10_000
        _ = try reader.read(workers: 2, rejects: .counting(), progress: { seen.values.append(($0, $1)) }) { _, _ in }
        XCTAssertEqual(seen.values.last?.0, bytes.count)
        XCTAssertTrue(seen.values.allSatisfy { $0.1 == bytes.count })
        XCTAssertEqual(seen.values.map(\.0), seen.values.map(\.0).sorted())
        XCTAssertGreaterThan(seen.values.count, 10)
        for (workers, block) in [(2, 4096), (3, 61), (4, 7), (2, 1)] {
            let r = try readFixture(url, workers: workers, blockSize: block, catalog: catalog())
            assertSameOutcome(reference, r, "workers \(workers), block \(block)")
        }
    }

    /// Random byte mutations of valid files: never a crash, every row accounted for, same outcome in parallel.
    func testFuzzedFilesNeverCrashAndAccountForEveryRow() throws {
        var bases = try ["native_bng.csv", "police_uk_sample.csv", "structure_crlf_bom_quotes.csv", "structure_bad_bytes.csv",
                         "ae_istv_extract.csv"].map { try [UInt8](Data(contentsOf: Fixture.url($0))) }
        bases.append(Self.syntheticFile(rows: 40, seed: 7))
        let inserts: [[UInt8]] = [[0x2C], [0x22], [0x0A], [0x0D], [0x00], [0xFF], [0xEF, 0xBB, 0xBF], [0x22, 0x22], [0xC3]]
        var rng = RNG(state: 2024)
        let aeMapping = try Fixture.mapping("ae-istv-cardiff-model.yaml")
        for iteration in 0..<240 {
            let baseIndex = rng.below(bases.count)
            var bytes = bases[baseIndex]
            for _ in 0..<(1 + rng.below(6)) {
                guard !bytes.isEmpty else { break }
                let at = rng.below(bytes.count)
                switch rng.below(5) {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.insert(contentsOf: inserts[rng.below(inserts.count)], at: at)
                case 2: bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(20)))
                case 3: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + rng.below(40))], at: rng.below(bytes.count))
                default: bytes.removeSubrange(at...)
                }
            }
            let url = try Self.write(bytes, "fuzz")
            defer { try? FileManager.default.removeItem(at: url) }
            let format: IncidentFormat? = baseIndex == 4 ? .mapped(aeMapping) : nil
            let maxRecord = 64 + rng.below(400)
            let block = 1 + rng.below(300)
            let parallel: ReadResult
            do {
                parallel = try readFixture(url, format: format, workers: 3, blockSize: block, maxRecordBytes: maxRecord)
            } catch is IngestError {
                continue  // a mutated header is a whole-file outcome, also fine
            }
            let s = parallel.summary
            let what = "iteration \(iteration), base \(baseIndex)"
            XCTAssertEqual(s.rowsRead, s.accepted + s.rejected, what)
            XCTAssertEqual(parallel.incidents.count, s.accepted, what)
            XCTAssertEqual(parallel.rejects.count, s.rejected, what)
            XCTAssertEqual(parallel.rejectLines, parallel.rejectLines.sorted(), what)
            XCTAssertNotNil(String(data: parallel.rejectFile, encoding: .utf8), what)
            let sequential = try readFixture(url, format: format, workers: 1, blockSize: 1 << 20, maxRecordBytes: maxRecord)
            XCTAssertEqual(s, sequential.summary, what)
            XCTAssertEqual(parallel.rejects, sequential.rejects, what)
        }
    }
}
