/// A count of incidents together with the *cell key* of the records behind it (ONS cell key method).
///
/// Every accepted incident carries a 32-bit record key, a keyed hash of its identity. The cell key of any
/// set of incidents is the sum of their record keys mod 2³², so it is additive like the count and the
/// same set of records always has the same key, whichever table or run it is counted in. The disclosure
/// engine turns (count, key) into a published value; nothing else may publish a count.
///
/// Packed into one word so binning adds both with a single instruction: the count in the low 32 bits,
/// the key in the high 32 bits (a count never reaches 2³², so it never carries into the key).
public struct KeyedCount: Sendable, Hashable, AdditiveArithmetic {
    public var bits: UInt64

    @inlinable public init(bits: UInt64) { self.bits = bits }

    @inlinable public init(count: Int, key: UInt32) {
        bits = UInt64(key) << 32 | UInt64(truncatingIfNeeded: count) & 0xFFFF_FFFF
    }

    /// One incident with this record key.
    @inlinable public static func record(key: UInt32) -> KeyedCount { KeyedCount(bits: UInt64(key) << 32 | 1) }

    @inlinable public static var zero: KeyedCount { KeyedCount(bits: 0) }
    @inlinable public var count: Int { Int(bits & 0xFFFF_FFFF) }
    @inlinable public var key: UInt32 { UInt32(truncatingIfNeeded: bits >> 32) }
    @inlinable public var isZero: Bool { bits & 0xFFFF_FFFF == 0 }

    @inlinable public static func + (a: KeyedCount, b: KeyedCount) -> KeyedCount { KeyedCount(bits: a.bits &+ b.bits) }
    /// The records of `a` that are not in `b`; `b` must be a subset of `a`.
    @inlinable public static func - (a: KeyedCount, b: KeyedCount) -> KeyedCount { KeyedCount(bits: a.bits &- b.bits) }
}

extension Sequence where Element == KeyedCount {
    @inlinable public func sum() -> KeyedCount { reduce(.zero, +) }
}
