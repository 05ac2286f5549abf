import SVDCore
import XCTest

/// OS National Grid references against Ordnance Survey's published examples.
final class OSGridReferenceTests: XCTestCase {
    /// Ordnance Survey, "Using the National Grid" (leaflet): the 10 km square "TL63", and on its 1:50,000 example
    /// "The Church at TL683365", "The Windmill at TL726350", "Mill Farm at TL701352". TL is the 100 km square whose
    /// south-west corner is E 500,000 N 200,000, so each reference is the square holding those metres.
    func testOSLeafletExamples() {
        XCTAssertEqual(OSGridReference.reference(BNGPoint(easting: 568_350, northing: 236_550)), "TL 683 365")
        XCTAssertEqual(OSGridReference.reference(BNGPoint(easting: 572_600, northing: 235_000)), "TL 726 350")
        XCTAssertEqual(OSGridReference.reference(BNGPoint(easting: 570_199.9, northing: 235_299.9)), "TL 701 352")
        XCTAssertEqual(OSGridReference.reference(BNGPoint(easting: 565_000, northing: 235_000), precision: 10_000), "TL 6 3")
    }

    /// The OS guide's worked example (Annex C; `tm_worked_examples.csv`): E 651,409.903 N 313,177.270, in square TG
    /// (E 600–700 km, N 300–400 km on OS's lettering diagram): truncated, never rounded.
    func testOSGuideWorkedExampleAtEveryPrecision() {
        let p = BNGPoint(easting: 651_409.903, northing: 313_177.270)
        XCTAssertEqual(OSGridReference.reference(p, precision: 1), "TG 51409 13177")
        XCTAssertEqual(OSGridReference.reference(p, precision: 10), "TG 5140 1317")
        XCTAssertEqual(OSGridReference.reference(p, precision: 100), "TG 514 131")
        XCTAssertEqual(OSGridReference.reference(p, precision: 1_000), "TG 51 13")
        XCTAssertNil(OSGridReference.reference(p, precision: 50))
    }

    /// OS's lettering diagram: SV holds the false origin; HP the northernmost square (Shetland); TQ and TR cover Kent;
    /// the first letters in Great Britain are H, N, S and T (and J, O just off its coasts).
    func testSquareLettersOfTheDiagram() {
        let expected: [(Double, Double, String)] = [
            (0, 0, "SV"), (99_999, 99_999, "SV"), (100_000, 0, "SW"), (400_000, 0, "SZ"), (500_000, 0, "TV"),
            (0, 100_000, "SQ"), (0, 400_000, "SA"), (0, 500_000, "NV"), (400_000, 1_200_000, "HP"),
            (575_700, 168_500, "TQ"), (632_000, 141_000, "TR"), (300_000, 600_000, "NT"), (600_000, 1_000_000, "JW"),
            (500_000, 500_000, "OV"), (651_409, 313_177, "TG"), (699_999, 1_299_999, "JM"),
        ]
        for (e, n, letters) in expected {
            XCTAssertEqual(OSGridReference.squareLetters(easting: e, northing: n), letters, "E \(e) N \(n)")
        }
        // Every 100 km square of the grid has its own two letters, none with I.
        var seen = Set<String>()
        for e in stride(from: 0.0, to: 700_000, by: 100_000) {
            for n in stride(from: 0.0, to: 1_300_000, by: 100_000) {
                let l = OSGridReference.squareLetters(easting: e, northing: n)!
                XCTAssertFalse(l.contains("I"))
                XCTAssertTrue(seen.insert(l).inserted, l)
            }
        }
        XCTAssertEqual(seen.count, 91)
        XCTAssertNil(OSGridReference.squareLetters(easting: -1, northing: 0))
        XCTAssertNil(OSGridReference.squareLetters(easting: 700_000, northing: 0))
        XCTAssertNil(OSGridReference.reference(BNGPoint(easting: 0, northing: 1_300_000)))
    }

    func testTheIssuesExampleAndLeadingZeros() {
        XCTAssertEqual(OSGridReference.reference(BNGPoint(easting: 575_750, northing: 168_550)), "TQ 757 685")
        XCTAssertEqual(OSGridReference.reference(BNGPoint(easting: 600_050, northing: 100_099)), "TR 000 000")
        XCTAssertEqual(OSGridReference.reference(BNGPoint(easting: 604_321, northing: 107_654), precision: 10), "TR 0432 0765")
    }

    func testPrecisionNeverFinerThanTheSquare() {
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 100), 100)
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 150), 100)
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 999), 100)
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 1_000), 1_000)
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 2_500), 1_000)
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 50), 10)
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 10), 10)
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 1), 10)
        XCTAssertEqual(OSGridReference.precision(notFinerThan: 50_000), 10_000)
    }
}
