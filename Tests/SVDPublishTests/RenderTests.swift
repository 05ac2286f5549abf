import XCTest
import Foundation
import SVDPublish

/// The same table in every format says the same: JSON numbers are the CSV's text read back (as the workbook's are),
/// so a value on a rounding tie (6.25 at one decimal) is not rounded one way in the CSV and the other in the JSON.
final class RenderTests: XCTestCase {
    func testJSONNumbersAreTheCSVsText() throws {
        let values: [PublishedTable.Value] = [.change(6.25, decimals: 1), .percent(0.125, decimals: 2), .number(2.5, decimals: 0),
                                              .number(1.005, decimals: 2), .change(-0.04, decimals: 1), .percent(nil, decimals: 1),
                                              .number(.nan, decimals: 2), .count(17), .suppressed(threshold: 5), .withheld]
        let columns = values.indices.map { "c\($0)" }
        let table = PublishedTable(id: "t", title: "T", columns: columns, rows: [values])
        let csvRow = table.csv().split(separator: "\n", omittingEmptySubsequences: false)[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(table.json().utf8)) as? [String: Any])
        let row = try XCTUnwrap((object["rows"] as? [[String: Any]])?.first)
        for (i, c) in columns.enumerated() {
            let text = csvRow[i]
            switch row[c] {
            case let s as String: XCTAssertEqual(s, text, c)
            case is NSNull: XCTAssertEqual(text, "", c)
            case let n as NSNumber: XCTAssertEqual(n.doubleValue, Double(text), "\(c): JSON \(n), CSV \(text)")
            default: XCTFail("\(c): \(String(describing: row[c]))")
            }
        }
        XCTAssertEqual(csvRow[0], "6.2")
    }
}
