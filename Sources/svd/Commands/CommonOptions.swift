import ArgumentParser
import Foundation
import struct SVDCore.MonthKey
import func SVDCore.terminalSafe
import struct SVDCore.DisclosureKey
import struct SVDCore.Definitions
import struct SVDLocate.Area
import SVDPublish
import SVDEngine
import SVDWorkbook

// MARK: Typed option values

/// Why an option's value cannot be parsed. ArgumentParser prints it after the value and the option:
/// "The value '2024-13' is invalid for '--from <YYYY-MM>': not a month like 2024-03".
struct ArgumentValueError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

// Typed values with a reason declare their options with `transform: T.parsing`: an `ExpressibleByArgument`
// conformance alone can only say "invalid", never why.

extension MonthKey: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: Substring(argument)) }

    /// Every month option (--from, --to, --compare-from, --compare-to, demo --end) parses with this.
    @Sendable static func parsing(_ text: String) throws -> MonthKey {
        guard let month = MonthKey(argument: text) else { throw ArgumentValueError("not a month like 2024-03") }
        return month
    }
}

/// `--format csv,md,json,xlsx`: the text formats write one file per table, each once in the order given;
/// xlsx writes one workbook holding every table (a sheet each, after a Notes sheet).
struct TableFormats: ExpressibleByArgument, Sendable {
    var formats: [TableFormat]
    var workbook: Bool

    static let workbookName = "xlsx"

    init(_ formats: [TableFormat], workbook: Bool = false) {
        self.formats = formats
        self.workbook = workbook
    }

    init?(argument: String) {
        guard let parsed = try? Self.parsing(argument) else { return nil }
        self = parsed
    }

    @Sendable static func parsing(_ text: String) throws -> TableFormats {
        var parsed = TableFormats([])
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            if name == workbookName {
                parsed.workbook = true
                continue
            }
            guard let f = TableFormat(rawValue: String(name)) else {
                throw ArgumentValueError("unknown format '\(name)': use csv, md, json or xlsx, comma-separated")
            }
            if !parsed.formats.contains(f) { parsed.formats.append(f) }
        }
        return parsed
    }

    var names: [String] { formats.map(\.rawValue) + (workbook ? [Self.workbookName] : []) }

    var defaultValueDescription: String { names.joined(separator: ",") }
}

extension HotspotMethod: ExpressibleByArgument {
    /// Any case, as before the option was typed (`--method GiStar`).
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// `--cell`: a grid cell side in metres, or `auto`.
enum CellSize: ExpressibleByArgument, Sendable {
    case auto
    case metres(Double)

    init?(argument: String) {
        if argument.lowercased() == "auto" {
            self = .auto
        } else if let metres = Double(argument) {
            self = .metres(metres)
        } else {
            return nil
        }
    }

    @Sendable static func parsing(_ text: String) throws -> CellSize {
        guard let cell = CellSize(argument: text) else { throw ArgumentValueError("not a number of metres or 'auto'") }
        return cell
    }

    /// `HotspotParameters.cellSize`: nil picks the automatic size.
    var metres: Double? {
        switch self {
        case .auto: nil
        case .metres(let m): m
        }
    }
}

// MARK: Option groups

/// `--area`: the districts, boundaries and population. Shared by every command that has an area.
struct AreaOptions: ParsableArguments {
    @Option(name: .customLong("area"),
            help: ArgumentHelp("An embedded area id (kent-medway) or a directory written by `svd geodata import`.", valueName: "area"))
    var spec: String = "kent-medway"

    /// The area; an unknown or unreadable one is unusable input (exit 2 through `runReportingErrors`).
    func load() throws -> Area { try AreaResolver.area(spec) }

    /// `--district` of `hotspots` and `report`: a district's code or name, in any case. An unknown one is an
    /// argument error (exit 64) listing the area's districts.
    static func district(_ text: String, in area: Area) throws -> Int {
        guard let index = area.district(matching: text) else {
            let known = area.districts.map { "\($0.code) \($0.name)" }.joined(separator: ", ")
            throw ValidationError("--district '\(text)' is not a district of \(area.name): \(known)")
        }
        return index
    }
}

/// `--from` and `--to`: the analysis period. Shared by every command that reads incidents.
struct PeriodOptions: ParsableArguments {
    @Option(help: ArgumentHelp("First month of the analysis period (YYYY-MM). Default: 36 months back from --to.", valueName: "YYYY-MM"),
            transform: MonthKey.parsing)
    var from: MonthKey?

    @Option(help: ArgumentHelp("Last month of the analysis period (YYYY-MM). Default: the last month with data.", valueName: "YYYY-MM"),
            transform: MonthKey.parsing)
    var to: MonthKey?

