import XCTest
import Foundation
@testable import SVDAudit

/// Runs the built `svd` binary (beside the test bundle) in a scratch folder with a fixed disclosure key.
struct SVDRunner {
    let dir: URL

    static var binary: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("svd") }

    struct Run { let status: Int32; let stdout: String; let stderr: String }

    init(_ name: String) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-audit-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "0f0e0d0c0b0a09080706050403020100\n".write(to: dir.appendingPathComponent("key"), atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @discardableResult
    func run(_ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["SVD_DISCLOSURE_KEY_FILE"] = dir.appendingPathComponent("key").path
        p.environment = env
        let id = UUID().uuidString
        let outFile = dir.appendingPathComponent(".out-\(id)"), errFile = dir.appendingPathComponent(".err-\(id)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outFile); try? FileManager.default.removeItem(at: errFile) }
        p.standardOutput = try FileHandle(forWritingTo: outFile)
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: try Data(contentsOf: outFile), as: UTF8.self),
                   stderr: String(decoding: try Data(contentsOf: errFile), as: UTF8.self))
    }

    /// `svd` that must succeed.
    func ok(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(args)
        XCTAssertEqual(r.status, 0, "svd \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
    }
}

/// True counts from a partner-tier run (exact, nothing hidden) with the same data and period: the truth a
/// recovered count must equal.
struct Truth {
    let folder: String

    /// The partner table's cell for a finding's table, row label and column.
    func value(table: String, row: String, column: String) -> Int? {
        guard let text = try? String(contentsOfFile: folder + "/" + table + ".csv", encoding: .utf8) else { return nil }
        let (_, records, _) = CSV.read(text)
        guard let header = records.first, let c = header.firstIndex(of: column) else { return nil }
        let code = header.firstIndex(of: "district_code")
        let band = header.firstIndex { $0.hasSuffix("_age_band") }
        for r in records.dropFirst() {
            var labels = [r[0]]
            if let code { labels.append(r[code]) }
            if let code, let band { labels.append(r[code] + " " + r[band]) }
            if header.first == "strand" || header.first == "offence_category" || header.first == "measure" { labels = [r[0]] }
            if labels.contains(row) { return Int(r[c]) }
        }
        return nil
    }
}

extension Truth {
    /// A cell of a partner-tier report or pack: table by caption, row by its first cell, column by header.
    static func html(_ path: String, table: String, row: String, column: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path), let doc = HTMLDocument.parse(data) else { return nil }
        if table == "Headline figures" {
            guard let c = doc.cards.first(where: { $0.label == row }) else { return nil }
            let text = column == "last 12 months" ? c.current : c.previous ?? ""
            if case .count(let n) = CellText(text) { return n }
            return nil
        }
        guard let t = doc.tables.first(where: { $0.title == table }), let r = t.rows.firstIndex(where: { $0.first == row }) else { return nil }
        let renamed = ["all": "All", "weekday_unknown": "Day unknown", "hour": "Hour"]
        guard let text = t.value(r, column) ?? t.value(r, renamed[column] ?? column) else { return nil }
        if case .count(let n) = CellText(text) { return n }
        return nil
    }
}

extension AuditReport {
    func routes(except excluded: Set<Finding.Route> = []) -> [Finding.Route: Int] {
        findings.filter { !excluded.contains($0.route) }.reduce(into: [:]) { $0[$1.route, default: 0] += 1 }
    }

    var summary: String { findings.prefix(20).map(\.line).joined(separator: "\n") }
}
