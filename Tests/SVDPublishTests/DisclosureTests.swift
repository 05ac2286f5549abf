import XCTest
import Foundation
import SVDCore
import SVDDemo
import SVDPublish
@testable import SVDEngine

/// The disclosure engine's own rules: the noise distribution and its bound, the small-count rule, zeros,
/// tiers, and consistency of one cell wherever it is published.
final class DisclosureTests: XCTestCase {
    /// Two-sided geometric: P(z) = (1−α)/(1+α)·α^|z|, checked on 2²² evenly spaced keys.
    func testNoiseFollowsTheTwoSidedGeometric() {
        let alpha = 0.25
        var freq: [Int: Int] = [:]
        let steps = 1 << 22
        let stride = UInt32(1 << 10)
        for i in 0..<steps { freq[CellKeyNoise.noise(key: UInt32(i) &* stride &+ 511, ratio: alpha), default: 0] += 1 }
        for z in -6...6 {
            let expected = (1 - alpha) / (1 + alpha) * pow(alpha, Double(abs(z)))
            XCTAssertEqual(Double(freq[z] ?? 0) / Double(steps), expected, accuracy: 2e-4, "P(noise = \(z))")
        }
        XCTAssertEqual(freq.values.reduce(0, +), steps)
    }

    /// The published bound is what the most extreme keys give, and no key exceeds it.
    func testNoiseBound() {
        let alpha = 0.25
        let bound = CellKeyNoise.maxMagnitude(ratio: alpha)
        XCTAssertEqual(bound, 16)
        XCTAssertEqual(DisclosurePolicy().maxAbsNoise, bound)
        var worst = 0
        // Every key near the two tails and the split between signs, and a coarse scan of the rest.
        let p0 = (1 - alpha) / (1 + alpha)
        let split = UInt32((p0 + (1 - p0) / 2) * 4_294_967_296.0)
        for centre in [UInt32.max, split] {
            for d in 0..<200_000 { worst = max(worst, abs(CellKeyNoise.noise(key: centre &- UInt32(d), ratio: alpha))) }
        }
        for i in 0..<(1 << 20) { worst = max(worst, abs(CellKeyNoise.noise(key: UInt32(i) << 12, ratio: alpha))) }
        XCTAssertEqual(worst, bound)
    }

    func testReleaseRules() {
        let d = Disclosure(policy: DisclosurePolicy())
        // Zeros are never perturbed.
        XCTAssertEqual(d.release(.zero).cell, .count(0))
        XCTAssertEqual(d.release(.zero).value, 0)
        var small = 0, zeros = 0
        for k in 0..<5_000 {
            let key = UInt32(truncatingIfNeeded: k &* 2_654_435_761)
            for n in 1...40 {
                let r = d.release(KeyedCount(count: n, key: key))
                let shown = max(0, n + CellKeyNoise.noise(key: key, ratio: 0.25))
                if (1..<5).contains(shown) {
                    XCTAssertEqual(r.cell, .suppressed(threshold: 5)); XCTAssertNil(r.value); small += 1
                } else {
                    XCTAssertEqual(r.cell, .count(shown)); XCTAssertEqual(r.value, shown)
                    if shown == 0 { zeros += 1 }
                }
            }
        }
        XCTAssertGreaterThan(small, 1000)
        XCTAssertGreaterThan(zeros, 10, "a small count can be published as 0, so a 0 does not prove there were none")
        // The same records give the same value, however often they are published.
        let c = KeyedCount(count: 17, key: 0x1234_5678)
        XCTAssertEqual(d.release(c), d.release(c))
        // Partner tier: true counts; perturbation off: exact with the small-count rule.
        XCTAssertEqual(Disclosure(policy: .partner).release(KeyedCount(count: 3, key: 99)).cell, .count(3))
        let exact = Disclosure(policy: DisclosurePolicy(perturb: false))
        XCTAssertEqual(exact.release(KeyedCount(count: 3, key: 99)).cell, .suppressed(threshold: 5))
        XCTAssertEqual(exact.release(KeyedCount(count: 7, key: 99)).cell, .count(7))
    }

    func testMinimumBase() {
        let d = Disclosure(policy: DisclosurePolicy(perturb: false, minimumBase: 50))
        XCTAssertFalse(d.allowsBreakdown(of: KeyedCount(count: 49, key: 1)))
        XCTAssertTrue(d.allowsBreakdown(of: KeyedCount(count: 50, key: 1)))
        XCTAssertEqual(d.breakdown([KeyedCount(count: 40, key: 1)], base: KeyedCount(count: 40, key: 1)), [.withheld])
        XCTAssertTrue(Disclosure(policy: .partner).allowsBreakdown(of: KeyedCount(count: 1, key: 1)))
    }

