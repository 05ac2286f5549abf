import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SVDCore
import SVDEngine
import SVDIngest

/// How an uploaded extract's columns are read: the engine's detection (native schema, data.police.uk) or one of
/// its shipped partner mappings, exactly as `svd assess FILE[:MAPPING]` reads it.
public enum UploadMapping: String, Sendable, CaseIterable {
    case native
    case aeISTV = "ae-istv"
    case ambulance

    var layout: IncidentInput.Layout {
        switch self {
        case .native: .detect
        case .aeISTV: .shipped(.aeISTV)
        case .ambulance: .shipped(.ambulance)
        }
    }

    public var label: String {
        switch self {
        case .native: "Police: native schema or data.police.uk (detected)"
        case .aeISTV: "A&E ISTV (Cardiff Model)"
        case .ambulance: "Ambulance call-outs"
        }
    }
}

/// One row of the reject ledger, as the engine's rejects file has it.
public struct RejectRow: Sendable, Equatable {
    public let line: Int
    public let reason: String
    public let detail: String
    public let record: String
}

/// What the engine made of one uploaded file.
public struct IngestOutcome: Sendable {
    public enum Status: String, Sendable { case accepted, refused }
    public var status: Status
    public var source: String?
    public var rowsRead = 0
    public var accepted = 0
    public var rejects: [RejectRow] = []
    /// Why the file as a whole could not be read (status refused).
    public var error: String?
    /// The located serious-violence incidents, column by column (bound as arrays in one INSERT).
    var months: [String] = [], days: [String] = [], hours: [Int] = [], districts: [String] = [], ages: [Int] = []
    var strands: [Int] = [], eastings: [Double] = [], northings: [Double] = [], sources: [String] = []
}

public enum UploadIngest {
    /// Reads `content` through the engine's ingest → locate → bin path (the CLI's), writing nothing outside a
    /// private temporary folder. Every row is accepted or in `rejects`; a file the engine cannot read at all is
    /// refused with one ledger row saying why.
    public static func ingest(content: Data, mapping: UploadMapping, source: String?, partner: String, area spec: String) throws -> IngestOutcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("svd-portal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        // The partner's file name never reaches the file system: the upload is always "extract.csv".
        let file = folder.appendingPathComponent("extract.csv"), rejectsFile = folder.appendingPathComponent("rejects.csv")
        try content.write(to: file)
        do {
            let area = try AreaResolver.area(spec)
            let definitions = try AreaResolver.definitions(for: area, areaSpec: spec, file: nil)
            let input = IncidentInput(url: file, layout: mapping.layout, source: source, partner: partner)
            let (format, _) = try input.format()
            var run = BinningRun(files: [BinningRun.Input(url: file, format: format, source: source, partner: partner)],
                                 area: area, definitions: definitions, workers: 2, rejectsFile: rejectsFile, progress: nil)
            run.points = .all
            let result = try run.run()
            var outcome = IngestOutcome(status: .accepted)
            let summary = result.summaries.first
            outcome.source = summary?.source
            outcome.rowsRead = summary?.summary.rowsRead ?? 0
            outcome.accepted = summary?.summary.accepted ?? 0
            outcome.rejects = try readRejects(rejectsFile)
            for p in result.points {
                outcome.months.append(MonthKey(index: p.month).description + "-01")
                if p.day == Incident.unknownDay {
                    outcome.days.append("")
                } else {
                    let d = CivilDate.civil(daysSinceEpoch: Int(p.day))
                    outcome.days.append(String(format: "%04d-%02d-%02d", d.year, d.month, d.day))
                }
                outcome.hours.append(Int(p.hour))
                outcome.districts.append(Int(p.district) < area.districts.count ? area.districts[Int(p.district)].code : "")
                outcome.ages.append(Int(p.victimAge))
                outcome.strands.append(Int(p.strandMask))
                outcome.eastings.append(p.location.easting)
                outcome.northings.append(p.location.northing)
                outcome.sources.append(result.sourceNames[Int(p.source)])
            }
            return outcome
        } catch {
            // The whole file is unusable (an unknown header, not text, a mapping's required column missing…):
            // refused, with the engine's reason as the ledger's one row.
            var outcome = IngestOutcome(status: .refused)
            outcome.error = terminalSafe("\(error)").replacingOccurrences(of: folder.path + "/", with: "")
            let head = content.prefix(200)
            outcome.rejects = [RejectRow(line: 1, reason: "unusable_file", detail: outcome.error ?? "",
                                         record: String(decoding: head.prefix(while: { $0 != 10 }), as: UTF8.self))]
            return outcome
        }
    }

