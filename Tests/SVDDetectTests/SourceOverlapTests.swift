import Foundation
import SVDCore
@testable import SVDDetect
import XCTest

final class SourceOverlapTests: XCTestCase {
    // MARK: matching against brute force

    /// O(n·m) reference: the same inclusive tests, with the same arithmetic, on every pair (distance first, then
    /// the observed time and every shifted time).
    private func bruteForce(partner: [LinkageRecord], police: [LinkageRecord],
                            parameters: OverlapParameters) -> (matched: [Bool], chance: [Double]) {
        let r2 = parameters.radiusMetres * parameters.radiusMetres
        let w = Int64(parameters.windowHours)
        let shifts = parameters.controlShiftsDays.map { 24 * Int64($0) }
        let first = Int64(police.map(\.hour).min() ?? 0), last = Int64(police.map(\.hour).max() ?? 0)
        let px = police.map(\.location.easting), py = police.map(\.location.northing), ph = police.map { Int64($0.hour) }
        var matched: [Bool] = [], chance: [Double] = []
        for q in partner {
            let t = Int64(q.hour)
            var observed = false
            var shiftHit = [Bool](repeating: false, count: shifts.count)
            for j in 0..<px.count {
                let dx = px[j] - q.location.easting, dy = py[j] - q.location.northing
                guard dx * dx + dy * dy <= r2 else { continue }
                if abs(ph[j] - t) <= w { observed = true }
                for k in shifts.indices where abs(ph[j] - (t - shifts[k])) <= w { shiftHit[k] = true }
            }
            matched.append(observed)
            var inSpan = 0, hitsInSpan = 0
            for k in shifts.indices where t - shifts[k] >= first && t - shifts[k] <= last {
                inSpan += 1
                if shiftHit[k] { hitsInSpan += 1 }
            }
            let hitsAll = shiftHit.filter { $0 }.count
            chance.append(inSpan > 0 ? Double(hitsInSpan) / Double(inSpan) : Double(hitsAll) / Double(shifts.count))
        }
        return (matched, chance)
    }

    func testMatchesEqualBruteForce() throws {
        var rng = SplitMix(seed: 42)
        // Points on a 10 m lattice (distances of exactly 50 or 100 m, points on cell edges at those radii) over
        // a few hundred hours (equal times, differences of exactly the window), plus some off-lattice points,
        // some far outside the police extent and some outside the police records' time span.
        func record(lattice: Bool, hours: Range<Int32>) -> LinkageRecord {
            let e: Double, n: Double
            if lattice {
                e = 500_000 + 10 * Double(Int.random(in: 0..<60, using: &rng))
                n = 150_000 + 10 * Double(Int.random(in: 0..<60, using: &rng))
            } else {
                e = Double.random(in: 500_000..<500_650, using: &rng)
                n = Double.random(in: 150_000..<150_650, using: &rng)
            }
            return LinkageRecord(location: BNGPoint(easting: e, northing: n), hour: Int32.random(in: hours, using: &rng))
        }
        let span: Range<Int32> = 480_000..<480_400
        var police = (0..<3000).map { _ in record(lattice: true, hours: span) }
        police += (0..<500).map { _ in record(lattice: false, hours: span) }
        var partner = (0..<1500).map { _ in record(lattice: true, hours: span) }
        partner += (0..<300).map { _ in record(lattice: false, hours: span) }
        partner += (0..<150).map { _ in record(lattice: true, hours: 479_900..<480_500) }
        partner += [LinkageRecord(location: BNGPoint(easting: 0, northing: 0), hour: 480_100),
                    LinkageRecord(location: BNGPoint(easting: 499_750, northing: 150_000), hour: 480_100),
                    LinkageRecord(location: BNGPoint(easting: 500_590 + 50, northing: 150_590), hour: 480_100)]
        // Exactly on the police grid's cell edges and half-cell lines at radius 50 (cells of side 2·50·(1 + 1e-4)
        // from the lowest police easting and northing), where the cell and the 2×2 block chosen flip.
        let side = 2 * 50 * (1 + 1e-4)
        XCTAssertEqual(police.map(\.location.easting).min(), 500_000)
        XCTAssertEqual(police.map(\.location.northing).min(), 150_000)
        for k in 0..<8 {
            for half in [0.0, 0.5] {
                let at = BNGPoint(easting: 500_000 + (Double(k) + half) * side, northing: 150_000 + Double(7 - k) * side)
                police.append(LinkageRecord(location: at, hour: 480_000 + Int32(k)))
                for (de, dn) in [(0.0, 0.0), (50, 0), (-50, 0), (0, 50), (30, -40), (-49.99, 0.5)] {
                    partner.append(LinkageRecord(location: BNGPoint(easting: at.easting + de, northing: at.northing + dn),
                                                 hour: 480_000 + Int32(k) + Int32(Int.random(in: -2...2, using: &rng))))
                }
            }
        }
        partner.shuffle(using: &rng)

        var checked = 0, positives = 0, fractional = 0
        for radius in [50.0, 7.5, 1000.0] {
            for window in [0, 1, 3, 24] {
                let parameters = OverlapParameters(radiusMetres: radius, windowHours: window,
                                                   controlShiftsDays: window == 24 ? [-7, 7] : [-14, -7, 7, 14])
                let expected = bruteForce(partner: partner, police: police, parameters: parameters)
                let linkage = try SourceOverlap.link(partner: partner, police: police, parameters: parameters)
                XCTAssertEqual(linkage.matched, expected.matched, "radius \(radius) window \(window)")
                XCTAssertEqual(linkage.chance, expected.chance, "radius \(radius) window \(window)")
                let some = Array(stride(from: 3, to: partner.count, by: 7))
                let group = try linkage.estimate(some)
                XCTAssertEqual(group, try OverlapEstimate(records: some.count,
                                                          matched: some.filter { expected.matched[$0] }.count,
                                                          expectedChance: some.map { expected.chance[$0] }.reduce(0, +),
                                                          controlShifts: parameters.controlShiftsDays.count))
                XCTAssertEqual(try SourceOverlap.matches(partner: partner, police: police, parameters: parameters),
                               expected.matched)
                XCTAssertEqual(try SourceOverlap.chanceMatches(partner: partner, police: police, parameters: parameters),
                               expected.chance)
                checked += 1
                positives += expected.matched.filter { $0 }.count
                fractional += expected.chance.filter { $0 > 0 && $0 < 1 }.count
            }
        }
        XCTAssertEqual(checked, 12)
        XCTAssertGreaterThan(positives, 1000)
        XCTAssertGreaterThan(fractional, 100)
    }

