import ArgumentParser
import CMemory
import Foundation
import enum SVDCore.SVDVersion

@main
struct SVD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svd",
        abstract: "Serious Violence Duty analytics: needs-assessment tables, hotspots and reports from incident extracts.",
        discussion: "Exit codes: 0 success; 64 bad arguments (one line saying why); 2 unreadable or unusable input (one line naming the file).",
        version: SVDVersion.description,
        subcommands: [AssessCommand.self, HotspotsCommand.self, ReportCommand.self, AuditCommand.self, DemoCommand.self, GeodataCommand.self, DefinitionsCommand.self, ServeCommand.self]
    )

    /// ArgumentParser's `main()`, with every error as one line on stderr (`svd: error: …`) and no usage block:
    /// 64 for bad arguments (parse errors, `ValidationError` from `validate()` or `run()`), the command's own code
    /// otherwise. Help and `--version` print as ArgumentParser prints them.
    static func main() {
        do {
            var command = try parseAsRoot()
            // A malloc arena per core for a batch run: glibc's default, one per thread up to 8 a core, keeps each
            // arena's high-water mark (20 MB more at 10M rows read twice); one arena for all was 15 MB worse for
            // hotspots (fragmentation). Neither changed the time. The server keeps glibc's default.
            if !(command is ServeCommand) { svd_limit_malloc_arenas(Int32(max(2, ProcessInfo.processInfo.activeProcessorCount))) }
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let text = message(for: error)
            if !text.isEmpty { printError(text) }
            Foundation.exit(code.rawValue)
        }
    }
}

/// `import SVDEngine` re-exports SVDCore, whose `Flag` (yes/no/unknown) would otherwise hide the parser's `@Flag`.
typealias Flag = ArgumentParser.Flag
