import Foundation

/// What build of svd made an output: stamped into every run manifest and printed by `svd --version`.
public enum SVDVersion {
    /// The release number; raise it with every change to what the outputs mean.
    public static let number = "0.9.0"

    /// The git commit the running binary was built from, when it runs from inside a checkout (a `.build` folder of
    /// the repository): read from `.git` beside it, never by running git. Nil for an installed binary.
    public static let gitCommit: String? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        }
        for _ in 0..<8 {
            let git = dir.appendingPathComponent(".git")
            if let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8) {
                return resolve(head.trimmingCharacters(in: .whitespacesAndNewlines), gitDirectory: git)
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return nil
    }()

    /// `svd 0.9.0 (commit 1a2b3c4d5e6f)`.
    public static var description: String {
        "svd \(number)" + (gitCommit.map { " (commit \($0.prefix(12)))" } ?? "")
    }

    /// A HEAD line to a commit id: a detached id as is, else the ref's loose file or its line in packed-refs.
    static func resolve(_ head: String, gitDirectory git: URL) -> String? {
        guard head.hasPrefix("ref: ") else { return isCommitID(head) ? head : nil }
        let ref = String(head.dropFirst(5))
        if let id = try? String(contentsOf: git.appendingPathComponent(ref), encoding: .utf8) {
            let id = id.trimmingCharacters(in: .whitespacesAndNewlines)
            return isCommitID(id) ? id : nil
        }
        guard let packed = try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8) else { return nil }
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            let id = String(line.prefix(40))
            if isCommitID(id) { return id }
        }
        return nil
    }

    static func isCommitID(_ s: String) -> Bool { s.count == 40 && s.allSatisfy(\.isHexDigit) }
}
