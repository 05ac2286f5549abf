import ArgumentParser
import Foundation
import SVDAudit
import struct SVDCore.BNGPoint
import SVDEngine
import SVDLocate

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Attack outputs before publishing them: recoverable small counts, unfit files, places that point at incidents.",
        discussion: """
        Give everything about to be published together: a run's folder, the report and packs, last month's folder. \
        The audit reads them as an outsider would: markings, tiers and manifests; every table cell (CSV, Markdown, \
        JSON, and each sheet of an Excel workbook, checked against the CSV of the same table) as an interval \
        (from the manifest's perturbation bound and small-count rule) linked by the identities the tables imply \
        (totals, districts and area, packs, months and 12-month totals, overlapping runs), tightened to a fixpoint; \
        ranked orders; and published places (generalisation grid; with --incidents, points near an incident and \
        outlines on too few locations). One line per finding: `file: row/column: what can be recovered and how`.
        Exit codes: 0 nothing found; 1 findings; 64 bad arguments; 2 unreadable input.
        """)

    @Argument(help: ArgumentHelp("Output folders and files (svd assess/hotspots folders, report and pack HTML, GeoJSON, xlsx workbooks).", valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Incident extract (native schema or data.police.uk) to test published places against.", valueName: "file"))
    var incidents: String?

    /// The outputs' area: district names, and the report's map frame.
    @OptionGroup var area: AreaOptions

    @Option(help: "Rounds of constraint propagation at most.")
    var maxRounds: Int = 200

    @Flag(help: "No summary on stderr.")
    var quiet = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give the folders and files to audit (e.g. svd audit out/assess out/report.html)") }
        if maxRounds < 1 || maxRounds > 100_000 { throw ValidationError("--max-rounds must be between 1 and 100,000") }
    }

    func run() throws {
        let started = Date()
        let report: AuditReport
        do {
            var options = AuditOptions(incidents: incidents.map { URL(fileURLWithPath: $0) }, maxRounds: maxRounds)
            options.area = try Self.auditArea(area.spec)
            report = try Auditor.run(paths: paths, options: options)
        } catch let e as AuditInputError {
            printError("\(e)")
            throw ExitCode(2)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        var out = ""
        for f in report.findings { out += f.line + "\n" }
        FileHandle.standardOutput.write(Data(terminalSafe(out, keepNewlines: true).utf8))
        if !quiet {
            var err = report.notes.map { "note: \($0)\n" }.joined()
            let s = report.statistics
            let routes = report.count.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            err += "audit: \(s.files) files, \(s.cells) cells, \(s.variables) counts, \(s.constraints) relations, \(s.rounds) rounds"
                + (s.incidents > 0 ? ", \(s.vertices) vertices against \(s.incidents) incidents" : "")
                + String(format: ", %.2f s: ", Date().timeIntervalSince(started))
                + (report.findings.isEmpty ? "nothing found" : "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s") (\(routes))") + ".\n"
            sayOnStderr(err)
        }
        if !report.findings.isEmpty { throw ExitCode(1) }
    }

    /// District codes, names and bounds of the area, for reading reports and placing their maps.
    static func auditArea(_ spec: String) throws -> AuditArea {
        let a = try AreaResolver.area(spec)
        let districts = a.districts.map { d -> AuditArea.District in
            var lo = BNGPoint(easting: .infinity, northing: .infinity), hi = BNGPoint(easting: -.infinity, northing: -.infinity)
            for polygon in d.polygons {
                for p in polygon.first ?? [] {
                    lo = BNGPoint(easting: min(lo.easting, p.easting), northing: min(lo.northing, p.northing))
                    hi = BNGPoint(easting: max(hi.easting, p.easting), northing: max(hi.northing, p.northing))
                }
            }
            return AuditArea.District(code: d.code, name: d.name, min: lo, max: hi)
        }
        let b = a.bounds
        return AuditArea(id: a.id, name: a.name, min: b.min, max: b.max, districts: districts)
    }
}
