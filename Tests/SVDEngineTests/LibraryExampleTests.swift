import XCTest
import Foundation

/// The README's library example is the file the package builds as `svd-library-example`, and it runs: a user can
/// copy it and get a headline and hotspots without the CLI.
final class LibraryExampleTests: XCTestCase {
    func testReadmeExampleIsTheBuiltExampleAndRuns() throws {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try XCTUnwrap(readme.range(of: "<!-- library-example -->\n```swift\n"))
        let end = try XCTUnwrap(readme.range(of: "```\n<!-- /library-example -->", range: start.upperBound..<readme.endIndex))
        let source = try String(contentsOf: CLI.packageRoot.appendingPathComponent("Examples/LibraryExample/main.swift"), encoding: .utf8)
        XCTAssertEqual(String(readme[start.upperBound..<end.lowerBound]), source, "README example and Examples/LibraryExample/main.swift differ")
        let code = source.split(separator: "\n").filter { !$0.hasPrefix("import ") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        XCTAssertLessThanOrEqual(code.count, 10, "the example should stay about ten lines")

        let cli = try CLI("library-example")
        defer { cli.remove() }
        let binary = CLI.svd.deletingLastPathComponent().appendingPathComponent("svd-library-example")
        let r = try cli.run(binary, [cli.path("incidents.csv")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, r.stdout)
        XCTAssertTrue(lines[0].hasPrefix("Kent & Medway, 12 months to 2026-10: all serious violence "), lines[0])
        for (i, line) in lines.dropFirst().enumerated() {
            XCTAssertTrue(line.hasPrefix("H\(i + 1) "), line)
            XCTAssertTrue(line.contains("[\""), "names the districts: \(line)")
        }
    }
}
