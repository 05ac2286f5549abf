import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SVDCore
import SVDEngine
import SVDPublish
import SVDWorkbook

/// The CSP packs: `svd report --district CODE` for every district, in both tiers, from the uploads in force.
/// The engine reads the uploaded files themselves (as stored, with their mappings), so a pack is byte for byte the
/// report the CLI writes from the same files and key; no table is ever recomputed in SQL.
public enum PackPublisher {
    struct StoredUpload: Sendable {
        let id: Int64
        let mapping: UploadMapping
        let partner: String
        /// The upload's SHA-256: part of its binned part's fingerprint.
        let sha256: String
        /// The source stated on upload for every row (nil: the file's own), read the same way when publishing.
        let source: String?
    }

    public struct Built: Sendable {
        public let district: String
        public let tier: DisclosureTier
        public let html: String
        /// The same report's tables as a workbook (`svd report --xlsx`); partner tier only (empty in the public
        /// tier): a district's full tables are not yet modelled by the independent attacker, its HTML pack is.
        public let xlsx: Data
    }

    public struct Publication: Sendable {
        public let uploads: [Int64]
        public let period: String
        public let packs: Int
        public let seconds: Double
        /// Uploads binned by this publication (no stored part held for them) and uploads whose stored part was used.
        public let binned: [Int64]
        public let reused: [Int64]
        /// Of `seconds`: reading the kept parts and the new files, and binning and merging (the rest is the
        /// 26 reports and workbooks, and storing them).
        public let binningSeconds: Double
    }

    /// The tiers' policies: the public one with the portal's threshold and minimum base (as `--suppress-below` and
    /// `--min-base`), the partner one as the CLI's `--tier partner`.
    public static func policy(_ tier: DisclosureTier, publicPolicy: DisclosurePolicy) -> DisclosurePolicy {
        tier == .partner ? .partner : publicPolicy
    }

    /// Builds and stores every district's pack in both tiers from the accepted, not withdrawn uploads; replaces
    /// the previous publication in one transaction. Each upload is binned once, on the first publication that
    /// reads it, and kept (`upload_parts`); later publications merge the kept parts and bin only new uploads. With no
    /// part kept this is the full rebuild: the one path either way.
    public static func publish(_ client: PostgresClient, by analyst: Account, config: PortalConfig, logger: Logger) async throws -> Publication {
        let started = Date()
        let rows = try await client.query("""
            SELECT id, mapping, partner, sha256, stated_source FROM uploads
            WHERE status = 'accepted' AND withdrawn_at IS NULL AND rows_accepted > 0 ORDER BY id
            """, logger: logger).decode((Int64, String, String, String, String?).self).all()
        let uploads = rows.compactMap { r in
            UploadMapping(rawValue: r.1).map { StoredUpload(id: r.0, mapping: $0, partner: r.2, sha256: r.3, source: r.4) }
        }
        guard !uploads.isEmpty else { throw PortalError.account("nothing to publish: no accepted upload is in force") }
        let ids = uploads.map(\.id)
        // Only the parts that can hold are read, and only the files of uploads without one.
        let expected = try BinnedIncidents.partFingerprints(request: request(uploads, folder: FileManager.default.temporaryDirectory, config: config),
                                                            inputKeys: uploads.map(\.sha256))
        // A fingerprint names its upload (its file name and SHA-256 are in it): a part matching any is that upload's.
        let kept = try await client.query("""
            SELECT upload_id, part FROM upload_parts WHERE upload_id = ANY (\(ids)) AND fingerprint = ANY (\(expected))
            """, logger: logger).decode((Int64, Data).self).all()
        let stored = Dictionary(uniqueKeysWithValues: kept.map { ($0.0, $0.1) })
        var contents = try await content(client, of: ids.filter { stored[$0] == nil }, logger: logger)
        var outcome: (built: [Built], period: ClosedRange<MonthKey>, parts: BinnedParts, binnedAt: Date)
        do {
            outcome = try await NIOThreadPool.singleton.runIfActive { [contents, stored] in
                try build(uploads, contents: contents, stored: stored, config: config)
            }
        } catch is BinnedParts.FileNeeded {
            // A kept part no longer held (another day's future-date refusals, or ids repeated from an earlier upload):
            // every file is given and the run made again.
            contents.merge(try await content(client, of: ids.filter { contents[$0] == nil }, logger: logger)) { $1 }
            outcome = try await NIOThreadPool.singleton.runIfActive { [contents, stored] in
                try build(uploads, contents: contents, stored: stored, config: config)
            }
        }
        let (built, period, parts, binnedAt) = outcome
        try await client.withTransaction(logger: logger) { db in
            for (k, part) in parts.fresh {
                try await db.query("""
                    INSERT INTO upload_parts (upload_id, fingerprint, part) VALUES (\(uploads[k].id), \(parts.fingerprints[k]), \(part))
                    ON CONFLICT (upload_id) DO UPDATE SET fingerprint = excluded.fingerprint, part = excluded.part, binned_at = now()
                    """, logger: logger)
            }
            for pack in built {
                try await db.query("""
                    INSERT INTO packs (district, tier, html, xlsx, period_from, period_to, upload_ids, published_by)
                    VALUES (\(pack.district), \(pack.tier.rawValue), \(pack.html), \(pack.xlsx), \(period.lowerBound.description),
                            \(period.upperBound.description), \(ids), \(analyst.id))
                    ON CONFLICT (district, tier) DO UPDATE SET html = excluded.html, xlsx = excluded.xlsx, period_from = excluded.period_from,
                        period_to = excluded.period_to, upload_ids = excluded.upload_ids, published_at = now(),
                        published_by = excluded.published_by
                    """, logger: logger)
            }
        }
        return Publication(uploads: ids, period: "\(period.lowerBound) to \(period.upperBound)", packs: built.count,
                           seconds: Date().timeIntervalSince(started), binned: parts.fresh.keys.sorted().map { uploads[$0].id },
                           reused: parts.reused.map { uploads[$0].id }, binningSeconds: binnedAt.timeIntervalSince(started))
    }