    /// The inclusive edges exactly: distance = radius, |Δt| = window, points on cell boundaries.
    func testInclusiveEdges() throws {
        let o = BNGPoint(easting: 600_000, northing: 200_000)
        func at(_ de: Double, _ dn: Double, _ h: Int32) -> LinkageRecord {
            LinkageRecord(location: BNGPoint(easting: o.easting + de, northing: o.northing + dn), hour: h)
        }
        let police = [at(0, 0, 1_000), at(1000, 0, 1_000)]
        let parameters = OverlapParameters(radiusMetres: 250, windowHours: 3)
        let partner = [
            at(150, 200, 1_003),     // 250 m (3-4-5), Δt = window: matched
            at(150, 200, 1_004),     // Δt one over
            at(150, 200.001, 997),   // just over the radius
            at(-250, 0, 997),        // due west on the cell edge, Δt = -window
            at(0, -250, 1_000),      // due south
            at(1250, 0, 1_000),      // 250 m east of the second
            at(500, 0, 1_000),       // 500 m from both
        ]
        XCTAssertEqual(try SourceOverlap.matches(partner: partner, police: police, parameters: parameters),
                       [true, false, false, true, true, true, false])
        XCTAssertEqual(try SourceOverlap.matches(partner: [], police: police, parameters: parameters), [])
        XCTAssertEqual(try SourceOverlap.matches(partner: partner, police: [], parameters: parameters),
                       Array(repeating: false, count: partner.count))
        XCTAssertEqual(try SourceOverlap.chanceMatches(partner: partner, police: [], parameters: parameters),
                       Array(repeating: 0, count: partner.count))
    }

    /// A record near the start of the police period uses only the shifts that land inside it.
    func testShiftsOutsideThePoliceSpanAreLeftOut() throws {
        let place = BNGPoint(easting: 580_000, northing: 160_000)
        // One police record every hour of days 0–59 at one place: every in-span shift matches.
        let police = (0..<(60 * 24)).map { LinkageRecord(location: place, hour: Int32(19_000 * 24 + $0)) }
        let early = LinkageRecord(location: place, hour: 19_002 * 24 + 5)     // +7, +14 point before day 0
        let middle = LinkageRecord(location: place, hour: 19_030 * 24 + 5)
        let late = LinkageRecord(location: place, hour: 19_050 * 24 + 5)      // -14 points past day 59
        let outside = LinkageRecord(location: place, hour: 19_200 * 24)       // no shift fits: all four used
        let chance = try SourceOverlap.chanceMatches(partner: [early, middle, late, outside], police: police)
        XCTAssertEqual(chance, [1, 1, 1, 0])
    }

