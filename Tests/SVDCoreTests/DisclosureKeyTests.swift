import XCTest
import SVDCore

/// Record keys: SipHash-2-4 against the reference vectors, and keyed counts' arithmetic.
final class DisclosureKeyTests: XCTestCase {
    /// Vectors of the SipHash paper's reference implementation (key 00…0f, message 00 01 … n−1).
    func testSipHashReferenceVectors() {
        let h = SipHash24(keyBytes: Array(0..<16))
        let expected: [Int: UInt64] = [0: 0x726fdb47dd0e0e31, 1: 0x74f839c593dc67fd, 8: 0x93f5f5799a932462,
                                       15: 0xa129ca6149be45e5, 16: 0x3f2acc7f57c29bdb]
        for (n, want) in expected {
            XCTAssertEqual(h.hash(Array(0..<UInt8(n))), want, "message of \(n) bytes")
        }
    }

    func testKeyFileFormat() {
        XCTAssertNotNil(DisclosureKey.parse(hex: "000102030405060708090a0b0c0d0e0f\n", origin: "t"))
        XCTAssertEqual(DisclosureKey.parse(hex: "000102030405060708090a0b0c0d0e0f", origin: "t")?.hasher, SipHash24(keyBytes: Array(0..<16)))
        XCTAssertNil(DisclosureKey.parse(hex: "0001020304", origin: "t"))
        XCTAssertNil(DisclosureKey.parse(hex: String(repeating: "z", count: 32), origin: "t"))
        let fresh = DisclosureKey.newHex()
        XCTAssertNotNil(DisclosureKey.parse(hex: fresh, origin: "t"))
        XCTAssertNotEqual(fresh, DisclosureKey.newHex())
    }

    /// Different secrets give unrelated record keys for the same id; the same secret always the same key.
    func testRecordKeysDependOnTheSecret() {
        let a = DisclosureKey.parse(hex: "00112233445566778899aabbccddeeff", origin: "a")!
        let b = DisclosureKey.parse(hex: "ffeeddccbbaa99887766554433221100", origin: "b")!
        let id = Array("KM-2025-000123".utf8)
        let ka = id.withUnsafeBufferPointer { a.recordKey($0.baseAddress!, count: $0.count, domain: 1) }
        let ka2 = id.withUnsafeBufferPointer { a.recordKey($0.baseAddress!, count: $0.count, domain: 1) }
        let kb = id.withUnsafeBufferPointer { b.recordKey($0.baseAddress!, count: $0.count, domain: 1) }
        XCTAssertEqual(ka, ka2)
        XCTAssertNotEqual(ka, kb)
    }

    /// Counts and keys add separately in one word; subtraction gives the complement's key.
    func testKeyedCountArithmetic() {
        let a = KeyedCount.record(key: 0xFFFF_FFF0), b = KeyedCount.record(key: 0x20), c = KeyedCount.record(key: 7)
        let s = [a, b, c].sum()
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s.key, 0xFFFF_FFF0 &+ 0x20 &+ 7)
        XCTAssertEqual((s - b).count, 2)
        XCTAssertEqual((s - b).key, 0xFFFF_FFF0 &+ 7)
        XCTAssertEqual(KeyedCount.zero.count, 0)
        XCTAssertEqual(KeyedCount(count: 123_456, key: 0xDEAD_BEEF).count, 123_456)
        XCTAssertEqual(KeyedCount(count: 123_456, key: 0xDEAD_BEEF).key, 0xDEAD_BEEF)
    }
}
