import Foundation
import Synchronization
import SVDCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thread-safe sink for rejected rows: a CSV `file,line,reason,detail,record`, or counting only.
///
/// `record` is the start of the raw record (at most `recordPreviewBytes`), decoded as UTF-8 with
/// replacement characters so the reject file itself is always valid UTF-8, and neutralised like a published text
/// cell (`spreadsheetSafe`: a leading `'` when it starts with `=`, `+`, `-`, `@`, tab or CR), since a hostile
/// record is exactly what lands here and the file is opened in spreadsheets; the raw bytes stay in the input file.
/// Every mutable field is behind the `Mutex`, so workers may share one.
public final class RejectWriter: @unchecked Sendable {
    public static let recordPreviewBytes = 200

    private struct State {
        var buffer: [UInt8] = []
        var count = 0
        var countByReason: [RejectReason: Int] = [:]
        var error: String?
    }

    private let fd: Int32
    private let path: String?
    private let state = Mutex(State())

    /// Creates (or truncates) the reject CSV and writes its header.
    public init(url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw IngestError.cannotWrite(file: url.path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        path = url.path
        state.withLock { $0.buffer.append(contentsOf: Array("file,line,reason,detail,record\n".utf8)) }
    }

    private init() {
        fd = -1
        path = nil
    }

    /// A writer that only counts rejects.
    public static func counting() -> RejectWriter { RejectWriter() }

    public var count: Int { state.withLock { $0.count } }
    public var countByReason: [RejectReason: Int] { state.withLock { $0.countByReason } }

    public func write(file: String, line: Int, reason: RejectReason, detail: String, record: UnsafeBufferPointer<UInt8>) {
        var row: [UInt8] = []
        if fd >= 0 {
            row.reserveCapacity(64 + detail.utf8.count + min(record.count, Self.recordPreviewBytes) * 2)
            Self.appendField(terminalSafe(file), to: &row)
            row.append(UInt8(ascii: ","))
            row.append(contentsOf: Array(String(line).utf8))
            row.append(UInt8(ascii: ","))
            row.append(contentsOf: Array(reason.label.utf8))
            row.append(UInt8(ascii: ","))
            // The detail quotes field text: control characters become visible escapes (the record column is the data).
            Self.appendField(terminalSafe(detail), to: &row)
            row.append(UInt8(ascii: ","))
            Self.appendField(spreadsheetSafe(Self.preview(record)), to: &row)
            row.append(UInt8(ascii: "\n"))
        }
        let flushNeeded = state.withLock { s -> Bool in
            s.count += 1
            s.countByReason[reason, default: 0] += 1
            s.buffer.append(contentsOf: row)
            return s.buffer.count >= 1 << 16
        }
        if flushNeeded { flush() }
    }

    /// Writes buffered rows to disk.
    public func flush() {
        guard fd >= 0 else { return }
        state.withLock { s in
            s.buffer.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = posixWrite(fd, raw.baseAddress! + off, raw.count - off)
                    if n <= 0 {
                        if n < 0 && errno == EINTR { continue }
                        s.error = String(cString: strerror(errno))
                        break
                    }
                    off += n
                }
            }
            s.buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Flushes and reports any write failure.
    public func close() throws {
        flush()
        if let e = state.withLock({ $0.error }) { throw IngestError.cannotWrite(file: path ?? "", reason: e) }
    }

    deinit {
        flush()
        if fd >= 0 { _ = posixClose(fd) }
    }

    /// The record start as valid UTF-8 without NULs, marked with "…" when cut.
    static func preview(_ record: UnsafeBufferPointer<UInt8>) -> String {
        let cut = record.count > recordPreviewBytes
        let s = withoutNULs(String(decoding: UnsafeBufferPointer(rebasing: record.prefix(recordPreviewBytes)), as: UTF8.self))
        return cut ? s + "…" : s
    }

    static func withoutNULs(_ s: String) -> String {
        s.utf8.contains(0) ? s.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : s
    }

    static func appendField(_ s: String, to out: inout [UInt8]) {
        let needsQuotes = s.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else { out.append(contentsOf: Array(s.utf8)); return }
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}

// Module-qualified libc calls: `write`/`close` are also method names here.
@inline(__always) func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, p, n)
    #else
    Darwin.write(fd, p, n)
    #endif
}

@inline(__always) func posixClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}