    static func content(_ client: PostgresClient, of ids: [Int64], logger: Logger) async throws -> [Int64: Data] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await client.query("SELECT id, content FROM uploads WHERE id = ANY (\(ids))", logger: logger).decode((Int64, Data).self).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })
    }

    /// The request `svd report upload-<id>.csv[:MAPPING]… --district CODE` makes, over files in `folder`.
    static func request(_ uploads: [StoredUpload], folder: URL, config: PortalConfig) -> IncidentRequest {
        let inputs = uploads.map { u in
            IncidentInput(url: folder.appendingPathComponent("upload-\(u.id).csv"), layout: u.mapping.layout, source: u.source, partner: u.partner)
        }
        var request = IncidentRequest(inputs: inputs, area: config.area, workers: 2)
        request.disclosureKey = config.disclosureKey
        return request
    }

    /// One binning pass over the uploads (their kept parts, and the files of the others written to a private
    /// folder as `upload-<id>.csv`), then the report for each district and tier, as
    /// `svd report FILE[:MAPPING]… --district CODE [--tier partner]` makes it.
    static func build(_ uploads: [StoredUpload], contents: [Int64: Data], stored: [Int64: Data],
                      config: PortalConfig) throws -> ([Built], ClosedRange<MonthKey>, BinnedParts, Date) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("svd-portal-pack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        for u in uploads { if let data = contents[u.id] { try data.write(to: folder.appendingPathComponent("upload-\(u.id).csv")) } }
        let request = request(uploads, folder: folder, config: config)
        let parts = BinnedParts(stored: uploads.map { stored[$0.id] }, inputKeys: uploads.map(\.sha256))
        let binned = try BinnedIncidents(request: request, rejectsFile: nil, progress: nil, points: BinnedIncidents.reportPointWindow(for: request),
                                         parts: parts)
        let binnedAt = Date()
        return (try reports(binned, request: request, config: config), binned.period, parts, binnedAt)
    }

    /// Every district's report in both tiers, with its workbook, from one binning pass.
    static func reports(_ binned: BinnedIncidents, request: IncidentRequest, config: PortalConfig) throws -> [Built] {
        var built: [Built] = []
        for (index, district) in binned.area.districts.enumerated() {
            for tier in [DisclosureTier.public, .partner] {
                let policy = policy(tier, publicPolicy: config.publicPolicy)
                let arguments = request.inputs.map { "\($0.url.lastPathComponent)" } + ["--district", district.code, "--tier", tier.rawValue]
                let manifest = RunManifest(command: "serve publish", arguments: arguments, binned: binned, disclosure: policy, key: config.disclosureKey)
                let document = try binned.reportDocument(disclosure: policy, district: index, maxHotspots: 10, run: manifest)
                built.append(Built(district: district.code, tier: tier, html: document.html(),
                                   xlsx: tier == .partner ? try Workbook.data(document, policy: policy) : Data()))
            }
        }
        return built
    }

    /// Withdraws an upload under the ISA: its file, incidents and ledger records go (the ledger's lines and reasons
    /// stay as the account of what was read), and every pack built from it is rebuilt without it, or removed when
    /// nothing is left to build from. False: no such upload, or withdrawn already.
    public static func withdraw(_ client: PostgresClient, upload id: Int64, by analyst: Account, config: PortalConfig,
                                logger: Logger) async throws -> (withdrawn: Bool, republished: Publication?) {
        let (withdrawn, affected) = try await client.withTransaction(logger: logger) { db -> (Bool, Bool) in
            let rows = try await db.query("""
                UPDATE uploads SET withdrawn_at = now(), withdrawn_by = \(analyst.id), content = ''::bytea
                WHERE id = \(id) AND withdrawn_at IS NULL RETURNING id
                """, logger: logger).decode(Int64.self).all()
            guard !rows.isEmpty else { return (false, false) }
            try await db.query("DELETE FROM incidents WHERE upload_id = \(id)", logger: logger)
            try await db.query("DELETE FROM upload_parts WHERE upload_id = \(id)", logger: logger)
            try await db.query("UPDATE upload_rejects SET record = '' WHERE upload_id = \(id)", logger: logger)
            let packs = try await db.query("SELECT count(*)::int FROM packs WHERE \(id) = ANY (upload_ids)", logger: logger).decode(Int.self).all()
            return (true, (packs.first ?? 0) > 0)
        }
        guard withdrawn, affected else { return (withdrawn, nil) }
        do {
            return (true, try await publish(client, by: analyst, config: config, logger: logger))
        } catch let e as PortalError {
            // Nothing left in force: no pack may outlive the data it was built from.
            logger.info("withdrawal left nothing to publish (\(e)); removing the packs")
            try await client.query("DELETE FROM packs", logger: logger)
            return (true, nil)
        }
    }

    public struct PackInfo: Sendable, Codable, Equatable {
        public let district: String
        public let name: String
        public let tier: String
        public let period: String
        public let publishedAt: String
    }

    /// The packs an account may list: every district's for the analyst (both tiers), the CSP's own district's in
    /// its granted tier, none for a partner.
    public static func visible(_ client: PostgresClient, to account: Account, logger: Logger) async throws -> [PackInfo] {
        let rows = try await client.query("""
            SELECT p.district, d.name, p.tier, p.period_from || ' to ' || p.period_to,
                   to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
            FROM packs p JOIN districts d ON d.code = p.district ORDER BY d.name, p.tier DESC
            """, logger: logger).decode((String, String, String, String, String).self).all()
        let packs = rows.map { PackInfo(district: $0.0, name: $0.1, tier: $0.2, period: $0.3, publishedAt: $0.4) }
        switch account.role {
        case .analyst: return packs
        case .csp: return packs.filter { $0.district == account.district && $0.tier == account.cspTier.rawValue }
        case .partner: return []
        }
    }

    public static func html(_ client: PostgresClient, district: String, tier: DisclosureTier, logger: Logger) async throws -> String? {
        try await client.query("SELECT html FROM packs WHERE district = \(district) AND tier = \(tier.rawValue)", logger: logger)
            .decode(String.self).all().first
    }

    /// The pack's workbook; nil when none is published (the public tier has none; or the pack predates workbooks).
    public static func workbook(_ client: PostgresClient, district: String, tier: DisclosureTier, logger: Logger) async throws -> Data? {
        try await client.query("SELECT xlsx FROM packs WHERE district = \(district) AND tier = \(tier.rawValue)", logger: logger)
            .decode(Data.self).all().first.flatMap { $0.isEmpty ? nil : $0 }
    }
}
