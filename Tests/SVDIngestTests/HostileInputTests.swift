import Foundation
import Crypto
import SVDCore
@testable import SVDIngest
import XCTest

/// Inputs an attacker or a careless user would try (issue 15, Inputs): each case failed before its fix.
final class HostileInputTests: XCTestCase {
    static let header = "id,datetime,offence,easting,northing,victim_age,victim_sex,suspect_age,suspect_sex,location_type,public_place,domestic,weapon,alcohol,drugs,source"

    static func row(_ id: String, date: String = "2024-03-14T04:00", offence: String = "assault with injury") -> String {
        "\(id),\(date),\(offence),553979.9,175751.1,23,M,,M,dwelling,no,yes,none,yes,,police"
    }

    func write(_ text: String, _ name: String = "in.csv") throws -> URL {
        try write(Data(text.utf8), name)
    }

    func write(_ data: Data, _ name: String = "in.csv") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    // MARK: Huge and many offence names

    /// Normalising a category appended to a String through its unicodeScalars view, copying the whole string per
    /// character: a 1 MB name took 17 s, 4 MiB would take minutes. Now linear: well under a second in release.
    func testAHugeOffenceFieldIsReadInLinearTime() throws {
        let huge = String(repeating: "Ab-c", count: 1 << 20) // 4 MiB
        let text = Self.header + "\n" + Self.row("A1") + "\n" + Self.row("A2", offence: huge) + "\n" + Self.row("A3") + "\n"
        let url = try write(text)
        let start = Date()
        let r = try readFixture(url)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(r.summary.accepted, 3)
        XCTAssertLessThan(seconds, 30, "a 4 MiB offence field must not take quadratic time (debug build, shared CI)")
        XCTAssertEqual(r.catalog.entries.map(\.name.utf8.count).max(), 4 << 20) // "Ab-c" → "ab c"
    }

    func testNormaliseCategoryKeepsItsRules() {
        XCTAssertEqual(normaliseCategory(" Violence-with__injury "), "violence with injury")
        XCTAssertEqual(normaliseCategory("Stalking & Harassment"), "stalking and harassment")
        XCTAssertEqual(normaliseCategory("&x"), "and x")
        XCTAssertEqual(normaliseCategory("ÉCOLE Straße/ΣΑ"), "école straße σα")
        XCTAssertEqual(normaliseCategory(String(repeating: "A_", count: 100_000)).utf8.count, 199_999)
    }

    // MARK: Line endings and streams

    /// A CR-only file (old Mac line endings) read as one header line: 0 rows, exit 2, an empty reject file.
    func testCROnlyLineEndingsAreRecordEnds() throws {
        let lines = [Self.header, Self.row("C1"), Self.row("C2", date: "not a date"), Self.row("C3"), ""]
        let r = try readFixture(try write(lines.joined(separator: "\r")), blockSize: 64)
        XCTAssertEqual(r.summary.rowsRead, 3)
        XCTAssertEqual(r.summary.accepted, 2)
        XCTAssertEqual(r.summary.rowsRead, r.summary.accepted + r.summary.rejected)
        XCTAssertEqual(r.rejects.map(\.line), [3])
        XCTAssertEqual(r.rejects.map(\.reason), ["unparseable_date"])
    }

    func testCRLFAndLFFilesAreUnchanged() throws {
        for sep in ["\n", "\r\n"] {
            let text = [Self.header, Self.row("L1"), Self.row("L2", date: "bad"), Self.row("L3"), ""].joined(separator: sep)
            let r = try readFixture(try write(text))
            XCTAssertEqual(r.summary.accepted, 2)
            XCTAssertEqual(r.rejects.map(\.line), [3])
            XCTAssertEqual(r.rejects.map(\.record), [Self.row("L2", date: "bad")])
        }
    }

    /// A FIFO was "empty file" (the reader trusted st_size); now read as a stream, with the same digest.
    func testAFIFOIsReadAsAStream() throws {
        var text = Self.header + "\n"
        for i in 0..<5000 { text += Self.row("F\(i)") + "\n" }
        let plain = try write(text)
        let fifo = plain.deletingLastPathComponent().appendingPathComponent("pipe.csv")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        let data = Data(text.utf8)
        let writer = Thread {
            // Opening blocks until the reader opens the other end.
            if let h = FileHandle(forWritingAtPath: fifo.path) { h.write(data); try? h.close() }
        }
        writer.start()
        let r = try readFixture(fifo, blockSize: 1000)
        XCTAssertEqual(r.summary.rowsRead, 5000)
        XCTAssertEqual(r.summary.accepted, 5000)
        XCTAssertEqual(r.summary.bytes, data.count)
        XCTAssertEqual(r.summary.sha256, [SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()])
        XCTAssertEqual(try readFixture(plain).summary.sha256, r.summary.sha256)
    }

    // MARK: Dates

