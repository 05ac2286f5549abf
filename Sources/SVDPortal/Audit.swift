import Foundation
import Logging
import PostgresNIO

/// The audit log: who viewed, downloaded, uploaded, published or granted what, when and from where. Rows are only
/// ever inserted (the table refuses UPDATE, DELETE and TRUNCATE).
public enum Audit {
    public struct Entry: Sendable, Codable, Equatable {
        public let id: Int64
        public let at: String
        public let username: String?
        public let action: String
        public let target: String?
        public let remote: String?
        public let detail: String?
    }

    public static func record(_ client: PostgresClient, account: Account?, username: String? = nil, action: String, target: String? = nil,
                              remote: String?, detail: String? = nil, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO audit_log (user_id, username, action, target, remote, detail)
            VALUES (\(account?.id), \(account?.username ?? username), \(action), \(target), \(remote), \(detail))
            """, logger: logger)
    }

    /// The latest `limit` entries, newest first (nil: all, for the export).
    public static func entries(_ client: PostgresClient, limit: Int?, logger: Logger) async throws -> [Entry] {
        try await client.query("""
            SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), username, action, target, remote, detail
            FROM audit_log ORDER BY id DESC LIMIT \(limit ?? Int.max)
            """, logger: logger).decode((Int64, String, String?, String, String?, String?, String?).self).all()
            .map { Entry(id: $0.0, at: $0.1, username: $0.2, action: $0.3, target: $0.4, remote: $0.5, detail: $0.6) }
    }
}
