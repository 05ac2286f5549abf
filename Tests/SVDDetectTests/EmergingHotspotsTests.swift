import SVDCore
@testable import SVDDetect
import XCTest

final class EmergingHotspotsTests: XCTestCase {
    /// Classes per step from a pattern string, oldest first: H hot (99 %), h hot (90 %), C cold (99 %), . not significant.
    private func steps(_ s: String) -> [HotspotClass] {
        s.map { c -> HotspotClass in
            switch c {
            case "H": return .hotSpot99
            case "h": return .hotSpot90
            case "C": return .coldSpot99
            case "c": return .coldSpot90
            default: return .notSignificant
            }
        }
    }

    private func classify(_ s: String, trend: Int = 0) -> EmergingPattern {
        EmergingHotspots.classify(steps(s), zTrend: trend)
    }

    func testHotPatternsOnCraftedSeries() {
        // 20 steps: 90 % is 18 steps.
        XCTAssertEqual(classify("...................H"), .newHot, "hot only in the final step")
        XCTAssertEqual(classify(".................hHH"), .consecutiveHot, "a final run of 3, never hot before")
        XCTAssertEqual(classify("..................HH"), .consecutiveHot, "a final run of 2")
        XCTAssertEqual(classify(".....H...........HHH"), .sporadicHot, "hot earlier, then off, then a final run")
        XCTAssertEqual(classify("H.H.H.H.H.H.H.H.H.HH"), .sporadicHot, "on and off, hot in the final step, never cold")
        XCTAssertEqual(classify("..C.......H........H"), .oscillatingHot, "hot in the final step after a cold spot")
        XCTAssertEqual(classify(".HHHHHHHHHHHHHHHHHHH", trend: 1), .intensifyingHot, "19 of 20 hot with z rising significantly")
        XCTAssertEqual(classify(".HHHHHHHHHHHHHHHHHHH", trend: 0), .persistentHot, "no significant trend in z")
        XCTAssertEqual(classify(".HHHHHHHHHHHHHHHHHHH", trend: -1), .diminishingHot, "z falling significantly")
        XCTAssertEqual(classify("..HHHHHHHHHHHHHHHHHH"), .persistentHot, "exactly 90 % (18 of 20) including the final step")
        XCTAssertEqual(classify("HHHHHHHHHHHHHHHHHH.."), .historicalHot, "90 % hot but not in the final step")
        XCTAssertEqual(classify("HHHHHHHHHHHHHHHHH..."), .noPattern, "85 % hot, not in the final step")
        XCTAssertEqual(classify("...HHHHHHHHHHHHHHHHH"), .consecutiveHot, "85 %: a final run, not persistent")
        XCTAssertEqual(classify("CCC....HHHHHHHHHHHHH"), .consecutiveHot, "consecutive takes precedence over oscillating")
        XCTAssertEqual(classify("C.................H."), .noPattern, "not significant in the final step")
        XCTAssertEqual(classify("...................."), .noPattern)
    }

    func testColdPatternsMirrorHotOnes() {
        XCTAssertEqual(classify("...................C"), .newCold)
        XCTAssertEqual(classify(".................cCC"), .consecutiveCold)
        XCTAssertEqual(classify(".CCCCCCCCCCCCCCCCCCC", trend: -1), .intensifyingCold, "z falling: clustering of low counts intensifies")
        XCTAssertEqual(classify(".CCCCCCCCCCCCCCCCCCC", trend: 1), .diminishingCold)
        XCTAssertEqual(classify(".CCCCCCCCCCCCCCCCCCC"), .persistentCold)
        XCTAssertEqual(classify("C.C.C.C.C.C.C.C.C.CC"), .sporadicCold)
        XCTAssertEqual(classify("..H.......C........C"), .oscillatingCold)
        XCTAssertEqual(classify("CCCCCCCCCCCCCCCCCC.."), .historicalCold)
        for p in EmergingPattern.allCases where p != .noPattern {
            XCTAssertEqual(EmergingPattern(rawValue: -p.rawValue)!.label.replacingOccurrences(of: "cold", with: "hot"),
                           p.label.replacingOccurrences(of: "cold", with: "hot"))
        }
    }

