import ArgumentParser
import Foundation
import struct SVDCore.MonthKey
import struct SVDCore.DisclosureKey
import SVDPublish
import SVDEngine

/// Options shared by every command that reads incidents.
struct IncidentInputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Incident CSV files: native schema, data.police.uk street-level, or a partner extract with --mapping.",
                                 valueName: "incident-file"))
    var files: [String] = []

    @Option(help: ArgumentHelp("Area: an embedded area id (kent-medway) or a directory written by `svd geodata import`.", valueName: "area"))
    var area: String = "kent-medway"

    @Option(help: ArgumentHelp("Serious violence, strand and cohort definitions (YAML). Default: the area's own (Kent & Medway board).",
                               valueName: "file"))
    var definitions: String?

    @Option(help: ArgumentHelp("Column-mapping YAML for a partner extract (A&E ISTV, ambulance…). Applies to every input file.", valueName: "file"))
    var mapping: String?

    @Option(help: ArgumentHelp("First month of the analysis period (YYYY-MM). Default: 36 months back from --to.", valueName: "YYYY-MM"))
    var from: String?

    @Option(help: ArgumentHelp("Last month of the analysis period (YYYY-MM). Default: the last month with data.", valueName: "YYYY-MM"))
    var to: String?

    @Option(help: "Worker threads for ingest (default: all cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one incident file (try `svd demo --out incidents.csv` first)") }
        if workers < 1 || workers > 64 { throw ValidationError("--workers must be between 1 and 64") }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, MonthKey(parsing: Substring(value)) == nil {
                throw ValidationError("\(name) '\(value)' is not a month like 2024-03")
            }
        }
        if let f = from.flatMap({ MonthKey(parsing: Substring($0)) }), let t = to.flatMap({ MonthKey(parsing: Substring($0)) }), f > t {
            throw ValidationError("--from \(from!) is after --to \(to!)")
        }
    }

    var fromMonth: MonthKey? { from.flatMap { MonthKey(parsing: Substring($0)) } }
    var toMonth: MonthKey? { to.flatMap { MonthKey(parsing: Substring($0)) } }

    func request(key: DisclosureKey) -> IncidentRequest {
        var r = IncidentRequest(files: files.map { URL(fileURLWithPath: $0) }, area: area,
                                definitionsFile: definitions.map { URL(fileURLWithPath: $0) },
                                mappingFile: mapping.map { URL(fileURLWithPath: $0) },
                                from: fromMonth, to: toMonth, workers: workers)
        r.disclosureKey = key
        return r
    }
}

extension DisclosureTier: ExpressibleByArgument {}

/// Who the outputs are for, and the secret their record keys are made with. Shared by every command that publishes.
struct DisclosureOptions: ParsableArguments {
    @Option(help: ArgumentHelp("public (default; OFFICIAL): perturbed counts, <N for small ones, minimum bases, generalised places. partner (OFFICIAL-SENSITIVE): true counts for partners under the Information Sharing Agreement.",
                               valueName: "tier"))
    var tier: DisclosureTier = .public

    @Option(help: "Public tier: published values from 1 up to this minus one read \"<N\" (default 5; at least 3).")
    var suppressBelow: Int = 5

    @Option(help: "Public tier: a district, area or hotspot is broken down (age, sex, time, place, strand) only when its published total reaches this.")
    var minBase: Int = 50

    @Flag(help: ArgumentHelp("Switch cell-key perturbation off (TEST USE ONLY: linked tables then give small counts away; every file says so).", visibility: .hidden))
    var noPerturb = false

    @Option(help: ArgumentHelp("File holding the partnership's 32-hex-digit disclosure key (default: $SVD_DISCLOSURE_KEY_FILE, else ~/.config/svd/disclosure-key, created on first use). Use the same key for every run you publish.",
                               valueName: "file"))
    var disclosureKeyFile: String?

    func validate() throws {
        if tier == .public && suppressBelow < DisclosurePolicy.minimumPublicThreshold {
            throw ValidationError("--suppress-below \(suppressBelow) is refused in the public tier: with fewer than \(DisclosurePolicy.minimumPublicThreshold) every \"<\(suppressBelow)\" would read as an exact count")
        }
        if suppressBelow > 100 { throw ValidationError("--suppress-below must be at most 100") }
        if minBase < 0 { throw ValidationError("--min-base must be zero or more") }
        if tier == .public && minBase < suppressBelow { throw ValidationError("--min-base must be at least --suppress-below in the public tier") }
    }

    var policy: DisclosurePolicy {
        tier == .partner ? .partner : DisclosurePolicy(tier: .public, threshold: suppressBelow, perturb: !noPerturb, minimumBase: minBase)
    }

    /// The key file: read it, or create it with a new random key when it is the default one and missing.
    func key() throws -> DisclosureKey {
        let env = ProcessInfo.processInfo.environment["SVD_DISCLOSURE_KEY_FILE"]
        let explicit = disclosureKeyFile ?? env.flatMap { $0.isEmpty ? nil : $0 }
        let path = explicit ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config/svd/disclosure-key").path
        if !FileManager.default.fileExists(atPath: path) {
            guard explicit == nil else { throw DisclosureKeyError("\(path): disclosure key file not found") }
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (DisclosureKey.newHex() + "\n").write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            FileHandle.standardError.write(Data("svd: created a new disclosure key in \(path); use the same key for every run you publish, and keep it secret.\n".utf8))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw DisclosureKeyError("\(path): cannot read the disclosure key file") }
        guard let key = DisclosureKey.parse(hex: text, origin: path) else {
            throw DisclosureKeyError("\(path): a disclosure key file holds 32 hexadecimal digits")
        }
        return key
    }
}

struct DisclosureKeyError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// What the manifest says about the run: the command and its inputs (never the disclosure key).
func runManifest(command: String, binned: BinnedIncidents, key: DisclosureKey) -> [String: Any] {
    let inputs: [[String: Any]] = binned.result.summaries.map { s in
        ["file": s.file, "format": s.format, "rows_read": s.summary.rowsRead, "accepted": s.summary.accepted, "rejected": s.summary.rejected]
    }
    return ["svd_command": command, "arguments": Array(CommandLine.arguments.dropFirst()),
            "area": binned.area.id, "definitions": binned.definitions.name,
            "period": ["from": binned.period.lowerBound.description, "to": binned.period.upperBound.description],
            "inputs": inputs, "disclosure_key": key.origin == DisclosureKey.testing.origin ? "testing" : "partnership key file"]
}

/// Turns library errors into a one-line message and a non-zero exit code, never a crash dump.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch {
        FileHandle.standardError.write(Data("svd: error: \(error)\n".utf8))
        throw ExitCode(2)
    }
}
