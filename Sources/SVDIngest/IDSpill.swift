import Foundation
import Synchronization
import SVDCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run's id hashes written to disk instead of held, for a run too large for the fingerprint table's memory
/// (`DuplicateIDs`, spill mode). Whole 64-bit hashes go to one of 64 files by their top 6 bits; after the run each
/// file is read alone and the hashes that occur more than once are found (`repeatedHashes`). Memory: 2 MB of
/// write buffers, then two files' hashes and their tables at a time (about 4 MB each at 10M ids).
final class IDSpill {
    static let partitions = 64
    /// Hashes a partition buffers before a write (32 kB).
    static let buffered = 4096

    let directory: String
    private var fds: [Int32]
    private let buffers: UnsafeMutablePointer<UInt64>
    private var fill: [Int]
    /// The first write failure; reported by `repeatedHashes`.
    private var failure: String?

    /// Makes the partition files in a new folder of the temporary directory, and unlinks them and the folder at once:
    /// the open files stay usable and vanish with the process however it ends (a killed run leaves nothing behind).
    /// nil when they cannot be made.
    init?() {
        var template = Array((FileManager.default.temporaryDirectory.path + "/svd-ids-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return nil }
        directory = String(cString: made)
        var opened: [Int32] = []
        for p in 0..<Self.partitions {
            let path = directory + "/\(p)"
            let fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
            if fd < 0 { break }
            _ = unlink(path)
            opened.append(fd)
        }
        _ = rmdir(directory)
        fds = opened
        buffers = .allocate(capacity: Self.partitions * Self.buffered)
        fill = [Int](repeating: 0, count: Self.partitions)
        if opened.count < Self.partitions { return nil }
    }

    deinit {
        buffers.deallocate()
        for fd in fds { _ = close(fd) }
    }

    @inline(__always) func add(_ hash: UInt64) {
        let p = Int(truncatingIfNeeded: hash >> 58)
        buffers[p * Self.buffered + fill[p]] = hash
        fill[p] += 1
        if fill[p] == Self.buffered { flush(p) }
    }

    private func flush(_ p: Int) {
        defer { fill[p] = 0 }
        guard failure == nil, fill[p] > 0 else { return }
        let raw = UnsafeRawPointer(buffers + p * Self.buffered)
        var off = 0, total = fill[p] * 8
        while off < total {
            let n = write(fds[p], raw + off, total - off)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { failure = n < 0 ? String(cString: strerror(errno)) : "short write"; total = 0; break }
            off += n
        }
    }

    /// Every hash added more than once. Reads the partitions on all cores, each into its own exact table.
    func repeatedHashes() throws -> Set<UInt64> {
        for p in 0..<Self.partitions { flush(p) }
        if let failure { throw IngestError.cannotWrite(file: directory, reason: "the run's ids (spilled to disk): \(failure)") }
        let outcome = Mutex((repeats: Set<UInt64>(), failure: String?.none))
        let fds = self.fds
        DispatchQueue.concurrentPerform(iterations: Self.partitions) { p in
            let size = Int(lseek(fds[p], 0, SEEK_END))
            guard size > 0 else { return }
            let n = size / 8
            let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
            defer { hashes.deallocate() }
            var off = 0
            while off < size {
                let r = pread(fds[p], UnsafeMutableRawPointer(hashes) + off, size - off, off_t(off))
                if r < 0 && errno == EINTR { continue }
                if r <= 0 { let why = r < 0 ? String(cString: strerror(errno)) : "short read"; outcome.withLock { $0.failure = $0.failure ?? why }; return }
                off += r
            }
            // Open addressing at most half full; a hash is never 0 (0 means "no id" and is not added).
            var capacity = 1
            while capacity < 2 * n { capacity <<= 1 }
            let mask = capacity - 1
            let table = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
            defer { table.deallocate() }
            table.initialize(repeating: 0, count: capacity)
            var found: [UInt64] = []
            for k in 0..<n {
                let h = hashes[k]
                // The top bits chose the partition; the low bits are as well spread (SipHash).
                var i = Int(truncatingIfNeeded: h) & mask
                while true {
                    let s = table[i]
                    if s == 0 { table[i] = h; break }
                    if s == h { found.append(h); break }
                    i = (i + 1) & mask
                }
            }
            if !found.isEmpty { outcome.withLock { $0.repeats.formUnion(found) } }
        }
        let (repeats, readFailure) = outcome.withLock { ($0.repeats, $0.failure) }
        if let readFailure { throw IngestError.cannotRead(file: directory, reason: "the run's ids (spilled to disk): \(readFailure)") }
        return repeats
    }
}
