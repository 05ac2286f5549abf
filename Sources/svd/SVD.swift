import ArgumentParser

@main
struct SVD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svd",
        abstract: "Serious Violence Duty analytics: needs-assessment tables, hotspots and reports from incident extracts.",
        subcommands: [AssessCommand.self, HotspotsCommand.self, ReportCommand.self, AuditCommand.self, DemoCommand.self, GeodataCommand.self, DefinitionsCommand.self]
    )
}
