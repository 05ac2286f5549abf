// The performance guard: instructions executed by DBSCAN, Gi* and ingest → bin, counted by valgrind's callgrind
// on one core and compared with the counts committed in Benchmarks/guard/thresholds.json. Instruction counts are
// the same from run to run whatever else the machine is doing; wall time is printed beside them as information.
//
//   svd-perf-guard check [--thresholds FILE] [--rebaseline]   prepare inputs, count every workload, compare
//   svd-perf-guard prepare DIR                                the inputs (demo points, a demo CSV) into DIR
//   svd-perf-guard measure WORKLOAD DIR                       one workload once (what callgrind runs)
//
// Build it with -c release: debug-mode instruction counts say nothing about the shipped code.
// `bash scripts/perf-guard.sh` builds and runs `check`; `swift test` runs that script (Tests/PerfGuardTests).
import Foundation
import SVDDemo
import SVDEngine

// MARK: - Workloads

enum Workload: String, CaseIterable {
    case dbscan100k = "dbscan-100k"
    case dbscan1M = "dbscan-1m"
    case giStar = "gistar-1m"
    case ingestBin = "ingest-bin-100k"

    var summary: String {
        switch self {
        case .dbscan100k: "DBSCAN, eps 150 m, 10 points, first 100,000 demo points"
        case .dbscan1M: "DBSCAN, eps 150 m, 10 points, 1,000,000 demo points"
        case .giStar: "Gi*, 200 m cells, 500 m band, every cell, FDR; binning the 1,000,000 demo points included"
        case .ingestBin: "BinningRun.run(): ingest → locate → bin of a 100,000-row demo CSV, 1 worker"
        }
    }
}

/// The product's defaults (`svd hotspots`): 150 m, 10 incidents.
let eps = 150.0, minPoints = 10
/// Gi* as the README's hotspot table measures it: 200 m cells, 500 m band.
let giCell = 200.0, giBand = 500.0
let seed: UInt64 = 2024
let pointRows = 1_000_000, csvRows = 100_000
/// Dates after this day would be rejected; fixed so the counts do not depend on the day the guard runs.
let latestPlausibleDay: Int32 = 20_758  // 2026-11-01, the day after the demo's last month

/// A workload's inputs, read before its measured region starts.
struct Inputs {
    /// The 1M demo points, and the first 100,000 of them.
    var points: [BNGPoint] = []
    var firstPoints: [BNGPoint] = []
    let csv: URL
    /// The embedded Kent & Medway area and its definitions (ingest → bin only).
    var area: Area?
    var definitions: Definitions?

    /// What `workload` needs, or everything when nil.
    init(dir: URL, for workload: Workload? = nil) throws {
        csv = dir.appendingPathComponent("demo-\(csvRows).csv")
        if workload == nil || workload == .ingestBin {
            (area, definitions) = try embeddedArea()
        }
        if workload != .ingestBin {
            let data = try Data(contentsOf: dir.appendingPathComponent("points.bin"))
            let count = data.count / MemoryLayout<BNGPoint>.stride
            points = [BNGPoint](unsafeUninitializedCapacity: count) { buffer, initialised in
                _ = data.withUnsafeBytes { memcpy(buffer.baseAddress!, $0.baseAddress!, count * MemoryLayout<BNGPoint>.stride) }
                initialised = count
            }
            firstPoints = Array(points.prefix(100_000))
        }
    }
}

func embeddedArea() throws -> (Area, Definitions) {
    guard let yaml = Area.embeddedDefinitionsYAML(id: "kent-medway") else { throw GuardError("no definitions packaged with kent-medway") }
    return (try Area.embedded(id: "kent-medway"), try Definitions(yaml: yaml, source: "embedded kent-medway definitions"))
}

/// Runs one workload and returns a short check of its result (printed, so nothing can be optimised away).
func run(_ w: Workload, _ inputs: Inputs) throws -> String {
    switch w {
    case .dbscan100k, .dbscan1M:
        let points = w == .dbscan1M ? inputs.points : inputs.firstPoints
        let r = try DBSCAN.cluster(points, eps: eps, minPoints: minPoints)
        return "\(points.count) points, \(r.clusterCount) clusters, \(r.coreCounts.reduce(0, +)) core"
    case .giStar:
        let spec = try GridSpec.covering(inputs.points, cellSize: giCell)
        let r = try GetisOrd.giStar(CountGrid(points: inputs.points, spec: spec), band: giBand)
        return "\(spec.cellCount) cells, \(r.classes.filter(\.isHot).count) hot, \(r.classes.filter(\.isCold).count) cold"
    case .ingestBin:
        var binning = BinningRun(inputs: [inputs.csv], area: inputs.area!, definitions: inputs.definitions!, workers: 1, rejectsFile: nil)
        binning.plausibleDates = PlausibleDates(latestDay: latestPlausibleDay)
        let r = try binning.run()
        return "\(r.summaries.reduce(0) { $0 + $1.summary.accepted }) rows accepted, \(r.cube.months.count) months"
    }
}

