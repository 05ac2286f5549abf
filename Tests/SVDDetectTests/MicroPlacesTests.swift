import XCTest
@testable import SVDDetect

/// The micro-place list's arithmetic on crafted counts whose answers are worked out by hand.
final class MicroPlacesTests: XCTestCase {
    /// Ten places; counts 5, 3, 1, 1 in cells 1, 3, 2, 5 (total 10).
    func testRankingAndConcentrationCurve() {
        let counts: [Double] = [0, 5, 1, 3, 0, 1, 0, 0, 0, 0]
        XCTAssertEqual(MicroPlaces.ranked(counts), [1, 3, 2, 5], "most first, ties by cell")
        XCTAssertEqual(MicroPlaces.top(counts, 2), [1, 3])
        XCTAssertEqual(MicroPlaces.top(counts, 9), [1, 3, 2, 5], "only cells with an incident")
        let c = MicroPlaces.Concentration(counts: counts, landCells: 10)
        XCTAssertEqual(c.total, 10)
        XCTAssertEqual(c.cells(inPlaceShare: 0.10), 1)
        XCTAssertEqual(c.cells(inPlaceShare: 0.25), 3, "⌈2.5⌉")
        XCTAssertEqual(c.incidentShare(inPlaceShare: 0.10), 0.5, accuracy: 1e-12)
        XCTAssertEqual(c.incidentShare(inPlaceShare: 0.20), 0.8, accuracy: 1e-12)
        XCTAssertEqual(c.incidentShare(inPlaceShare: 0.25), 0.9, accuracy: 1e-12)
        XCTAssertEqual(c.incidentShare(inPlaceShare: 0.50), 1.0, accuracy: 1e-12)
        XCTAssertEqual(c.places(forIncidentShare: 0.25)?.cells, 1)
        XCTAssertEqual(c.places(forIncidentShare: 0.50)?.cells, 1, "5 of 10 is exactly half")
        XCTAssertEqual(c.places(forIncidentShare: 0.75)?.cells, 2)
        XCTAssertEqual(c.places(forIncidentShare: 0.75)!.placeShare, 0.2, accuracy: 1e-12)
        XCTAssertEqual(c.places(forIncidentShare: 0.85)?.cells, 3)
        XCTAssertEqual(c.places(forIncidentShare: 1.0)?.cells, 4)
        // Hidden small counts: the same cells out of a published total of 20 (the other 10 in unranked cells).
        let partial = MicroPlaces.Concentration(counts: counts, landCells: 10, total: 20)
        XCTAssertEqual(partial.incidentShare(inPlaceShare: 0.10), 0.25, accuracy: 1e-12)
        XCTAssertEqual(partial.places(forIncidentShare: 0.25)?.cells, 1)
        XCTAssertEqual(partial.places(forIncidentShare: 0.50)?.cells, 4)
        XCTAssertNil(partial.places(forIncidentShare: 0.75), "the ranked cells hold only half")
    }

    /// 100 places. Year 1: cells 7, 3, 50, 90 with 10, 8, 6, 1. Year 2: cells 11, 7, 50, 3 with 8, 6, 4, 2 (total 20).
    func testBacktestOnATwoYearLayout() {
        var before = [Double](repeating: 0, count: 100), after = before
        before[7] = 10; before[3] = 8; before[50] = 6; before[90] = 1
        after[11] = 8; after[7] = 6; after[50] = 4; after[3] = 2
        // Top 2 last year: 7 and 3, which hold 6 + 2 = 8 of 20 this year on 2% of places: PAI 20.
        let two = MicroPlaces.backtest(previous: before, latest: after, landCells: 100, n: 2)
        XCTAssertEqual(two.chosen, 2)
        XCTAssertEqual(two.hitRate, 0.4, accuracy: 1e-12)
        XCTAssertEqual(two.areaShare, 0.02, accuracy: 1e-12)
        XCTAssertEqual(two.pai, 20, accuracy: 1e-9)
        XCTAssertEqual(two.stable, 1, "this year's top 2 are 11 and 7")
        XCTAssertEqual(two.jaccard, 1.0 / 3, accuracy: 1e-12)
        // Top 3: 7, 3, 50 hold 12 of 20 on 3%: PAI 20; this year's top 3 (11, 7, 50) share 7 and 50.
        let three = MicroPlaces.backtest(previous: before, latest: after, landCells: 100, n: 3)
        XCTAssertEqual(three.hitRate, 0.6, accuracy: 1e-12)
        XCTAssertEqual(three.pai, 20, accuracy: 1e-9)
        XCTAssertEqual(three.stable, 2)
        XCTAssertEqual(three.jaccard, 0.5, accuracy: 1e-12)
        // Top 10: only four cells had an incident; they hold 12 of 20 on 4%: PAI 15.
        let ten = MicroPlaces.backtest(previous: before, latest: after, landCells: 100, n: 10)
        XCTAssertEqual(ten.chosen, 4)
        XCTAssertEqual(ten.hitRate, 0.6, accuracy: 1e-12)
        XCTAssertEqual(ten.areaShare, 0.04, accuracy: 1e-12)
        XCTAssertEqual(ten.pai, 15, accuracy: 1e-9)
        XCTAssertEqual(ten.stable, 3)
        XCTAssertEqual(ten.jaccard, 0.6, accuracy: 1e-12)
        // This year's total given as 40 (20 in cells not counted): the hit rate halves.
        let hidden = MicroPlaces.backtest(previous: before, latest: after, landCells: 100, n: 2, latestTotal: 40)
        XCTAssertEqual(hidden.hitRate, 0.2, accuracy: 1e-12)
        XCTAssertEqual(hidden.pai, 10, accuracy: 1e-9)
        // Nothing last year: no cells chosen, PAI undefined.
        let none = MicroPlaces.backtest(previous: [Double](repeating: 0, count: 100), latest: after, landCells: 100, n: 5)
        XCTAssertEqual(none.chosen, 0)
        XCTAssertTrue(none.pai.isNaN)
    }
}
