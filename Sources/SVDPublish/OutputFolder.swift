import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An `--out` (or `--rejects`) that cannot be used: named before any input is read. The CLI reports it as a bad
/// argument (one line, exit 64).
public struct OutputTargetError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One output file (`svd report --out FILE`, `--rejects FILE`): checked before the run, written whole or not at all.
///
/// svd replaces only a regular file. A symbolic link is followed deliberately: the file it points to is replaced
/// (the link stays). A device (`/dev/full`), a FIFO, a socket or a folder is refused; so is a dangling link.
public struct OutputFile {
    /// Where the file goes: the path given, or the regular file its link points to.
    public let url: URL
    /// The name the user gave (for messages).
    public let given: String

    public init(_ path: String, option: String) throws {
        given = path
        guard !path.isEmpty else { throw OutputTargetError("\(option) is empty: give a file name") }
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var st = stat()
        if lstat(url.path, &st) == 0 {
            if st.st_mode & S_IFMT == S_IFLNK {
                guard let real = realpath(url.path, nil) else {
                    throw OutputTargetError("\(option) \(path) is a symbolic link to nothing: give a regular file's name")
                }
                url = URL(fileURLWithPath: String(cString: real))
                free(real)
                guard stat(url.path, &st) == 0 else {
                    throw OutputTargetError("\(option) \(path): \(String(cString: strerror(errno)))")
                }
            }
            let kind = st.st_mode & S_IFMT
            if kind == S_IFDIR { throw OutputTargetError("\(option) \(path) is a folder: give a file name") }
            guard kind == S_IFREG else {
                throw OutputTargetError("\(option) \(path) is \(fileKind(st.st_mode)), not a regular file: svd replaces only regular files")
            }
        } else if errno != ENOENT {
            throw OutputTargetError("\(option) \(path): \(String(cString: strerror(errno)))")
        }
        try writableFolder(url.deletingLastPathComponent(), option: option, given: path)
        self.url = url
    }

    /// A name beside the file for writing it: hidden, and named for this process.
    public var temporary: URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
    }

    /// Puts `temporary` in place of the file (rename: readers see the old file or the new one, never half).
    public func commit() throws {
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw PublicationError("\(given): cannot move the written file into place (\(reason))")
        }
    }

    /// Writes `data` under `temporary`, then renames it into place.
    public func write(_ data: Data) throws {
        do {
            try data.write(to: temporary)
        } catch {
            unlink(temporary.path)
            throw PublicationError("\(given): cannot write (\((error as NSError).localizedFailureReason ?? "\(error)"))")
        }
        try commit()
    }
}

/// A run's output folder (`svd assess`/`svd hotspots --out DIR`) and its restricted folder beside it, replaced whole.
///
/// The run writes into hidden sibling folders (`.DIR.partial-<pid>`, `.DIR.restricted.partial-<pid>`); only when
/// every file (the manifest last) is written does each replace the previous folder, by an atomic exchange where
/// the system has one (Linux `renameat2(RENAME_EXCHANGE)`), else by moving the old folder aside, the new one in
/// and deleting the old. A run killed at any point leaves the previous run's folders as they were, and hidden
/// `.partial-` folders that the next run into the same place removes. A run that fails still puts its restricted
/// folder in place (its rejects say why), never its tables.
public final class OutputFolder {
    public let final: URL
    public let restrictedFinal: URL
    /// Where the run writes its published files.
    public let staging: URL
    /// Where the run writes its restricted files (rejects).
    public let restrictedStaging: URL
    private let given: String
    private var done = false