    func validate() throws {
        if let from, let to, from > to { throw ValidationError("--from \(from) is after --to \(to)") }
    }
}

/// The incident files and how to read them. Shared by every command that reads incidents.
struct IncidentInputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Incident CSV files: native schema or data.police.uk street-level (detected), or FILE:MAPPING for a partner extract, where MAPPING is a built-in mapping (\(ShippedMapping.allCases.map(\.rawValue).joined(separator: ", "))) or a mapping YAML.",
                                 valueName: "incident-file"))
    var files: [String] = []

    @Option(help: ArgumentHelp("A sources YAML listing the extracts of several agencies, each with its file, mapping, source and partner (read besides any files given).",
                               valueName: "file"))
    var sources: String?

    @Option(help: ArgumentHelp("Serious violence, strand and cohort definitions (YAML). Default: the area's own (Kent & Medway board).",
                               valueName: "file"))
    var definitions: String?

    @Option(help: ArgumentHelp("Area-level partner figures (CSV: district, month, measure, value[, supplied_by]) shown beside the incident measures as context. Repeatable.",
                               valueName: "file"))
    var context: [String] = []

    @Option(help: ArgumentHelp("Place names (GeoJSON points or polygons with a name, WGS84 or EPSG:27700): each hotspot and cell row gets the place it lies in or nearest to. Default: the area directory's places.json (svd geodata import --places), if any.", valueName: "file"))
    var gazetteer: String?

    @Option(help: ArgumentHelp("Overlap of partner and police records: a partner record has a police counterpart when one lies within this many metres (default 250) …",
                               valueName: "m"))
    var overlapMetres: Double = 250

    @Option(help: ArgumentHelp("… and this many hours (default 3).", valueName: "h"))
    var overlapHours: Int = 3

    @Option(help: ArgumentHelp("Column-mapping YAML for files given without their own FILE:MAPPING.", valueName: "file"))
    var mapping: String?

    @Option(help: ArgumentHelp("Earliest month a row may be dated (YYYY-MM); earlier rows, and rows dated after today, are rejected as implausible_date.",
                               valueName: "YYYY-MM"),
            transform: MonthKey.parsing)
    var earliest: MonthKey = MonthKey(year: 1990, month: 1)

    @Option(help: "Worker threads for ingest (default: all cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        if files.isEmpty && sources == nil { throw ValidationError("give at least one incident file or --sources (try `svd demo --out incidents.csv` first)") }
        if workers < 1 || workers > 64 { throw ValidationError("--workers must be between 1 and 64") }
        if !(overlapMetres > 0 && overlapMetres <= 5000) { throw ValidationError("--overlap-metres must be more than 0 and at most 5000") }
        if !(0...72).contains(overlapHours) { throw ValidationError("--overlap-hours must be between 0 and 72") }
    }

    /// The run's inputs: the sources file's entries, then the files given. An unreadable or invalid sources file is
    /// unusable input (exit 2).
    func request(area: AreaOptions, period: PeriodOptions, key: DisclosureKey) throws -> IncidentRequest {
        let fallback = mapping.map { URL(fileURLWithPath: $0) }
        let listed = try sources.map { try SourcesFile.load(URL(fileURLWithPath: $0)) } ?? []
        var r = IncidentRequest(inputs: listed + files.map { IncidentInput.parse(argument: $0, fallback: fallback) }, area: area.spec,
                                definitionsFile: definitions.map { URL(fileURLWithPath: $0) },
                                from: period.from, to: period.to, workers: workers)
        r.disclosureKey = key
        r.earliest = earliest
        r.contextFiles = context.map { URL(fileURLWithPath: $0) }
        r.gazetteerFile = gazetteer.map { URL(fileURLWithPath: $0) }
        r.overlap = OverlapParameters(radiusMetres: overlapMetres, windowHours: overlapHours)
        return r
    }

    /// The run's definitions (--definitions, else the area's own); an unreadable file is unusable input (exit 2).
    func loadDefinitions(for area: Area, _ options: AreaOptions) throws -> Definitions {
        try AreaResolver.definitions(for: area, areaSpec: options.spec, file: definitions.map { URL(fileURLWithPath: $0) })
    }

    /// `--strand`: a strand id of the definitions, in any case. An unknown one is an argument error (exit 64).
    static func strand(_ text: String, in definitions: Definitions) throws -> String {
        guard let strand = definitions.strands.first(where: { $0.id.lowercased() == text.lowercased() }) else {
            throw ValidationError("--strand '\(text)' is not a strand of \(definitions.name): \(definitions.strands.map(\.id).joined(separator: ", "))")
        }
        return strand.id
    }
}