// callgrind zeroes its counters on entering `callgrindRegionStarts` and dumps them on entering
// `callgrindRegionEnds`, so the count is the workload's alone (not the process start or reading the inputs).
// Their names share no word with the module's (svd, perf, guard): Swift's mangling would abbreviate such a word and
// callgrind's `*callgrindRegionStarts*` pattern would then miss the symbol.
// Their bodies differ in shape, or the optimiser merges the two and entering one would trigger both.
nonisolated(unsafe) var regionMarks = 0
@inline(never) func callgrindRegionStarts() { regionMarks += 1 }
@inline(never) func callgrindRegionEnds() { regionMarks = regionMarks &* 10 &+ 2 }

// MARK: - Inputs

/// The demo points (every located row of the 1M-row demo file, seed 2024, in file order) and a 100k-row demo CSV.
func prepare(_ dir: URL) throws {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let big = dir.appendingPathComponent("demo-\(pointRows).csv")
    try DemoGenerator(seed: seed, rows: pointRows).write(to: big, format: .native)
    let (_, definitions) = try embeddedArea()
    let catalog = OffenceCatalog(definitions: definitions)
    var reader = try IncidentReader(url: big, format: .native, catalog: catalog, sources: SourceCatalog())
    reader.plausibleDates = PlausibleDates(latestDay: latestPlausibleDay)
    let collected = PointSink()
    // One worker: batches arrive in file order, so the points' order (and hence every count) is reproducible.
    _ = try reader.read(workers: 1, rejects: .counting()) { _, batch in collected.add(batch) }
    try FileManager.default.removeItem(at: big)
    let points = collected.points
    try points.withUnsafeBytes { try Data($0).write(to: dir.appendingPathComponent("points.bin")) }
    try DemoGenerator(seed: seed, rows: csvRows).write(to: dir.appendingPathComponent("demo-\(csvRows).csv"), format: .native)
}

final class PointSink: @unchecked Sendable {
    private(set) var points: [BNGPoint] = []
    func add(_ batch: UnsafeBufferPointer<Incident>) {
        for i in batch where i.location.easting.isFinite && i.location.northing.isFinite { points.append(i.location) }
    }
}

// MARK: - Check

struct Thresholds {
    var margin: Double
    var counts: [String: Int]

