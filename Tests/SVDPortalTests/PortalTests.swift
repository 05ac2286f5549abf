import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import SVDCore
import SVDDemo
import SVDDetect
import SVDEngine
import SVDPublish
import XCTest
@testable import SVDPortal

/// The portal against a real PostgreSQL + PostGIS: scripts/portal-db.sh starts (or installs) the cluster, the class
/// makes its own database from svd_template, loads demo extracts through the upload path, publishes the packs,
/// and serves the app on an ephemeral loopback port for each test.
final class PortalTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let logger = Logger(label: "svd.portal.tests")
    /// Folkestone and Hythe, and Maidstone: the two CSPs of the matrix.
    static let districtX = "E07000112", districtY = "E07000110"

    struct Fixture: Sendable {
        let portal: Portal
        let server: DatabaseLocation
        let database: String
        let clientRun: Task<Void, Never>
        let passwords: [String: String]
        let ids: [String: Int64]
        let uploadA: Int64
        let uploadB: Int64
    }

    static let shared = Task<Fixture, Error> { try await makeFixture() }

    override class func tearDown() {
        // The class's database goes; the cluster stays for the next run.
        let done = DispatchSemaphore(value: 0)
        Task {
            if let f = try? await shared.value {
                f.clientRun.cancel()
                _ = try? await withDatabase(f.server.with(database: "postgres")) { admin in
                    try await admin.query("DROP DATABASE IF EXISTS \(unescaped: f.database) WITH (FORCE)")
                }
            }
            done.signal()
        }
        done.wait()
        super.tearDown()
    }

    /// `bash scripts/portal-db.sh`: installs, creates and starts the cluster as needed; prints SVD_DATABASE_URL.
    /// Through `Process.output` (posix_spawn and waitpid): Foundation's Process was seen to wait forever for this
    /// script after it had exited.
    static func ensureCluster() async throws -> DatabaseLocation {
        let (status, text) = try await Process.output("/usr/bin/env", ["bash", packageRoot.appendingPathComponent("scripts/portal-db.sh").path])
        guard status == 0, let line = text.split(separator: "\n").first(where: { $0.contains("SVD_DATABASE_URL=") }) else {
            throw PortalError.migration("scripts/portal-db.sh failed (\(status)): \(text)")
        }
        let url = line.split(separator: "=", maxSplits: 1)[1].trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        return try DatabaseLocation(url: url)
    }

    static func makeFixture() async throws -> Fixture {
        let server = try await ensureCluster()
        let name = "svd_test_\(Passwords.token().prefix(12))"
        try await withDatabase(server.with(database: "postgres"), logger: logger) { admin in
            try await admin.query("CREATE DATABASE \(unescaped: name) TEMPLATE svd_template")
        }
        let location = server.with(database: name)
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        let clientRun = Task { await client.run() }
        try await Migrations.apply(client, logger: logger)
        _ = try await Migrations.loadDistricts(client, area: "kent-medway", logger: logger)

        var config = PortalConfig(disclosureKey: .testing)
        config.bcryptCost = 4
        config.maxUploadBytes = 256 << 10
        let portal = Portal(client: client, config: config, logger: logger)

        var passwords: [String: String] = [:], ids: [String: Int64] = [:], accounts: [String: Account] = [:]
        let specs: [(String, Role, String?, String?)] = [
            ("ana", .analyst, nil, nil), ("pa", .partner, "Kent Police", nil), ("pb", .partner, "Ambulance trust", nil),
            ("cspx", .csp, nil, districtX), ("cspy", .csp, nil, districtY),
        ]
        for (user, role, partner, district) in specs {
            let password = Passwords.generate()
            let a = try await Accounts.create(client, username: user, password: password, role: role, partner: partner, district: district,
                                              bcryptCost: 4, logger: logger)
            passwords[user] = password
            ids[user] = a.id
            accounts[user] = a
        }

        // Two partners' extracts through the upload path: police (native) and an ambulance extract (native layout).
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("svd-portal-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let police = folder.appendingPathComponent("police.csv"), ambulance = folder.appendingPathComponent("amb.csv")
        try DemoGenerator(seed: 11, rows: 4000).write(to: police, format: .native)
        try DemoGenerator(seed: 12, rows: 1000).write(to: ambulance, format: .native)
        let a = try await UploadIngest.store(client, by: accounts["pa"]!, partner: "Kent Police", filename: "police.csv",
                                             content: try Data(contentsOf: police), mapping: .native, source: nil, area: "kent-medway", logger: logger)
        let b = try await UploadIngest.store(client, by: accounts["pb"]!, partner: "Ambulance trust", filename: "amb.csv",
                                             content: try Data(contentsOf: ambulance), mapping: .native, source: "ambulance", area: "kent-medway", logger: logger)
        let started = Date()
        _ = try await PackPublisher.publish(client, by: accounts["ana"]!, config: config, logger: logger)
        print("portal fixture: published 26 packs in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        return Fixture(portal: portal, server: server, database: name, clientRun: clientRun, passwords: passwords, ids: ids,
                       uploadA: a.id, uploadB: b.id)
    }

    // MARK: A browser: cookies and the page's form token

    struct Browser: Sendable {
        var cookies: [String: String] = [:]
        var csrf = ""

        var headers: HTTPFields {
            var h = HTTPFields()
            if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
            return h
        }

        mutating func take(_ response: TestResponse) {
            for line in response.headers[values: .setCookie] {
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2 else { continue }
                if line.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = String(pair[1]) }
            }
        }

        static func csrf(in page: String) -> String? {
            guard let r = page.range(of: "name=\"csrf\" value=\"") else { return nil }
            return String(page[r.upperBound...].prefix(while: { $0 != "\"" }))
        }
    }

    /// `.live` serves on a loopback port; `.router` hands requests to the router (no 20 s read timeout: a
    /// publication, 26 reports and workbooks in a debug build on a busy machine, can take longer).
    func serve<T>(_ f: Fixture, portal: Portal? = nil, setup: TestingSetup = .live,
                  _ test: @escaping @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await (portal ?? f.portal).application(host: "127.0.0.1", port: 0, runsClient: false).test(setup, test)
    }

    func count(_ f: Fixture, _ sql: PostgresQuery) async throws -> Int { try await Web.count(f, sql) }

    // MARK: The route × role matrix

    func testRouteRoleMatrix() async throws {
        let f = try await Self.shared.value
        try await serve(f) { c in
            var browsers: [String: Browser] = ["anon": Browser()]
            for user in ["ana", "pa", "pb", "cspx", "cspy"] { browsers[user] = try await Web.login(c, user, f) }
            let (x, y, a, b) = (Self.districtX, Self.districtY, f.uploadA, f.uploadB)
            let roles = ["anon", "ana", "pa", "pb", "cspx", "cspy"]
            // Expected status per role, in the order of `roles`.
            let gets: [(String, [Int])] = [
                ("/login", [200, 200, 200, 200, 200, 200]),
                ("/", [401, 200, 200, 200, 200, 200]),
                ("/uploads", [401, 200, 200, 200, 403, 403]),
                ("/uploads/new", [401, 200, 200, 200, 403, 403]),
                ("/uploads/\(a)", [401, 200, 200, 404, 403, 403]),
                ("/uploads/\(a)/rejects.csv", [401, 200, 200, 404, 403, 403]),
                ("/uploads/\(b)", [401, 200, 404, 200, 403, 403]),
                ("/uploads/\(b)/rejects.csv", [401, 200, 404, 200, 403, 403]),
                ("/uploads/987654", [401, 404, 404, 404, 403, 403]),
                ("/packs", [401, 200, 403, 403, 200, 200]),
                ("/packs/\(x)", [401, 200, 403, 403, 200, 403]),
                ("/packs/\(x)/download", [401, 200, 403, 403, 200, 403]),
                // A workbook comes with the partner tier only: a public-tier CSP (and the analyst's public view) get 404.
                ("/packs/\(x)/workbook.xlsx", [401, 404, 403, 403, 404, 403]),
                ("/packs/\(x)/workbook.xlsx?tier=partner", [401, 200, 403, 403, 403, 403]),
                ("/packs/\(y)", [401, 200, 403, 403, 403, 200]),
                ("/packs/\(y)/download", [401, 200, 403, 403, 403, 200]),
                ("/packs/\(y)/workbook.xlsx", [401, 404, 403, 403, 403, 404]),
                ("/packs/\(x)?tier=partner", [401, 200, 403, 403, 403, 403]),
                ("/packs/E99999999", [401, 404, 403, 403, 403, 403]),
                ("/packs/E99999999/workbook.xlsx", [401, 404, 403, 403, 403, 403]),
                ("/accounts", [401, 200, 403, 403, 403, 403]),
                ("/audit", [401, 200, 403, 403, 403, 403]),
                ("/audit.csv", [401, 200, 403, 403, 403, 403]),
                ("/api/me", [401, 200, 200, 200, 200, 200]),
                ("/api/uploads", [401, 200, 200, 200, 403, 403]),
                ("/api/uploads/\(a)", [401, 200, 200, 404, 403, 403]),
                ("/api/uploads/\(b)", [401, 200, 404, 200, 403, 403]),
                ("/api/packs", [401, 200, 403, 403, 200, 200]),
            ]
            var failures: [String] = []
            for (uri, expected) in gets {
                for (role, status) in zip(roles, expected) {
                    let r = try await Web.get(c, uri, browsers[role]!)
                    if r.status.code != status { failures.append("GET \(uri) as \(role): \(r.status.code), expected \(status)") }
                }
            }
            // POSTs with each session's own form token (anonymous: none): the role decides before anything runs.
            let cspy = f.ids["cspy"]!
            let posts: [(String, [String: String], [Int])] = [
                ("/accounts/\(cspy)/tier", ["tier": "public"], [401, 303, 403, 403, 403, 403]),
                ("/publish", [:], [401, -1, 403, 403, 403, 403]),  // the analyst's publish: testPublishFromTheBrowser
                ("/uploads/\(a)/withdraw", [:], [401, -1, 403, 403, 403, 403]),  // the analyst's: testWithdrawalRebuildsThePacks
                ("/uploads", [:], [401, -1, -1, -1, 403, 403]),     // uploads: the upload tests
            ]
            for (uri, form, expected) in posts {
                for (role, status) in zip(roles, expected) where status > 0 {
                    let br = browsers[role]!
                    let r = try await Web.post(c, uri, br, form: form.merging(["csrf": br.csrf]) { $1 })
                    if r.status.code != status { failures.append("POST \(uri) as \(role): \(r.status.code), expected \(status)") }
                }
            }
            XCTAssertEqual(failures, [])

            // What each sees inside the pages it may open.
            let listA = Web.body(try await Web.get(c, "/api/uploads", browsers["pa"]!))
            XCTAssertTrue(listA.contains("\"id\":\(a)") && !listA.contains("\"id\":\(b),"), listA)
            let packsX = Web.body(try await Web.get(c, "/api/packs", browsers["cspx"]!))
            XCTAssertTrue(packsX.contains(x) && !packsX.contains(y), packsX)
            let packX = Web.body(try await Web.get(c, "/packs/\(x)", browsers["cspx"]!))
            XCTAssertTrue(packX.contains("Folkestone and Hythe"))
            XCTAssertTrue(packX.contains("OFFICIAL") && !packX.contains("OFFICIAL-SENSITIVE"), "a CSP's default tier is public")
            let partnerX = Web.body(try await Web.get(c, "/packs/\(x)?tier=partner", browsers["ana"]!))
            XCTAssertTrue(partnerX.contains("OFFICIAL-SENSITIVE"))
        }
        // CSP X asking for CSP Y's pack is refused, and the attempt is on the record.
        let refused = try await count(f, "SELECT count(*)::int FROM audit_log WHERE username = 'cspx' AND action = 'refused' AND target = \("/packs/\(Self.districtY)")")
        XCTAssertGreaterThanOrEqual(refused, 1)
    }

    /// The analyst grants CSP X the partner tier: from then on its pack is the partner-tier one, and the public
    /// one is refused to it; the grant is audited.
    func testTierGrant() async throws {
        let f = try await Self.shared.value
        try await serve(f) { c in
            let ana = try await Web.login(c, "ana", f), x = Self.districtX
            let grant = try await Web.post(c, "/accounts/\(f.ids["cspx"]!)/tier", ana, form: ["csrf": ana.csrf, "tier": "partner"])
            XCTAssertEqual(grant.status, .seeOther)
            let csp = try await Web.login(c, "cspx", f)
            let pack = try await Web.get(c, "/packs/\(x)", csp)
            XCTAssertEqual(pack.status, .ok)
            XCTAssertTrue(Web.body(pack).contains("OFFICIAL-SENSITIVE"))
            let v1 = try await Web.get(c, "/packs/\(x)?tier=public", csp).status; XCTAssertEqual(v1, .forbidden)
            let back = try await Web.post(c, "/accounts/\(f.ids["cspx"]!)/tier", ana, form: ["csrf": ana.csrf, "tier": "public"])
            XCTAssertEqual(back.status, .seeOther)
            // Grants apply to CSP accounts only.
            let partner = try await Web.post(c, "/accounts/\(f.ids["pa"]!)/tier", ana, form: ["csrf": ana.csrf, "tier": "partner"])
            XCTAssertEqual(partner.status, .notFound)
        }
        let v2 = try await count(f, "SELECT count(*)::int FROM audit_log WHERE action = 'grant_tier' AND username = 'ana'"); XCTAssertGreaterThanOrEqual(v2, 2)
    }

    // MARK: Attacks

    func testSQLInjectionInLoginFields() async throws {
        let f = try await Self.shared.value
        // Its own throttle, so these failures lock out nobody else's tests.
        let portal = Portal(client: f.portal.client, config: f.portal.config, logger: Self.logger)
        let users = try await count(f, "SELECT count(*)::int FROM users")
        try await serve(f, portal: portal) { c in
            let attempts = [("' OR '1'='1", "' OR '1'='1"), ("ana'--", "x"), ("ana", "' OR 1=1 --"),
                            ("\"; DROP TABLE users; --", "x"), ("x' UNION SELECT 1,'ana','analyst',NULL,NULL,'public','$2b$04$x' --", "x")]
            for (user, password) in attempts {
                let (r, b) = try await Web.attemptLogin(c, user, password)
                XCTAssertEqual(r.status, .unauthorized, user)
                XCTAssertNil(b.cookies[Portal.sessionCookie], user)
            }
            // Still there, and the real password still works.
            _ = try await Web.login(c, "ana", f)
        }
        let v3 = try await count(f, "SELECT count(*)::int FROM users"); XCTAssertEqual(v3, users)
        let v4 = try await count(f, "SELECT count(*)::int FROM audit_log WHERE action = 'login_failed' AND username = 'ana''--'"); XCTAssertGreaterThanOrEqual(v4, 1)
    }

    func testLoginThrottle() async throws {
        let f = try await Self.shared.value
        let portal = Portal(client: f.portal.client, config: f.portal.config, logger: Self.logger)
        try await serve(f, portal: portal) { c in
            for _ in 0..<5 { let v5 = try await Web.attemptLogin(c, "pb", "wrong").0.status; XCTAssertEqual(v5, .unauthorized) }
            // The sixth attempt is refused before the password is checked, even the right one.
            let v6 = try await Web.attemptLogin(c, "pb", f.passwords["pb"]!).0.status; XCTAssertEqual(v6, .tooManyRequests)
            // A login form without its token is refused.
            let r = try await Web.post(c, "/login", Browser(), form: ["username": "pa", "password": f.passwords["pa"]!])
            XCTAssertEqual(r.status, .forbidden)
        }
        let v7 = try await count(f, "SELECT count(*)::int FROM audit_log WHERE action = 'login_throttled'"); XCTAssertGreaterThanOrEqual(v7, 1)
    }

    func testSQLInjectionInUploadFields() async throws {
        let f = try await Self.shared.value
        let incidents = try await count(f, "SELECT count(*)::int FROM incidents")
        let header = DemoGenerator.nativeHeader
        let row = "inj-1,2026-03-14T23:10,violence with injury,601500,142500,19,M,22,M,street,yes,no,none,yes,no,police"
        let evil = "x'); DROP TABLE uploads; --<script>alert(1)</script>.csv"
        try await serve(f) { c in
            let pa = try await Web.login(c, "pa", f)
            let r = try await Web.upload(c, pa, fields: [("mapping", "native"), ("source", "police'; DELETE FROM incidents; --")],
                                          file: (evil, "\(header)\n\(row)\n"))
            XCTAssertEqual(r.status, .seeOther)
            let location = try XCTUnwrap(r.headers[.location])
            let page = Web.body(try await Web.get(c, location, pa))
            XCTAssertTrue(page.contains("x&#39;); DROP TABLE uploads; --&lt;script&gt;"), "the file name is shown escaped")
            XCTAssertFalse(page.contains("<script>"))
            // A bad mapping name is refused, not interpolated anywhere.
            let bad = try await Web.upload(c, pa, fields: [("mapping", "native' OR 1=1 --")], file: ("a.csv", "\(header)\n\(row)\n"))
            XCTAssertEqual(bad.status, .badRequest)
        }
        let v8 = try await count(f, "SELECT count(*)::int FROM uploads WHERE filename = \(evil) AND source = 'police''; DELETE FROM incidents; --'"); XCTAssertEqual(v8, 1)
        let v9 = try await count(f, "SELECT count(*)::int FROM incidents"); XCTAssertEqual(v9, incidents + 1)
    }

    func testMalformedUploadsLandInTheLedger() async throws {
        let f = try await Self.shared.value
        let header = DemoGenerator.nativeHeader
        let good = "m-1,2026-03-14T23:10,violence with injury,601500,142500,19,M,22,M,street,yes,no,none,yes,no,police"
        let badDate = "m-2,2026-13-45T99:00,violence with injury,601500,142500,19,M,22,M,street,yes,no,none,yes,no,police"
        let badPlace = "m-3,2026-03-14T23:10,violence with injury,not-a-number,142500,19,M,22,M,street,yes,no,none,yes,no,police"
        try await serve(f) { c in
            let pa = try await Web.login(c, "pa", f)
            let r = try await Web.upload(c, pa, fields: [("mapping", "native")], file: ("mixed.csv", [header, good, badDate, badPlace].joined(separator: "\n") + "\n"))
            XCTAssertEqual(r.status, .seeOther)
            let id = try XCTUnwrap(r.headers[.location].flatMap { Int64($0.split(separator: "/").last!) })
            let detail = Web.body(try await Web.get(c, "/api/uploads/\(id)", pa))
            XCTAssertTrue(detail.contains("\"rowsAccepted\":1") && detail.contains("\"rowsRead\":3") && detail.contains("\"rowsRejected\":2"), detail)
            let csv = try await Web.get(c, "/uploads/\(id)/rejects.csv", pa)
            XCTAssertEqual(csv.status, .ok)
            let lines = Web.body(csv).split(separator: "\n")
            XCTAssertEqual(lines.count, 3, "header and two rejects")
            XCTAssertTrue(lines[1].hasPrefix("3,") && lines[2].hasPrefix("4,"), "\(lines)")
            // Another partner cannot read this ledger.
            let pb = try await Web.login(c, "pb", f)
            let v10 = try await Web.get(c, "/uploads/\(id)/rejects.csv", pb).status; XCTAssertEqual(v10, .notFound)

            // A file the engine cannot read at all: refused, with its reason as the ledger's row, and nothing else stored.
            let junk = try await Web.upload(c, pa, fields: [("mapping", "ambulance")], file: ("junk.csv", "this is,not an extract\n1,2\n"))
            XCTAssertEqual(junk.status, .seeOther)
            let junkID = try XCTUnwrap(junk.headers[.location].flatMap { Int64($0.split(separator: "/").last!) })
            let junkPage = Web.body(try await Web.get(c, "/uploads/\(junkID)", pa))
            XCTAssertTrue(junkPage.contains("unusable_file") && junkPage.contains("refused"), junkPage)

            // Over the size limit: 413, never read, and in the ledger as a refused upload.
            let big = String(repeating: good + "\n", count: (300 << 10) / good.count)
            let tooBig = try await Web.upload(c, pa, fields: [("mapping", "native")], file: ("big.csv", header + "\n" + big))
            XCTAssertEqual(tooBig.status, .contentTooLarge)
        }
        let v11 = try await count(f, "SELECT count(*)::int FROM upload_rejects r JOIN uploads u ON u.id = r.upload_id WHERE r.reason = 'too_large' AND u.partner = 'Kent Police'"); XCTAssertEqual(v11, 1)
        let v12 = try await count(f, "SELECT count(*)::int FROM incidents i JOIN uploads u ON u.id = i.upload_id WHERE u.status = 'refused'"); XCTAssertEqual(v12, 0)
    }

    func testSessionReuseAfterLogoutIsRefused() async throws {
        let f = try await Self.shared.value
        try await serve(f) { c in
            let pa = try await Web.login(c, "pa", f)
            let v13 = try await Web.get(c, "/uploads", pa).status; XCTAssertEqual(v13, .ok)
            // Without the form token, logout is refused (and the session lives on).
            let v14 = try await Web.post(c, "/logout", pa, form: [:]).status; XCTAssertEqual(v14, .forbidden)
            let v15 = try await Web.get(c, "/uploads", pa).status; XCTAssertEqual(v15, .ok)
            let out = try await Web.post(c, "/logout", pa, form: ["csrf": pa.csrf])
            XCTAssertEqual(out.status, .seeOther)
            // The old cookie, sent again as a stolen copy would be: refused.
            let v16 = try await Web.get(c, "/uploads", pa).status; XCTAssertEqual(v16, .unauthorized)
            let v17 = try await Web.get(c, "/api/me", pa).status; XCTAssertEqual(v17, .unauthorized)
            // A made-up token is no better.
            var forged = Browser()
            forged.cookies[Portal.sessionCookie] = String(repeating: "a", count: 64)
            let v18 = try await Web.get(c, "/", forged).status; XCTAssertEqual(v18, .unauthorized)
        }
        let v19 = try await count(f, "SELECT count(*)::int FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'pa' AND s.ended_at IS NOT NULL"); XCTAssertGreaterThanOrEqual(v19, 1)
    }

    func testCookiesAndHeaders() async throws {
        let f = try await Self.shared.value
        try await serve(f) { c in
            let (r, _) = try await Web.attemptLogin(c, "cspy", f.passwords["cspy"]!)
            let session = try XCTUnwrap(r.headers[values: .setCookie].first { $0.hasPrefix(Portal.sessionCookie + "=") })
            XCTAssertTrue(session.contains("HttpOnly") && session.contains("SameSite=Strict"), session)
            XCTAssertTrue(r.headers[.contentSecurityPolicy]?.contains("default-src 'none'") ?? false)
            let page = Web.body(try await Web.get(c, "/login", Browser()))
            XCTAssertFalse(page.contains("http://") || page.contains("https://") || page.contains("<script"), "no external fetches, no scripts")
        }
    }

    // MARK: Audit

    func testViewsAndDownloadsAreAuditedAndTheLogIsAppendOnly() async throws {
        let f = try await Self.shared.value
        let before = try await count(f, "SELECT count(*)::int FROM audit_log")
        try await serve(f) { c in
            let csp = try await Web.login(c, "cspy", f)
            let v20 = try await Web.get(c, "/packs/\(Self.districtY)", csp).status; XCTAssertEqual(v20, .ok)
            let dl = try await Web.get(c, "/packs/\(Self.districtY)/download", csp)
            XCTAssertEqual(dl.status, .ok)
            XCTAssertTrue(dl.headers[.contentDisposition]?.contains("attachment") ?? false)
            // No workbook in the public tier; the analyst's partner-tier one is an xlsx (a zip, "PK"), as an attachment.
            let v20b = try await Web.get(c, "/packs/\(Self.districtY)/workbook.xlsx", csp).status; XCTAssertEqual(v20b, .notFound)
            let ana0 = try await Web.login(c, "ana", f)
            let wb = try await Web.get(c, "/packs/\(Self.districtY)/workbook.xlsx?tier=partner", ana0)
            XCTAssertEqual(wb.status, .ok)
            XCTAssertTrue(wb.headers[.contentDisposition]?.contains("svd-pack-\(Self.districtY)-partner.xlsx") ?? false)
            XCTAssertEqual(Array(wb.body.readableBytesView.prefix(2)), [0x50, 0x4B])
            let pb = try await Web.login(c, "pb", f)
            let v21 = try await Web.get(c, "/uploads/\(f.uploadB)", pb).status; XCTAssertEqual(v21, .ok)
            // The analyst's export holds them.
            let ana = try await Web.login(c, "ana", f)
            let export = Web.body(try await Web.get(c, "/audit.csv", ana))
            XCTAssertTrue(export.contains("\"cspy\",\"view_pack\",\"pack:\(Self.districtY):public\",\"127.0.0.1\""), export)
        }
        let client = f.portal.client
        let rows = try await client.query("""
            SELECT username, action, target, remote FROM audit_log WHERE id > 0 ORDER BY id DESC LIMIT 50
            """).decode((String?, String, String?, String?).self).all()
        let y = Self.districtY
        XCTAssertTrue(rows.contains { $0.0 == "cspy" && $0.1 == "view_pack" && $0.2 == "pack:\(y):public" && $0.3 == "127.0.0.1" })
        XCTAssertTrue(rows.contains { $0.0 == "cspy" && $0.1 == "download_pack" && $0.2 == "pack:\(y):public" })
        XCTAssertTrue(rows.contains { $0.0 == "ana" && $0.1 == "download_pack_workbook" && $0.2 == "pack:\(y):partner" })
        XCTAssertFalse(rows.contains { $0.1 == "download_pack_workbook" && $0.2 == "pack:\(y):public" })
        XCTAssertTrue(rows.contains { $0.0 == "pb" && $0.1 == "view_upload" && $0.2 == "upload:\(f.uploadB)" })
        let v22 = try await count(f, "SELECT count(*)::int FROM audit_log"); XCTAssertGreaterThan(v22, before)

        // Append-only: the database refuses changes, whoever asks.
        for statement: PostgresQuery in ["UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
            do {
                try await client.query(statement)
                XCTFail("\(statement.sql) was allowed")
            } catch let e as PSQLError {
                XCTAssertNotNil(e.serverInfo?[.message], "\(statement.sql)")
            }
        }
    }

    // MARK: Store and publication

    func testIncidentsAreStoredAsBritishNationalGridPoints() async throws {
        let f = try await Self.shared.value
        let v23 = try await count(f, "SELECT count(DISTINCT ST_SRID(geom))::int FROM incidents WHERE ST_SRID(geom) = 27700"); XCTAssertEqual(v23, 1)
        let v24 = try await count(f, "SELECT count(*)::int FROM incidents WHERE ST_SRID(geom) <> 27700"); XCTAssertEqual(v24, 0)
        let v25 = try await count(f, "SELECT count(*)::int FROM incidents WHERE upload_id = \(f.uploadA) AND district IS NOT NULL"); XCTAssertGreaterThan(v25, 500)
        let v26 = try await count(f, "SELECT count(*)::int FROM pg_indexes WHERE indexname = 'incidents_geom' AND indexdef LIKE '%USING gist%'"); XCTAssertEqual(v26, 1)
        // Near a point: the index answers a radius query on the stored points.
        let near = try await count(f, "SELECT count(*)::int FROM incidents WHERE ST_DWithin(geom, ST_SetSRID(ST_MakePoint(575000, 155000), 27700), 50000)")
        XCTAssertGreaterThanOrEqual(near, 1)
        // The ambulance trust's native-layout extract was uploaded as "ambulance": its stored incidents say so, and
        // so does every pack (publication reads the upload as its ingest did, not by the file's own source column).
        let v27 = try await count(f, "SELECT count(*)::int FROM incidents WHERE upload_id = \(f.uploadB) AND source <> 'ambulance'"); XCTAssertEqual(v27, 0)
        let v28 = try await count(f, "SELECT count(*)::int FROM packs WHERE tier = 'partner'"); XCTAssertEqual(v28, 13)
        let v29 = try await count(f, "SELECT count(*)::int FROM packs WHERE tier = 'partner' AND html NOT LIKE '%<td>ambulance</td>%'"); XCTAssertEqual(v29, 0)
    }

    /// svd's DBSCAN on the stored points gives PostGIS's `ST_ClusterDBSCAN` clusters: the same noise, the same
    /// partition of core points, and every border point in a cluster of one of its core neighbours (which
    /// cluster a border point between two joins is the one thing the two may choose differently).
    func testDBSCANEqualsSTClusterDBSCAN() async throws {
        let f = try await Self.shared.value
        let (eps, minPoints) = (150.0, 4)
        let rows = try await f.portal.client.query("""
            SELECT ST_X(geom), ST_Y(geom), ST_ClusterDBSCAN(geom, eps => \(eps)::float8, minpoints => \(minPoints)::int) OVER ()
            FROM incidents WHERE upload_id = \(f.uploadA) ORDER BY id
            """).decode((Double, Double, Int?).self).all()
        XCTAssertGreaterThan(rows.count, 1000)
        let points = rows.map { BNGPoint(easting: $0.0, northing: $0.1) }
        let svd = try DBSCAN.cluster(points, eps: eps, minPoints: minPoints)
        XCTAssertGreaterThan(svd.clusterCount, 3, "a sample with clusters in it")
        XCTAssertEqual(Set(rows.indices.filter { rows[$0].2 == nil }), Set(svd.labels.indices.filter { svd.labels[$0] == DBSCANResult.noise }), "noise")
        var toPostGIS: [Int32: Int] = [:], toSVD: [Int: Int32] = [:]
        for i in rows.indices where svd.isCore[i] {
            let ours = svd.labels[i], theirs = try XCTUnwrap(rows[i].2)
            XCTAssertEqual(toPostGIS[ours, default: theirs], theirs, "core point \(i)")
            XCTAssertEqual(toSVD[theirs, default: ours], ours, "core point \(i)")
            toPostGIS[ours] = theirs
            toSVD[theirs] = ours
        }
        XCTAssertEqual(toPostGIS.count, svd.clusterCount)
        for i in rows.indices where !svd.isCore[i] && svd.labels[i] != DBSCANResult.noise {
            let theirs = try XCTUnwrap(rows[i].2)
            let joinable = Set(rows.indices.filter { j in
                svd.isCore[j] && pow(points[j].easting - points[i].easting, 2) + pow(points[j].northing - points[i].northing, 2) <= eps * eps
            }.map { toPostGIS[svd.labels[$0]]! })
            XCTAssertTrue(joinable.contains(theirs) && joinable.contains(toPostGIS[svd.labels[i]]!), "border point \(i)")
        }
    }

    func testPublishFromTheBrowser() async throws {
        let f = try await Self.shared.value
        try await serve(f, setup: .router) { c in
            let ana = try await Web.login(c, "ana", f)
            let v28 = try await Web.post(c, "/publish", ana, form: [:]).status; XCTAssertEqual(v28, .forbidden, "no form token")
            let r = try await Web.post(c, "/publish", ana, form: ["csrf": ana.csrf])
            XCTAssertEqual(r.status, .seeOther)
            let list = Web.body(try await Web.get(c, "/api/packs", ana))
            XCTAssertEqual(list.components(separatedBy: "\"district\"").count - 1, 26, "13 districts × 2 tiers")
        }
        let v29 = try await count(f, "SELECT count(*)::int FROM audit_log WHERE action = 'publish'"); XCTAssertGreaterThanOrEqual(v29, 1)
    }

    /// Under the ISA the analyst withdraws an upload: its file and incidents go, the packs built from it are
    /// rebuilt without it, and the withdrawal is audited.
    func testWithdrawalRebuildsThePacks() async throws {
        let f = try await Self.shared.value
        let extra = FileManager.default.temporaryDirectory.appendingPathComponent("svd-portal-withdraw-\(UUID().uuidString).csv")
        try DemoGenerator(seed: 13, rows: 300).write(to: extra, format: .native)
        defer { try? FileManager.default.removeItem(at: extra) }
        let csv = String(decoding: try Data(contentsOf: extra), as: UTF8.self)
        let id = try await serve(f, setup: .router) { c -> Int64 in
            let pb = try await Web.login(c, "pb", f), ana = try await Web.login(c, "ana", f)
            let up = try await Web.upload(c, pb, fields: [("mapping", "native"), ("source", "ambulance")], file: ("more.csv", csv))
            XCTAssertEqual(up.status, .seeOther)
            let id = try XCTUnwrap(up.headers[.location].flatMap { Int64($0.split(separator: "/").last!) })
            let partsQuery: PostgresQuery = "SELECT upload_id, binned_at::text FROM upload_parts ORDER BY upload_id"
            let before = try await f.portal.client.query(partsQuery).decode((Int64, String).self).all()
            let v101 = try await Web.post(c, "/publish", ana, form: ["csrf": ana.csrf]).status; XCTAssertEqual(v101, .seeOther)
            // Only the new upload was binned (and kept); every part kept before was reused as it was.
            let after = try await f.portal.client.query(partsQuery).decode((Int64, String).self).all()
            XCTAssertTrue(before.contains { $0.0 == f.uploadA } && !before.contains { $0.0 == id })
            // (Other tests' uploads not yet published get their parts now too.)
            let keptBefore = Set(before.map(\.0))
            XCTAssertEqual(after.filter { keptBefore.contains($0.0) }.map { "\($0.0) \($0.1)" }, before.map { "\($0.0) \($0.1)" })
            XCTAssertTrue(after.contains { $0.0 == id })
            try await Self.assertPacksAreOnePassReports(f)
            let inPacks = try await Web.count(f, "SELECT count(*)::int FROM packs WHERE \(id) = ANY (upload_ids)")
            XCTAssertEqual(inPacks, 26)
            let v102 = try await Web.count(f, "SELECT count(*)::int FROM incidents WHERE upload_id = \(id)"); XCTAssertGreaterThan(v102, 0)

            let v103 = try await Web.post(c, "/uploads/\(id)/withdraw", ana, form: [:]).status; XCTAssertEqual(v103, .forbidden, "no form token")
            let v104 = try await Web.post(c, "/uploads/\(id)/withdraw", pb, form: ["csrf": pb.csrf]).status; XCTAssertEqual(v104, .forbidden, "partners cannot")
            let v105 = try await Web.post(c, "/uploads/\(id)/withdraw", ana, form: ["csrf": ana.csrf]).status; XCTAssertEqual(v105, .seeOther)
            let v106 = try await Web.post(c, "/uploads/\(id)/withdraw", ana, form: ["csrf": ana.csrf]).status; XCTAssertEqual(v106, .notFound, "once only")
            let page = Web.body(try await Web.get(c, "/uploads/\(id)", pb))
            XCTAssertTrue(page.contains("withdrawn under the ISA"))
            return id
        }
        let after = try await count(f, "SELECT count(*)::int FROM packs WHERE \(id) = ANY (upload_ids)")
        XCTAssertEqual(after, 0, "every pack rebuilt without it")
        let v107 = try await count(f, "SELECT count(*)::int FROM packs"); XCTAssertEqual(v107, 26)
        let v108 = try await count(f, "SELECT count(*)::int FROM incidents WHERE upload_id = \(id)"); XCTAssertEqual(v108, 0)
        let v108b = try await count(f, "SELECT count(*)::int FROM upload_parts WHERE upload_id = \(id)"); XCTAssertEqual(v108b, 0, "its part goes too")
        let v109 = try await count(f, "SELECT length(content)::int FROM uploads WHERE id = \(id)"); XCTAssertEqual(v109, 0)
        let v110 = try await count(f, "SELECT count(*)::int FROM audit_log WHERE action = 'withdraw' AND target = \("upload:\(id)")"); XCTAssertEqual(v110, 1)
    }

    /// Every published pack (HTML, byte for byte) is what one binning pass over the uploads in force makes, as
    /// `svd report upload-<id>.csv… --district CODE` reads them: publishing from kept parts changes nothing.
    static func assertPacksAreOnePassReports(_ f: Fixture, file: StaticString = #filePath, line: UInt = #line) async throws {
        let client = f.portal.client
        let rows = try await client.query("""
            SELECT id, mapping, partner, sha256, content, stated_source FROM uploads
            WHERE status = 'accepted' AND withdrawn_at IS NULL AND rows_accepted > 0 ORDER BY id
            """).decode((Int64, String, String, String, Data, String?).self).all()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("svd-portal-onepass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for r in rows { try r.4.write(to: folder.appendingPathComponent("upload-\(r.0).csv")) }
        let uploads = rows.map { PackPublisher.StoredUpload(id: $0.0, mapping: UploadMapping(rawValue: $0.1)!, partner: $0.2, sha256: $0.3, source: $0.5) }
        let request = PackPublisher.request(uploads, folder: folder, config: f.portal.config)
        let onePass = try BinnedIncidents(request: request, rejectsFile: nil, points: BinnedIncidents.reportPointWindow(for: request))
        let expected = try PackPublisher.reports(onePass, request: request, config: f.portal.config)
        let published = try await client.query("SELECT district, tier, html FROM packs").decode((String, String, String).self).all()
        XCTAssertEqual(published.count, expected.count, file: file, line: line)
        for pack in expected {
            let stored = published.first { $0.0 == pack.district && $0.1 == pack.tier.rawValue }?.2
            XCTAssertTrue(stored == pack.html, "pack \(pack.district) \(pack.tier.rawValue) differs from one pass's report", file: file, line: line)
        }
    }

    /// A person's path through the portal in Debian's headless Chromium (browser_check.py, Selenium): the CSP signs
    /// in, opens and downloads its pack, signs out; a partner uploads a file with bad rows and reads the ledger.
    /// Screenshots go to a temporary folder (the README's come from this script).
    func testInARealBrowser() async throws {
        let env = ProcessInfo.processInfo.environment
        let ci = env["CI"].map { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" } ?? false
        let hasSelenium = try await Process.output("/usr/bin/env", ["python3", "-c", "import selenium"]).0 == 0
        let missing = ["/usr/bin/chromium", "/usr/bin/chromedriver"].filter { !FileManager.default.isExecutableFile(atPath: $0) }
            + (hasSelenium ? [] : ["python3's selenium"])
        if !missing.isEmpty {
            if ci { return XCTFail("\(missing.joined(separator: ", ")) missing: .ci/run installs chromium, chromium-driver and selenium") }
            throw XCTSkip("needs \(missing.joined(separator: ", ")) (apt-get install chromium chromium-driver; pip install selenium)")
        }
        let f = try await Self.shared.value
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("svd-portal-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bad = folder.appendingPathComponent("bad-rows.csv")
        try ([DemoGenerator.nativeHeader,
              "b-1,2026-03-14T23:10,violence with injury,601500,142500,19,M,22,M,street,yes,no,none,yes,no,police",
              "b-2,2026-13-40T25:00,violence with injury,601500,142500,19,M,22,M,street,yes,no,none,yes,no,police",
              "b-3,2026-03-14T23:10,violence with injury,nowhere,142500,19,M,22,M,street,yes,no,none,yes,no,police"].joined(separator: "\n") + "\n")
            .write(to: bad, atomically: true, encoding: .utf8)
        let script = Self.packageRoot.appendingPathComponent("Tests/SVDPortalTests/browser_check.py").path
        // Public tier first (the pack and its HTML, no workbook), then granted the partner tier (the workbook too).
        var output = ""
        for tier in [DisclosureTier.public, .partner] {
            let granted = try await Accounts.grant(f.portal.client, accountID: f.ids["cspx"]!, tier: tier, logger: Self.logger)
            XCTAssertTrue(granted)
            let (status, seen) = try await serve(f) { c -> (Int32, String) in
                let port = try XCTUnwrap(c.port)
                return try await Process.output("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(port)", folder.path, "cspx", f.passwords["cspx"]!,
                                                                 Self.districtX, "pa", f.passwords["pa"]!, bad.path, tier.rawValue])
            }
            print("browser check, \(tier.rawValue) tier (screenshots in \(folder.path)): \(seen)")
            XCTAssertEqual(status, 0, seen)
            output = seen
        }
        _ = try await Accounts.grant(f.portal.client, accountID: f.ids["cspx"]!, tier: .public, logger: Self.logger)
        XCTAssertTrue(output.contains("\"workbook_matches_pack\": true"), output)
        XCTAssertTrue(output.contains("\"downloaded\": true") && output.contains("\"ledger_rows\": 2"), output)
        for shot in ["portal-csp-pack.png", "portal-partner-ledger.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(shot).path), shot)
        }
    }

    func testMigrationsAreRecordedOnce() async throws {
        let f = try await Self.shared.value
        let v30 = try await Migrations.apply(f.portal.client, logger: Self.logger); XCTAssertEqual(v30, [])
        let v31 = try await count(f, "SELECT count(*)::int FROM schema_migrations"); XCTAssertEqual(v31, try Migrations.files().count)
        XCTAssertEqual(Migrations.statements("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; -- x; y\nSELECT ';'"),
                       ["CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", "SELECT ';'"])
    }
}

/// What a browser does, as functions the tests' @Sendable closures can call.
enum Web {
    static func count(_ f: PortalTests.Fixture, _ sql: PostgresQuery) async throws -> Int {
        try await f.portal.client.query(sql).decode(Int.self).all().first ?? -1
    }

    static func body(_ r: TestResponse) -> String { String(buffer: r.body) }

    static func get(_ c: some TestClientProtocol, _ uri: String, _ b: PortalTests.Browser) async throws -> TestResponse {
        try await c.execute(uri: uri, method: .get, headers: b.headers)
    }

    static func post(_ c: some TestClientProtocol, _ uri: String, _ b: PortalTests.Browser, form: [String: String]) async throws -> TestResponse {
        var h = b.headers
        h[.contentType] = "application/x-www-form-urlencoded"
        let text = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.sorted().joined(separator: "&")
        return try await c.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: text))
    }

    static func attemptLogin(_ c: some TestClientProtocol, _ user: String, _ password: String) async throws -> (TestResponse, PortalTests.Browser) {
        var b = PortalTests.Browser()
        let page = try await Web.get(c, "/login", b)
        XCTAssertEqual(page.status, .ok)
        b.take(page)
        let token = try XCTUnwrap(PortalTests.Browser.csrf(in: Web.body(page)))
        let r = try await Web.post(c, "/login", b, form: ["csrf": token, "username": user, "password": password])
        b.take(r)
        return (r, b)
    }

    static func login(_ c: some TestClientProtocol, _ user: String, _ f: PortalTests.Fixture) async throws -> PortalTests.Browser {
        var (r, b) = try await Web.attemptLogin(c, user, f.passwords[user]!)
        XCTAssertEqual(r.status, .seeOther, "login \(user)")
        XCTAssertNotNil(b.cookies[Portal.sessionCookie], "session cookie for \(user)")
        let home = try await Web.get(c, "/", b)
        XCTAssertEqual(home.status, .ok)
        b.csrf = try XCTUnwrap(PortalTests.Browser.csrf(in: Web.body(home)))
        return b
    }

    /// A multipart body as a browser sends it.
    static func multipart(_ fields: [(String, String)], file: (name: String, content: String)?) -> (String, ByteBuffer) {
        let boundary = "----svdtest\(UUID().uuidString.prefix(8))"
        var text = ""
        for (k, v) in fields { text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n" }
        if let file {
            let quoted = file.name.replacingOccurrences(of: "\"", with: "\\\"")
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(quoted)\"\r\nContent-Type: text/csv\r\n\r\n\(file.content)\r\n"
        }
        text += "--\(boundary)--\r\n"
        return ("multipart/form-data; boundary=\(boundary)", ByteBuffer(string: text))
    }

    static func upload(_ c: some TestClientProtocol, _ b: PortalTests.Browser, fields: [(String, String)], file: (name: String, content: String)?) async throws -> TestResponse {
        let (type, body) = Web.multipart([("csrf", b.csrf)] + fields, file: file)
        var h = b.headers
        h[.contentType] = type
        return try await c.execute(uri: "/uploads", method: .post, headers: h, body: body)
    }

}

extension Process {
    /// Runs a command to its end without holding a thread of the concurrency pool (the server under test needs
    /// them): its exit status and its stdout and stderr together.
    static func output(_ tool: String, _ arguments: [String]) async throws -> (Int32, String) {
        // posix_spawn and a blocking waitpid on a thread of its own: in the full test run, Foundation's Process left
        // portal-db.sh a zombie (its SIGCHLD never seen), so neither waitUntilExit nor terminationHandler returned.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("svd-process-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let status: Int32 = try await withCheckedThrowingContinuation { done in
            Thread.detachNewThread {
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                defer { posix_spawn_file_actions_destroy(&actions) }
                posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
                let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
                defer { for p in argv { free(p) } }
                var pid = pid_t()
                let spawned = posix_spawn(&pid, tool, &actions, nil, argv, environ)
                guard spawned == 0 else {
                    return done.resume(throwing: PortalError.migration("cannot start \(tool): \(String(cString: strerror(spawned)))"))
                }
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, or 128 + the signal that ended it.
                done.resume(returning: raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f))
            }
        }
        return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
