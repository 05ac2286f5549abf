import Foundation
import XCTest
import SVDCore

/// Repository paths found from this file, so tests run from any working directory.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let geodata = repository.appendingPathComponent("geodata/kent-medway")
    /// The ONS source files; CI clones `shared` beside the repository.
    static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared/geodata")
    static let boundaries = shared.appendingPathComponent("kent-medway-lad20.geojson")
    static let population = shared.appendingPathComponent("kent-medway-population.csv")

    static func requireShared() throws {
        guard FileManager.default.fileExists(atPath: boundaries.path), FileManager.default.fileExists(atPath: population.path) else {
            throw XCTSkip("ONS source files not found at \(shared.path)")
        }
    }
}

/// Deterministic generator (SplitMix64) so samples are identical on every run and platform.
struct SampleRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
    mutating func normal() -> Double { (-2 * log(max(unit(), 1e-300))).squareRoot() * cos(2 * .pi * unit()) }
    mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
