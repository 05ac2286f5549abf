import Foundation
import XCTest

/// Reads a CSV fixture shipped in Fixtures/ as header-keyed rows (the fixtures hold no quoted commas).
func fixtureRows(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: String]] {
    let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
                            "fixture \(name) is missing", file: file, line: line)
    // Lines starting with '#' record provenance (tool versions) and are skipped.
    let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("#") }
    guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return [] }
    return lines.dropFirst().map { line in
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return Dictionary(uniqueKeysWithValues: zip(header, cells))
    }
}

extension Dictionary where Key == String, Value == String {
    func double(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        try XCTUnwrap(self[key].flatMap(Double.init), "column \(key) is not a number in \(self)", file: file, line: line)
    }

    func int(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        try XCTUnwrap(self[key].flatMap { Int($0) }, "column \(key) is not an integer in \(self)", file: file, line: line)
    }
}
