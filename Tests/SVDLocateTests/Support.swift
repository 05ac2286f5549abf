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
    /// ONS mid-2022 by sex and single year of age (SOURCES.md §4): the denominators of the embedded area.
    static let populationSex2022 = shared.appendingPathComponent("kent-medway-population-sex-2022.csv")
    /// The label the embedded area gives the 2022 file's rows (GeodataCommand's example).
    static let populationSex2022Source = "ONS mid-2022 estimates, Census 2021 based (mye22final.xlsx, MYEB1 and MYE2)"
    static var populations: [(url: URL, source: String?)] { [(population, nil), (populationSex2022, populationSex2022Source)] }

    static func requireShared() throws {
        guard [boundaries, population, populationSex2022].allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) else {
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
