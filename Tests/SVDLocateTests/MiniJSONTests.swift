import XCTest
import Foundation
import SVDCore
@testable import SVDLocate

/// The embedded area is read with `MiniJSON` (native numbers) instead of `JSONSerialization`: both must give the
/// same area to the bit, or districts would move.
final class MiniJSONTests: XCTestCase {
    func testEmbeddedAreaDecodesToTheSameBitsAsJSONSerialization() throws {
        for id in Area.embeddedIDs {
            let json = try XCTUnwrap(Area.embeddedJSON(id: id))
            XCTAssertNotNil(MiniJSON.parse(json), "\(id): MiniJSON must read the shipped JSON, or the fast path is not taken")
            let fast = try Area.embedded(id: id)
            let reference = try AreaFile.decode(Data(json.utf8), source: "reference")
            XCTAssertEqual(fast, reference)
            let bits = { (a: Area) in a.districts.flatMap { $0.polygons.joined().joined().flatMap { [$0.easting.bitPattern, $0.northing.bitPattern] } } }
            XCTAssertEqual(bits(fast), bits(reference))
            XCTAssertEqual(fast.attribution, reference.attribution)
        }
    }

    func testStringsNumbersAndFallbacks() throws {
        let tree = try XCTUnwrap(MiniJSON.parse(#"{"a": "x\n\u00e9\ud83d\ude00\"/", "b": [1, -2.5, 1e3, 12345678901234567890], "c": true}"#) as? [String: Any])
        XCTAssertEqual(tree["a"] as? String, "x\n\u{e9}\u{1F600}\"/")
        let b = try XCTUnwrap(tree["b"] as? [Any])
        XCTAssertEqual(b[0] as? Int, 1)
        XCTAssertEqual(b[1] as? Double, -2.5)
        XCTAssertEqual(b[2] as? Double, 1000)
        XCTAssertEqual(b[3] as? Double, 12345678901234567890)
        XCTAssertEqual(tree["c"] as? Bool, true)
        XCTAssertNil(JSONText.double(tree["c"]), "true is not a number")
        // Left to JSONSerialization: null, a repeated key, a lone surrogate, trailing text, a leading zero.
        for text in [#"{"a": null}"#, #"{"a": 1, "a": 2}"#, #"["\udc00"]"#, "[1] x", "[01]"] {
            XCTAssertNil(MiniJSON.parse(text), text)
        }
    }
}