    public init(_ path: String, option: String = "--out") throws {
        given = path
        guard !path.isEmpty else { throw OutputTargetError("\(option) is empty: give a folder") }
        var url = URL(fileURLWithPath: path).standardizedFileURL
        // A link to a folder: the folder it points to is the one replaced.
        if let real = realpath(url.path, nil) {
            url = URL(fileURLWithPath: String(cString: real))
            free(real)
        }
        guard url.path != "/" else { throw OutputTargetError("\(option) / cannot be replaced: give a folder of its own") }
        final = url
        restrictedFinal = Publication.restrictedDirectory(for: url)
        try Self.check(final, option: option, given: path, mustBeOutput: true)
        try Self.check(restrictedFinal, option: option, given: restrictedFinal.path, mustBeOutput: false)
        let parent = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputTargetError("\(option) \(path): cannot create the folder \(parent.path) it goes in")
        }
        try writableFolder(parent, option: option, given: path)
        Self.removeStale(in: parent, name: url.lastPathComponent)
        let pid = getpid()
        staging = parent.appendingPathComponent(".\(url.lastPathComponent).partial-\(pid)", isDirectory: true)
        restrictedStaging = parent.appendingPathComponent(".\(restrictedFinal.lastPathComponent).partial-\(pid)", isDirectory: true)
        for d in [staging, restrictedStaging] {
            try? FileManager.default.removeItem(at: d)
            guard mkdir(d.path, 0o755) == 0 else {
                throw OutputTargetError("\(option) \(path): cannot write in \(parent.path) (\(String(cString: strerror(errno))))")
            }
        }
    }

    /// The folder as it must be before a run replaces it: absent, or a folder (an output folder must be empty or
    /// hold a previous run's manifest, so a folder of other files is never swept away).
    private static func check(_ url: URL, option: String, given: String, mustBeOutput: Bool) throws {
        var st = stat()
        guard lstat(url.path, &st) == 0 else {
            if errno == ENOENT { return }
            throw OutputTargetError("\(option) \(given): \(String(cString: strerror(errno)))")
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFREG { throw OutputTargetError("\(option) \(given) is a file: give a folder (svd writes a file per table into it)") }
        guard kind == S_IFDIR else {
            throw OutputTargetError("\(option) \(given) is \(fileKind(st.st_mode)), not a folder: svd writes only folders here")
        }
        guard mustBeOutput else { return }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        if !entries.isEmpty && !entries.contains(Publication.manifestName) {
            throw OutputTargetError("\(option) \(given) is a folder svd did not write (no \(Publication.manifestName)), and a run replaces its folder whole: give a new or empty folder")
        }
    }

    /// Hidden folders a killed run left beside `name` (`.name.partial-<pid>`, `.name.restricted.partial-<pid>`,
    /// `.name.old-<pid>`…) whose process is gone.
    private static func removeStale(in parent: URL, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        let prefixes = [".\(name).partial-", ".\(name).restricted.partial-", ".\(name).old-", ".\(name).restricted.old-"]
        for e in entries {
            guard let prefix = prefixes.first(where: { e.hasPrefix($0) }), let pid = Int32(e.dropFirst(prefix.count)) else { continue }
            if pid == getpid() || kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(e))
            }
        }
    }

    /// Puts both folders in place: the restricted one first, then the published one (whose manifest says it is whole).
    public func commit() throws {
        guard !done else { return }
        try Self.replace(restrictedFinal, with: restrictedStaging)
        try Self.replace(final, with: staging)
        done = true
    }

    /// After a failed run: its restricted folder (the rejects the error points to) goes in place; its tables never.
    public func fail() {
        guard !done else { return }
        done = true
        try? FileManager.default.removeItem(at: staging)
        do {
            try Self.replace(restrictedFinal, with: restrictedStaging)
        } catch {
            try? FileManager.default.removeItem(at: restrictedStaging)
        }
    }

    private static func replace(_ final: URL, with new: URL) throws {
        var st = stat()
        guard lstat(final.path, &st) == 0 else {
            guard rename(new.path, final.path) == 0 else { throw moveError(final) }
            return
        }
        if exchange(new.path, final.path) {
            try? FileManager.default.removeItem(at: new)
            return
        }
        let old = final.deletingLastPathComponent().appendingPathComponent(".\(final.lastPathComponent).old-\(getpid())")
        try? FileManager.default.removeItem(at: old)
        guard rename(final.path, old.path) == 0 else { throw moveError(final) }
        guard rename(new.path, final.path) == 0 else {
            let e = moveError(final)
            _ = rename(old.path, final.path)
            throw e
        }
        try? FileManager.default.removeItem(at: old)
    }

    private static func moveError(_ url: URL) -> PublicationError {
        PublicationError("\(url.path): cannot put the new folder in place (\(String(cString: strerror(errno))))")
    }
}

#if os(Linux)
private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
/// glibc's `renameat2` (2.28 and later), looked up at run time so older systems fall back to two renames.
private let renameat2Function: RenameAt2? = {
    guard let symbol = dlsym(nil, "renameat2") else { return nil }
    return unsafeBitCast(symbol, to: RenameAt2.self)
}()
#endif

/// Swaps two paths atomically; false where the system or file system cannot.
private func exchange(_ a: String, _ b: String) -> Bool {
    #if os(Linux)
    guard let f = renameat2Function else { return false }
    let atFDCWD: Int32 = -100, renameExchange: UInt32 = 2
    return f(atFDCWD, a, atFDCWD, b, renameExchange) == 0
    #else
    return false
    #endif
}

private func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFIFO: "a FIFO (named pipe)"
    case S_IFSOCK: "a socket"
    case S_IFDIR: "a folder"
    case S_IFLNK: "a symbolic link"
    default: "a special file"
    }
}

/// The folder a file goes in must exist and take new files.
private func writableFolder(_ folder: URL, option: String, given: String) throws {
    var st = stat()
    guard stat(folder.path, &st) == 0 else {
        throw OutputTargetError("\(option) \(given): the folder \(folder.path) does not exist")
    }
    guard st.st_mode & S_IFMT == S_IFDIR else { throw OutputTargetError("\(option) \(given): \(folder.path) is not a folder") }
    guard access(folder.path, W_OK) == 0 else {
        throw OutputTargetError("\(option) \(given): cannot write in \(folder.path) (\(String(cString: strerror(errno))))")
    }
}
