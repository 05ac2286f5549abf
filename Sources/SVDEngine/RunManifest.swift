import Foundation
import Crypto
import SVDCore
import SVDLocate
import SVDPublish

/// Lowercase hex SHA-256.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}

/// What a run read besides the incident files: the area, the definitions and the mapping, each with its hash.
public struct RunSources: Sendable {
    public let areaID: String
    public let areaName: String
    public let areaSHA256: String?
    /// A path, or "<area>/definitions.yaml" for the area's own.
    public let definitionsSource: String
    public let definitionsSHA256: String
    /// Input file name → the mapping it was read with (a file name, or a built-in mapping) and the mapping's hash.
    public let mappings: [String: (file: String, sha256: String)]

    init(area: Area, areaSHA256: String?, definitionsSource: String, definitionsSHA256: String, mappings: [String: (file: String, sha256: String)]) {
        areaID = area.id
        areaName = area.name
        self.areaSHA256 = areaSHA256
        self.definitionsSource = definitionsSource
        self.definitionsSHA256 = definitionsSHA256
        self.mappings = mappings
    }
}

/// Everything a reader needs to say which run made an output: svd's version and commit, the command line, each
/// input's name, size and SHA-256 with its rows read, accepted and rejected, the area and definitions with their
/// hashes, the period, and the disclosure tier and threshold. Written as `manifest.json` in every output folder
/// and set out in the report's methods section. It never holds the disclosure key.
public struct RunManifest {
    public struct Input: Sendable {
        public let file: String
        public let bytes: Int
        public let sha256: String
        public let format: String
        public let source: String
        public let partner: String?
        public let statedPeriod: String?
        public let rowsRead: Int
        public let accepted: Int
        public let rejected: Int
    }

    public let version: String
    public let gitCommit: String?
    public let command: String
    public let arguments: [String]
    public let inputs: [Input]
    public let sources: RunSources
    public let definitionsName: String
    public let period: ClosedRange<MonthKey>
    public let disclosure: DisclosurePolicy
    /// "partnership key file" or "testing": which kind of key made the record keys, never the key.
    public let key: String
    /// Extra sections a command adds (e.g. the rules on places of a hotspot run).
    public var extra: [String: [String: Any]] = [:]

    public init(command: String, arguments: [String], binned: BinnedIncidents, disclosure: DisclosurePolicy, key: DisclosureKey) {
        version = SVDVersion.number
        gitCommit = SVDVersion.gitCommit
        self.command = command
        self.arguments = arguments
        inputs = binned.result.summaries.map { s in
            Input(file: s.file, bytes: s.summary.bytes, sha256: s.summary.sha256.first ?? "", format: s.format,
                  source: s.source, partner: s.partner, statedPeriod: s.statedPeriod, rowsRead: s.summary.rowsRead, accepted: s.summary.accepted, rejected: s.summary.rejected)
        }
        sources = binned.sources
        definitionsName = binned.definitions.name
        period = binned.period
        self.disclosure = disclosure
        self.key = key.origin == DisclosureKey.testing.origin ? "testing" : "partnership key file"
    }

    /// The manifest's JSON object (`Publication.finish` adds the disclosure policy and the file list).
    public var json: [String: Any] {
        var inputs: [[String: Any]] = []
        for i in self.inputs {
            var entry: [String: Any] = ["file": i.file, "bytes": i.bytes, "sha256": i.sha256, "format": i.format, "source": i.source,
                                        "rows_read": i.rowsRead, "accepted": i.accepted, "rejected": i.rejected]
            if let p = i.partner { entry["partner"] = p }
            if let p = i.statedPeriod { entry["stated_period"] = p }
            if let map = sources.mappings[i.file] { entry["mapping"] = ["file": map.file, "sha256": map.sha256] }
            inputs.append(entry)
        }
        var area: [String: Any] = ["id": sources.areaID, "name": sources.areaName]
        if let h = sources.areaSHA256 { area["sha256"] = h }
        var m: [String: Any] = [
            "svd_version": version, "svd_command": command, "arguments": arguments, "inputs": inputs, "area": area,
            "definitions": ["name": definitionsName, "source": sources.definitionsSource, "sha256": sources.definitionsSHA256],
            "period": ["from": period.lowerBound.description, "to": period.upperBound.description],
            "disclosure_key": key,
        ]
        if let c = gitCommit { m["git_commit"] = c }
        for (k, v) in extra { m[k] = v }
        return m
    }

    /// The manifest as lines of prose, for the report's methods section.
    public var lines: [String] {
        var out = ["svd \(version)" + (gitCommit.map { ", commit \($0.prefix(12))" } ?? "") + ": svd " + ([command] + arguments.dropFirst()).joined(separator: " ")]
        for i in inputs {
            let mapping = sources.mappings[i.file].map { ", mapping \($0.file) SHA-256 \($0.sha256)" } ?? ""
            out.append("Input \(i.file) (\(i.format)\(mapping); source \(i.source)\(i.partner.map { ", supplied by \($0)" } ?? ""); \(groupedThousands(i.bytes)) bytes, SHA-256 \(i.sha256)): "
                       + "\(groupedThousands(i.rowsRead)) rows read, \(groupedThousands(i.accepted)) accepted, \(groupedThousands(i.rejected)) rejected.")
        }
        out.append("Area \(sources.areaName) (\(sources.areaID)" + (sources.areaSHA256.map { ", SHA-256 \($0)" } ?? "") + ").")
        out.append("Definitions “\(definitionsName)” from \(sources.definitionsSource) (SHA-256 \(sources.definitionsSHA256)).")
        out.append("Period \(period.lowerBound) to \(period.upperBound); \(disclosure.tier.rawValue) tier (\(disclosure.tier.marking))"
                   + (disclosure.protects ? ", counts under \(disclosure.threshold) shown as <\(disclosure.threshold), minimum base \(disclosure.minimumBase)." : ", true counts."))
        return out
    }
}
