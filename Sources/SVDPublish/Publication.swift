import Foundation

/// Writes one run's published files into a folder: every file carries the tier's marking, and
/// `manifest.json` (the disclosure settings readers and `svd audit` rely on) is written last, so a folder
/// without it is an incomplete run. Whole input records (rejects) never go into this folder.
public struct Publication {
    public let directory: URL
    public let policy: DisclosurePolicy
    public private(set) var files: [String] = []

    public init(directory: URL, policy: DisclosurePolicy) throws {
        self.directory = directory
        self.policy = policy
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // A folder being rewritten is incomplete until its new manifest lands.
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(Self.manifestName))
    }

    public static let manifestName = "manifest.json"

    /// Where a run's restricted files (rejects: whole input records) go: beside the folder, never in it.
    public static func restrictedDirectory(for directory: URL) -> URL {
        let d = directory.standardizedFileURL
        return d.deletingLastPathComponent().appendingPathComponent(d.lastPathComponent + ".restricted", isDirectory: true)
    }

    /// The restricted folder's MARKING.txt, written into `folder` (a staged one, say) for the run published in `directory`.
    public static func writeRestrictedMarking(into r: URL, publishedIn directory: URL) throws {
        try """
        OFFICIAL-SENSITIVE — RESTRICTED. This folder holds whole input records (rejected rows with their line
        numbers and reasons) from the run published in \(directory.lastPathComponent)/. Never publish or share it
        outside the Information Sharing Agreement; keep it with the source extracts.

        """.write(to: r.appendingPathComponent("MARKING.txt"), atomically: true, encoding: .utf8)
    }

    public mutating func write(_ table: PublishedTable, formats: [TableFormat]) throws {
        for f in formats { try write(name: "\(table.id).\(f.rawValue)", text: table.render(f, header: policy.headerLines)) }
    }

    /// Every table in every format: rendered on all cores (each text is a pure function of its table), then written
    /// in the order given, so the files and their order in the manifest are those of writing them one by one.
    public mutating func write(_ tables: [PublishedTable], formats: [TableFormat]) throws {
        let jobs = tables.flatMap { t in formats.map { (t, $0) } }
        var texts = [String](repeating: "", count: jobs.count)
        let header = policy.headerLines
        texts.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: jobs.count) { k in
                out[k] = jobs[k].0.render(jobs[k].1, header: header)
            }
        }
        for (k, job) in jobs.enumerated() { try write(name: "\(job.0.id).\(job.1.rawValue)", text: texts[k]) }
    }

    /// A file already rendered with the marking (GeoJSON maps, HTML, the headline).
    public mutating func write(name: String, text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        files.append(name)
    }

    /// A binary file (a workbook) that `body` writes to the URL it is given: a temporary name in the folder,
    /// renamed into place only once `body` has returned, so a failure never leaves a half-written file under
    /// the published name. `body` must put the marking inside the file.
    public mutating func write(name: String, using body: (URL) throws -> Void) throws {
        let final = directory.appendingPathComponent(name)
        // A dot name: `svd audit` and directory listings skip it if a crash ever leaves one behind.
        let temp = directory.appendingPathComponent(".\(name).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: temp)
        do {
            try body(temp)
            guard rename(temp.path, final.path) == 0 else {
                throw PublicationError("\(final.path): cannot move the written file into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
        files.append(name)
    }

    /// Writes the manifest: the disclosure policy, what was run and on what.
    public func finish(run: [String: Any]) throws {
        var m = run
        m["disclosure"] = policy.manifest
        m["files"] = files
        let data = try JSONSerialization.data(withJSONObject: m, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: directory.appendingPathComponent(Self.manifestName), options: .atomic)
    }
}

/// A published file could not be put in place.
public struct PublicationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension DisclosurePolicy {
    /// The policy as a compact JSON object, for formats that carry it inline (HTML meta, GeoJSON).
    public var manifestJSON: String {
        let data = (try? JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