    /// A cube where the answer is known: 50 × 50 cells with one incident each per step, plus clusters of 30 or more
    /// incidents in one cell: one growing every step (intensifying), one constant (its z falls as the growing one
    /// takes a larger share of the variance: diminishing), one in the final step only (new), one in the final three
    /// steps (consecutive) and one in every step but the final one (historical).
    func testCraftedCube() throws {
        let side = 50
        let spec = try GridSpec(originEasting: 0, originNorthing: 0, cellSize: 100, columns: side, rows: side)
        let T = 12
        var points: [BNGPoint] = [], step: [Int32] = []
        func add(_ col: Int, _ row: Int, _ t: Int, _ n: Int) {
            for k in 0..<n {
                points.append(BNGPoint(easting: Double(col) * 100 + 10 + Double(k % 8) * 10, northing: Double(row) * 100 + 50))
                step.append(Int32(t))
            }
        }
        for t in 0..<T {
            for r in 0..<side { for c in 0..<side { add(c, r, t, 1) } }
            add(10, 10, t, 30 + 5 * t)               // intensifying
            add(40, 40, t, 100)                      // constant
            if t == T - 1 { add(40, 10, t, 60) }     // new
            if t >= T - 3 { add(10, 40, t, 60) }     // consecutive
            if t < T - 1 { add(25, 25, t, 60) }      // historical
        }
        // A point outside the steps is not counted.
        points.append(BNGPoint(easting: 50, northing: 50)); step.append(Int32(T))
        let r = try EmergingHotspots.analyse(points: points, step: step, stepCount: T, spec: spec)
        XCTAssertEqual(r.outside, 1)
        XCTAssertEqual(r.locations.count, side * side)
        func location(_ col: Int, _ row: Int) -> Int { r.locations.firstIndex(of: Int32(row * side + col))! }
        func pattern(_ col: Int, _ row: Int) -> EmergingPattern { r.patterns[location(col, row)] }
        XCTAssertEqual(pattern(10, 10), .intensifyingHot)
        XCTAssertEqual(pattern(40, 40), .diminishingHot)
        XCTAssertEqual(pattern(40, 10), .newHot)
        XCTAssertEqual(pattern(10, 40), .consecutiveHot)
        XCTAssertEqual(pattern(25, 25), .historicalHot)
        XCTAssertEqual(pattern(25, 5), .noPattern)
        // The cluster's cell and its eight neighbours share the band: the ring around the new cluster is new too.
        XCTAssertEqual(pattern(39, 9), .newHot)
        XCTAssertEqual(pattern(12, 12), .noPattern)
        XCTAssertEqual(r.hotSteps[location(10, 10)], Int16(T))
        XCTAssertGreaterThan(r.zTrend[location(10, 10)].z, 3)
        XCTAssertGreaterThan(r.countTrend[location(10, 10)].z, 3)
        XCTAssertEqual(r.countTrend[location(40, 40)].z, 0)
        XCTAssertEqual(r.lastClass[location(25, 25)], .notSignificant)

        // A land mask: cells off the land are neither locations nor Gi* observations.
        let masked = try EmergingHotspots.analyse(points: points, step: step, stepCount: T, spec: spec,
                                                  land: (0..<spec.cellCount).map { $0 % side < 25 })
        XCTAssertEqual(masked.locations.count, side * side / 2)
        // The growing cluster is still hot in every step (whether its z rises significantly depends on the observations).
        XCTAssertEqual(masked.hotSteps[masked.locations.firstIndex(of: Int32(10 * side + 10))!], Int16(T))
    }

    func testStepsWithoutIncidentsAreUndefinedNotHot() throws {
        let spec = try GridSpec(originEasting: 0, originNorthing: 0, cellSize: 100, columns: 5, rows: 5)
        var points: [BNGPoint] = [], step: [Int32] = []
        for t in [0, 1, 3] {
            for c in 0..<25 { points.append(spec.centre(ofCell: c)); step.append(Int32(t)) }
            for _ in 0..<20 { points.append(spec.centre(ofCell: 12)); step.append(Int32(t)) }
        }
        let r = try EmergingHotspots.analyse(points: points, step: step, stepCount: 4, spec: spec)
        XCTAssertEqual(r.undefinedSteps, [2])
        XCTAssertEqual(r.zTrend[12].n, 3)
        XCTAssertThrowsError(try EmergingHotspots.analyse(points: points, step: step, stepCount: 1, spec: spec))
        XCTAssertThrowsError(try EmergingHotspots.analyse(points: points, step: [0], stepCount: 4, spec: spec))
    }
}
