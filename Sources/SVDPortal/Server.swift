import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import NIOCore
import PostgresNIO
import SVDCore
import SVDPublish

/// What a portal serves with: the area, the partnership's disclosure key and public-tier settings (the same
/// `--disclosure-key-file`, `--suppress-below` and `--min-base` as the CLI), and the limits.
public struct PortalConfig: Sendable {
    public var area = "kent-medway"
    public var disclosureKey: DisclosureKey
    public var publicPolicy: DisclosurePolicy
    public var maxUploadBytes = 32 << 20
    /// bcrypt's cost for new passwords (12: about a quarter of a second per hash).
    public var bcryptCost: UInt8 = 12
    /// Failed logins allowed per user name in 15 minutes (four times as many per address).
    public var loginFailures = 5
    /// Set the cookie's Secure flag: behind TLS (a reverse proxy), always.
    public var secureCookies = false

    public init(disclosureKey: DisclosureKey, publicPolicy: DisclosurePolicy = DisclosurePolicy()) {
        self.disclosureKey = disclosureKey
        self.publicPolicy = publicPolicy
    }
}

/// Every request's context: Hummingbird's own, and the peer's address for the audit log and login throttle.
public struct PortalContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    var remote: String { remoteAddress?.ipAddress ?? "unknown" }
}

/// Why a request is refused: each is one status and one sentence, as a page or as JSON under /api/.
struct Refusal: Error {
    let status: HTTPResponse.Status
    let message: String

    static let signIn = Refusal(status: .unauthorized, message: "Sign in to see this page.")
    static func forbidden(_ why: String) -> Refusal { Refusal(status: .forbidden, message: why) }
    static let notFound = Refusal(status: .notFound, message: "There is nothing here, or nothing you may see.")
    static func bad(_ why: String) -> Refusal { Refusal(status: .badRequest, message: why) }
}

public struct Portal: Sendable {
    public let client: PostgresClient
    public let config: PortalConfig
    let throttle: LoginThrottle
    let logger: Logger
    /// A hash to check unknown user names against, so a wrong name takes as long as a wrong password.
    let decoyHash: String

    static let sessionCookie = "svd_session"
    static let loginCookie = "svd_login"
    static let formLimit = 64 << 10

    public init(client: PostgresClient, config: PortalConfig, logger: Logger = Logger(label: "svd.portal")) {
        self.client = client
        self.config = config
        self.logger = logger
        throttle = LoginThrottle(limit: config.loginFailures)
        decoyHash = Bcrypt.hash(Passwords.token(), cost: config.bcryptCost)
    }

