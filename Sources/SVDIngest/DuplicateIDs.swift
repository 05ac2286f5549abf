import CMemory
import Foundation
import SVDCore

/// The incident ids a run has read, as 64-bit keyed hashes (SipHash-2-4 of the id, combined with its source), so a
/// repeated id is rejected as `duplicate_id` whatever the number of workers: chunks pass through `commit` in file
/// order, so the first row of an id in file order (and file order across files) is the one kept.
///
/// Memory: a hash is kept as a 40-bit fingerprint (its low 40 bits) in a slot of 5 bytes, in open-addressing tables
/// whose slot is chosen by the hash's high bits. A table is sized once, when a file's first chunk arrives, for the
/// ids that file will hold (the chunk's ids per byte times the file's size, plus 5 %) at 7/8 full; when a table
/// passes 90 % full, or a later file's ids do not fit, a new table is added (sized for the file's expected ids, or,
/// past the estimate or from a pipe, twice the tables so far) and the old ones are only probed: nothing is rehashed, so no
/// table is ever held twice. About 60 MB
/// for 10 million ids (105 MB with whole 64-bit hashes at 80 % full), which is why a run that large spills instead
/// (below); one set per run, only for formats with an id column.
///
/// False duplicates: a new id is wrongly taken for a repeat when a slot its probe passes holds another id's equal
/// fingerprint, 2⁻⁴⁰ a slot compared. Filling a table to 7/8 by linear probing compares on average ½(1/(1 − α)² − 1)
/// occupied slots an insert at load α, 3.5 over the whole fill, about 50 at 90 % full (where a table stops taking
/// ids), and a probe of a full older table as many. So the expected number of genuine rows rejected is about
/// n × 3.5 × 2⁻⁴⁰ for one table sized from the file: 3 × 10⁻⁵ for 10 million ids and 3 × 10⁻⁴ for 100 million (4.5 ×
/// 10⁻⁴ and 4.5 × 10⁻³ if every probe met a 90 % full table). Whole 64-bit hashes give n²/2⁶⁵: 3 × 10⁻⁶ and 3 × 10⁻⁴.
/// Everything is deterministic: the same files give the same rejects.
///
/// A run too large for that memory (`spillAbove`: more ids expected over the run's files than it allows) keeps no
/// table: its whole hashes go to disk (`IDSpill`) and every row passes; after the last file, `repeatedHashes` says
/// which hashes came more than once. None (the usual case): the run stands. Some: the run is made again with a set
/// of only those hashes (`init(repeats:)`), which rejects every copy after the first in file order, exactly. So a
/// large run holds a few MB for its ids instead of 5.7 bytes an id, with no false duplicates, and reads its files
/// twice only when some id repeats.
public final class DuplicateIDs: @unchecked Sendable {
    /// One table of 40-bit fingerprints (linear probing, 5 bytes a slot). A table is never rehashed: a fingerprint
    /// does not hold the bits its slot was chosen by, so growth adds a table and a lookup probes every table.
    struct Segment {
        let bytes: UnsafeMutableRawPointer
        let capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            // 3 bytes past the last slot: a slot is read as 8 bytes and masked to 5.
            bytes = .allocate(byteCount: capacity * 5 + 3, alignment: 8)
            bytes.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * 5 + 3)
        }

        /// The slot where `hash`'s probe starts: the high word of hash × capacity (uniform over any capacity).
        @inline(__always) func home(_ hash: UInt64) -> Int {
            Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(capacity)).high)
        }

        @inline(__always) func slot(_ i: Int) -> UInt64 {
            bytes.loadUnaligned(fromByteOffset: i * 5, as: UInt64.self) & DuplicateIDs.fingerprintMask
        }

        @inline(__always) func contains(_ hash: UInt64, fingerprint f: UInt64) -> Bool {
            var i = home(hash)
            while true {
                let s = slot(i)
                if s == 0 { return false }
                if s == f { return true }
                i += 1
                if i == capacity { i = 0 }
            }
        }

        /// Adds the fingerprint unless it is there; answers whether it was added.
        @inline(__always) mutating func insert(_ hash: UInt64, fingerprint f: UInt64) -> Bool {
            var i = home(hash)
            while true {
                let s = slot(i)
                if s == 0 { break }
                if s == f { return false }
                i += 1
                if i == capacity { i = 0 }
            }
            bytes.storeBytes(of: UInt32(truncatingIfNeeded: f), toByteOffset: i * 5, as: UInt32.self)
            bytes.storeBytes(of: UInt8(truncatingIfNeeded: f >> 32), toByteOffset: i * 5 + 4, as: UInt8.self)
            count += 1
            return true
        }

        /// Room left before the table is 90 % full (linear probing slows sharply past that).
        var room: Int { capacity * 9 / 10 - count }
    }

    static let fingerprintMask: UInt64 = (1 << 40) - 1

    /// The id's fingerprint: the hash's low 40 bits (the slot comes from its high bits), never 0 (an empty slot).
    @inline(__always) static func fingerprint(_ hash: UInt64) -> UInt64 {
        let f = hash & fingerprintMask
        return f == 0 ? 1 : f
    }

    private let condition = NSCondition()
    private var next = 0
    /// Oldest first; ids go into the last. Any capacity, not only a power of two: a slot is found by a multiply.
    private var segments = [Segment(capacity: 1 << 12)]
    public private(set) var count = 0
    /// The current file's size in bytes until its first chunk has sized the table (0: sized, or not known).
    private var unsizedFileBytes = 0

    public init() {}

    /// The hashes that repeat in the run's files (from a spilled first pass): only these are checked, each kept
    /// once seen, so memory follows the number of repeated ids.
    public init(repeats: Set<UInt64>) {
        self.repeats = repeats
    }

    /// With `spillAbove` set: the ids the run's files are expected to hold past which they are spilled rather than
    /// held (decided on the run's first chunk, from its ids per byte × `runBytes`, the run's files' total size).
    public var spillAbove: Int?
    public var runBytes = 0
    private var spill: IDSpill?
    private var repeats: Set<UInt64>?
    private var seenRepeats = Set<UInt64>()
    private var decided = false

    /// Whether the ids went to disk (so every row passed, and `repeatedHashes` decides whether the run stands).
    public var isSpilled: Bool { spill != nil }

    /// For a spilled run: the hashes read more than once (empty: no row should have been rejected as a
    /// duplicate). nil when not spilled (the table's answers were final).
    public func repeatedHashes() throws -> Set<UInt64>? {
        guard let spill else { return nil }
        defer { self.spill = nil }
        return try spill.repeatedHashes()
    }

    deinit { for s in segments { s.bytes.deallocate() } }

    /// Bytes held by the tables (for tests and measurements).
    public var bytesHeld: Int { segments.reduce(0) { $0 + $1.capacity * 5 + 3 } }
    var tableCount: Int { segments.count }

    /// Ids read by earlier runs over files that come before this run's (the portal bins each upload alone and
    /// merges): a repeat of one is a duplicate here, as it would be in one run over all the files.
    public func insert(seeds: [UInt64]) {
        var ignored: [Int] = []
        seeds.withUnsafeBufferPointer { insert($0, duplicates: &ignored) }
    }

    /// Keep every whole hash added (seeds included) for `hashes`: a part of a larger run (the portal's per-upload
    /// parts) hands its ids on, and the tables keep only fingerprints. 8 bytes an id, only then.
    public var keepsHashes = false
    private var kept: [UInt64] = []

    /// Every id hash added, ascending (empty unless `keepsHashes`).
    public var hashes: [UInt64] { kept.sorted() }

    /// Starts a file of `bytes` bytes (0 when not known, e.g. a pipe): its chunks are numbered from 0.
    func beginFile(bytes: Int = 0) {
        condition.lock()
        next = 0
        unsizedFileBytes = max(0, bytes)
        condition.unlock()
    }

    /// Runs `body` once chunk `seq`'s predecessors have run theirs (every chunk of a file must commit once, in any
    /// order of arrival). `insert` inside `body` answers whether the hash is new. New offence names get their codes
    /// in the same turn (`RowWorker.commit`), so a full catalogue refuses names in file order too.
    func commit(seq: Int, _ body: (DuplicateIDs) -> Void) {
        condition.lock()
        while next != seq { condition.wait() }
        body(self)
        next += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Adds `hashes` in order (only from within `commit`); appends to `duplicates` the index of each one already
    /// there (0 means "no id" and is skipped). `chunkBytes`: the size of the chunk they were read from, which sizes
    /// the table for the whole file on its first chunk.
    func insert(_ hashes: UnsafeBufferPointer<UInt64>, chunkBytes: Int = 0, duplicates: inout [Int]) {
        if let repeats {
            for (k, hash) in hashes.enumerated() where hash != 0 && repeats.contains(hash) {
                if !seenRepeats.insert(hash).inserted { duplicates.append(k) }
            }
            return
        }
        if !decided && chunkBytes > 0 && !hashes.isEmpty {
            decided = true
            let perByte = Double(hashes.count) / Double(chunkBytes)
            if let limit = spillAbove, count == 0, perByte * Double(runBytes) > Double(limit) { spill = IDSpill() }
        }
        if let spill {
            for hash in hashes where hash != 0 { spill.add(hash) }
            return
        }
        if unsizedFileBytes > 0 && chunkBytes > 0 {
            let perByte = Double(hashes.count) / Double(chunkBytes)
            let expected = Int((perByte * Double(max(unsizedFileBytes, chunkBytes)) * 1.05).rounded(.up))
            unsizedFileBytes = 0
            if segments[segments.count - 1].room < expected { addSegment(capacity: expected * 8 / 7 + 1) }
        }
        if segments[segments.count - 1].room < hashes.count {
            // Unsized (a pipe) or past the estimate: every id probes every table, so they grow fast (the total
            // triples: 9 tables at 10M ids from a pipe) rather than tightly.
            let total = segments.reduce(0) { $0 + $1.capacity }
            addSegment(capacity: max(2 * total, 1 << 16, hashes.count * 2))
        }
        let last = segments.count - 1
        var current = segments[last]
        let older = segments[..<last]
        // Older tables past the cache are prefetched too (only when the estimate was passed, or a pipe).
        let farOlder = older.filter { $0.capacity > 1 << 16 }
        // Each id's probe starts with a cache miss once the table outgrows the cache (at 10M ids, one per row, waited
        // for one after another under the commit lock). Prefetching the slot of the id `ahead` rows on issues those
        // misses early and side by side (a prefetch, unlike a load, holds up nothing behind it); probes are unchanged.
        let ahead = 16, n = hashes.count
        for k in 0..<min(ahead, n) where hashes[k] != 0 { svd_prefetch(current.bytes + current.home(hashes[k]) * 5) }
        for (k, hash) in hashes.enumerated() {
            if k + ahead < n, hashes[k + ahead] != 0 {
                let h = hashes[k + ahead]
                svd_prefetch(current.bytes + current.home(h) * 5)
                for s in farOlder { svd_prefetch(s.bytes + s.home(h) * 5) }
            }
            guard hash != 0 else { continue }
            let f = Self.fingerprint(hash)
            var found = false
            for s in older where s.contains(hash, fingerprint: f) { found = true; break }
            if found || !current.insert(hash, fingerprint: f) { duplicates.append(k) } else if keepsHashes { kept.append(hash) }
        }
        count += current.count - segments[last].count
        segments[last] = current
    }

    /// A table with no ids is replaced; one with ids stays, to be probed, and ids go into the new one.
    private func addSegment(capacity: Int) {
        let last = segments.count - 1
        if segments[last].count == 0 {
            segments[last].bytes.deallocate()
            segments[last] = Segment(capacity: max(capacity, 1 << 12))
        } else {
            segments.append(Segment(capacity: max(capacity, 1 << 12)))
        }
    }
}
