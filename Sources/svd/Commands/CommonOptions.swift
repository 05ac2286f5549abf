import ArgumentParser
import Foundation
import struct SVDCore.MonthKey
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

    func request() -> IncidentRequest {
        IncidentRequest(files: files.map { URL(fileURLWithPath: $0) }, area: area,
                        definitionsFile: definitions.map { URL(fileURLWithPath: $0) },
                        mappingFile: mapping.map { URL(fileURLWithPath: $0) },
                        from: fromMonth, to: toMonth, workers: workers)
    }
}

struct DisclosureOptions: ParsableArguments {
    @Option(help: "Counts from 1 up to this minus one are published as \"<N\" (default 5: counts 1–4 are hidden).")
    var suppressBelow: Int = 5

    @Flag(help: "Publish small counts (INTERNAL USE ONLY). Every output then carries a loud warning header.")
    var noSuppress = false

    func validate() throws {
        if suppressBelow < 2 || suppressBelow > 100 { throw ValidationError("--suppress-below must be between 2 and 100") }
    }
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
