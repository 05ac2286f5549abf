import ArgumentParser
import Foundation
import Logging
import struct SVDCore.DisclosureKey
import SVDPortal
import SVDPublish

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The data-sharing portal on PostgreSQL/PostGIS: partners upload extracts, CSPs read their district's pack, every access audited.",
        discussion: """
        `svd serve` (or `svd serve start`) applies the migrations and serves on 127.0.0.1:8080. The database is \
        --database-url or $SVD_DATABASE_URL (scripts/portal-db.sh starts a local cluster and prints it). \
        `migrate`, `add-user`, `load` and `publish` are one-shot commands on the same database.
        Exit codes: 0 success; 64 bad arguments; 2 unusable input (an unreachable database, a file that cannot be read).
        """,
        subcommands: [Start.self, Migrate.self, AddUser.self, Load.self, Publish.self],
        defaultSubcommand: Start.self)
}

/// `--database-url`: where the portal's PostgreSQL is. Shared by every `serve` command.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The portal's database: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB, with ?host=/FOLDER for a unix socket (default: $SVD_DATABASE_URL).",
                               valueName: "url"))
    var databaseURL: String?

    func location() throws -> DatabaseLocation {
        let env = ProcessInfo.processInfo.environment["SVD_DATABASE_URL"]
        guard let text = databaseURL ?? env.flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("--database-url is not given and $SVD_DATABASE_URL is not set (eval \"$(bash scripts/portal-db.sh)\" sets it)")
        }
        do { return try DatabaseLocation(url: text) } catch { throw ValidationError("\(error)") }
    }
}

/// The public tier's settings and the key, as every publishing command takes them (`--disclosure-key-file`,
/// `--suppress-below`, `--min-base`); the tier itself is per CSP account.
struct PortalDisclosureOptions: ParsableArguments {
    @Option(help: ArgumentHelp("File holding the partnership's 32-hex-digit disclosure key (default: $SVD_DISCLOSURE_KEY_FILE, else ~/.config/svd/disclosure-key).", valueName: "file"))
    var disclosureKeyFile: String?

    @Option(help: "Public tier: published values from 1 up to this minus one read \"<N\" (default 5; at least 3).")
    var suppressBelow: Int = 5

    @Option(help: "Public tier: a district, area or hotspot is broken down only when its published total reaches this.")
    var minBase: Int = 50

    /// The CLI's own disclosure options with these values: the same checks, key file and policy.
    func cli() throws -> DisclosureOptions {
        var arguments = ["--suppress-below", "\(suppressBelow)", "--min-base", "\(minBase)"]
        if let disclosureKeyFile { arguments += ["--disclosure-key-file", disclosureKeyFile] }
        return try DisclosureOptions.parse(arguments)
    }

    func validate() throws { _ = try cli() }

    func config(area: String) throws -> PortalConfig {
        let options = try cli()
        var config = PortalConfig(disclosureKey: try options.key(), publicPolicy: options.policy)
        config.area = area
        return config
    }
}

extension ServeCommand {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Apply the migrations and serve the portal.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var disclosure: PortalDisclosureOptions
        @OptionGroup var area: AreaOptions

        @Option(help: "Address to listen on (default 127.0.0.1: put a TLS reverse proxy in front for anything else).")
        var host: String = "127.0.0.1"

        @Option(help: "Port to listen on (0: any free port, printed).")
        var port: Int = 8080

        @Option(help: ArgumentHelp("Largest upload accepted, in MiB (default 32).", valueName: "MiB"))
        var maxUploadMib: Int = 32

