import Foundation
import Logging
import PostgresNIO
import SVDEngine

/// Where the portal's PostgreSQL is: a libpq-style URL, `postgresql://user[:password]@host[:port]/database`, where
/// `?host=/folder` names a unix socket's folder (as scripts/portal-db.sh prints it).
public struct DatabaseLocation: Sendable, Equatable {
    public var username: String
    public var password: String?
    public var database: String
    public var host: String
    public var port: Int
    /// The folder holding `.s.PGSQL.<port>`; nil: TCP to host:port.
    public var socketFolder: String?

    public init(url text: String) throws {
        guard let c = URLComponents(string: text), let scheme = c.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw PortalError.badDatabaseURL("not a postgresql:// URL")
        }
        guard let user = c.user, !user.isEmpty else { throw PortalError.badDatabaseURL("no user name") }
        let db = String(c.path.drop(while: { $0 == "/" }))
        guard !db.isEmpty else { throw PortalError.badDatabaseURL("no database name") }
        username = user
        password = c.password
        database = db
        host = c.host ?? "localhost"
        port = c.port ?? 5432
        socketFolder = c.queryItems?.first(where: { $0.name == "host" })?.value.flatMap { $0.hasPrefix("/") ? $0 : nil }
    }

    /// The same server, another database (the tests make one each).
    public func with(database name: String) -> DatabaseLocation {
        var copy = self
        copy.database = name
        return copy
    }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketFolder {
            configuration = .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: .disable)
        }
        configuration.options.maximumConnections = 8
        return configuration
    }
}

public enum PortalError: Error, CustomStringConvertible {
    case badDatabaseURL(String)
    case migration(String)
    case account(String)
    case database(String)

    public var description: String {
        switch self {
        case .badDatabaseURL(let why): "SVD_DATABASE_URL / --database-url: \(why)"
        case .migration(let why): "migrations: \(why)"
        case .account(let why): why
        case .database(let why): why
        }
    }
}

/// Runs `body` with a connected client, then shuts the client down (the CLI's one-shot commands).
public func withDatabase<T: Sendable>(_ location: DatabaseLocation, logger: Logger = Logger(label: "svd.portal"),
                                      _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    // The first query may be queued before run() has started; PostgresNIO warns about that, harmlessly.
    var background = logger
    background.logLevel = .error
    let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: background)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        do {
            return try await body(client)
        } catch let e as PSQLError {
            throw PortalError.database(location.describe(e))
        } catch where "\(error)".contains("ConnectionPoolError") {
            throw PortalError.database(location.describe(error))
        }
    }
}

extension DatabaseLocation {
    /// Where, for messages: the socket's folder or host:port, and the database (never the password).
    public var place: String { "\(socketFolder.map { "socket \($0)" } ?? "\(host):\(port)"), database \(database)" }

    /// One line about a database error: the server's own message, or that it could not be reached.
    public func describe(_ error: Error) -> String {
        if let e = error as? PSQLError, let message = e.serverInfo?[.message] { return "the database (\(place)) said: \(message)" }
        if "\(error)".contains("ConnectionPoolError") || (error as? PSQLError)?.code == .connectionError {
            return "cannot connect to the database (\(place)): is it running? (eval \"$(bash scripts/portal-db.sh)\")"
        }
        return "database (\(place)): \(String(reflecting: error))"
    }
}

/// The numbered SQL files in `Migrations/` (0001_portal.sql, …), applied in order, each once, each in its own
/// transaction, recorded in `schema_migrations`.
public enum Migrations {
    public struct File: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public static func files() throws -> [File] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw PortalError.migration("the Migrations folder is missing from svd's resources")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        return try names.map { name in
            guard let version = Int(name.prefix(while: \.isNumber)) else { throw PortalError.migration("\(name): no leading number") }
            return File(version: version, name: name, sql: try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
        }
    }

    /// Applies the files not yet applied; returns their names. Concurrent callers wait on one advisory lock.
    @discardableResult
    public static func apply(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        let files = try files()
        return try await client.withTransaction(logger: logger) { db in
            // 5_276_101: an arbitrary key, the portal's own: one migrator at a time.
            try await db.query("SELECT pg_advisory_xact_lock(5276101)", logger: logger)
            try await db.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                                              applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var done = Set<Int>()
            for try await version in try await db.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                done.insert(version)
            }
            var applied: [String] = []
            for file in files where !done.contains(file.version) {
                for statement in statements(file.sql) {
                    // The only unbound SQL the portal runs: the repository's own migration files, never user input.
                    try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await db.query("INSERT INTO schema_migrations (version, name) VALUES (\(file.version), \(file.name))", logger: logger)
                applied.append(file.name)
            }
            return applied
        }
    }

    /// A file split into statements at `;` outside quotes, comments and dollar-quoted bodies (the extended
    /// protocol postgres-nio speaks takes one statement per query).
    static func statements(_ sql: String) -> [String] {
        var out: [String] = []
        var current = ""
        let chars = Array(sql)
        var i = 0
        var dollarTag: String?
        while i < chars.count {
            let c = chars[i]
            if let tag = dollarTag {
                if c == "$", String(chars[i..<min(chars.count, i + tag.count)]) == tag {
                    current += tag
                    i += tag.count
                    dollarTag = nil
                    continue
                }
                current.append(c)
                i += 1
                continue
            }
            if c == "-", i + 1 < chars.count, chars[i + 1] == "-" {
                while i < chars.count, chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "'" {
                current.append(c)
                i += 1
                while i < chars.count {
                    current.append(chars[i])
                    if chars[i] == "'" { i += 1; break }
                    i += 1
                }
                continue
            }
            if c == "$" {
                var j = i + 1
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                if j < chars.count, chars[j] == "$" {
                    let tag = String(chars[i...j])
                    dollarTag = tag
                    current += tag
                    i = j + 1
                    continue
                }
            }
            if c == ";" {
                let s = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !s.isEmpty { out.append(s) }
                current = ""
                i += 1
                continue
            }
            current.append(c)
            i += 1
        }
        let s = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !s.isEmpty { out.append(s) }
        return out
    }

    /// The area's districts into `districts` (codes CSP accounts and packs refer to), from the engine's own area.
    public static func loadDistricts(_ client: PostgresClient, area spec: String, logger: Logger) async throws -> Int {
        let area = try AreaResolver.area(spec)
        let codes = area.districts.map(\.code), names = area.districts.map(\.name)
        try await client.query("""
            INSERT INTO districts (code, name) SELECT * FROM unnest(\(codes)::text[], \(names)::text[])
            ON CONFLICT (code) DO UPDATE SET name = excluded.name
            """, logger: logger)
        return codes.count
    }
}
