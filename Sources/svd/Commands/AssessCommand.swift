import ArgumentParser
import Foundation
import SVDEngine
import SVDPublish
import SVDWorkbook

struct AssessCommand: ParsableCommand, TableOutputDefaults {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Needs-assessment tables from incident extracts: district rates with confidence intervals, change, age, sex, time, place, strands and data quality.",
        discussion: """
        Reads every file, locates each incident in its district, bins it, and writes one file per table and format \
        into --out (with --format xlsx also assessment.xlsx: a Notes sheet, then a sheet per table), plus rejects.csv \
        (every rejected row with its line number and reason) in the restricted folder beside it. Small counts are suppressed. \
        --hotspots N adds hotspots_by_district: the N largest DBSCAN hotspots of each district.
        Exit codes: 0 success; 64 bad arguments; 2 unreadable or unusable input.
        """)

    static let defaultOutputDirectory = "assessment"
    static let workbookFile = "assessment.xlsx"

    @OptionGroup var area: AreaOptions
    @OptionGroup var input: IncidentInputOptions
    @OptionGroup var period: PeriodOptions
    @OptionGroup var disclosure: DisclosureOptions
    @OptionGroup var tableOutput: TableOutputOptions<AssessCommand>

    @Option(help: ArgumentHelp("Add hotspots_by_district: each district's N largest DBSCAN hotspots over the latest 12 months (0 to 50; 0: no table). Give the number: --hotspots 3. The same pass keeps those incidents' points in memory.",
                               valueName: "n"))
    var hotspots: Int = 0

    @Option(help: ArgumentHelp("Write every table for one source only (as the data names it: police, A&E, ambulance…). Default: all sources, with by-source tables when there are several.",
                               valueName: "name"))
    var source: String?

    func validate() throws {
        guard (0...50).contains(hotspots) else { throw ValidationError("--hotspots must be between 0 and 50 (hotspots per district; 0 writes no hotspot table)") }
    }

    func run() throws {
        try runReportingErrors {
            let out = tableOutput.out
            let progress = input.quiet ? nil : ProgressReporter()
            let policy = disclosure.policy
            let key = try disclosure.key()
            // Rejects hold whole input records: they go to a restricted folder beside the publishable one. Both are
            // written under hidden names and replace the previous run's folders only when whole.
            // SVD_TIMINGS=1: seconds per stage on stderr (for the README's figures).
            let timings = ProcessInfo.processInfo.environment["SVD_TIMINGS"] == "1"
            let started = Date()
            try withOutputFolder(out) { folder in
                let rejectsFile = folder.restrictedStaging.appendingPathComponent("rejects.csv")
                // One pass: the tables need only the cube; hotspots keep the latest 12 months' points besides.
                let binned = try BinnedIncidents(request: input.request(area: area, period: period, key: key), rejectsFile: rejectsFile, progress: progress,
                                                 points: hotspots > 0 ? .latest(HotspotAnalysis.patrolWindowMonths) : .none)
                let binnedAt = Date()
                var publication = try Publication(directory: folder.staging, policy: policy)
                let input: AssessmentInput
                if let source {
                    guard let one = binned.assessmentInput(disclosure: policy, source: source) else {
                        throw ValidationError("--source '\(source)' is not a source of these inputs (sources: \(binned.sourceNames.joined(separator: ", ")))")
                    }
                    input = one
                } else {
                    input = binned.assessmentInput(disclosure: policy)
                }
                let assessment = AssessmentTables(input: input)
                var tables = assessment.all()
                if hotspots > 0 { tables.append(DistrictHotspots.table(binned, disclosure: policy, perDistrict: hotspots)) }
                let headlines = assessment.headlineLines
                let measuredAt = Date()
                try tableOutput.write(tables, to: &publication, cover: WorkbookCover(
                    title: "Serious violence needs assessment: \(binned.area.name)", definitions: binned.definitions.name,
                    period: "\(binned.period.lowerBound) to \(binned.period.upperBound)", area: binned.area.name,
                    details: [("Headline", headlines.isEmpty ? "Not computable: change needs 24 months of data ending \(binned.period.upperBound)." : headlines.joined(separator: " "))]
                        + assessment.assessment.keyFindings.map { ("Key finding", $0) }))
                try publication.write(name: "cohort_headline.md", text: assessment.headlineMarkdown())
                try publication.finish(run: runManifest(command: "assess", binned: binned, key: key, policy: policy).json)
                try folder.commit()
                if timings {
                    let now = Date()
                    let stages = binned.stageSeconds.map { "\($0.stage) " + String(format: "%.3f s", $0.seconds) }
                        + [String(format: "measures and tables %.3f s", measuredAt.timeIntervalSince(binnedAt)),
                           String(format: "write %.3f s", now.timeIntervalSince(measuredAt)),
                           String(format: "total %.3f s", now.timeIntervalSince(started))]
                    FileHandle.standardError.write(Data("timing: \(stages.joined(separator: ", "))\n".utf8))
                }
                let read = binned.result.summaries.reduce(0) { $0 + $1.summary.rowsRead }
                let accepted = binned.result.summaries.reduce(0) { $0 + $1.summary.accepted }
                let rejectsPath = folder.restrictedFinal.appendingPathComponent("rejects.csv").path
                say("\(binned.area.name): \(read) rows read, \(accepted) accepted, \(read - accepted) rejected (see \(rejectsPath), OFFICIAL-SENSITIVE: never publish).")
                say("Period \(binned.period.lowerBound) to \(binned.period.upperBound). \(tables.count) tables written to \(out)/ as \(tableOutput.format.names.joined(separator: ", ")) (\(policy.tier.rawValue) tier, \(policy.tier.marking)).")
                for line in assessment.headlineLines { say(line) }
            }
            for line in policy.headerLines where !(policy.protects && policy.perturb) { say("WARNING: \(line)") }
        }
    }
}
