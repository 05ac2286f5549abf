import CPrefetch
import Foundation
import SVDCore

/// The incident ids a run has read, as 64-bit keyed hashes (SipHash-2-4 of the id, combined with its source), so a
/// repeated id is rejected as `duplicate_id` whatever the number of workers: chunks pass through `commit` in file
/// order, so the first row of an id in file order (and file order across files) is the one kept.
///
/// Memory: 8 bytes a slot. The table is sized once, when a file's first chunk arrives, for the ids that file will
/// hold (the chunk's ids per byte times the file's size, plus 5 %) at 80 % full, so it need not double while the
/// file is read (a doubling held the old and the new table at once: 201 MB for 10 million ids); it grows by half
/// only past 90 % full. About 105 MB for 10 million ids (one table per run, only for formats with an id column).
/// A file whose first chunk is denser in ids than the rest (short rows first, then long or rejected ones) gets a table
/// sized for that density: 10.5 bytes an expected id, so at most about 0.4 bytes a byte of the file for rows of 25
/// bytes, the shortest that carry an id, a date, an offence and coordinates.
/// Two different ids share a hash with probability about n²/2⁶⁵: 3 × 10⁻⁶ for 10 million ids; such a pair would
/// reject the later row as a duplicate.
public final class DuplicateIDs: @unchecked Sendable {
    private let condition = NSCondition()
    private var next = 0
    private var slots: UnsafeMutablePointer<UInt64>
    /// Any size, not only a power of two: a slot is found by `home`, a multiply, not a mask.
    private var capacity = 1 << 12
    public private(set) var count = 0
    /// The current file's size in bytes until its first chunk has sized the table (0: sized, or not known).
    private var unsizedFileBytes = 0

    public init() {
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
    }

    deinit { slots.deallocate() }

    /// Ids read by earlier runs over files that come before this run's (the portal bins each upload alone and
    /// merges): a repeat of one is a duplicate here, as it would be in one run over all the files.
    public func insert(seeds: [UInt64]) {
        var ignored: [Int] = []
        seeds.withUnsafeBufferPointer { insert($0, duplicates: &ignored) }
    }

    /// Every id hash held, ascending.
    public var hashes: [UInt64] {
        (0..<capacity).compactMap { slots[$0] == 0 ? nil : slots[$0] }.sorted()
    }

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

    /// The slot where `hash`'s probe starts: the high word of hash × capacity (uniform over any capacity).
    @inline(__always) private static func home(_ hash: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// Adds `hashes` in order (only from within `commit`); appends to `duplicates` the index of each one already
    /// there (0 means "no id" and is skipped). `chunkBytes`: the size of the chunk they were read from, which sizes
    /// the table for the whole file on its first chunk.
    func insert(_ hashes: UnsafeBufferPointer<UInt64>, chunkBytes: Int = 0, duplicates: inout [Int]) {
        if unsizedFileBytes > 0 && chunkBytes > 0 {
            let perByte = Double(hashes.count) / Double(chunkBytes)
            let expected = Int((perByte * Double(max(unsizedFileBytes, chunkBytes)) * 1.05).rounded(.up))
            unsizedFileBytes = 0
            let wanted = (count + expected) * 5 / 4 + 1
            if wanted > capacity { resize(to: wanted) }
        }
        while (count + hashes.count) * 10 > capacity * 9 { resize(to: capacity + capacity / 2) }
        // Locals, not the class's stored properties, in the loop: no exclusivity checks per row.
        let table = slots, capacity = self.capacity
        var added = 0
        // Each id's probe starts with a cache miss once the table outgrows the cache (at 10M ids, one per row, waited
        // for one after another under the commit lock). Prefetching the slot of the id `ahead` rows on issues those
        // misses early and side by side (a prefetch, unlike a load, holds up nothing behind it); probes are unchanged.
        let ahead = 16, n = hashes.count
        for k in 0..<min(ahead, n) where hashes[k] != 0 { svd_prefetch(table + Self.home(hashes[k], capacity)) }
        for (k, hash) in hashes.enumerated() {
            if k + ahead < n, hashes[k + ahead] != 0 { svd_prefetch(table + Self.home(hashes[k + ahead], capacity)) }
            guard hash != 0 else { continue }
            var i = Self.home(hash, capacity)
            var found = false
            while table[i] != 0 {
                if table[i] == hash { found = true; break }
                i += 1
                if i == capacity { i = 0 }
            }
            if found { duplicates.append(k) } else { table[i] = hash; added += 1 }
        }
        count += added
    }

    private func resize(to newCapacity: Int) {
        let old = slots, oldCapacity = capacity
        capacity = newCapacity
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        for j in 0..<oldCapacity where old[j] != 0 {
            var i = Self.home(old[j], capacity)
            while slots[i] != 0 {
                i += 1
                if i == capacity { i = 0 }
            }
            slots[i] = old[j]
        }
        old.deallocate()
    }
}
