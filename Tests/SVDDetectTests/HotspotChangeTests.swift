@testable import SVDDetect
import XCTest

final class HotspotChangeTests: XCTestCase {
    func testTrendRules() {
        XCTAssertEqual(HotspotChange.trend(earlier: .notSignificant, later: .notSignificant), .none)
        XCTAssertEqual(HotspotChange.trend(earlier: .coldSpot99, later: .coldSpot95), .none)
        XCTAssertEqual(HotspotChange.trend(earlier: .coldSpot99, later: .hotSpot90), .hotNowOnly)
        XCTAssertEqual(HotspotChange.trend(earlier: .notSignificant, later: .hotSpot99), .hotNowOnly)
        XCTAssertEqual(HotspotChange.trend(earlier: .hotSpot95, later: .hotSpot95), .hotInBoth)
        XCTAssertEqual(HotspotChange.trend(earlier: .hotSpot90, later: .hotSpot99), .hotInBothHigherNow)
        XCTAssertEqual(HotspotChange.trend(earlier: .hotSpot99, later: .hotSpot90), .hotInBothLowerNow)
        XCTAssertEqual(HotspotChange.trend(earlier: .hotSpot90, later: .notSignificant), .hotBeforeOnly)
        XCTAssertEqual(HotspotChange.trend(earlier: .hotSpot99, later: .coldSpot90), .hotBeforeOnly)
    }

    func testLabelsAreTwoPeriodWordsNotEmergingPatternNames() {
        let labels = HotspotTrend.allCases.map(\.label)
        XCTAssertEqual(labels, ["Hot in neither period", "Hot now only", "Hot in both periods", "Hot in both, higher confidence now",
                                "Hot in both, lower confidence now", "Hot before only"])
        for name in ["New", "Intensifying", "Diminishing", "Persistent", "Former", "Sporadic"] {
            XCTAssertFalse(labels.contains { $0.contains(name) }, name)
        }
    }

    func testPeriodsOnDifferentGridsAreRejected() throws {
        let a = try GridSpec(originEasting: 0, originNorthing: 0, cellSize: 100, columns: 4, rows: 4)
        let b = try GridSpec(originEasting: 0, originNorthing: 0, cellSize: 100, columns: 5, rows: 4)
        var counts = [Double](repeating: 0, count: 16); counts[5] = 4; counts[6] = 1
        var counts2 = [Double](repeating: 0, count: 20); counts2[5] = 4; counts2[6] = 1
        let ra = try GetisOrd.giStar(CountGrid(spec: a, counts: counts))
        let rb = try GetisOrd.giStar(CountGrid(spec: b, counts: counts2))
        XCTAssertThrowsError(try HotspotChange.classify(earlier: ra, later: rb)) {
            guard case DetectError.gridMismatch = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try HotspotChange.classify(earlier: ra, later: ra).count, 16)
    }
}
