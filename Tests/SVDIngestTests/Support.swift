import Foundation
import Synchronization
import SVDCore
@testable import SVDIngest
import XCTest

enum Fixture {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
    }

    /// The shipped example mappings live with the sources so the integrator can copy them.
    static func mapping(_ name: String) throws -> ColumnMapping {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/SVDIngest/Mappings/\(name)")
        return try ColumnMapping(contentsOf: url)
    }
}

func emptyCatalog() -> OffenceCatalog {
    OffenceCatalog(definitions: try! Definitions(name: "test", ageBands: .standard, seriousViolence: [], outOfScope: [],
                                                 strands: [], cohorts: []))
}

final class Collector: Sendable {
    private let state = Mutex<[Incident]>([])
    func add(_ b: UnsafeBufferPointer<Incident>) { state.withLock { $0.append(contentsOf: b) } }
    var incidents: [Incident] { state.withLock { $0 } }
}

struct RejectRow: Equatable {
    var line: Int
    var reason: String
    var detail: String
    var record: String
}

/// Result of reading one file: summary, incidents in file order of their ids is not kept, rejects in file order.
struct ReadResult {
    var summary: IngestSummary
    var incidents: [Incident]
    var rejects: [RejectRow]
    var rejectFile: Data
    var catalog: OffenceCatalog
    var sources: SourceCatalog
}

func readFixture(_ url: URL, format: IncidentFormat? = nil, workers: Int = 2, blockSize: Int? = nil,
                 maxRecordBytes: Int? = nil, catalog: OffenceCatalog = emptyCatalog(),
                 sources: SourceCatalog = SourceCatalog()) throws -> ReadResult {
    var reader = try IncidentReader(url: url, format: format, catalog: catalog, sources: sources)
    if let blockSize { reader.blockSize = blockSize }
    if let maxRecordBytes { reader.maxRecordBytes = maxRecordBytes }
    let rejectURL = FileManager.default.temporaryDirectory.appendingPathComponent("rejects-\(UUID().uuidString).csv")
    defer { try? FileManager.default.removeItem(at: rejectURL) }
    let writer = try RejectWriter(url: rejectURL)
    let collector = Collector()
    let summary = try reader.read(workers: workers, rejects: writer) { _, batch in collector.add(batch) }
    try writer.close()
    let data = try Data(contentsOf: rejectURL)
    let table = parseCSV(data)
    XCTAssertEqual(table.first, ["file", "line", "reason", "detail", "record"])
    let rows = table.dropFirst().map { RejectRow(line: Int($0[1])!, reason: $0[2], detail: $0[3], record: $0[4]) }
    XCTAssertEqual(writer.count, summary.rejected)
    return ReadResult(summary: summary, incidents: collector.incidents, rejects: rows, rejectFile: data, catalog: catalog, sources: sources)
}

/// A small independent RFC 4180 reader for checking the reject file.
func parseCSV(_ data: Data) -> [[String]] {
    let bytes = [UInt8](data)
    var rows: [[String]] = []
    var row: [String] = []
    var field: [UInt8] = []
    var i = 0
    var inQuotes = false
    while i < bytes.count {
        let c = bytes[i]
        if inQuotes {
            if c == 0x22 {
                if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                inQuotes = false
            } else { field.append(c) }
        } else if c == 0x22 { inQuotes = true }
        else if c == 0x2C { row.append(String(decoding: field, as: UTF8.self)); field = [] }
        else if c == 0x0A { row.append(String(decoding: field, as: UTF8.self)); field = []; rows.append(row); row = [] }
        else { field.append(c) }
        i += 1
    }
    if !field.isEmpty || !row.isEmpty { row.append(String(decoding: field, as: UTF8.self)); rows.append(row) }
    return rows
}

extension ReadResult {
    func offenceName(_ i: Incident) -> String { catalog.entry(i.offence).name }
    var reasons: [String] { rejects.map(\.reason) }
    var rejectLines: [Int] { rejects.map(\.line) }
}

/// Days since 1970-01-01, checked against Python's datetime (see README.md in Fixtures).
enum Day {
    static let d2024_03_15: Int32 = 19797
    static let d2024_02_29: Int32 = 19782
    static let d2024_03_02: Int32 = 19784
}
