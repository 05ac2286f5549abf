import ArgumentParser
import Foundation
import SVDEngine
import SVDPublish
import SVDWorkbook

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The needs assessment as one self-contained HTML file: headline change, district rate map, hotspots, times, trend, age, strands, data quality and methods.",
        discussion: """
        Writes a single HTML file with inline SVG charts and CSS: it fetches nothing, opens offline and prints on A4. \
        Every chart has its numbers in a table beside it; small counts are hidden as in `svd assess`. \
        --district (a code or a name) makes a community safety partnership's local pack: that district against the area, with its own hotspots. \
        --hotspots N: how many hotspots are ranked and profiled (default 10).
        Exit codes: 0 success; 64 bad arguments; 2 unreadable or unusable input.
        """)

    @OptionGroup var area: AreaOptions
    @OptionGroup var input: IncidentInputOptions
    @OptionGroup var period: PeriodOptions
    @OptionGroup var disclosure: DisclosureOptions

    @Option(help: ArgumentHelp("A local pack for this district: its code or name (e.g. E07000112 or \"Folkestone and Hythe\").", valueName: "code|name"))
    var district: String?

    @Option(help: ArgumentHelp("Hotspots ranked and profiled (1 to 50).", valueName: "n"))
    var hotspots: Int = 10

    @Option(help: ArgumentHelp("Also write every rejected row, with its line number and reason, to this CSV.", valueName: "file"))
    var rejects: String?

    @Option(help: ArgumentHelp("Output HTML file: a new name or a regular file (a symbolic link is followed; devices, FIFOs and folders are refused). Written whole or not at all.", valueName: "file"))
    var out: String = "report.html"

    @Option(help: ArgumentHelp("Also write the report's tables as an Excel workbook (a Notes sheet, then a sheet per table, as `svd assess --format xlsx`), from the computation the HTML shows. With --district, partner tier only.", valueName: "file"))
    var xlsx: String?

    func validate() throws {
        guard (1...50).contains(hotspots) else { throw ValidationError("--hotspots must be between 1 and 50") }
        // The area's workbook holds `svd assess`'s published tables; a district's holds its full tables, which the
        // independent attacker does not model yet (it models the pack's HTML), so they stay with partners.
        if xlsx != nil && district != nil && disclosure.tier != .partner {
            throw ValidationError("--xlsx with --district is partner tier only (--tier partner): a district's full tables are not cleared for publication; publish its HTML pack")
        }
    }

    func run() throws {
        try runReportingErrors {
            // An unknown --district is an argument error (exit 64), found before the files are read.
            let districtIndex = try district.map { try AreaOptions.district($0, in: try area.load()) }
            let progress = input.quiet ? nil : ProgressReporter()
            let policy = disclosure.policy
            let key = try disclosure.key()
            // Both files are checked before any input is read: only regular files are replaced (a link is followed).
            let outFile = try outputFile(out, option: "--out")
            let rejectsOut = try rejects.map { try outputFile($0, option: "--rejects") }
            let xlsxOut = try xlsx.map { try outputFile($0, option: "--xlsx") }
            // Rejects go under a hidden name and into place when the run ends, whether it succeeded or not (they
            // say why it failed); a killed run leaves the previous file.
            let binned: BinnedIncidents
            do {
                let request = try input.request(area: area, period: period, key: key)
                binned = try BinnedIncidents(request: request, rejectsFile: rejectsOut?.temporary, progress: progress,
                                             points: BinnedIncidents.reportPointWindow(for: request))
            } catch {
                if let r = rejectsOut, FileManager.default.fileExists(atPath: r.temporary.path) { try? r.commit() }
                throw error
            }
            try rejectsOut?.commit()
            let document = try binned.reportDocument(disclosure: policy, district: districtIndex, maxHotspots: hotspots,
                                                     run: runManifest(command: "report", binned: binned, key: key, policy: policy))
            let html = document.html()
            try outFile.write(Data(html.utf8))
            if let xlsxOut {
                try Workbook.write(document, policy: policy, to: xlsxOut.temporary)
                try xlsxOut.commit()
            }
            let scope = districtIndex.map { "\(binned.area.districts[$0].name) local pack" } ?? binned.area.name
            say("Wrote \(out): \(scope), \(binned.period.lowerBound) to \(binned.period.upperBound), \(html.utf8.count / 1024) KiB.")
            for line in policy.headerLines where !(policy.protects && policy.perturb) { say("WARNING: \(line)") }
        }
    }
}
