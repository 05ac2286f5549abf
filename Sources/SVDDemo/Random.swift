/// SplitMix64: expands one 64-bit seed into well-mixed state words (Steele, Lea & Flood 2014).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman & Vigna): our own generator so a seed gives the same file on every platform and
/// Swift version, which Foundation's and the standard library's generators do not promise.
struct Xoshiro256 {
    var s0, s1, s2, s3: UInt64

    init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inline(__always) mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// True with probability p.
    @inline(__always) mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform integer in 0..<n (multiply-shift; the bias is below 2^-32 for the small n used here).
    @inline(__always) mutating func below(_ n: Int) -> Int { Int(((next() >> 32) &* UInt64(n)) >> 32) }

    /// Two independent standard normal deviates (Marsaglia's polar method: no sine or cosine), used as one 2-D offset.
    @inline(__always) mutating func normalPair() -> (Double, Double) {
        while true {
            let u = 2 * unit() - 1, v = 2 * unit() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * _log(s) / s).squareRoot()
                return (u * f, v * f)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
#else
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
#endif

/// Owns the memory of a generator's alias tables, so the tables themselves are plain pointers that cost no
/// reference counting when drawn from in the row loop.
final class AliasArena: @unchecked Sendable {
    private var allocations: [UnsafeMutablePointer<UInt32>] = []

    /// Walker's alias table for these weights.
    func table(weights: [Double]) -> AliasTable {
        let n = weights.count
        precondition(n > 0 && n < Int(UInt32.max) && weights.allSatisfy { $0 >= 0 }, "alias table needs non-negative weights")
        let total = weights.reduce(0, +)
        precondition(total > 0, "alias table needs a positive weight")
        var scaled = weights.map { $0 * Double(n) / total }
        var threshold = [UInt32](repeating: UInt32.max, count: n)
        var alias = (0..<n).map { UInt32($0) }
        var small = [Int](), large = [Int]()
        for (i, w) in scaled.enumerated() { if w < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            threshold[s] = UInt32(min(scaled[s] * 4_294_967_296.0, 4_294_967_295.0))
            alias[s] = UInt32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        // Slots left over hold weight 1 up to rounding: they always keep their own index.
        let memory = UnsafeMutablePointer<UInt32>.allocate(capacity: 2 * n)
        memory.initialize(from: threshold, count: n)
        (memory + n).initialize(from: alias, count: n)
        allocations.append(memory)
        return AliasTable(threshold: memory, alias: memory + n, count: n)
    }

    deinit { allocations.forEach { $0.deallocate() } }
}

/// Draws an index with probability proportional to its weight in O(1). Valid while its arena lives.
struct AliasTable: @unchecked Sendable {
    let threshold: UnsafePointer<UInt32>
    let alias: UnsafePointer<UInt32>
    let count: Int

    @inline(__always) func draw(_ rng: inout Xoshiro256) -> Int {
        let r = rng.next()
        let slot = Int(((r >> 32) &* UInt64(count)) >> 32)
        return UInt32(truncatingIfNeeded: r) < threshold[slot] ? slot : Int(alias[slot])
    }
}
