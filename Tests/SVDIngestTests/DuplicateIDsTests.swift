@testable import SVDIngest
import XCTest

/// The fingerprint table behind `duplicate_id`: the same answers as an exact set of the hashes (a false duplicate,
/// two hashes with one fingerprint meeting in a probe, is expected about 3 × 10⁻⁶ times in a million ids).
final class DuplicateIDsTests: XCTestCase {
    /// SplitMix64: a fixed sequence of well-spread 64-bit values.
    struct SplitMix { var x: UInt64; mutating func next() -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    } }

    /// Inserts `hashes` as one file's chunks of `chunk` ids (`fileBytes` sizes the table: 0, none), committed in order.
    func insert(_ ids: DuplicateIDs, _ hashes: [UInt64], chunk: Int, fileBytes: Int = 0, bytesPerID: Int = 100) -> [Int] {
        ids.beginFile(bytes: fileBytes)
        var found: [Int] = []
        var start = 0, seq = 0
        while start < hashes.count {
            let end = min(start + chunk, hashes.count)
            var d: [Int] = []
            hashes[start..<end].withUnsafeBufferPointer { b in
                ids.commit(seq: seq) { $0.insert(b, chunkBytes: (end - start) * bytesPerID, duplicates: &d) }
            }
            found += d.map { $0 + start }
            start = end; seq += 1
        }
        return found
    }

    /// What the table must answer: an exact set of the hashes, 0 skipped.
    func expected(_ hashes: [UInt64], seen: inout Set<UInt64>) -> [Int] {
        var out: [Int] = []
        for (k, h) in hashes.enumerated() where h != 0 {
            if !seen.insert(h).inserted { out.append(k) }
        }
        return out
    }

    func testSmallInsertsAndRepeats() {
        let ids = DuplicateIDs()
        let hashes: [UInt64] = [5, 7, 0, 5, 0xFFFF << 44, 0, 7, 9, 0xFFFF << 44, 9]
        var seen = Set<UInt64>()
        let want = expected(hashes, seen: &seen)
        XCTAssertEqual(want, [3, 6, 8, 9])
        XCTAssertEqual(insert(ids, hashes, chunk: 3), want)
        XCTAssertEqual(ids.count, 4)
        // The width kept: 1 << 40 and 1 << 41 differ only above the 40 bits (fingerprint 0, kept as 1) and share a
        // slot, so the second is taken for the first — the false duplicate the stated probability counts.
        let narrow = DuplicateIDs()
        XCTAssertEqual(insert(narrow, [1 << 40, 1 << 41, 1], chunk: 3), [1, 2])
    }

    /// 1M random hashes with 10 % repeats, sized from the file (one table) and unsized (grown by added tables):
    /// both give the set's answers, and a second file's repeats of the first are found across tables.
    func testMatchesASetOnAMillionHashes() {
        var rng = SplitMix(x: 14)
        var hashes: [UInt64] = []
        hashes.reserveCapacity(1_000_000)
        while hashes.count < 1_000_000 {
            let r = rng.next()
            if r % 10 == 0, !hashes.isEmpty { hashes.append(hashes[Int(r >> 8) % hashes.count]) } else { hashes.append(r) }
        }
        var seen = Set<UInt64>()
        let want = expected(hashes, seen: &seen)
        XCTAssertGreaterThan(want.count, 90_000)

        let sized = DuplicateIDs()
        XCTAssertEqual(insert(sized, hashes, chunk: 4096, fileBytes: hashes.count * 100), want)
        XCTAssertEqual(sized.tableCount, 1)
        XCTAssertEqual(sized.count, seen.count)
        // 5 bytes a slot at about 7/8 full for the file's ids (+5 %).
        XCTAssertLessThan(sized.bytesHeld, seen.count * 7)

        let grown = DuplicateIDs()
        XCTAssertEqual(insert(grown, hashes, chunk: 1000), want)
        XCTAssertGreaterThan(grown.tableCount, 1)
        XCTAssertEqual(grown.count, seen.count)

        // A second file: every id of the first is a repeat, new ones are not, across all the tables.
        let again = Array(hashes[0..<50_000]) + (0..<50_000).map { _ in rng.next() }
        var seen2 = seen
        let want2 = expected(again, seen: &seen2)
        XCTAssertEqual(insert(grown, again, chunk: 777, fileBytes: again.count * 100), want2)
        XCTAssertEqual(insert(sized, again, chunk: 777, fileBytes: again.count * 100), want2)
        XCTAssertEqual(sized.count, seen2.count)
    }

    /// A run too large for the table: the ids go to disk, every row passes, and the repeated hashes are exactly the
    /// set's; a second pass with only those rejects what the set rejects, across two files. A run under the limit,
    /// or with its ids per byte under it, keeps its table.
    func testSpilledIDsAndTheSecondPassGiveTheSetsAnswers() throws {
        var rng = SplitMix(x: 2026)
        var first: [UInt64] = []
        while first.count < 400_000 {
            let r = rng.next()
            if r % 9 == 0, !first.isEmpty { first.append(first[Int(r >> 8) % first.count]) } else { first.append(r % 50 == 0 ? 0 : r) }
        }
        let second = Array(first[1000..<21_000]) + (0..<30_000).map { _ in rng.next() }
        var seen = Set<UInt64>()
        let want = (expected(first, seen: &seen), expected(second, seen: &seen))
        var counts: [UInt64: Int] = [:]
        for h in first + second where h != 0 { counts[h, default: 0] += 1 }
        let repeated = Set(counts.filter { $0.value > 1 }.keys)
        XCTAssertGreaterThan(repeated.count, 30_000)

        let spilled = DuplicateIDs()
        (spilled.spillAbove, spilled.runBytes) = (100_000, (first.count + second.count) * 100)
        XCTAssertEqual(insert(spilled, first, chunk: 4096, fileBytes: first.count * 100), [])
        XCTAssertTrue(spilled.isSpilled)
        XCTAssertEqual(insert(spilled, second, chunk: 1000, fileBytes: second.count * 100), [])
        XCTAssertEqual(try spilled.repeatedHashes(), repeated)

        let again = DuplicateIDs(repeats: repeated)
        XCTAssertEqual(insert(again, first, chunk: 4096), want.0)
        XCTAssertEqual(insert(again, second, chunk: 333), want.1)

        // Under the limit (the run's bytes × the first chunk's ids per byte): a table, final answers.
        let small = DuplicateIDs()
        (small.spillAbove, small.runBytes) = (first.count + second.count + 1, (first.count + second.count) * 100)
        XCTAssertEqual(insert(small, first, chunk: 4096, fileBytes: first.count * 100), want.0)
        XCTAssertFalse(small.isSpilled)
        XCTAssertNil(try small.repeatedHashes())
    }

    /// A file whose first chunk underestimates its ids (sized for few, then many more): the table grows by adding
    /// tables, and the answers stay those of the set.
    func testGrowthPastTheEstimate() {
        var rng = SplitMix(x: 99)
        // Every 7th id repeats the one at k / 7, the rest are new.
        var hashes: [UInt64] = []
        for k in 0..<300_000 {
            if k % 7 == 0 && k > 0 {
                hashes.append(hashes[k / 7])
            } else {
                hashes.append(rng.next())
            }
        }
        var seen = Set<UInt64>()
        let want = expected(hashes, seen: &seen)
        let ids = DuplicateIDs()
        XCTAssertEqual(insert(ids, hashes, chunk: 5000, fileBytes: 10_000 * 100), want)
        XCTAssertGreaterThan(ids.tableCount, 1)
        XCTAssertEqual(ids.count, seen.count)
    }
}