    static func readRejects(_ url: URL) throws -> [RejectRow] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        // file,line,reason,detail,record
        return SmallCSV.records(text).dropFirst().compactMap { r in
            guard r.fields.count >= 5, let line = Int(r.fields[1]) else { return nil }
            return RejectRow(line: line, reason: r.fields[2], detail: r.fields[3], record: r.fields[4])
        }
    }

    /// Ingests off the event loops, then stores the upload, its ledger and its incidents in one transaction:
    /// all of it or none.
    public static func store(_ client: PostgresClient, by account: Account, partner: String, filename: String, content: Data,
                             mapping: UploadMapping, source: String?, area: String, logger: Logger) async throws -> (id: Int64, outcome: IngestOutcome) {
        let outcome = try await NIOThreadPool.singleton.runIfActive {
            try ingest(content: content, mapping: mapping, source: source, partner: partner, area: area)
        }
        let id = try await client.withTransaction(logger: logger) { db -> Int64 in
            let sha = SHA256Hex.of(content)
            let rejected = outcome.status == .refused ? outcome.rejects.count : outcome.rowsRead - outcome.accepted
            let ids = try await db.query("""
                INSERT INTO uploads (user_id, partner, mapping, source, stated_source, filename, bytes, sha256, content, rows_read,
                                     rows_accepted, rows_rejected, status, error)
                VALUES (\(account.id), \(partner), \(mapping.rawValue), \(outcome.source), \(source), \(filename), \(content.count), \(sha),
                        \(content), \(outcome.rowsRead), \(outcome.accepted), \(rejected), \(outcome.status.rawValue), \(outcome.error))
                RETURNING id
                """, logger: logger).decode(Int64.self).all()
            let id = ids[0]
            try await insertRejects(db, upload: id, outcome.rejects, logger: logger)
            if !outcome.months.isEmpty {
                try await db.query("""
                    INSERT INTO incidents (upload_id, source, month, day, hour, district, victim_age, strand_mask, geom)
                    SELECT \(id), s, m::date, NULLIF(d, '')::date, NULLIF(h, -1), NULLIF(c, ''), NULLIF(a, -1), k,
                           ST_SetSRID(ST_MakePoint(x, y), 27700)
                    FROM unnest(\(outcome.sources)::text[], \(outcome.months)::text[], \(outcome.days)::text[], \(outcome.hours)::int[],
                                \(outcome.districts)::text[], \(outcome.ages)::int[], \(outcome.strands)::int[],
                                \(outcome.eastings)::float8[], \(outcome.northings)::float8[]) AS t(s, m, d, h, c, a, k, x, y)
                    """, logger: logger)
            }
            return id
        }
        return (id, outcome)
    }

    static func insertRejects(_ db: PostgresConnection, upload id: Int64, _ rejects: [RejectRow], logger: Logger) async throws {
        guard !rejects.isEmpty else { return }
        let seq = Array(1...rejects.count), lines = rejects.map(\.line), reasons = rejects.map(\.reason)
        let details = rejects.map(\.detail), records = rejects.map(\.record)
        try await db.query("""
            INSERT INTO upload_rejects (upload_id, seq, line, reason, detail, record)
            SELECT \(id), * FROM unnest(\(seq)::int[], \(lines)::int[], \(reasons)::text[], \(details)::text[], \(records)::text[])
            """, logger: logger)
    }

    /// A body over the size limit: never read past the limit, so there is no file to keep, but the attempt lands
    /// in the ledger as a refused upload.
    public static func storeOversized(_ client: PostgresClient, by account: Account, partner: String, limit: Int, logger: Logger) async throws -> Int64 {
        let why = "upload larger than the portal's limit of \(limit) bytes; not read"
        return try await client.withTransaction(logger: logger) { db -> Int64 in
            let ids = try await db.query("""
                INSERT INTO uploads (user_id, partner, mapping, filename, bytes, sha256, content, status, error)
                VALUES (\(account.id), \(partner), 'native', '(not read)', 0, '', ''::bytea, 'refused', \(why)) RETURNING id
                """, logger: logger).decode(Int64.self).all()
            try await insertRejects(db, upload: ids[0], [RejectRow(line: 0, reason: "too_large", detail: why, record: "")], logger: logger)
            return ids[0]
        }
    }
}

