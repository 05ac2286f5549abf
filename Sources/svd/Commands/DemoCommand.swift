import ArgumentParser
import Foundation
import struct SVDCore.MonthKey
import SVDDemo

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a realistic synthetic incident file for the embedded Kent & Medway area (deterministic for a seed).",
        discussion: """
        Incidents concentrate in town centres, more along the North and East Kent coast, over 36 months; hours peak \
        at 3–4pm, 6–8pm and 11pm–midnight, heavier on Friday and Saturday nights; suspects peak at 17. \
        Entirely synthetic: no real incident is represented.
        """)

    @Option(help: "Number of incidents (1 to 10,000,000).")
    var rows: Int = 100_000

    @Option(help: "Random seed: the same seed gives the same bytes.")
    var seed: UInt64 = 2024

    @Option(help: ArgumentHelp("Last month covered (YYYY-MM); 36 months end here. Default: \(DemoGenerator.defaultEndMonth).", valueName: "YYYY-MM"),
            transform: MonthKey.parsing)
    var end: MonthKey = DemoGenerator.defaultEndMonth

    @Option(help: "native (the documented schema) or police-uk (data.police.uk street-level layout: month only, no ages).")
    var format: DemoFormat = .native

    @Option(help: ArgumentHelp("Output CSV file.", valueName: "file"))
    var out: String = "incidents.csv"

    func validate() throws {
        guard (1...10_000_000).contains(rows) else { throw ValidationError("--rows must be between 1 and 10,000,000") }
    }

    func run() throws {
        try runReportingErrors {
            let generator = DemoGenerator(seed: seed, rows: rows, endMonth: end)
            let tty = isatty(STDERR_FILENO) == 1
            try generator.write(to: URL(fileURLWithPath: out), format: format) { done in
                if tty { FileHandle.standardError.write(Data("\rdemo: \(done) rows".utf8)) }
            }
            if tty { FileHandle.standardError.write(Data("\n".utf8)) }
            say("Wrote \(rows) synthetic incidents (seed \(seed), \(format.rawValue)) to \(out).")
        }
    }
}

extension DemoFormat: ExpressibleByArgument {}