/// The output directory's default, and the workbook's name in it, per command.
protocol TableOutputDefaults {
    static var defaultOutputDirectory: String { get }
    /// `--format xlsx`: the one workbook a run writes, e.g. "assessment.xlsx".
    static var workbookFile: String { get }
}

/// `--out DIR` and `--format`: where and how tables are written. Shared by `assess` and `hotspots`.
struct TableOutputOptions<Command: TableOutputDefaults>: ParsableArguments {
    @Option(help: ArgumentHelp("Output directory: a new name, an empty folder or a previous run's (holding manifest.json). Written beside it and swapped in whole when the run completes, with DIR.restricted/ (rejects).", valueName: "dir"))
    var out: String = Command.defaultOutputDirectory

    @Option(help: ArgumentHelp("Table formats, comma-separated: csv, md, json (a file per table), xlsx (one Excel workbook: a Notes sheet, then a sheet per table). Default: csv,md.",
                               valueName: "formats"),
            transform: TableFormats.parsing)
    var format: TableFormats = TableFormats([.csv, .md])

    /// The text formats; `--format xlsx` is `format.workbook`.
    var formats: [TableFormat] { format.formats }

    /// Every table in each text format, then the workbook of them all when asked for.
    func write(_ tables: [PublishedTable], to publication: inout Publication, cover: @autoclosure () -> WorkbookCover) throws {
        try publication.write(tables, formats: formats)
        if format.workbook { try publication.writeWorkbook(name: Command.workbookFile, tables: tables, cover: cover()) }
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
            sayOnStderr("svd: created a new disclosure key in \(path); use the same key for every run you publish, and keep it secret.\n")
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

/// What the manifest says about the run: version, command line, inputs with their hashes (never the disclosure key).
func runManifest(command: String, binned: BinnedIncidents, key: DisclosureKey, policy: DisclosurePolicy) -> RunManifest {
    RunManifest(command: command, arguments: Array(CommandLine.arguments.dropFirst()), binned: binned, disclosure: policy, key: key)
}

/// A run's output folder (`--out DIR`), replaced whole: `body` writes into the staged folders, which replace the
/// previous run's only once it returns (`OutputFolder.commit`, which `body` may call itself before it reports).
/// An `--out` that cannot be used is a bad argument (one line, exit 64); a failed run leaves the previous folder.
func withOutputFolder(_ out: String, _ body: (OutputFolder) throws -> Void) throws {
    let folder: OutputFolder
    do {
        folder = try OutputFolder(out)
        try Publication.writeRestrictedMarking(into: folder.restrictedStaging, publishedIn: folder.final)
    } catch let e as OutputTargetError {
        throw ValidationError(e.description)
    }
    do {
        try body(folder)
        try folder.commit()
    } catch {
        folder.fail()
        throw error
    }
}

/// An output file (`--out FILE`, `--rejects FILE`) checked before the run: one that cannot be used is a bad
/// argument (one line, exit 64).
func outputFile(_ path: String, option: String) throws -> OutputFile {
    do { return try OutputFile(path, option: option) } catch let e as OutputTargetError { throw ValidationError(e.description) }
}

/// Turns library errors into a one-line message and exit 2 (unusable input), never a crash dump. Argument errors
/// (`ValidationError`, also thrown from `run()` once the area is loaded) go on to `SVD.main`: one line, exit 64.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch let e as ParameterError {
        throw ValidationError(e.option)
    } catch {
        printError("\(error)")
        throw ExitCode(2)
    }
}

extension ParameterError {
    /// The library's parameter as the option the user typed: one line, exit 64.
    var option: String {
        parameter == "comparison" ? "--previous and --compare-from/--compare-to \(reason.replacingOccurrences(of: "needs method", with: "need --method"))"
            : "--\(parameter) \(reason)"
    }
}

/// `svd: error: <message>` on stderr, always one line: line breaks and control characters (a binary file's
/// "header" quoted back, say) become spaces.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("svd: error: \(terminalSafe(message))\n".utf8))
}

/// `print` for everything the CLI writes to stdout: names from areas, definitions, mappings and file names reach
/// the terminal only through `terminalSafe` (line breaks kept).
func say(_ text: String, terminator: String = "\n") {
    print(terminalSafe(text, keepNewlines: true), terminator: terminator)
}

/// A note on stderr, as safe as `say`.
func sayOnStderr(_ text: String) {
    FileHandle.standardError.write(Data(terminalSafe(text, keepNewlines: true).utf8))
}
