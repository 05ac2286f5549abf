import Foundation
import SVDCore
import XCTest

struct FixtureMissing: Error { let name: String }

/// A fixture CSV: an optional `# key=value …` header line, a column header, then rows.
struct FixtureTable {
    let parameters: [String: String]
    let columns: [String: Int]
    let rows: [[Substring]]

    init(_ name: String) throws {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw FixtureMissing(name: name)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline)
        var parameters: [String: String] = [:]
        if let first = lines.first, first.hasPrefix("#") {
            for pair in first.dropFirst().split(separator: " ") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                parameters[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
            }
            lines.removeFirst()
        }
        let header = lines.removeFirst().split(separator: ",")
        self.parameters = parameters
        columns = Dictionary(uniqueKeysWithValues: header.enumerated().map { (String($1), $0) })
        rows = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    }

    func double(_ column: String) -> [Double] {
        let k = columns[column]!
        return rows.map { Double($0[k])! }
    }

    func int(_ column: String) -> [Int] {
        let k = columns[column]!
        return rows.map { Int($0[k])! }
    }

    func parameter(_ key: String) -> Double { Double(parameters[key]!)! }

    var points: [BNGPoint] {
        zip(double("easting"), double("northing")).map { BNGPoint(easting: $0, northing: $1) }
    }
}
