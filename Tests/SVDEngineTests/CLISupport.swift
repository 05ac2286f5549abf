import XCTest
import Foundation

/// Runs the built `svd` binary (beside the test bundle) and other programs, in a scratch folder.
struct CLI {
    let dir: URL

    static var svd: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("svd") }
    /// The package root, for scripts kept beside the tests.
    static var packageRoot: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    struct Run { let status: Int32; let stdout: String; let stderr: String }

    init(_ name: String) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "000102030405060708090a0b0c0d0e0f\n".write(to: dir.appendingPathComponent("key"), atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @discardableResult
    func run(_ executable: URL, _ args: [String], key: String? = nil) throws -> Run {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["SVD_DISCLOSURE_KEY_FILE"] = key ?? dir.appendingPathComponent("key").path
        p.environment = env
        // Both streams go to files, so a chatty program cannot fill a pipe and stall.
        let outFile = dir.appendingPathComponent(".stdout-\(UUID().uuidString)"), errFile = dir.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outFile); try? FileManager.default.removeItem(at: errFile) }
        p.standardOutput = try FileHandle(forWritingTo: outFile)
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        p.waitUntilExit()
        let o = try Data(contentsOf: outFile), e = try Data(contentsOf: errFile)
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @discardableResult
    func svd(_ args: [String], key: String? = nil) throws -> Run { try run(Self.svd, args, key: key) }

    /// `svd` that must succeed.
    func ok(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try svd(args)
        XCTAssertEqual(r.status, 0, "svd \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
    }

    func python(_ script: String, _ args: [String]) throws -> Run {
        try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Self.packageRoot.appendingPathComponent(script).path] + args)
    }
}
