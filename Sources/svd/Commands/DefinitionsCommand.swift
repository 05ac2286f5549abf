import ArgumentParser
import Foundation
import SVDEngine
import SVDLocate

struct DefinitionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "definitions",
        abstract: "Print an area's serious violence, strand and cohort definitions (YAML), to copy and adapt for --definitions.")

    @OptionGroup var area: AreaOptions

    @Option(help: ArgumentHelp("Check this definitions file instead and summarise it.", valueName: "file"))
    var check: String?

    func run() throws {
        try runReportingErrors {
            let a = try area.load()
            let defs = try AreaResolver.definitions(for: a, areaSpec: area.spec, file: check.map { URL(fileURLWithPath: $0) })
            if check == nil, let yaml = Area.embeddedDefinitionsYAML(id: a.id) {
                say(yaml, terminator: "")
                return
            }
            say("\(defs.name): \(defs.seriousViolence.count) serious violence categories, \(defs.outOfScope.count) out of scope")
            say("Age bands: \(defs.ageBands.labels.joined(separator: ", "))")
            for s in defs.strands { say("Strand \(s.id): \(s.label)") }
            for c in defs.cohorts { say("Cohort \(c.id): \(c.label), under \(c.under) (\(c.role.rawValue))") }
            for m in defs.measures { say("Measure \(m.id): \(m.label)\(m.headline ? " (headline KPI)" : "")") }
            for g in defs.groupings { say("Grouping \(g.id): \(g.label), \(g.districts.count) districts") }
        }
    }
}
