import Foundation
@testable import SVDCore
import XCTest

/// A billion-laughs alias bomb: nine levels of nine aliases each, 9^9 ≈ 387 million strings once expanded.
enum YAMLBomb {
    static func text(under key: String = "serious_violence") -> String {
        var lines = ["a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
        for i in 1...8 {
            let refs = Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ")
            lines.append("a\(i): &a\(i) [\(refs)]")
        }
        lines.append("\(key): *a8")
        return lines.joined(separator: "\n") + "\n"
    }
}

final class YAMLBombTests: XCTestCase {
    /// Grew until memory ran out (40 s, abort at 4 GB); now refused after at most `SafeYAML.maxNodes` steps.
    func testAnAliasBombInDefinitionsIsRefused() {
        let start = Date()
        XCTAssertThrowsError(try Definitions(yaml: YAMLBomb.text(), source: "bomb.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("bomb.yaml: expands to more than"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }

    func testOrdinaryAliasesStillWork() throws {
        let yaml = """
        name: aliases
        serious_violence: &sv [violence with injury, robbery]
        strands:
          - id: s1
            label: S1
            all: [{offence: *sv}]
        """
        let d = try Definitions(yaml: yaml, source: "ok.yaml")
        XCTAssertEqual(d.seriousViolence, ["violence with injury", "robbery"])
    }

    func testTheGuardCountsExpandedNodes() throws {
        let small = try XCTUnwrap(try SafeYAML.compose(yaml: "a: &x [1, 2, 3]\nb: [*x, *x]\n"))
        XCTAssertNoThrow(try SafeYAML.checkSize(small, limit: 16)) // the mapping, 2 keys, 2 lists, 3 + 6 numbers: 1 + (1 + 1 + 3) + (1 + 1 + 4 + 4)
        XCTAssertThrowsError(try SafeYAML.checkSize(small, limit: 15))
    }
}