    init(url: URL) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let json = object as? [String: Any], let margin = json["margin"] as? Double,
              let counts = json["instructions"] as? [String: Int] else {
            throw GuardError("\(url.path): expected {\"margin\": 0.1, \"instructions\": {\"workload\": count, …}}")
        }
        self.margin = margin
        self.counts = counts
    }

    /// Written by hand so the file keeps its order and comments-as-keys across re-baselines.
    static func write(margin: Double, counts: [(Workload, Int)], tool: String, to url: URL) throws {
        var text = "{\n"
        text += "  \"about\": \"Instructions (callgrind Ir, one core, release build) per workload of svd-perf-guard. The guard fails when a count exceeds its threshold by more than the margin. Re-baseline: bash scripts/perf-guard.sh --rebaseline\",\n"
        text += "  \"measured_with\": \"\(tool)\",\n"
        text += "  \"margin\": \(margin),\n"
        text += "  \"instructions\": {\n"
        text += counts.map { "    \"\($0.0.rawValue)\": \($0.1)" }.joined(separator: ",\n")
        text += "\n  },\n"
        text += "  \"workloads\": {\n"
        text += counts.map { "    \"\($0.0.rawValue)\": \"\($0.0.summary)\"" }.joined(separator: ",\n")
        text += "\n  }\n}\n"
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

struct GuardError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

struct Output { let status: Int32; let stdout: String; let stderr: String; var timedOut = false }

/// Runs a program to its end, or stops it (SIGTERM) after `timeout` seconds.
func execute(_ path: String, _ args: [String], environment: [String: String] = [:], timeout: Double? = nil) throws -> Output {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let dir = FileManager.default.temporaryDirectory
    let out = dir.appendingPathComponent("svd-perf-guard-\(UUID().uuidString).out")
    let err = dir.appendingPathComponent("svd-perf-guard-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
    p.standardOutput = try FileHandle(forWritingTo: out)
    p.standardError = try FileHandle(forWritingTo: err)
    try p.run()
    var timedOut = false
    if let timeout {
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && !timedOut {
            if Date() > deadline { p.terminate(); timedOut = true } else { usleep(50_000) }
        }
    }
    p.waitUntilExit()
    return Output(status: p.terminationStatus, stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                  stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self), timedOut: timedOut)
}

func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// callgrind executes about 340 M instructions a second on this project's machines when they are quiet, and no less
/// than a third of that under load from other builds. A workload is stopped once it has run 60 s plus as long as its
/// allowed count would take at 20 M a second, so a quadratic regression fails the guard in bounded time instead of
/// running on until CI's own limit, and a loaded machine stays far from the limit.
let slowestCallgrindRate = 20e6, timeoutBase = 60.0

/// Instructions of one workload (callgrind's `summary:` of the dump taken at the end of the measured region), or nil
/// when the run was stopped after `timeout` seconds.
func countInstructions(_ w: Workload, dir: URL, valgrind: String, taskset: String, me: String, timeout: Double) throws -> Int? {
    let out = dir.appendingPathComponent("\(w.rawValue).callgrind")
    // One core (taskset): the detectors then run their single-threaded path and ingest keeps to one worker, so the
    // count does not depend on how the scheduler interleaves threads, nor on how many cores the machine has.
    // Deterministic hashing: Dictionary and Set probe the same way in every run.
    let r = try execute(taskset, ["-c", "0", valgrind, "--tool=callgrind", "--callgrind-out-file=\(out.path)",
                                  "--zero-before=*callgrindRegionStarts*", "--dump-before=*callgrindRegionEnds*",
                                  me, "measure", w.rawValue, dir.path],
                        environment: ["SWIFT_DETERMINISTIC_HASHING": "1"], timeout: timeout)
    if r.timedOut { return nil }
    guard r.status == 0 else { throw GuardError("\(w.rawValue): callgrind run failed (exit \(r.status)):\n\(r.stderr)") }
    // The dump at the region's end is the file's first (.1); the rest of the process goes to the final dump.
    let dumps = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        .filter { $0.hasPrefix(out.lastPathComponent) }.sorted()
    guard let first = dumps.first(where: { $0.hasSuffix(".1") }) else {
        throw GuardError("\(w.rawValue): callgrind wrote no dump at the end of the measured region (files: \(dumps))")
    }
    let text = try String(contentsOf: dir.appendingPathComponent(first), encoding: .utf8)
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("summary:") }),
          let count = Int(line.dropFirst("summary:".count).trimmingCharacters(in: .whitespaces)) else {
        throw GuardError("\(w.rawValue): no summary line in \(first)")
    }
    for f in dumps { try? FileManager.default.removeItem(at: dir.appendingPathComponent(f)) }
    return count
}

func grouped(_ n: Int) -> String {
    let digits = String(n)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return out
}

