import Foundation
import HummingbirdBcrypt
import Logging
import NIOPosix
import PostgresNIO
import SVDEngine
import SVDPublish

/// What an account may do: the VRU analyst sees everything; a partner (specified authority) its own uploads; a
/// community safety partnership its own district's pack.
public enum Role: String, Sendable, CaseIterable {
    case analyst, partner, csp
}

public struct Account: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let role: Role
    /// The specified authority a partner account uploads for.
    public let partner: String?
    /// A CSP account's district code.
    public let district: String?
    /// The tier a CSP account's pack is shown in: public unless the analyst granted partner.
    public let cspTier: DisclosureTier
}

/// Passwords: bcrypt, off the event loops (a hash at cost 12 takes a quarter of a second of CPU).
public enum Passwords {
    public static func hash(_ password: String, cost: UInt8) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A password for a new account: 20 characters from an alphabet without look-alikes (about 110 bits).
    public static func generate() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// 32 random bytes as hex: session tokens and CSRF tokens.
    public static func token() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", rng.next() as UInt64) }.joined()
    }
}

public enum Accounts {
    static func account(_ row: (Int64, String, String, String?, String?, String)) -> Account? {
        guard let role = Role(rawValue: row.2) else { return nil }
        return Account(id: row.0, username: row.1, role: role, partner: row.3, district: row.4,
                       cspTier: DisclosureTier(rawValue: row.5) ?? .public)
    }

    /// Creates an account; partner accounts need `partner`, CSP accounts a district code of the area.
    public static func create(_ client: PostgresClient, username: String, password: String, role: Role, partner: String? = nil,
                              district: String? = nil, tier: DisclosureTier = .public, bcryptCost: UInt8, logger: Logger) async throws -> Account {
        guard (1...64).contains(username.count), username.allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) }) else {
            throw PortalError.account("a user name is 1 to 64 letters, digits, '.', '_', '-' or '@'")
        }
        if role == .partner && (partner ?? "").isEmpty { throw PortalError.account("a partner account needs the partner (specified authority) it uploads for") }
        if role == .csp && district == nil { throw PortalError.account("a CSP account needs its district's code") }
        if role != .partner && partner != nil { throw PortalError.account("only partner accounts have a partner") }
        if role != .csp && district != nil { throw PortalError.account("only CSP accounts have a district") }
        if let district {
            let known = try await client.query("SELECT 1 FROM districts WHERE code = \(district)", logger: logger).decode(Int.self).all()
            if known.isEmpty { throw PortalError.account("district '\(district)' is not a district of the area (run `svd serve migrate` first)") }
        }
        let hash = try await Passwords.hash(password, cost: bcryptCost)
        let rows = try await client.query("""
            INSERT INTO users (username, password_hash, role, partner, district, csp_tier)
            VALUES (\(username), \(hash), \(role.rawValue), \(partner), \(district), \(tier.rawValue))
            ON CONFLICT (username) DO NOTHING RETURNING id
            """, logger: logger).decode(Int64.self).all()
        guard let id = rows.first else { throw PortalError.account("user '\(username)' exists already") }
        return Account(id: id, username: username, role: role, partner: partner, district: district, cspTier: tier)
    }

    public static func find(_ client: PostgresClient, username: String, logger: Logger) async throws -> (Account, String)? {
        let rows = try await client.query("""
            SELECT id, username, role, partner, district, csp_tier, password_hash FROM users WHERE username = \(username)
            """, logger: logger).decode((Int64, String, String, String?, String?, String, String).self).all()
        guard let r = rows.first, let a = account((r.0, r.1, r.2, r.3, r.4, r.5)) else { return nil }
        return (a, r.6)
    }

    public static func all(_ client: PostgresClient, logger: Logger) async throws -> [Account] {
        try await client.query("SELECT id, username, role, partner, district, csp_tier FROM users ORDER BY role, username", logger: logger)
            .decode((Int64, String, String, String?, String?, String).self).all().compactMap(account)
    }

    /// The analyst's grant: which tier a CSP account's pack is shown in. Only CSP accounts have one.
    public static func grant(_ client: PostgresClient, accountID: Int64, tier: DisclosureTier, logger: Logger) async throws -> Bool {
        let rows = try await client.query("""
            UPDATE users SET csp_tier = \(tier.rawValue) WHERE id = \(accountID) AND role = 'csp' RETURNING id
            """, logger: logger).decode(Int64.self).all()
        return !rows.isEmpty
    }
}

/// A signed-in session: the account and the form token its pages carry.
public struct Session: Sendable {
    public let account: Account
    public let csrf: String
    /// SHA-256 of the cookie's token (the key in `sessions`).
    let tokenHash: String
}

public enum Sessions {
    public static let lifetimeSeconds = 8 * 3600

    static func hash(_ token: String) -> String { SHA256Hex.of(Data(token.utf8)) }

    /// A new session; returns the cookie's token (only its hash is stored).
    public static func start(_ client: PostgresClient, account: Account, logger: Logger) async throws -> (token: String, session: Session) {
        let token = Passwords.token(), csrf = Passwords.token(), tokenHash = hash(token)
        try await client.query("""
            INSERT INTO sessions (token_sha256, user_id, csrf_token, expires_at)
            VALUES (\(tokenHash), \(account.id), \(csrf), now() + make_interval(secs => \(Double(lifetimeSeconds))))
            """, logger: logger)
        return (token, Session(account: account, csrf: csrf, tokenHash: tokenHash))
    }

    /// The live session a cookie's token names: not ended by logout, not expired.
    public static func find(_ client: PostgresClient, token: String, logger: Logger) async throws -> Session? {
        guard token.count == 64, token.allSatisfy(\.isHexDigit) else { return nil }
        let tokenHash = hash(token)
        let rows = try await client.query("""
            SELECT u.id, u.username, u.role, u.partner, u.district, u.csp_tier, s.csrf_token
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_sha256 = \(tokenHash) AND s.ended_at IS NULL AND s.expires_at > now()
            """, logger: logger).decode((Int64, String, String, String?, String?, String, String).self).all()
        guard let r = rows.first, let a = Accounts.account((r.0, r.1, r.2, r.3, r.4, r.5)) else { return nil }
        return Session(account: a, csrf: r.6, tokenHash: tokenHash)
    }

    /// Logout: the row stays, the token is refused from now on.
    public static func end(_ client: PostgresClient, _ session: Session, logger: Logger) async throws {
        try await client.query("UPDATE sessions SET ended_at = now() WHERE token_sha256 = \(session.tokenHash) AND ended_at IS NULL", logger: logger)
    }
}

/// Login attempts: after `limit` failures for one user name, or 4 × `limit` from one address, within `window`
/// seconds, further attempts are refused (429) until the window has passed. In memory: one server process.
public actor LoginThrottle {
    let limit: Int
    let window: TimeInterval
    private var failures: [String: [Date]] = [:]

    public init(limit: Int = 5, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    private func recent(_ key: String, now: Date) -> Int {
        let kept = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = kept.isEmpty ? nil : kept
        return kept.count
    }

    public func allows(username: String, remote: String, now: Date = Date()) -> Bool {
        recent("user:\(username.lowercased())", now: now) < limit && recent("addr:\(remote)", now: now) < 4 * limit
    }

    public func failed(username: String, remote: String, now: Date = Date()) {
        failures["user:\(username.lowercased())", default: []].append(now)
        failures["addr:\(remote)", default: []].append(now)
    }

    public func succeeded(username: String) {
        failures["user:\(username.lowercased())"] = nil
    }
}
