import Foundation
import SVDCore

/// The incident ids a run has read, as 64-bit keyed hashes (SipHash-2-4 of the id, combined with its source), so a
/// repeated id is rejected as `duplicate_id` whatever the number of workers: chunks pass through `commit` in file
/// order, so the first row of an id in file order (and file order across files) is the one kept.
///
/// Memory: 8 bytes a slot at most 70% full — about 134 MB for 10 million ids (one table per run, only for formats
/// with an id column). Two different ids share a hash with probability about n²/2⁶⁵: 3 × 10⁻⁶ for 10 million ids;
/// such a pair would reject the later row as a duplicate.
public final class DuplicateIDs: @unchecked Sendable {
    private let condition = NSCondition()
    private var next = 0
    private var slots: UnsafeMutablePointer<UInt64>
    private var capacity = 1 << 12
    public private(set) var count = 0

    public init() {
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
    }

    deinit { slots.deallocate() }

    /// Starts a file: its chunks are numbered from 0.
    func beginFile() {
        condition.lock()
        next = 0
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
    /// there (0 means "no id" and is skipped).
    func insert(_ hashes: UnsafeBufferPointer<UInt64>, duplicates: inout [Int]) {
        while (count + hashes.count) * 10 > capacity * 7 { grow() }
        // Locals, not the class's stored properties, in the loop: no exclusivity checks per row.
        let table = slots, mask = capacity - 1
        var added = 0
        for (k, hash) in hashes.enumerated() where hash != 0 {
            var i = Int(truncatingIfNeeded: hash) & mask
            var found = false
            while table[i] != 0 {
                if table[i] == hash { found = true; break }
                i = (i + 1) & mask
            }
            if found { duplicates.append(k) } else { table[i] = hash; added += 1 }
        }
        count += added
    }

    private func grow() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        for j in 0..<oldCapacity where old[j] != 0 {
            var i = Int(truncatingIfNeeded: old[j]) & (capacity - 1)
            while slots[i] != 0 { i = (i + 1) & (capacity - 1) }
            slots[i] = old[j]
        }
        old.deallocate()
    }
}
