import Foundation
import SVDBin
import SVDCore
import SVDDemo
import SVDIngest
import SVDLocate
import Synchronization

/// Inputs shared by the pipeline benchmarks, built outside every measured region.
///
/// The demo CSV is generated once per `swift package benchmark` run: benchmarks of one run share a directory keyed
/// by the benchmark tool's pid (our parent), and directories left by finished runs are removed when the next starts.
final class Fixture: Sendable {
    static let seed: UInt64 = 2024
    /// `SVD_BENCH_ROWS` overrides the row count (default one million).
    static let rows = ProcessInfo.processInfo.environment["SVD_BENCH_ROWS"].flatMap { Int($0) } ?? 1_000_000
    static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    let file: URL
    let area: Area
    let definitions: Definitions
    let locator: DistrictLocator
    /// Every accepted incident of the file (for the stage-alone benchmarks), with its district and strand data.
    let incidents: [Incident]
    let districts: [Int]
    let inScope: [Bool]
    let strandMasks: [UInt8]

    private static let shared = Mutex<Fixture?>(nil)

    static func get() throws -> Fixture {
        try shared.withLock { slot in
            if let f = slot { return f }
            let f = try Fixture()
            slot = f
            return f
        }
    }

    private init() throws {
        area = try Area.embedded(id: "kent-medway")
        guard let yaml = Area.embeddedDefinitionsYAML(id: "kent-medway") else {
            throw FixtureError(description: "no definitions packaged with the kent-medway area")
        }
        definitions = try Definitions(yaml: yaml, source: "embedded kent-medway definitions")
        locator = DistrictLocator(area: area)
        file = try Self.demoFile()

        let catalog = OffenceCatalog(definitions: definitions)
        let collected = Mutex<[[Incident]]>(Array(repeating: [], count: Self.workers))
        let reader = try IncidentReader(url: file, format: .native, catalog: catalog, sources: SourceCatalog())
        _ = try reader.read(workers: Self.workers, rejects: .counting()) { worker, batch in
            collected.withLock { $0[worker].append(contentsOf: batch) }
        }
        incidents = collected.withLock { $0.flatMap { $0 } }
        let classifier = StrandClassifier(catalog: catalog)
        let outside = area.districts.count
        districts = locator.locate(incidents).map { $0 == DistrictLocator.outside ? outside : Int($0) }
        inScope = incidents.map { classifier.scope($0) == .seriousViolence }
        strandMasks = incidents.map { classifier.strandMask($0) }
    }

    /// The demo CSV for this run, generated if this is the run's first benchmark.
    private static func demoFile() throws -> URL {
        let fm = FileManager.default
        let tmp = URL(fileURLWithPath: NSTemporaryDirectory())
        let run = getppid()
        // Directories of runs whose tool process has gone are stale.
        for name in (try? fm.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix("svd-bench-") {
            if let pid = Int32(name.dropFirst("svd-bench-".count)), pid != run, kill(pid, 0) != 0, errno == ESRCH {
                try? fm.removeItem(at: tmp.appendingPathComponent(name))
            }
        }
        let dir = tmp.appendingPathComponent("svd-bench-\(run)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("demo-\(rows)-seed\(seed).csv")
        if !fm.fileExists(atPath: file.path) {
            let partial = dir.appendingPathComponent("demo-\(rows).partial-\(getpid())")
            try DemoGenerator(seed: seed, rows: rows).write(to: partial, format: .native)
            // rename(2) replaces atomically, so a reader never sees half a file.
            guard rename(partial.path, file.path) == 0 else {
                throw FixtureError(description: "\(file.path): cannot rename demo file (\(String(cString: strerror(errno))))")
            }
        }
        return file
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
}
