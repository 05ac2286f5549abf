import Foundation
import XCTest

/// The performance guard runs inside `swift test`, so CI (which runs exactly the README's test command) runs it:
/// `scripts/perf-guard.sh` builds `svd-perf-guard` with `-c release` in its own build folder and counts the
/// instructions of DBSCAN (100k and 1M points), Gi* and ingest → bin under callgrind against
/// `Benchmarks/guard/thresholds.json`. A workload more than the margin over its threshold fails this test with the
/// guard's one-line message. About 2½ minutes on a fresh clone (the release build), 20 s once built.
///
/// `SVD_SKIP_PERF_GUARD=1 swift test` leaves it out on a developer's machine; under CI (`CI=true`) it always runs,
/// and fails if valgrind is missing.
final class PerfGuardTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testInstructionCountsWithinThresholds() throws {
        let env = ProcessInfo.processInfo.environment
        let ci = env["CI"].map { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" } ?? false
        if !ci && env["SVD_SKIP_PERF_GUARD"] == "1" { throw XCTSkip("SVD_SKIP_PERF_GUARD=1") }
        let hasValgrind = (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/valgrind") }
        if !hasValgrind {
            if ci { return XCTFail("valgrind is not installed: .ci/run installs it (apt-get install -y valgrind)") }
            throw XCTSkip("valgrind is not installed (apt-get install -y valgrind); the perf guard counts instructions with callgrind")
        }

        let log = FileManager.default.temporaryDirectory.appendingPathComponent("svd-perf-guard-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["bash", "scripts/perf-guard.sh"]
        p.currentDirectoryURL = Self.packageRoot
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        let output = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        print(output, terminator: "")
        let failures = output.split(separator: "\n").filter { $0.hasPrefix("PERF GUARD FAIL") }
        if p.terminationStatus != 0 {
            XCTFail(failures.isEmpty ? "perf guard exited \(p.terminationStatus):\n\(output)" : failures.joined(separator: "\n"))
        }
    }
}