    /// One row dated 2100 among many moved the default period to 2097–2100.
    func testImplausibleDatesAreRejected() throws {
        let lines = [Self.header, Self.row("D1"), Self.row("D2", date: "2100-01-01T00:00"), Self.row("D3", date: "1989-12-31"),
                     Self.row("D4", date: "1990-01-01"), Self.row("D5"), ""]
        let r = try readFixture(try write(lines.joined(separator: "\n")))
        XCTAssertEqual(r.summary.accepted, 3)
        XCTAssertEqual(r.summary.rejected(.implausibleDate), 2)
        XCTAssertEqual(r.rejects.map(\.line), [3, 4])
        XCTAssertTrue(r.rejects[0].detail.contains("after the run date"), r.rejects[0].detail)
        XCTAssertTrue(r.rejects[1].detail.contains("before 1990-01"), r.rejects[1].detail)
        XCTAssertEqual(r.incidents.map(\.month).max(), Int32(2024 * 12 + 2))
    }

    func testTheDateWindowIsConfigurable() throws {
        let url = try write([Self.header, Self.row("W1", date: "1985-06-01"), Self.row("W2", date: "2024-03-01"), ""].joined(separator: "\n"))
        var reader = try IncidentReader(url: url, catalog: emptyCatalog(), sources: SourceCatalog())
        reader.plausibleDates = PlausibleDates(earliest: MonthKey(year: 1980, month: 1),
                                               latestDay: Int32(CivilDate.daysSinceEpoch(year: 2024, month: 2, day: 28)))
        let summary = try reader.read(workers: 1, rejects: RejectWriter.counting()) { _, _ in }
        XCTAssertEqual(summary.accepted, 1)
        XCTAssertEqual(summary.rejected(.implausibleDate), 1)
    }

    // MARK: YAML

    /// The mapping and the definitions share one guard (SafeYAML): an alias bomb is refused before it is walked.
    func testAnAliasBombInAMappingIsRefusedByTheSharedGuard() {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in 1...8 { lines.append("a\(i): &a\(i) [\(Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", "))]") }
        lines.append("offence: {column: O, map: *a8}")
        XCTAssertThrowsError(try ColumnMapping(yaml: lines.joined(separator: "\n"), source: "m.yaml")) { error in
            XCTAssertTrue("\(error)".contains("expands to more than"), "\(error)")
        }
    }

    // MARK: Duplicate ids

    /// Repeated ids were counted twice silently. The first row (in file order) is kept, later ones rejected,
    /// whatever the number of workers and wherever the chunks are cut.
    func testDuplicateIDsAreRejectedAfterTheFirstDeterministically() throws {
        var lines = [Self.header]
        var expectedLines: [Int] = []
        for i in 0..<3000 {
            // Every 7th row repeats the id of the row 5 before it (line = i + 2).
            let id = i % 7 == 6 ? "X\(i - 5)" : "X\(i)"
            if i % 7 == 6 { expectedLines.append(i + 2) }
            lines.append(Self.row(id))
        }
        let url = try write(lines.joined(separator: "\n") + "\n")
        var reference: ReadResult?
        for (workers, block) in [(1, 1 << 20), (3, 997), (2, 64), (4, 5000)] {
            let r = try readFixture(url, workers: workers, blockSize: block)
            XCTAssertEqual(r.summary.rejected(.duplicateID), expectedLines.count)
            XCTAssertEqual(r.summary.accepted, 3000 - expectedLines.count)
            XCTAssertEqual(r.rejects.map(\.line), expectedLines)
            XCTAssertEqual(r.summary.rowsRead, r.summary.accepted + r.summary.rejected)
            if let reference {
                XCTAssertEqual(r.rejectFile, reference.rejectFile, "workers \(workers), block \(block)")
                XCTAssertEqual(r.summary, reference.summary)
            } else {
                reference = r
                XCTAssertTrue(r.rejects[0].detail.contains("'X1'"), r.rejects[0].detail)
            }
        }
    }

    func testDuplicatesAcrossFilesAndOtherRejectsKeepLineOrder() throws {
        let first = try write([Self.header, Self.row("A"), Self.row("B"), ""].joined(separator: "\n"))
        let second = try write([Self.header, Self.row("B"), Self.row("C", date: "bad"), Self.row("A"), Self.row("D"), ""].joined(separator: "\n"))
        let ids = DuplicateIDs()
        var summaries: [IngestSummary] = []
        for url in [first, second] {
            var reader = try IncidentReader(url: url, catalog: emptyCatalog(), sources: SourceCatalog())
            reader.duplicateIDs = ids
            summaries.append(try reader.read(workers: 2, rejects: RejectWriter.counting()) { _, _ in })
        }
        XCTAssertEqual(summaries[0].accepted, 2)
        XCTAssertEqual(summaries[1].accepted, 1)
        XCTAssertEqual(summaries[1].rejected(.duplicateID), 2)
        XCTAssertEqual(summaries[1].rejected(.unparseableDate), 1)
        // The same id from another source is not a duplicate.
        let other = try write([Self.header, Self.row("A").replacingOccurrences(of: ",police", with: ",ambulance"), ""].joined(separator: "\n"))
        var reader = try IncidentReader(url: other, catalog: emptyCatalog(), sources: SourceCatalog())
        reader.duplicateIDs = ids
        XCTAssertEqual(try reader.read(workers: 1, rejects: RejectWriter.counting()) { _, _ in }.accepted, 1)
        let r = try readFixture(second, workers: 1)
        XCTAssertEqual(r.rejects.map(\.reason), ["unparseable_date"])
    }
}
