import Foundation
import SVDCore
import SVDDetect

/// `detect-bench overlap [--police 1000000] [--partner 100000] [--linked 0.35] [--radius 250] [--window 3] [--repeat 5]`
///
/// Times `SourceOverlap` on synthetic records: police records from `OverlapWorld.county` (twelve town centres
/// and a background over two years, night-time and weekend clock), and partner records of which `--linked` are
/// copies of police records moved by up to 200 m and 0–3 hours later, the rest independent draws.
func runOverlap(_ number: (String, Double) -> Double, repeats: Int) throws {
    let policeCount = Int(number("--police", 1_000_000)), partnerCount = Int(number("--partner", 100_000))
    let parameters = OverlapParameters(radiusMetres: number("--radius", 250), windowHours: Int(number("--window", 3)))
    var rng = BenchRandom(seed: 2024)
    let world = OverlapWorld.county(&rng)
    let police = (0..<policeCount).map { _ in world.draw(&rng) }
    let (partner, linked) = world.partner(count: partnerCount, linkedShare: number("--linked", 0.35), exact: false,
                                          police: police, &rng)
    func seconds(_ body: () throws -> Void) rethrows -> (best: Double, median: Double) {
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        return (times[0], times[times.count / 2])
    }
    func show(_ what: String, _ t: (best: Double, median: Double)) {
        print("  \(what): best \(String(format: "%.4f", t.best)) s, median \(String(format: "%.4f", t.median)) s")
    }
    print("svd SourceOverlap: \(policeCount) police × \(partnerCount) partner records, radius \(parameters.radiusMetres) m, "
          + "window \(parameters.windowHours) h, shifts \(parameters.controlShiftsDays) d, "
          + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
    var matched: [Bool] = []
    show("matches (index + 1 pass)", try seconds {
        matched = try SourceOverlap.matches(partner: partner, police: police, parameters: parameters)
    })
    show("chanceMatches (index + \(parameters.controlShiftsDays.count) passes)", try seconds {
        _ = try SourceOverlap.chanceMatches(partner: partner, police: police, parameters: parameters)
    })
    var linkage: OverlapLinkage?
    show("link (index + \(1 + parameters.controlShiftsDays.count) passes)", try seconds {
        linkage = try SourceOverlap.link(partner: partner, police: police, parameters: parameters)
    })
    let e = try linkage!.estimate()
    precondition(linkage!.matched == matched)
    let f = { (x: Double) in String(format: "%.4f", x) }
    print("  truth linked \(f(Double(linked.filter { $0 }.count) / Double(partnerCount))); observed \(f(e.observedShare)), "
          + "chance \(f(e.chanceShare)), linked \(f(e.estimatedLinkedShare)), unlinked \(f(e.estimatedUnlinkedShare)) "
          + "[\(f(e.lower95)), \(f(e.upper95))]; peak RSS \(String(format: "%.0f", peakRSSMegabytes())) MB")
}

/// `detect-bench overlap-coverage [--groups 10000] [--size 400] [--police 3000] [--truth 0.35] [--world small|kent] [--seed 1]`
///
/// Coverage of `OverlapEstimate`'s 95% interval: `--groups` independent groups, each with fresh police records
/// and `--size` partner records each linked with probability `--truth`. Also reports the interval that treats
/// the chance rate as known (K → ∞), and the chance rates of linked and unlinked records apart.
func runOverlapCoverage(_ number: (String, Double) -> Double, world name: String) throws {
    let groups = Int(number("--groups", 10_000)), size = Int(number("--size", 400))
    let policeCount = Int(number("--police", 3_000)), truth = number("--truth", 0.35)
    var rng = BenchRandom(seed: UInt64(number("--seed", 1)))
    let world = name == "kent" ? OverlapWorld.kentLike : OverlapWorld.smallTown
    var covered = 0, coveredKnown = 0, truthBelow = 0, truthAbove = 0
    var sumChance = 0.0, sumLinked = 0.0, sumLinked2 = 0.0, sumWidth = 0.0
    var chanceOfLinked = 0.0, chanceOfUnlinked = 0.0, linkedRecords = 0.0, unlinkedRecords = 0.0
    for _ in 0..<groups {
        let police = (0..<policeCount).map { _ in world.draw(&rng) }
        let (partner, linked) = world.partner(count: size, linkedShare: truth, exact: false, police: police, &rng)
        let linkage = try SourceOverlap.link(partner: partner, police: police)
        for i in 0..<size {
            if linked[i] { linkedRecords += 1; chanceOfLinked += linkage.chance[i] }
            else { unlinkedRecords += 1; chanceOfUnlinked += linkage.chance[i] }
        }
        let e = try linkage.estimate()
        let known = try OverlapEstimate(records: e.records, matched: e.matched, expectedChance: e.expectedChance,
                                        controlShifts: 1_000_000_000)
        if 1 - truth < e.lower95 { truthBelow += 1 } else if 1 - truth > e.upper95 { truthAbove += 1 } else { covered += 1 }
        if known.lower95 <= 1 - truth && 1 - truth <= known.upper95 { coveredKnown += 1 }
        sumChance += e.chanceShare
        sumLinked += e.estimatedLinkedShare
        sumLinked2 += e.estimatedLinkedShare * e.estimatedLinkedShare
        sumWidth += e.upper95 - e.lower95
    }
    let g = Double(groups), mean = sumLinked / g
    let f = { (x: Double) in String(format: "%.4f", x) }
    print("\(groups) groups of \(size) partner records, \(policeCount) police records (\(name)), truth \(truth): "
          + "coverage \(String(format: "%.3f", Double(covered) / g)) (unlinked truth below the interval \(truthBelow), "
          + "above \(truthAbove)); with p_c known \(String(format: "%.3f", Double(coveredKnown) / g)). Mean p_c \(f(sumChance / g)) "
          + "(linked records \(f(chanceOfLinked / linkedRecords)), unlinked \(f(chanceOfUnlinked / unlinkedRecords))), "
          + "mean linked estimate \(f(mean)), sd \(f((sumLinked2 / g - mean * mean).squareRoot())), "
          + "mean interval width \(f(sumWidth / g)) (/3.92 = \(f(sumWidth / g / 3.92)))")
}

/// SplitMix64, as the tests use.
struct BenchRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// The generator of Tests/SVDDetectTests/SourceOverlapTests.swift, with the county world added.
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

    /// Twelve towns (σ 300–1,000 m) placed at random over Kent and a county-wide background over two years.
    static func county(_ rng: inout BenchRandom) -> OverlapWorld {
        OverlapWorld(towns: (0..<12).map { _ in
                         Town(easting: Double.random(in: 545_000..<625_000, using: &rng),
                              northing: Double.random(in: 135_000..<175_000, using: &rng),
                              sigma: Double.random(in: 300..<1_000, using: &rng), weight: 1.0 / 12) },
                     backgroundShare: 0.15, box: (540_000, 130_000, 630_000, 180_000),
                     firstDay: CivilDate.daysSinceEpoch(year: 2024, month: 1, day: 1), days: 731)
    }

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

    func draw(_ rng: inout BenchRandom) -> LinkageRecord {
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
                 _ rng: inout BenchRandom) -> (records: [LinkageRecord], linked: [Bool]) {
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
        return (records, linkedFlags)
    }
}