    func testValidation() throws {
        let p = [LinkageRecord(location: BNGPoint(easting: 1, northing: 2), hour: 3)]
        let bad = [LinkageRecord(location: BNGPoint(easting: .nan, northing: 2), hour: 3)]
        XCTAssertThrowsError(try SourceOverlap.matches(partner: bad, police: p))
        XCTAssertThrowsError(try SourceOverlap.matches(partner: p, police: bad))
        for parameters in [OverlapParameters(radiusMetres: 0), OverlapParameters(radiusMetres: .infinity),
                           OverlapParameters(windowHours: -1), OverlapParameters(controlShiftsDays: []),
                           OverlapParameters(windowHours: 12, controlShiftsDays: [-7, 1]),
                           OverlapParameters(controlShiftsDays: [.min]), OverlapParameters(windowHours: 84, controlShiftsDays: [7])] {
            XCTAssertThrowsError(try SourceOverlap.matches(partner: p, police: p, parameters: parameters))
        }
        XCTAssertNoThrow(try SourceOverlap.matches(partner: p, police: p,
                                                   parameters: OverlapParameters(windowHours: 83, controlShiftsDays: [7])))
        XCTAssertThrowsError(try OverlapEstimate(records: 0, matched: 0, expectedChance: 0))
        XCTAssertThrowsError(try OverlapEstimate(records: 10, matched: 11, expectedChance: 0))
        XCTAssertThrowsError(try OverlapEstimate(records: 10, matched: 5, expectedChance: 10.5))
        XCTAssertThrowsError(try OverlapEstimate(records: 10, matched: 5, expectedChance: -1))

        let incident = Incident(location: BNGPoint(easting: 1, northing: 2), month: 0, day: 19_723, hour: 22, offence: 0)
        XCTAssertEqual(LinkageRecord(incident)?.hour, 19_723 * 24 + 22)
        XCTAssertNil(LinkageRecord(Incident(location: BNGPoint(easting: 1, northing: 2), month: 0, day: 19_723, offence: 0)))
        XCTAssertNil(LinkageRecord(Incident(location: BNGPoint(easting: 1, northing: 2), month: 0, hour: 3, offence: 0)))
    }

    // MARK: the estimate against an independent reference

    /// overlap_reference.csv, written by make_overlap_fixture.py (scipy's Wilson interval, and root-finding on the
    /// interval's defining inequality).
    func testEstimateMatchesScipyReference() throws {
        let table = try FixtureTable("overlap_reference.csv")
        let records = table.int("records"), matched = table.int("matched"), shifts = table.int("control_shifts")
        let expected = table.double("expected_chance"), linked = table.double("linked")
        let knownLower = table.double("known_lower"), knownUpper = table.double("known_upper")
        let lower = table.double("lower"), upper = table.double("upper")
        XCTAssertEqual(records.count, 16)
        for i in records.indices {
            let e = try OverlapEstimate(records: records[i], matched: matched[i], expectedChance: expected[i],
                                        controlShifts: shifts[i])
            let what = "row \(i): \(records[i]), \(matched[i]), \(expected[i]), K=\(shifts[i])"
            XCTAssertEqual(e.estimatedLinkedShare, linked[i], accuracy: 1e-12, what)
            XCTAssertEqual(e.estimatedUnlinkedShare, 1 - linked[i], accuracy: 1e-12, what)
            XCTAssertEqual(e.lower95, lower[i], accuracy: 1e-9, what)
            XCTAssertEqual(e.upper95, upper[i], accuracy: 1e-9, what)
            XCTAssertLessThanOrEqual(e.lower95, e.estimatedUnlinkedShare, what)
            XCTAssertGreaterThanOrEqual(e.upper95, e.estimatedUnlinkedShare, what)
            let known = OverlapEstimate.unlinkedInterval(records: records[i], matched: matched[i],
                                                         chanceShare: expected[i] / Double(records[i]), inverseReplicates: 0)
            XCTAssertEqual(known.lower, knownLower[i], accuracy: 1e-9, what)
            XCTAssertEqual(known.upper, knownUpper[i], accuracy: 1e-9, what)
        }
    }

    func testEstimateWhenEverythingMatchesByChance() throws {
        let e = try OverlapEstimate(records: 10, matched: 10, expectedChance: 10)
        XCTAssertTrue(e.estimatedLinkedShare.isNaN)
        XCTAssertEqual(e.lower95, 0)
        XCTAssertEqual(e.upper95, 1)
        let none = try OverlapEstimate(records: 10, matched: 3, expectedChance: 0)
        XCTAssertEqual(none.estimatedLinkedShare, 0.3, accuracy: 1e-15)
    }

