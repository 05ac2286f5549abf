import Foundation

/// SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed pseudo-random function, so record keys cannot be
/// computed by anyone without the partnership's secret, even from public ids (data.police.uk publishes its
/// crime ids). Hand-written: it runs once per accepted row, and no listed package provides it.
public struct SipHash24: Sendable, Equatable {
    public let k0: UInt64, k1: UInt64

    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// Key from 16 bytes, little-endian as in the reference implementation.
    public init(keyBytes: [UInt8]) {
        precondition(keyBytes.count == 16)
        func word(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(keyBytes[o + $1]) << (8 * UInt64($1)) } }
        self.init(k0: word(0), k1: word(8))
    }

    @inline(__always) private static func round(_ v0: inout UInt64, _ v1: inout UInt64, _ v2: inout UInt64, _ v3: inout UInt64) {
        v0 = v0 &+ v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0; v0 = (v0 << 32) | (v0 >> 32)
        v2 = v2 &+ v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2
        v0 = v0 &+ v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0
        v2 = v2 &+ v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2; v2 = (v2 << 32) | (v2 >> 32)
    }

    /// The 64-bit SipHash-2-4 of `count` bytes at `p`, with `tweak` mixed into the key (domain separation).
    public func hash(_ p: UnsafePointer<UInt8>, count: Int, tweak: UInt64 = 0) -> UInt64 {
        var v0: UInt64 = 0x736f6d6570736575 ^ k0
        var v1: UInt64 = 0x646f72616e646f6d ^ (k1 ^ tweak)
        var v2: UInt64 = 0x6c7967656e657261 ^ k0
        var v3: UInt64 = 0x7465646279746573 ^ (k1 ^ tweak)
        var i = 0
        while i + 8 <= count {
            // One little-endian word (the reference reads bytes in this order).
            let m = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            v3 ^= m
            Self.round(&v0, &v1, &v2, &v3)
            Self.round(&v0, &v1, &v2, &v3)
            v0 ^= m
            i += 8
        }
        var last = UInt64(truncatingIfNeeded: count & 0xFF) << 56
        if count >= 8 && count > i {
            // The last 1–7 bytes from one load of the input's last eight, shifted down (the same value as packing
            // them byte by byte; ids are 8 bytes or more).
            let word = UInt64(littleEndian: UnsafeRawPointer(p + (count - 8)).loadUnaligned(as: UInt64.self))
            last |= word &>> UInt64(8 * (8 - (count - i)))
        } else {
            for j in 0..<(count - i) { last |= UInt64(p[i + j]) &<< UInt64(8 * j) }
        }
        v3 ^= last
        Self.round(&v0, &v1, &v2, &v3)
        Self.round(&v0, &v1, &v2, &v3)
        v0 ^= last
        v2 ^= 0xff
        for _ in 0..<4 { Self.round(&v0, &v1, &v2, &v3) }
        return v0 ^ v1 ^ v2 ^ v3
    }

    public func hash(_ bytes: [UInt8], tweak: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBufferPointer { b in
            b.baseAddress.map { hash($0, count: b.count, tweak: tweak) } ?? { var z: UInt8 = 0; return hash(&z, count: 0, tweak: tweak) }()
        }
    }
}

/// The partnership's secret for record keys. The same secret must be used for every run whose outputs are
/// published side by side (monthly refreshes, packs), so that the same records always get the same key.
public struct DisclosureKey: Sendable, Equatable {
    public let hasher: SipHash24
    /// Where the secret came from, for the run manifest (never the secret itself).
    public let origin: String

    public init(hasher: SipHash24, origin: String) {
        self.hasher = hasher
        self.origin = origin
    }

    /// Record key of an incident from its source and identifier bytes (or its whole record when it has no id).
    @inline(__always) public func recordKey(_ p: UnsafePointer<UInt8>, count: Int, domain: UInt64) -> UInt32 {
        Self.recordKey(fromHash: fullHash(p, count: count, domain: domain))
    }

    /// The 64-bit keyed hash a record key is folded from (ingest also uses it to spot repeated incident ids).
    @inline(__always) public func fullHash(_ p: UnsafePointer<UInt8>, count: Int, domain: UInt64) -> UInt64 {
        hasher.hash(p, count: count, tweak: domain)
    }

    @inline(__always) public static func recordKey(fromHash h: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: h ^ (h >> 32)) }

    /// A key for tests and benchmarks, fixed so their outputs are reproducible. Never for publication.
    public static let testing = DisclosureKey(hasher: SipHash24(k0: 0x0706050403020100, k1: 0x0F0E0D0C0B0A0908), origin: "testing key")

    /// Parses 32 hexadecimal digits (whitespace ignored).
    public static func parse(hex text: String, origin: String) -> DisclosureKey? {
        let digits = text.filter { !$0.isWhitespace }
        guard digits.count == 32, digits.allSatisfy(\.isHexDigit) else { return nil }
        var bytes: [UInt8] = []
        var i = digits.startIndex
        while i < digits.endIndex {
            let j = digits.index(i, offsetBy: 2)
            bytes.append(UInt8(digits[i..<j], radix: 16)!)
            i = j
        }
        return DisclosureKey(hasher: SipHash24(keyBytes: bytes), origin: origin)
    }

    /// 32 random hexadecimal digits, for a new key file.
    public static func newHex() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }
}
