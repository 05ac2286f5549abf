import XCTest
import Foundation
import SVDCore
import SVDPublish
@testable import SVDEngine

/// KPIs and measures from a crafted extract (partner tier: true counts), against counts worked out in the test
/// from the rows it wrote, by the definitions' words rather than by the product's classifier.
final class MeasuresEndToEndTests: XCTestCase {
    struct Row { let month: MonthKey; let offence: String; let victim: Int?; let suspect: Int?; let place: String; let domestic: String; let weapon: String }

    func testKPIsKnifeMeasuresQuartersAndSignificance() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-measures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rows: [Row] = []
        let first = MonthKey(year: 2024, month: 11)
        for i in 0..<24 {
            let m = first.adding(months: i)
            let current = i >= 12
            // Street robbery, adult victim, 16-year-old suspect: both KPIs (victim or suspect), 10–25, not domestic.
            for _ in 0..<(current ? 9 : 12) { rows.append(Row(month: m, offence: "robbery", victim: 40, suspect: 16, place: "street", domestic: "no", weapon: "none")) }
            // The same at a dwelling and domestic: no KPI, not "excluding domestic".
            for _ in 0..<2 { rows.append(Row(month: m, offence: "robbery", victim: 40, suspect: 16, place: "dwelling", domestic: "yes", weapon: "none")) }
            // Knife, victim 15 in a park (public): KPIs too, and knife-enabled children.
            for _ in 0..<(current ? 3 : 1) { rows.append(Row(month: m, offence: "violence with injury", victim: 15, suspect: nil, place: "park", domestic: "no", weapon: "knife")) }
            // Knife, adult victim at home, suspect 30: knife-enabled adults only (and excluding-domestic: domestic no).
            rows.append(Row(month: m, offence: "violence with injury", victim: 33, suspect: 30, place: "dwelling", domestic: "no", weapon: "knife"))
            // Possession of a knife: possession only, never knife-enabled.
            rows.append(Row(month: m, offence: "possession of weapons", victim: nil, suspect: 19, place: "street", domestic: "no", weapon: "knife"))
        }
        var csv = "id,datetime,offence,easting,northing,victim_age,suspect_age,location_type,domestic,weapon\n"
        for (i, r) in rows.enumerated() {
            csv += "R\(i),\(r.month)-14T20:00,\(r.offence),575900,155700,\(r.victim.map(String.init) ?? ""),\(r.suspect.map(String.init) ?? ""),\(r.place),\(r.domestic),\(r.weapon)\n"
        }
        let file = dir.appendingPathComponent("crafted.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let binned = try BinnedIncidents(request: IncidentRequest(files: [file], workers: 2), rejectsFile: nil)
        XCTAssertEqual(binned.result.summaries[0].summary.accepted, rows.count)
        let a = Assessment(input: binned.assessmentInput(disclosure: .partner))

        // Expected, from the rows: the definitions' words applied by hand.
        let publicPlaces: Set<String> = ["street", "park"], violent: Set<String> = ["robbery", "violence with injury", "possession of weapons"]
        func kpi(_ r: Row, under: Int) -> Bool {
            violent.contains(r.offence) && publicPlaces.contains(r.place) && r.domestic != "yes"
                && ((r.victim.map { $0 < under } ?? false) || (r.suspect.map { $0 < under } ?? false))
        }
        let measures: [String: (Row) -> Bool] = [
            "kpi_syv_under_25": { kpi($0, under: 25) },
            "kpi_syv_under_18": { kpi($0, under: 18) },
            "victim_or_suspect_10_25": { r in [r.victim, r.suspect].contains { $0.map { (10...25).contains($0) } ?? false } },
            "sv_excluding_domestic": { $0.domestic != "yes" },
            "knife_enabled": { $0.weapon == "knife" && $0.offence != "possession of weapons" },
            "knife_enabled_children": { $0.weapon == "knife" && $0.offence != "possession of weapons" && ($0.victim.map { $0 < 18 } ?? false) },
            "knife_enabled_adults": { $0.weapon == "knife" && $0.offence != "possession of weapons" && ($0.victim.map { $0 >= 18 } ?? false) },
            "firearms": { $0.weapon == "firearm" },
            "possession_of_weapons": { $0.offence == "possession of weapons" },
        ]
        func count(_ months: ClosedRange<MonthKey>, _ p: (Row) -> Bool) -> Int { rows.filter { months.contains($0.month) && p($0) }.count }
        let cur = MonthKey(year: 2025, month: 11)...MonthKey(year: 2026, month: 10), prev = first...MonthKey(year: 2025, month: 10)
        let q = MonthKey(year: 2026, month: 7)...MonthKey(year: 2026, month: 9), qPrev = MonthKey(year: 2025, month: 7)...MonthKey(year: 2025, month: 9)
        XCTAssertEqual(a.quarterWindow?.current, q)
        XCTAssertEqual(a.quarterWindow?.previous, qPrev)
        XCTAssertNil(a.financialYears, "data from 2024-11 hold no complete pair of financial years")
        for (id, p) in measures {
            let m = try XCTUnwrap(a.measures.first { $0.id == id }, id)
            XCTAssertEqual(m.twelveMonths?.current.value, count(cur, p), "\(id) last 12 months")
            XCTAssertEqual(m.twelveMonths?.previous.value, count(prev, p), "\(id) previous 12 months")
            XCTAssertEqual(m.quarter?.current.value, count(q, p), "\(id) quarter")
            XCTAssertEqual(m.quarter?.previous.value, count(qPrev, p), "\(id) same quarter last year")
        }
        // Hand-worked: KPI under 25 is 9 robberies + 3 knife + 1 possession (suspect 19, in the street) = 13 a month
        // now against 12 + 1 + 1 = 14 before: 156 vs 168, −7.1%, not significant (scipy.stats.binomtest(156, 324):
        // p = 0.5412).
        let k = try XCTUnwrap(a.measures.first { $0.id == "kpi_syv_under_25" }?.twelveMonths)
        XCTAssertEqual(k.current.value, 156)
        XCTAssertEqual(k.previous.value, 168)
        XCTAssertEqual(try XCTUnwrap(k.test).pValue, 0.5412, accuracy: 0.0001)
        XCTAssertEqual(k.test?.verdict, .noSignificantChange)
        // Knife-enabled children tripled (36 vs 12): a significant increase, while adults are flat (12 vs 12).
        let children = try XCTUnwrap(a.measures.first { $0.id == "knife_enabled_children" }?.twelveMonths)
        XCTAssertEqual(children.test?.verdict, .significantIncrease)
        XCTAssertEqual(a.measures.first { $0.id == "knife_enabled_adults" }?.twelveMonths?.test?.verdict, .noSignificantChange)
        // The headline leads with the KPIs and says whether each change is significant.
        XCTAssertEqual(a.kpiHeadline, "Kent & Medway, 12 months to 2026-10: public-place serious youth violence, victim or suspect under 25 −7% (no significant change); public-place serious youth violence, victim or suspect under 18 −8% (no significant change).")
        // Every incident at 20:00: that hour is the one peak window.
        XCTAssertEqual(a.peakHours.map(\.label), ["20:00–21:00"])
        // Groupings: Maidstone is in "Kent (excluding Medway)" only.
        XCTAssertEqual(a.groupings.first { $0.id == "kent_excluding_medway" }?.incidents.value, count(binned.period, { _ in true }))
        XCTAssertEqual(a.groupings.first { $0.id == "west_kent" }?.incidents.value, 0)
    }
}