func seconds(_ d: Duration) -> String {
    String(format: "%.1f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}

func percent(_ x: Double) -> String { String(format: "%+.1f%%", x * 100) }

func check(thresholdsURL: URL, rebaseline: Bool) throws -> Bool {
    let clock = ContinuousClock()
    let started = clock.now
    guard let valgrind = which("valgrind") else {
        throw GuardError("valgrind is not installed (Debian: apt-get install -y valgrind); the guard counts instructions with callgrind")
    }
    guard let taskset = which("taskset") else { throw GuardError("taskset (util-linux) is not installed") }
    guard let objcopy = which("objcopy") else { throw GuardError("objcopy (binutils) is not installed") }
    let version = (try? execute(valgrind, ["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "valgrind"
    let thresholds = rebaseline ? nil : try Thresholds(url: thresholdsURL)

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-perf-guard-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    try prepare(dir)
    // valgrind 3.19 (Debian 12) cannot read the DWARF 5 debug info Swift 6.3 writes and gives up, so callgrind runs a
    // copy of this binary without it; the symbol table it keeps names the functions.
    let me = dir.appendingPathComponent("svd-perf-guard").path
    let copied = try execute(objcopy, ["--strip-debug", try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), me])
    guard copied.status == 0 else { throw GuardError("objcopy --strip-debug failed: \(copied.stderr)") }
    let prepared = clock.now
    let inputs = try Inputs(dir: dir)

    print("perf guard: instructions counted by callgrind (\(version)) on one core, release build; wall time is information only")
    print("workload".padding(toLength: 17, withPad: " ", startingAt: 0) + "instructions".leftPadded(16) + "threshold".leftPadded(16)
          + "change".leftPadded(9) + "   wall (all cores, best of 3)")
    var measured: [(Workload, Int)] = []
    var failures: [String] = []
    for w in Workload.allCases {
        let limit = thresholds.map { t -> Int? in t.counts[w.rawValue] } ?? nil
        if thresholds != nil && limit == nil {
            throw GuardError("\(thresholdsURL.path) has no count for \(w.rawValue); re-baseline with bash scripts/perf-guard.sh --rebaseline")
        }
        let margin = thresholds?.margin ?? 0
        let allowed = limit.map { Int(Double($0) * (1 + margin)) }
        let marginText = "\(Int((margin * 100).rounded()))% margin"
        let timeout = allowed.map { timeoutBase + Double($0) / slowestCallgrindRate } ?? 600
        var line = w.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0), note = ""
        guard let count = try countInstructions(w, dir: dir, valgrind: valgrind, taskset: taskset, me: me, timeout: timeout) else {
            let bound = allowed.map { "threshold \(grouped(limit!)) + \(marginText) = \(grouped($0)) instructions" } ?? "no threshold"
            failures.append("PERF GUARD FAIL \(w.rawValue): did not finish in \(Int(timeout)) s under callgrind (\(bound))")
            print(line + "did not finish in \(Int(timeout)) s".leftPadded(41))
            continue
        }
        measured.append((w, count))
        line += grouped(count).leftPadded(16)
        if let limit, let allowed {
            let change = Double(count) / Double(limit) - 1
            line += grouped(limit).leftPadded(16) + percent(change).leftPadded(9)
            if count > allowed {
                failures.append("PERF GUARD FAIL \(w.rawValue): \(grouped(count)) instructions, threshold \(grouped(limit)) + \(marginText) = \(grouped(allowed)) (\(percent(change)))")
            }
            if change < -margin { note = "   faster than the margin: re-baseline to keep the guard tight" }
        } else {
            line += "".leftPadded(25)
        }
        // Wall time, as information: best of 3 on all cores (once when the count already failed).
        var best = Duration.seconds(1_000)
        for _ in 0..<((allowed.map { count > $0 } ?? false) ? 1 : 3) {
            let t0 = clock.now
            _ = try run(w, inputs)
            best = min(best, clock.now - t0)
        }
        print(line + String(format: "   %.1f ms", (Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18) * 1e3) + note)
    }
    let elapsed = clock.now - started
    print("perf guard took \(seconds(elapsed)) (inputs \(seconds(prepared - started)))")
    if rebaseline {
        guard failures.isEmpty else { throw GuardError("not re-baselined: \(failures.joined(separator: "; "))") }
        let margin = (try? Thresholds(url: thresholdsURL).margin) ?? 0.10
        try Thresholds.write(margin: margin, counts: measured, tool: "\(version), callgrind, taskset -c 0, SWIFT_DETERMINISTIC_HASHING=1", to: thresholdsURL)
        print("perf guard: wrote \(thresholdsURL.path)")
        return true
    }
    for f in failures { print(f) }
    if failures.isEmpty { print("perf guard: every workload within its threshold") }
    return failures.isEmpty
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

// MARK: - Main

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

do {
    switch arguments.first {
    case "check":
        let url = option("--thresholds").map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent("Benchmarks/guard/thresholds.json")
        exit(try check(thresholdsURL: url, rebaseline: arguments.contains("--rebaseline")) ? 0 : 1)
    case "prepare" where arguments.count == 2:
        try prepare(URL(fileURLWithPath: arguments[1]))
    case "measure" where arguments.count == 3:
        guard let w = Workload(rawValue: arguments[1]) else {
            throw GuardError("unknown workload \(arguments[1]); one of \(Workload.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let inputs = try Inputs(dir: URL(fileURLWithPath: arguments[2]), for: w)
        callgrindRegionStarts()
        let result = try run(w, inputs)
        callgrindRegionEnds()
        print("\(w.rawValue): \(result) (region marks \(regionMarks))")
    default:
        throw GuardError("usage: svd-perf-guard check [--thresholds FILE] [--rebaseline] | prepare DIR | measure WORKLOAD DIR")
    }
} catch {
    FileHandle.standardError.write(Data("svd-perf-guard: \(error)\n".utf8))
    exit(2)
}
