import ArgumentParser
import Foundation
import struct SVDCore.MonthKey
import struct SVDCore.ParameterError
import SVDDemo

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a realistic synthetic incident file for the embedded Kent & Medway area (deterministic for a seed).",
        discussion: """
        Incidents concentrate in town centres, more along the North and East Kent coast, over 36 months; hours peak \
        at 3–4pm, 6–8pm and 11pm–midnight, heavier on Friday and Saturday nights; suspects peak at 17. \
        Entirely synthetic: no real incident is represented.

        --partners also writes, beside --out X.csv (whose bytes do not change), the extracts two partners would \
        share about partly the same assaults, and the truth about which are the same: X-ae-istv.csv (an emergency \
        department's ISTV "Cardiff Model" extract, read by the shipped mapping ae-istv), X-ambulance.csv \
        (ambulance call-outs, 5% of them not violence, e.g. Falls; mapping ambulance), X-overlap-truth.csv \
        (source,record_id,police_id: the police record each partner record copies, blank when none) and \
        X-sources.yaml (the three files, how to read them, who supplied them, the period). A copied record is a \
        police record of violence with injury or attempted murder, with a time, in a public place or a dwelling, \
        moved by a geocoding error (sd 60 m, at most 200 m) and later in time (A&E arrival 20 minutes to 3 hours \
        after, ambulance call 0–30 minutes after), with the victim's age and sex. The other partner records are \
        assaults the police never recorded, from the same model.
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

    // Partner extracts. The defaults are round figures in line with published work on data sharing between
    // emergency departments, ambulance services and the police (PartnerMix): ED assault attendances about an
    // eighth of police-recorded violence and ambulance assault call-outs half that; Cardiff Model research finds
    // most ED assault attendances are not known to the police, and about half of ambulance assault call-outs are.
    @Flag(help: "Also write an A&E ISTV extract, an ambulance extract, the true overlap with the police file and a sources file (see above).")
    var partners = false

    @Option(help: ArgumentHelp("A&E ISTV attendances, 0 to 10,000,000 (with --partners). Default: 12% of --rows.", valueName: "n"))
    var aeRows: Int?

    @Option(help: ArgumentHelp("Ambulance call-outs, 0 to 10,000,000, 5% of them not violence (with --partners). Default: 6% of --rows.",
                               valueName: "n"))
    var ambulanceRows: Int?

    @Option(help: ArgumentHelp("""
        Share of A&E assault attendances also recorded by the police, 0 to 1 (with --partners). Default: \
        \(PartnerMix.defaultAEPoliceOverlap) (Cardiff Model research: most are not known to the police).
        """, valueName: "share"))
    var aePoliceOverlap: Double?

    @Option(help: ArgumentHelp("""
        Share of ambulance assault call-outs (not counting the non-violence ones) also recorded by the police, 0 to 1 \
        (with --partners). Default: \(PartnerMix.defaultAmbulancePoliceOverlap).
        """, valueName: "share"))
    var ambulancePoliceOverlap: Double?

    func validate() throws {
        guard (1...10_000_000).contains(rows) else { throw ValidationError("--rows must be between 1 and 10,000,000") }
        let partnerOptions: [(String, Bool)] = [("--ae-rows", aeRows != nil), ("--ambulance-rows", ambulanceRows != nil),
                                                ("--ae-police-overlap", aePoliceOverlap != nil),
                                                ("--ambulance-police-overlap", ambulancePoliceOverlap != nil)]
        if !partners, let given = partnerOptions.first(where: \.1) {
            throw ValidationError("\(given.0) needs --partners")
        }
        guard partners else { return }
        guard format == .native else {
            throw ValidationError("--partners needs --format native (a data.police.uk file has no day or time to match on)")
        }
        for (name, n) in [("--ae-rows", aeRows), ("--ambulance-rows", ambulanceRows)] {
            if let n, !(0...10_000_000).contains(n) { throw ValidationError("\(name) must be between 0 and 10,000,000") }
        }
        for (name, p) in [("--ae-police-overlap", aePoliceOverlap), ("--ambulance-police-overlap", ambulancePoliceOverlap)] {
            if let p, !(p >= 0 && p <= 1) { throw ValidationError("\(name) must be a share between 0 and 1") }
        }
    }

    var mix: PartnerMix {
        PartnerMix(policeRows: rows, aeRows: aeRows, ambulanceRows: ambulanceRows,
                   aePoliceOverlap: aePoliceOverlap ?? PartnerMix.defaultAEPoliceOverlap,
                   ambulancePoliceOverlap: ambulancePoliceOverlap ?? PartnerMix.defaultAmbulancePoliceOverlap)
    }

    func run() throws {
        try runReportingErrors {
            let generator = DemoGenerator(seed: seed, rows: rows, endMonth: end)
            let tty = isatty(STDERR_FILENO) == 1
            let progress: (Int) -> Void = { done in
                if tty { FileHandle.standardError.write(Data("\rdemo: \(done) rows".utf8)) }
            }
            let url = URL(fileURLWithPath: out)
            var summary: PartnerSummary?
            if partners {
                summary = try generator.write(to: url, partners: mix, progress: progress)
            } else {
                try generator.write(to: url, format: format, progress: progress)
            }
            if tty { FileHandle.standardError.write(Data("\n".utf8)) }
            say("Wrote \(rows) synthetic incidents (seed \(seed), \(format.rawValue)) to \(out).")
            if let s = summary {
                let m = s.mix
                func name(_ u: URL) -> String { (out as NSString).deletingLastPathComponent.isEmpty ? u.lastPathComponent
                    : ((out as NSString).deletingLastPathComponent as NSString).appendingPathComponent(u.lastPathComponent) }
                say("""
                Wrote \(m.aeRows) A&E attendances (\(m.aeMatched) also in the police file) to \(name(s.files.ae)), \
                \(m.ambulanceRows) ambulance call-outs (\(m.ambulanceNonViolence) not violence; \(m.ambulanceMatched) of the \
                \(m.ambulanceAssaults) assaults also in the police file) to \(name(s.files.ambulance)), the true overlap to \
                \(name(s.files.truth)) and the sources to \(name(s.files.sources)) (\(s.period)).
                """)
            }
        }
    }
}

extension DemoFormat: ExpressibleByArgument {}