    // MARK: On a run

    nonisolated(unsafe) static let binned: Result<BinnedIncidents, Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-disclosure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("demo.csv")
        try DemoGenerator(seed: 11, rows: 3_000).write(to: file, format: .native)
        return try BinnedIncidents(request: IncidentRequest(files: [file], workers: 2), rejectsFile: nil, progress: nil)
    }

    func cell(_ t: PublishedTable, row: (([PublishedTable.Value]) -> Bool), column: String) -> PublishedTable.Value? {
        guard let c = t.columns.firstIndex(of: column), let r = t.rows.first(where: row) else { return nil }
        return r[c]
    }

    /// A district's count is the same cell in the area's tables and in its own pack: same records, same value.
    func testOneCellOneValueAcrossTablesAndPacks() throws {
        let b = try Self.binned.get()
        let input = b.assessmentInput(disclosure: DisclosurePolicy())
        let area = AssessmentTables(input: input)
        let summary = area.districtSummary()
        for (d, district) in b.area.districts.enumerated() {
            let pack = AssessmentTables(input: input, district: d)
            let inSummary = cell(summary, row: { $0[1] == .text(district.code) }, column: "incidents")
            let inPack = cell(pack.strandSummary(), row: { $0[0] == .text("all_serious_violence") }, column: "incidents")
            XCTAssertEqual(inSummary, inPack, district.name)
            let changeArea = cell(area.districtChange(), row: { $0[0] == .text(district.code) }, column: "all_ages_last_12")
            XCTAssertEqual(changeArea, cell(summary, row: { $0[1] == .text(district.code) }, column: "last_12_months"))
        }
    }

    /// Ranks follow published rates only, and a hidden district is unranked and listed after the ranked ones.
    func testRanksOnlyOverPublishedValues() throws {
        let b = try Self.binned.get()
        let t = AssessmentTables(input: b.assessmentInput(disclosure: DisclosurePolicy())).districtSummary()
        let districtRows = t.rows.filter { if case .text(let c) = $0[1] { return c.hasPrefix("E0") }; return false }
        var lastRate = Double.infinity, seenUnranked = false
        for (i, row) in districtRows.enumerated() {
            if case .count(let rank) = row[0] {
                XCTAssertFalse(seenUnranked, "a ranked district after an unranked one")
                XCTAssertEqual(rank, i + 1)
                guard case .number(let rate, _) = row[5] else { return XCTFail("ranked row without a rate") }
                XCTAssertLessThanOrEqual(rate, lastRate)
                lastRate = rate
            } else {
                seenUnranked = true
                XCTAssertTrue(row[3].isHidden || row[3] == .count(0))
            }
        }
    }

    /// A district under the minimum base gets no age × sex breakdown; every cell reads [c].
    func testBreakdownsOfSmallDistrictsAreWithheld() throws {
        let b = try Self.binned.get()
        let policy = DisclosurePolicy(minimumBase: 200)
        let input = b.assessmentInput(disclosure: policy)
        let t = AssessmentTables(input: input)
        let disclosure = Disclosure(policy: policy)
        let ageSex = t.ageSex(role: .victim)
        var withheld = 0, open = 0
        for (d, district) in b.area.districts.enumerated() {
            let rows = ageSex.rows.filter { $0[0] == .text(district.code) }
            if disclosure.allowsBreakdown(of: t.marginals.byDistrict[0][d]) {
                open += 1
                XCTAssertFalse(rows.contains { $0[3] == .withheld })
            } else {
                withheld += 1
                XCTAssertTrue(rows.allSatisfy { $0[3] == .withheld && $0[6] == .withheld }, district.name)
            }
        }
        XCTAssertGreaterThan(withheld, 0)
        XCTAssertGreaterThan(open, 0)
    }

    /// Data-quality shares: numerator and denominator cover the same incidents (no 98.9% for "all of them").
    func testDataQualitySharesUseTheirOwnDenominator() throws {
        let b = try Self.binned.get()
        let t = AssessmentTables(input: b.assessmentInput(disclosure: .partner)).dataQuality()
        let row = try XCTUnwrap(t.rows.first { $0[0] == .text("serious violence with unknown location type") })
        guard case .count(let n) = row[1], case .percent(let p?, _) = row[2] else { return XCTFail("\(row)") }
        let inArea = AssessmentTables(input: b.assessmentInput(disclosure: .partner)).scopeTotal.count
        XCTAssertEqual(p, Double(n) / Double(inArea) * 100, accuracy: 1e-9)
    }
}