    /// A portal with its own client for the database at `location`.
    public init(location: DatabaseLocation, config: PortalConfig, logger: Logger = Logger(label: "svd.portal")) {
        self.init(client: PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger), config: config, logger: logger)
    }

    /// The HTTP server on `host:port` (port 0: any free one), with the database client among its services when
    /// `runsClient` (tests run the client themselves, around several apps).
    public func application(host: String = "127.0.0.1", port: Int = 8080, runsClient: Bool = true,
                            onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "svd"),
                    services: runsClient ? [client] : [], onServerRunning: onServerRunning, logger: logger)
    }

    public func router() -> Router<PortalContext> {
        let router = Router(context: PortalContext.self)
        router.add(middleware: SecurityHeaders())
        router.get("/login") { request, _ in try await loginPage(request, message: nil, status: .ok) }
        router.post("/login") { request, context in try await login(request, context) }
        router.post("/logout", use: guarded(nil) { request, context, s in
            _ = try await form(request, s)
            try await Sessions.end(client, s, logger: logger)
            try await audit(s, "logout", nil, context)
            var r = redirect("/login")
            r.setCookie(cookie(Self.sessionCookie, "", maxAge: 0))
            return r
        })
        router.get("/", use: guarded(nil) { _, _, s in html(Pages.home(s)) })

        // Uploads: the analyst's all, a partner's own; CSPs have none.
        let uploaders: Set<Role> = [.analyst, .partner]
        router.get("/uploads", use: guarded(uploaders) { _, _, s in
            html(Pages.uploads(s, try await UploadQueries.visible(client, to: s.account, logger: logger)))
        })
        router.get("/uploads/new", use: guarded(uploaders) { _, _, s in html(Pages.uploadForm(s, maxBytes: config.maxUploadBytes)) })
        router.post("/uploads", use: guarded(uploaders) { request, context, s in try await upload(request, context, s) })
        router.get("/uploads/:id", use: guarded(uploaders) { _, context, s in
            let u = try await visibleUpload(context, s)
            let rejects = try await UploadQueries.rejects(client, upload: u.id, logger: logger)
            try await audit(s, "view_upload", "upload:\(u.id)", context)
            return html(Pages.upload(s, u, rejects: rejects, shown: 500))
        })
        router.post("/uploads/:id/withdraw", use: guarded([.analyst]) { request, context, s in
            _ = try await form(request, s)
            guard let id = context.parameters.get("id", as: Int64.self) else { throw Refusal.notFound }
            let (withdrawn, republished) = try await PackPublisher.withdraw(client, upload: id, by: s.account, config: config, logger: logger)
            guard withdrawn else { throw Refusal.notFound }
            try await audit(s, "withdraw", "upload:\(id)", context,
                            detail: republished.map { "packs rebuilt from uploads \($0.uploads.map(String.init).joined(separator: ","))" } ?? "no pack was built from it, or none is left")
            return redirect("/uploads/\(id)")
        })
        router.get("/uploads/:id/rejects.csv", use: guarded(uploaders) { _, context, s in
            let u = try await visibleUpload(context, s)
            let rejects = try await UploadQueries.rejects(client, upload: u.id, logger: logger)
            try await audit(s, "download_rejects", "upload:\(u.id)", context)
            var csv = "line,reason,detail,record\n"
            for r in rejects { csv += "\(r.line),\(Pages.csvCell(r.reason)),\(Pages.csvCell(r.detail)),\(Pages.csvCell(r.record))\n" }
            return download(csv, type: "text/csv; charset=utf-8", name: "upload-\(u.id)-rejects.csv")
        })

        // Packs: the analyst's every district in either tier; a CSP its own district in its granted tier.
        let readers: Set<Role> = [.analyst, .csp]
        router.get("/packs", use: guarded(readers) { _, _, s in
            html(Pages.packs(s, try await PackPublisher.visible(client, to: s.account, logger: logger)))
        })
        router.get("/packs/:district", use: guarded(readers) { request, context, s in
            let (district, tier, page) = try await pack(request, context, s)
            try await audit(s, "view_pack", "pack:\(district):\(tier.rawValue)", context)
            return html(page)
        })
        router.get("/packs/:district/download", use: guarded(readers) { request, context, s in
            let (district, tier, page) = try await pack(request, context, s)
            try await audit(s, "download_pack", "pack:\(district):\(tier.rawValue)", context)
            return download(page, type: "text/html; charset=utf-8", name: "svd-pack-\(district)-\(tier.rawValue).html")
        })
        router.get("/packs/:district/workbook.xlsx", use: guarded(readers) { request, context, s in
            let (district, tier) = try packScope(request, context, s)
            guard tier == .partner else {
                throw Refusal(status: .notFound, message: "A pack's workbook comes with the partner tier; the public pack is its HTML report.")
            }
            guard let xlsx = try await PackPublisher.workbook(client, district: district, tier: tier, logger: logger) else {
                throw Refusal(status: .notFound, message: "No \(tier.rawValue)-tier workbook has been published for \(district) yet.")
            }
            try await audit(s, "download_pack_workbook", "pack:\(district):\(tier.rawValue)", context)
            return Response(status: .ok, headers: [.contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                                   .contentDisposition: "attachment; filename=\"svd-pack-\(district)-\(tier.rawValue).xlsx\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: xlsx)))
        })
        router.post("/publish", use: guarded([.analyst]) { request, context, s in
            _ = try await form(request, s)
            let publication: PackPublisher.Publication
            do {
                publication = try await PackPublisher.publish(client, by: s.account, config: config, logger: logger)
            } catch let e as PortalError {
                throw Refusal(status: .conflict, message: e.description)
            }
            try await audit(s, "publish", "packs", context,
                            detail: "\(publication.packs) packs, \(publication.period), uploads \(publication.uploads.map(String.init).joined(separator: ",")) (binned now: \(publication.binned.map(String.init).joined(separator: ",")))")
            return redirect("/packs")
        })

        // The analyst's own pages: accounts (tier grants) and the audit log.
        router.get("/accounts", use: guarded([.analyst]) { _, _, s in html(Pages.accounts(s, try await Accounts.all(client, logger: logger))) })
        router.post("/accounts/:id/tier", use: guarded([.analyst]) { request, context, s in
            let fields = try await form(request, s)
            guard let id = context.parameters.get("id", as: Int64.self) else { throw Refusal.notFound }
            guard let tier = fields["tier"].flatMap(DisclosureTier.init(rawValue:)) else { throw Refusal.bad("tier is public or partner") }
            guard try await Accounts.grant(client, accountID: id, tier: tier, logger: logger) else { throw Refusal.notFound }
            try await audit(s, "grant_tier", "user:\(id)", context, detail: tier.rawValue)
            return redirect("/accounts")
        })
        router.get("/audit", use: guarded([.analyst]) { _, context, s in
            let entries = try await Audit.entries(client, limit: 500, logger: logger)
            try await audit(s, "view_audit", nil, context)
            return html(Pages.audit(s, entries))
        })
        router.get("/audit.csv", use: guarded([.analyst]) { _, context, s in
            try await audit(s, "export_audit", nil, context)
            let entries = try await Audit.entries(client, limit: nil, logger: logger)
            var csv = "id,at,user,action,target,remote,detail\n"
            for e in entries.reversed() {
                csv += "\(e.id),\(e.at),\([e.username ?? "", e.action, e.target ?? "", e.remote ?? "", e.detail ?? ""].map(Pages.csvCell).joined(separator: ","))\n"
            }
            return download(csv, type: "text/csv; charset=utf-8", name: "svd-audit-log.csv")
        })

        // The JSON API: the same rules as the pages.
        router.get("/api/me", use: guarded(nil) { _, _, s in
            let a = s.account
            return try json(["username": a.username, "role": a.role.rawValue, "partner": a.partner ?? "", "district": a.district ?? "",
                             "tier": a.role == .csp ? a.cspTier.rawValue : ""])
        })
        router.get("/api/uploads", use: guarded(uploaders) { _, _, s in
            try json(try await UploadQueries.visible(client, to: s.account, logger: logger))
        })
        router.get("/api/uploads/:id", use: guarded(uploaders) { _, context, s in
            let u = try await visibleUpload(context, s)
            let rejects = try await UploadQueries.rejects(client, upload: u.id, logger: logger)
            try await audit(s, "view_upload", "upload:\(u.id)", context, detail: "api")
            return try json(UploadDetail(upload: u, rejects: rejects.map { .init(line: $0.line, reason: $0.reason, detail: $0.detail) }))
        })
        router.get("/api/packs", use: guarded(readers) { _, _, s in
            try json(try await PackPublisher.visible(client, to: s.account, logger: logger))
        })
        return router
    }

    struct UploadDetail: Codable {
        struct Reject: Codable { let line: Int; let reason: String; let detail: String }
        let upload: UploadRecord
        let rejects: [Reject]
    }

    // MARK: The rules every route goes through

    /// The route's handler, run only for a live session of one of `roles` (nil: any role): otherwise 401 without
    /// a session, 403 with the wrong role. Refusals inside the handler become their status.
    func guarded(_ roles: Set<Role>?, _ handler: @escaping @Sendable (Request, PortalContext, Session) async throws -> Response)
        -> @Sendable (Request, PortalContext) async throws -> Response {
        { request, context in
            let api = request.uri.path.hasPrefix("/api/")
            var session: Session?
            do {
                guard let s = try await currentSession(request) else { throw Refusal.signIn }
                session = s
                if let roles, !roles.contains(s.account.role) {
                    throw Refusal.forbidden("A \(Pages.roleLabel(s.account)) account may not use this page.")
                }
                return try await handler(request, context, s)
            } catch let r as Refusal {
                // A signed-in account asking for what it may not see is itself worth a line in the audit log.
                if let session, r.status == .forbidden || r.status == .notFound {
                    try await Audit.record(client, account: session.account, action: "refused", target: request.uri.path, remote: context.remote,
                                           detail: "\(r.status.code)", logger: logger)
                }
                return refuse(r, api: api, session: session)
            }
        }
    }

    func refuse(_ r: Refusal, api: Bool, session: Session?) -> Response {
        if api, let body = try? JSONEncoder().encode(["error": r.message]) {
            return Response(status: r.status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return html(Pages.refusal(status: r.status.code, r.message, session: session), status: r.status)
    }

    func currentSession(_ request: Request) async throws -> Session? {
        guard let token = request.cookies[Self.sessionCookie]?.value, !token.isEmpty else { return nil }
        return try await Sessions.find(client, token: token, logger: logger)
    }

    /// A form's fields, once its CSRF token matches the session's (every POST carries one).
    func form(_ request: Request, _ s: Session) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: Self.formLimit)
        let fields = Forms.urlEncoded(String(buffer: body))
        try checkCSRF(fields["csrf"] ?? request.headers[.init("X-CSRF-Token")!] ?? "", s)
        return fields
    }

    func checkCSRF(_ given: String, _ s: Session) throws {
        guard Forms.constantTimeEqual(given, s.csrf) else { throw Refusal.forbidden("The form has expired or did not come from this portal: reload it and try again.") }
    }

    func audit(_ s: Session?, _ action: String, _ target: String?, _ context: PortalContext, detail: String? = nil) async throws {
        try await Audit.record(client, account: s?.account, action: action, target: target, remote: context.remote, detail: detail, logger: logger)
    }

    func visibleUpload(_ context: PortalContext, _ s: Session) async throws -> UploadRecord {
        guard let id = context.parameters.get("id", as: Int64.self),
              let u = try await UploadQueries.one(client, id: id, for: s.account, logger: logger) else { throw Refusal.notFound }
        return u
    }

    /// The pack a request names, if the account may read it: a CSP its own district only, in its granted tier;
    /// the analyst any district in the tier asked for (public by default).
    func pack(_ request: Request, _ context: PortalContext, _ s: Session) async throws -> (String, DisclosureTier, String) {
        let (district, tier) = try packScope(request, context, s)
        guard let page = try await PackPublisher.html(client, district: district, tier: tier, logger: logger) else {
            throw Refusal(status: .notFound, message: "No \(tier.rawValue)-tier pack has been published for \(district) yet.")
        }
        return (district, tier, page)
    }

    /// The district and tier a pack request may read (the rules of `pack`), before anything is fetched.
    func packScope(_ request: Request, _ context: PortalContext, _ s: Session) throws -> (String, DisclosureTier) {
        guard let district = context.parameters.get("district") else { throw Refusal.notFound }
        let asked = request.uri.queryParameters.get("tier")
        let tier: DisclosureTier
        switch s.account.role {
        case .csp:
            guard district == s.account.district else { throw Refusal.forbidden("A CSP account sees its own district's pack only.") }
            tier = s.account.cspTier
            if let asked, asked != tier.rawValue { throw Refusal.forbidden("This account is granted the \(tier.rawValue) tier only.") }
        case .analyst:
            guard let t = DisclosureTier(rawValue: asked ?? "public") else { throw Refusal.bad("tier is public or partner") }
            tier = t
        case .partner:
            throw Refusal.forbidden("Partner accounts have no packs.")
        }
        return (district, tier)
    }

    // MARK: Login and upload

    func loginPage(_ request: Request, message: String?, status: HTTPResponse.Status) async throws -> Response {
        // The login form's CSRF token: double-submitted (a SameSite=Strict cookie and the form field must match).
        let token = (request.cookies[Self.loginCookie]?.value).flatMap { $0.count == 64 ? $0 : nil } ?? Passwords.token()
        var r = html(Pages.login(csrf: token, message: message), status: status)
        r.setCookie(cookie(Self.loginCookie, token, path: "/login"))
        return r
    }

    func login(_ request: Request, _ context: PortalContext) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: Self.formLimit) } catch {
            return refuse(Refusal(status: .contentTooLarge, message: "That form is too large."), api: false, session: nil)
        }
        let fields = Forms.urlEncoded(String(buffer: body))
        let username = fields["username"] ?? "", password = fields["password"] ?? ""
        guard let expected = request.cookies[Self.loginCookie]?.value, !expected.isEmpty,
              Forms.constantTimeEqual(fields["csrf"] ?? "", expected) else {
            return refuse(.forbidden("The sign-in form has expired: reload it and try again."), api: false, session: nil)
        }
        let remote = context.remote
        guard await throttle.allows(username: username, remote: remote) else {
            try await Audit.record(client, account: nil, username: String(username.prefix(64)), action: "login_throttled", remote: remote, logger: logger)
            return try await loginPage(request, message: "Too many failed attempts: wait 15 minutes and try again.", status: .tooManyRequests)
        }
        let found = username.count <= 64 && password.count <= 200 ? try await Accounts.find(client, username: username, logger: logger) : nil
        let ok = try await Passwords.verify(password, hash: found?.1 ?? decoyHash) && found != nil
        guard ok, let account = found?.0 else {
            await throttle.failed(username: username, remote: remote)
            try await Audit.record(client, account: nil, username: String(username.prefix(64)), action: "login_failed", remote: remote, logger: logger)
            return try await loginPage(request, message: "The user name or password is wrong.", status: .unauthorized)
        }
        await throttle.succeeded(username: username)
        let (token, session) = try await Sessions.start(client, account: account, logger: logger)
        try await audit(session, "login", nil, context)
        var r = redirect("/")
        r.setCookie(cookie(Self.sessionCookie, token))
        r.setCookie(cookie(Self.loginCookie, "", path: "/login", maxAge: 0))
        return r
    }

    func upload(_ request: Request, _ context: PortalContext, _ s: Session) async throws -> Response {
        let partner = s.account.partner
        // A body over the limit is never read past it; the attempt is in the ledger all the same.
        let declared = request.headers[.contentLength].flatMap(Int.init)
        var request = request
        var body: ByteBuffer?
        if declared.map({ $0 <= config.maxUploadBytes }) ?? true {
            do { body = try await request.collectBody(upTo: config.maxUploadBytes) } catch is NIOTooManyBytesError { body = nil }
        }
        guard let body else {
            let id = try await UploadIngest.storeOversized(client, by: s.account, partner: partner ?? "VRU", limit: config.maxUploadBytes, logger: logger)
            try await audit(s, "upload_refused", "upload:\(id)", context, detail: "too large")
            throw Refusal(status: .contentTooLarge, message: "The upload is larger than \(config.maxUploadBytes) bytes; nothing was read (upload \(id) in the ledger).")
        }
        guard let boundary = Forms.boundary(request.headers[.contentType] ?? "") else { throw Refusal.bad("An upload is a multipart/form-data form.") }
        let parts = Forms.multipart(Array(buffer: body), boundary: boundary)
        func field(_ name: String) -> String? { parts.first { $0.name == name && $0.filename == nil }.map { String(decoding: $0.content, as: UTF8.self) } }
        try checkCSRF(field("csrf") ?? "", s)
        guard let mapping = UploadMapping(rawValue: field("mapping") ?? "native") else { throw Refusal.bad("Unknown layout.") }
        guard let file = parts.first(where: { $0.name == "file" && $0.filename != nil }), !file.content.isEmpty else {
            throw Refusal.bad("Choose a CSV file to upload.")
        }
        let source = field("source").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : String($0.prefix(60)) }
        let owner: String
        if s.account.role == .partner {
            owner = partner ?? ""
        } else {
            let given = (field("partner") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            owner = given.isEmpty ? "VRU" : String(given.prefix(120))
        }
        // Shown back on pages (escaped) and stored (bound); never a path.
        let filename = String(terminalSafe(file.filename ?? "upload.csv").prefix(255))
        let (id, outcome) = try await UploadIngest.store(client, by: s.account, partner: owner, filename: filename, content: Data(file.content),
                                                         mapping: mapping, source: source, area: config.area, logger: logger)
        try await audit(s, "upload", "upload:\(id)", context,
                        detail: "\(outcome.status.rawValue): \(outcome.rowsRead) read, \(outcome.accepted) accepted")
        return redirect("/uploads/\(id)")
    }

    // MARK: Responses

    func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    func json<T: Encodable>(_ value: T) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    func download(_ text: String, type: String, name: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    func cookie(_ name: String, _ value: String, path: String = "/", maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge ?? Sessions.lifetimeSeconds, path: path, secure: config.secureCookies,
               httpOnly: true, sameSite: .strict)
    }
}