/// An upload as the pages and the API list it.
public struct UploadRecord: Sendable, Codable, Equatable {
    public let id: Int64
    public let partner: String
    public let uploadedBy: String
    public let mapping: String
    public let source: String?
    public let filename: String
    public let bytes: Int64
    public let rowsRead: Int
    public let rowsAccepted: Int
    public let rowsRejected: Int
    public let status: String
    public let error: String?
    public let uploadedAt: String
    public let withdrawn: Bool
}

public enum UploadQueries {
    typealias Row = (Int64, String, String, String, String?, String, Int64, Int, Int, Int, String, String?, String, Bool)

    static let columns = """
        u.id, u.partner, a.username, u.mapping, u.source, u.filename, u.bytes, u.rows_read, u.rows_accepted, u.rows_rejected,
        u.status, u.error, to_char(u.uploaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), u.withdrawn_at IS NOT NULL
        """

    static func record(_ r: Row) -> UploadRecord {
        UploadRecord(id: r.0, partner: r.1, uploadedBy: r.2, mapping: r.3, source: r.4, filename: r.5, bytes: r.6, rowsRead: r.7,
                     rowsAccepted: r.8, rowsRejected: r.9, status: r.10, error: r.11, uploadedAt: r.12, withdrawn: r.13)
    }

    /// The uploads an account may see: all for the analyst, its partner's own for a partner, none for a CSP.
    public static func visible(_ client: PostgresClient, to account: Account, logger: Logger) async throws -> [UploadRecord] {
        switch account.role {
        case .analyst:
            return try await client.query("SELECT \(unescaped: columns) FROM uploads u JOIN users a ON a.id = u.user_id ORDER BY u.id DESC",
                                          logger: logger).decode(Row.self).all().map(record)
        case .partner:
            return try await client.query("""
                SELECT \(unescaped: columns) FROM uploads u JOIN users a ON a.id = u.user_id WHERE u.partner = \(account.partner ?? "")
                ORDER BY u.id DESC
                """, logger: logger).decode(Row.self).all().map(record)
        case .csp:
            return []
        }
    }

    /// One upload, if the account may see it (nil both when it does not exist and when it is another partner's:
    /// a partner cannot tell the two apart).
    public static func one(_ client: PostgresClient, id: Int64, for account: Account, logger: Logger) async throws -> UploadRecord? {
        let rows = try await client.query("SELECT \(unescaped: columns) FROM uploads u JOIN users a ON a.id = u.user_id WHERE u.id = \(id)",
                                          logger: logger).decode(Row.self).all().map(record)
        guard let r = rows.first else { return nil }
        switch account.role {
        case .analyst: return r
        case .partner: return r.partner == account.partner ? r : nil
        case .csp: return nil
        }
    }

    public static func rejects(_ client: PostgresClient, upload id: Int64, logger: Logger) async throws -> [RejectRow] {
        try await client.query("SELECT line, reason, detail, record FROM upload_rejects WHERE upload_id = \(id) ORDER BY seq", logger: logger)
            .decode((Int, String, String, String).self).all().map { RejectRow(line: $0.0, reason: $0.1, detail: $0.2, record: $0.3) }
    }
}

extension AsyncSequence {
    /// Every element, in order.
    func all() async throws -> [Element] {
        var out: [Element] = []
        for try await e in self { out.append(e) }
        return out
    }
}