    // MARK: known truth by simulation

    /// Linked share recovered within ±0.05 and inside its interval, while the raw matched share is well above it.
    func testRecoversKnownLinkedShare() throws {
        var rng = SplitMix(seed: 7)
        let world = OverlapWorld.kentLike
        for (k, truth) in [0.2, 0.35, 0.6].enumerated() {
            let police = (0..<40_000).map { _ in world.draw(&rng) }
            let (partner, linkedCount) = world.partner(count: 8_000, linkedShare: truth, exact: true, police: police, &rng)
            let estimate = try SourceOverlap.link(partner: partner, police: police).estimate()
            let realised = Double(linkedCount) / Double(partner.count)
            XCTAssertEqual(realised, truth, accuracy: 1e-12)
            print(String(format: "overlap truth %.2f: observed %.4f, chance %.4f, linked %.4f, unlinked %.4f [%.4f, %.4f]",
                         truth, estimate.observedShare, estimate.chanceShare, estimate.estimatedLinkedShare,
                         estimate.estimatedUnlinkedShare, estimate.lower95, estimate.upper95))
            XCTAssertEqual(estimate.estimatedLinkedShare, truth, accuracy: 0.05, "truth \(truth)")
            XCTAssertLessThanOrEqual(estimate.lower95, 1 - truth, "truth \(truth)")
            XCTAssertGreaterThanOrEqual(estimate.upper95, 1 - truth, "truth \(truth)")
            // Chance matters: the uncorrected share is far off, and its own Wilson interval misses the truth.
            XCTAssertGreaterThan(estimate.chanceShare, 0.1)
            XCTAssertGreaterThan(estimate.observedShare - truth, 0.08, "truth \(truth)")
            let raw = OverlapEstimate.unlinkedInterval(records: estimate.records, matched: estimate.matched,
                                                       chanceShare: 0, inverseReplicates: 0)
            XCTAssertLessThan(raw.upper, 1 - truth, "truth \(truth)")
            XCTAssertLessThan(abs(estimate.estimatedLinkedShare - truth), abs(estimate.observedShare - truth) / 3,
                              "truth \(truth), run \(k)")
        }
    }

    /// 500 independent groups (fresh police and partner records each), each record linked with probability 0.35:
    /// the 95% interval covers the truth in about 95% of them.
    func testIntervalCoverage() throws {
        var rng = SplitMix(seed: 2024)
        let world = OverlapWorld.smallTown
        let truth = 0.35
        let groups = 500
        var covered = 0, coveredKnown = 0
        var sumChance = 0.0, sumObserved = 0.0, sumLinked = 0.0, sumWidth = 0.0
        for _ in 0..<groups {
            let police = (0..<3_000).map { _ in world.draw(&rng) }
            let (partner, _) = world.partner(count: 400, linkedShare: truth, exact: false, police: police, &rng)
            let e = try SourceOverlap.link(partner: partner, police: police).estimate()
            if e.lower95 <= 1 - truth && 1 - truth <= e.upper95 { covered += 1 }
            let known = OverlapEstimate.unlinkedInterval(records: e.records, matched: e.matched,
                                                         chanceShare: e.chanceShare, inverseReplicates: 0)
            if known.lower <= 1 - truth && 1 - truth <= known.upper { coveredKnown += 1 }
            sumChance += e.chanceShare
            sumObserved += e.observedShare
            sumLinked += e.estimatedLinkedShare
            sumWidth += e.upper95 - e.lower95
        }
        let g = Double(groups)
        let coverage = Double(covered) / g
        print(String(format: "overlap coverage over %d groups of 400 (truth %.2f): %.3f (p_c known: %.3f); "
                     + "mean observed %.4f, chance %.4f, linked %.4f, interval width %.4f",
                     groups, truth, coverage, Double(coveredKnown) / g, sumObserved / g, sumChance / g,
                     sumLinked / g, sumWidth / g))
        XCTAssertGreaterThan(sumChance / g, 0.1)
        XCTAssertEqual(sumLinked / g, truth, accuracy: 0.01)
        XCTAssertEqual(coverage, 0.95, accuracy: 0.03)
    }
}

/// Synthetic incidents: Gaussian town centres plus a uniform background, over a run of days, with a night-time
/// and weekend-heavy clock.
struct OverlapWorld {
    struct Town { let easting: Double, northing: Double, sigma: Double, weight: Double }
    let towns: [Town]
    let backgroundShare: Double
    let box: (minE: Double, minN: Double, maxE: Double, maxN: Double)
    let firstDay: Int
    let days: Int