/// Headers on every response: no scripts, no framing, nothing fetched from elsewhere, nothing cached.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var r = try await next(request, context)
        r.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        r.headers[.init("X-Content-Type-Options")!] = "nosniff"
        r.headers[.init("X-Frame-Options")!] = "DENY"
        r.headers[.init("Referrer-Policy")!] = "no-referrer"
        r.headers[.cacheControl] = "no-store"
        return r
    }
}

/// Form bodies: URL-encoded and multipart, parsed by hand (small, and no dependency for it).
enum Forms {
    static func urlEncoded(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let k = kv.first else { continue }
            let key = decode(k)
            if out[key] == nil { out[key] = kv.count > 1 ? decode(kv[1]) : "" }
        }
        return out
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    static func boundary(_ contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == "boundary" {
                let b = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return (1...70).contains(b.count) ? b : nil
            }
        }
        return nil
    }

    struct Part {
        var name: String?
        var filename: String?
        var content: ArraySlice<UInt8>
    }

    static func multipart(_ body: [UInt8], boundary: String) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var i = 0
        while let at = find(delimiter, in: body, from: i) {
            starts.append(at)
            i = at + delimiter.count
        }
        var parts: [Part] = []
        for (a, b) in zip(starts, starts.dropFirst()) {
            var from = a + delimiter.count
            if from + 1 < body.count, body[from] == 13, body[from + 1] == 10 { from += 2 } else { continue }
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: from), headerEnd < b else { continue }
            let headers = String(decoding: body[from..<headerEnd], as: UTF8.self)
            var end = b
            if end >= 2, body[end - 2] == 13, body[end - 1] == 10 { end -= 2 }
            var part = Part(content: body[(headerEnd + 4)..<max(headerEnd + 4, end)])
            for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                part.name = parameter("name", in: line)
                part.filename = parameter("filename", in: line)
            }
            parts.append(part)
        }
        return parts
    }

    /// `name="value"` in a Content-Disposition line (a quoted value may hold `;`).
    static func parameter(_ key: String, in line: Substring) -> String? {
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            // A parameter starts after ';' and spaces.
            if chars[i] == ";" {
                var j = i + 1
                while j < chars.count, chars[j] == " " { j += 1 }
                let rest = String(chars[j...])
                if rest.lowercased().hasPrefix(key + "=") {
                    var k = j + key.count + 1
                    if k < chars.count, chars[k] == "\"" {
                        k += 1
                        var value = ""
                        while k < chars.count, chars[k] != "\"" {
                            if chars[k] == "\\", k + 1 < chars.count { k += 1 }
                            value.append(chars[k])
                            k += 1
                        }
                        return value
                    }
                    var value = ""
                    while k < chars.count, chars[k] != ";" { value.append(chars[k]); k += 1 }
                    return value
                }
            }
            i += 1
        }
        return nil
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        let first = needle[0]
        var i = from
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first {
                var match = true
                for k in 1..<needle.count where hay[i + k] != needle[k] { match = false; break }
                if match { return i }
            }
            i += 1
        }
        return nil
    }
}