        @Flag(help: "Mark the session cookie Secure (behind a TLS reverse proxy).")
        var secureCookies = false

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
            if !(1...1024).contains(maxUploadMib) { throw ValidationError("--max-upload-mib must be between 1 and 1024") }
        }

        func run() throws {
            let location = try database.location()
            try runReportingErrors {
                var settings = try disclosure.config(area: area.spec)
                settings.maxUploadBytes = maxUploadMib << 20
                settings.secureCookies = secureCookies
                let config = settings
                let (host, port) = (self.host, self.port)
                try blockingAsync {
                    let logger = Logger(label: "svd.portal")
                    let applied = try await withDatabase(location, logger: logger) { client in
                        let applied = try await Migrations.apply(client, logger: logger)
                        _ = try await Migrations.loadDistricts(client, area: config.area, logger: logger)
                        return applied
                    }
                    if !applied.isEmpty { say("Applied \(applied.joined(separator: ", ")).") }
                    let portal = Portal(location: location, config: config, logger: logger)
                    let app = portal.application(host: host, port: port) { channel in
                        say("svd portal on http://\(host):\(channel.localAddress?.port ?? port)/ (Ctrl-C stops it)")
                    }
                    try await app.runService()
                }
            }
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply the portal's migrations and load the area's districts.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var area: AreaOptions

        func run() throws {
            let location = try database.location()
            let spec = area.spec
            try runReportingErrors {
                try blockingAsync {
                    let logger = Logger(label: "svd.portal")
                    let (applied, districts) = try await withDatabase(location, logger: logger) { client in
                        (try await Migrations.apply(client, logger: logger), try await Migrations.loadDistricts(client, area: spec, logger: logger))
                    }
                    say(applied.isEmpty ? "Migrations: up to date." : "Applied \(applied.joined(separator: ", ")).")
                    say("\(districts) districts of \(spec).")
                }
            }
        }
    }

    struct AddUser: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-user", abstract: "Create an account; its password is printed once (or read from $SVD_NEW_PASSWORD).")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "User name (letters, digits, . _ - @).")
        var username: String

        @Option(help: ArgumentHelp("analyst, partner or csp.", valueName: "role"))
        var role: Role

        @Option(help: ArgumentHelp("A partner account's specified authority (whose extracts it uploads).", valueName: "name"))
        var partner: String?

        @Option(help: ArgumentHelp("A CSP account's district code (e.g. E07000112).", valueName: "code"))
        var district: String?

        @Option(help: ArgumentHelp("A CSP account's tier: public (default) or partner.", valueName: "tier"))
        var tier: DisclosureTier = .public

        @Option(help: "bcrypt cost (default 12).")
        var bcryptCost: Int = 12

        func validate() throws {
            if role == .partner && partner == nil { throw ValidationError("--partner is needed for a partner account") }
            if role == .csp && district == nil { throw ValidationError("--district is needed for a CSP account") }
            if role != .partner && partner != nil { throw ValidationError("--partner is for partner accounts only") }
            if role != .csp && district != nil { throw ValidationError("--district is for CSP accounts only") }
            if !(4...16).contains(bcryptCost) { throw ValidationError("--bcrypt-cost must be between 4 and 16") }
        }

        func run() throws {
            let location = try database.location()
            let role = self.role
            let given = ProcessInfo.processInfo.environment["SVD_NEW_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
            let password = given ?? Passwords.generate()
            let (username, partner, district, tier, cost) = (self.username, self.partner, self.district, self.tier, UInt8(bcryptCost))
            do {
                try blockingAsync {
                    let logger = Logger(label: "svd.portal")
                    _ = try await withDatabase(location, logger: logger) { client in
                        try await Accounts.create(client, username: username, password: password, role: role, partner: partner,
                                                  district: district, tier: tier, bcryptCost: cost, logger: logger)
                    }
                }
            } catch let e as PortalError {
                throw ValidationError(e.description)
            } catch {
                printError("\(error)")
                throw ExitCode(2)
            }
            say(given == nil ? "\(username) (\(role.rawValue)): password \(password)  (shown once; only its bcrypt hash is stored)"
                : "\(username) (\(role.rawValue)): password from $SVD_NEW_PASSWORD")
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load", abstract: "Upload extracts as an account would, through the same ingest and ledger as the portal's upload page.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var area: AreaOptions

        @Option(help: ArgumentHelp("The account the uploads are made by (a partner's uploads are its partner's).", valueName: "user"))
        var by: String

        @Option(help: ArgumentHelp("Whose data it is, for an analyst's upload (default VRU).", valueName: "name"))
        var partner: String?

        @Option(help: ArgumentHelp("The source the rows belong to (default: the file's or the mapping's own).", valueName: "name"))
        var source: String?

        @Argument(help: ArgumentHelp("CSV files, each as FILE or FILE:MAPPING (ae-istv, ambulance).", valueName: "file"))
        var files: [String]

        func run() throws {
            let location = try database.location()
            var inputs: [(URL, String, UploadMapping)] = []
            for spec in files {
                var path = spec, mapping = UploadMapping.native
                if !FileManager.default.fileExists(atPath: spec), let colon = spec.lastIndex(of: ":"),
                   let m = UploadMapping(rawValue: String(spec[spec.index(after: colon)...])) {
                    path = String(spec[..<colon])
                    mapping = m
                }
                inputs.append((URL(fileURLWithPath: path), URL(fileURLWithPath: path).lastPathComponent, mapping))
            }
            let (by, partner, source, spec) = (self.by, self.partner, self.source, area.spec)
            try runReportingErrors {
                let contents = try inputs.map { try Data(contentsOf: $0.0) }
                let inputs = inputs
                try blockingAsync {
                    let logger = Logger(label: "svd.portal")
                    try await withDatabase(location, logger: logger) { client in
                        guard let (account, _) = try await Accounts.find(client, username: by, logger: logger) else {
                            throw PortalError.account("--by \(by): no such account")
                        }
                        guard account.role != .csp else { throw PortalError.account("--by \(by): a CSP account cannot upload") }
                        let owner = account.partner ?? partner ?? "VRU"
                        for (i, input) in inputs.enumerated() {
                            let (id, outcome) = try await UploadIngest.store(client, by: account, partner: owner, filename: input.1, content: contents[i],
                                                                             mapping: input.2, source: source, area: spec, logger: logger)
                            try await Audit.record(client, account: account, action: "upload", target: "upload:\(id)", remote: "svd serve load",
                                                   detail: "\(outcome.status.rawValue): \(outcome.rowsRead) read, \(outcome.accepted) accepted", logger: logger)
                            say("Upload \(id): \(input.1) (\(input.2.rawValue), \(owner)): \(outcome.status.rawValue), \(outcome.rowsRead) rows read, \(outcome.accepted) accepted, \(outcome.rejects.count) in the ledger.")
                        }
                    }
                }
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish", abstract: "Publish every district's pack (public and partner tier) from the uploads in force, as the analyst's Publish button does.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var disclosure: PortalDisclosureOptions
        @OptionGroup var area: AreaOptions

        @Option(help: ArgumentHelp("The analyst account the publication is recorded under.", valueName: "user"))
        var by: String

        func run() throws {
            let location = try database.location()
            let by = self.by
            try runReportingErrors {
                let config = try disclosure.config(area: area.spec)
                try blockingAsync {
                    let logger = Logger(label: "svd.portal")
                    try await withDatabase(location, logger: logger) { client in
                        guard let (account, _) = try await Accounts.find(client, username: by, logger: logger), account.role == .analyst else {
                            throw PortalError.account("--by \(by): no such analyst account")
                        }
                        let p = try await PackPublisher.publish(client, by: account, config: config, logger: logger)
                        try await Audit.record(client, account: account, action: "publish", target: "packs", remote: "svd serve publish",
                                               detail: "\(p.packs) packs, \(p.period)", logger: logger)
                        say("Published \(p.packs) packs (\(p.period), \(p.uploads.count) upload\(p.uploads.count == 1 ? "" : "s"): \(p.binned.count) binned now, \(p.reused.count) from kept parts) in \(String(format: "%.1f", p.seconds)) s (reading and binning \(String(format: "%.1f", p.binningSeconds)) s).")
                    }
                }
            }
        }
    }
}

/// Runs async work to completion from a synchronous `run()` (the CLI's commands are synchronous).
func blockingAsync(_ body: @escaping @Sendable () async throws -> Void) throws {
    final class Outcome: @unchecked Sendable { var error: Error? }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}

/// `--role analyst|partner|csp`, typed like every other option (an unknown role is exit 64 with the choices).
extension Role: ExpressibleByArgument {}