    /// Three towns and a county-sized background over two years.
    static let kentLike = OverlapWorld(
        towns: [Town(easting: 575_800, northing: 157_900, sigma: 450, weight: 0.5),
                Town(easting: 558_000, northing: 168_500, sigma: 700, weight: 0.3),
                Town(easting: 614_500, northing: 141_500, sigma: 900, weight: 0.2)],
        backgroundShare: 0.15, box: (540_000, 130_000, 630_000, 180_000),
        firstDay: CivilDate.daysSinceEpoch(year: 2024, month: 1, day: 1), days: 731)

    /// One town and a little background over one year.
    static let smallTown = OverlapWorld(
        towns: [Town(easting: 575_800, northing: 157_900, sigma: 400, weight: 1)],
        backgroundShare: 0.1, box: (570_000, 152_000, 582_000, 164_000),
        firstDay: CivilDate.daysSinceEpoch(year: 2025, month: 4, day: 1), days: 365)

    /// Relative incidence by hour of day: a night-time peak.
    static let hourWeights: [Double] = [3, 2.6, 2, 1.2, 0.6, 0.3, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9,
                                        1, 1, 1, 1.1, 1.3, 1.5, 1.7, 2, 2.4, 2.8, 3.2, 3.4]
    static let hourCumulative: [Double] = {
        var total = 0.0
        return hourWeights.map { total += $0; return total }
    }()
    /// Monday … Sunday.
    static let weekdayWeights: [Double] = [0.8, 0.8, 0.85, 0.95, 1.3, 1.6, 1.2]

    func draw(_ rng: inout SplitMix) -> LinkageRecord {
        var day: Int
        repeat {
            day = firstDay + Int.random(in: 0..<days, using: &rng)
        } while Double.random(in: 0..<1.6, using: &rng) >= Self.weekdayWeights[CivilDate.weekday(daysSinceEpoch: day)]
        let u = Double.random(in: 0..<Self.hourCumulative.last!, using: &rng)
        let hour = Self.hourCumulative.firstIndex { u < $0 } ?? 23
        let place: BNGPoint
        if Double.random(in: 0..<1, using: &rng) < backgroundShare {
            place = BNGPoint(easting: Double.random(in: box.minE..<box.maxE, using: &rng),
                             northing: Double.random(in: box.minN..<box.maxN, using: &rng))
        } else {
            var pick = Double.random(in: 0..<1, using: &rng)
            var town = towns[towns.count - 1]
            for t in towns {
                if pick < t.weight { town = t; break }
                pick -= t.weight
            }
            let r = town.sigma * (-2 * log(Double.random(in: Double.ulpOfOne..<1, using: &rng))).squareRoot()
            let a = Double.random(in: 0..<(2 * Double.pi), using: &rng)
            place = BNGPoint(easting: town.easting + r * cos(a), northing: town.northing + r * sin(a))
        }
        return LinkageRecord(location: place, hour: Int32(day * 24 + hour))
    }

    /// Partner records: a share are copies of police records moved by up to 200 m and 0–3 hours later, the rest
    /// independent draws. `exact`: exactly round(share · count) linked; else each record linked with that probability.
    func partner(count: Int, linkedShare: Double, exact: Bool, police: [LinkageRecord],
                 _ rng: inout SplitMix) -> (records: [LinkageRecord], linked: Int) {
        var linkedFlags: [Bool]
        if exact {
            let k = Int((linkedShare * Double(count)).rounded())
            linkedFlags = (0..<count).map { $0 < k }
            linkedFlags.shuffle(using: &rng)
        } else {
            linkedFlags = (0..<count).map { _ in Double.random(in: 0..<1, using: &rng) < linkedShare }
        }
        var records: [LinkageRecord] = []
        for linked in linkedFlags {
            if linked {
                let source = police[Int.random(in: 0..<police.count, using: &rng)]
                let r = 200 * Double.random(in: 0...1, using: &rng).squareRoot()
                let a = Double.random(in: 0..<(2 * Double.pi), using: &rng)
                records.append(LinkageRecord(
                    location: BNGPoint(easting: source.location.easting + r * cos(a),
                                       northing: source.location.northing + r * sin(a)),
                    hour: source.hour + Int32.random(in: 0...3, using: &rng)))
            } else {
                records.append(draw(&rng))
            }
        }
        return (records, linkedFlags.filter { $0 }.count)
    }
}
