import XCTest
import SVDCore
import SVDBin
import SVDPublish

/// `Assessment` on a hand-made cube, against figures worked out by hand (not by the code under test).
final class AssessmentModelTests: XCTestCase {
    /// Three districts over 2024–2025 (24 months, so 12-month change exists), all serious violence on the 15th at 14:00.
    ///  - Alpha (pop 1,000): 20 incidents in 2024, victims aged 30; 30 in 2025: 12 victims aged 20, 18 aged 40, 10 of them knife.
    ///  - Beta (pop 2,000): 5 in 2024, 10 in 2025, victims aged 30 — 15 in all, below a minimum base of 20.
    ///  - Gamma (pop 1,000): 1 in 2024, 2 in 2025 — 3 in all, below the small-count threshold of 5.
    func input(_ policy: DisclosurePolicy) throws -> AssessmentInput {
        let definitions = try Definitions(
            name: "test", ageBands: .standard, seriousViolence: ["violence with injury"], outOfScope: [],
            strands: [.init(id: "knife", label: "Knife", all: [.weapon([.knife])], any: [])],
            cohorts: [.init(id: "under_25", label: "Victims under 25", under: 25, role: .victim)])
        let cube = IncidentCube(shape: .init(districts: 3, definitions: definitions))
        var key: UInt32 = 0
        func add(district: Int, year: Int, count: Int, age: Int8, knife: Bool = false) {
            for i in 0..<count {
                let month = 1 + i % 12
                key &+= 2_654_435_761
                let incident = Incident(location: .init(easting: 0, northing: 0), month: MonthKey(year: year, month: month).index,
                                        day: Int32(CivilDate.daysSinceEpoch(year: year, month: month, day: 15)), hour: 14, offence: 0,
                                        victimAge: age, victimSex: .female, locationType: .street, weapon: knife ? .knife : Weapon.none,
                                        recordKey: key)
                cube.add(incident, district: district, inScope: true, strandMask: knife ? 1 : 0)
            }
        }
        add(district: 0, year: 2024, count: 20, age: 30)
        add(district: 0, year: 2025, count: 12, age: 20)
        add(district: 0, year: 2025, count: 8, age: 40)
        add(district: 0, year: 2025, count: 10, age: 40, knife: true)
        add(district: 1, year: 2024, count: 5, age: 30)
        add(district: 1, year: 2025, count: 10, age: 30)
        add(district: 2, year: 2024, count: 1, age: 30)
        add(district: 2, year: 2025, count: 2, age: 30)
        // Bands 0–9, 10–17, 18–24, 25–34, 35–49, 50–64, 65+: 300 residents under 25 per 1,000.
        let bands = [100, 100, 100, 100, 200, 200, 200]
        return AssessmentInput(
            areaName: "Testshire",
            districts: [DistrictProfile(code: "E0000001", name: "Alpha", population: 1000, populationByAgeBand: bands),
                        DistrictProfile(code: "E0000002", name: "Beta", population: 2000, populationByAgeBand: bands.map { $0 * 2 }),
                        DistrictProfile(code: "E0000003", name: "Gamma", population: 1000, populationByAgeBand: bands)],
            populationNote: "test population", definitions: definitions, offenceNames: ["violence with injury"],
            offenceScopes: [.seriousViolence], cube: cube,
            period: MonthKey(year: 2024, month: 1)...MonthKey(year: 2025, month: 12),
            dataQuality: DataQualityInput(files: [], rejectedByReason: [], outsidePeriod: .zero, rejectsFile: nil),
            disclosure: policy)
    }

    /// Public tier without noise: exact counts, "<5" below the threshold, breakdowns of Beta (15 < 20) withheld.
    func testDistrictRowsRanksRatesAndChange() throws {
        let a = Assessment(input: try input(DisclosurePolicy(perturb: false, minimumBase: 20)))
        XCTAssertEqual(a.years, 2)
        XCTAssertEqual(a.districts.map(\.name), ["Alpha", "Beta", "Gamma"])
        let (alpha, beta, gamma) = (a.districts[0], a.districts[1], a.districts[2])

        // Alpha: 50 incidents ÷ 2 years ÷ 1,000 × 1,000 = 25 a year; Byar's lower limit 37.1 ÷ 2 = 18.6 > the area's 8.5.
        XCTAssertEqual(alpha.incidents.cell, .count(50))
        XCTAssertEqual(alpha.incidents.value, 50)
        XCTAssertEqual(alpha.rank, 1)
        XCTAssertEqual(try XCTUnwrap(alpha.rate).rate, 25, accuracy: 1e-12)
        XCTAssertEqual(alpha.comparedWithArea, .higher)
        let change = try XCTUnwrap(alpha.change)
        XCTAssertEqual(change.current.value, 30)
        XCTAssertEqual(change.previous.value, 20)
        XCTAssertEqual(change.difference, 10)
        XCTAssertEqual(try XCTUnwrap(change.percent), 50, accuracy: 1e-12)
        XCTAssertEqual(change.window.current, MonthKey(year: 2025, month: 1)...MonthKey(year: 2025, month: 12))
        // Under-25s: 12 against none: a difference but no percentage.
        XCTAssertEqual(alpha.cohortChanges[1].difference, 12)
        XCTAssertNil(alpha.cohortChanges[1].percent)
        XCTAssertEqual(alpha.strands.map(\.incidents.value), [10])
        XCTAssertEqual(try XCTUnwrap(alpha.strands[0].ratePerThousand), 5, accuracy: 1e-12)
        XCTAssertTrue(alpha.breakdownShown)

        // Beta: 15 ÷ 2 ÷ 2,000 × 1,000 = 3.75; Byar's upper limit 24.7 ÷ 4 = 6.2 < 8.5. Its breakdowns are withheld.
        XCTAssertEqual(beta.rank, 2)
        XCTAssertEqual(try XCTUnwrap(beta.rate).rate, 3.75, accuracy: 1e-12)
        XCTAssertEqual(beta.comparedWithArea, .lower)
        XCTAssertEqual(beta.change?.difference, 5)
        XCTAssertEqual(try XCTUnwrap(beta.change?.percent), 100, accuracy: 1e-12)
        XCTAssertFalse(beta.breakdownShown)
        XCTAssertTrue(beta.cohortChanges[1].isWithheld, "a cohort is a breakdown of the district")
        XCTAssertFalse(beta.cohortChanges[0].isWithheld, "all ages is the district's own total")
        XCTAssertEqual(beta.strands.map(\.incidents), [.withheld])
        XCTAssertTrue(beta.victims.allSatisfy { $0.all == .withheld && $0.bySex.allSatisfy { $0 == .withheld } && $0.ratePerThousand == nil })

        // Gamma: 3 reads "<5", so it has no rate, no rank and no change figures (1 and 2 are hidden too).
        XCTAssertEqual(gamma.incidents.cell, .suppressed(threshold: 5))
        XCTAssertNil(gamma.incidents.value)
        XCTAssertNil(gamma.rank)
        XCTAssertNil(gamma.rate)
        XCTAssertNil(gamma.comparedWithArea)
        XCTAssertNil(gamma.change?.difference)
        XCTAssertNil(gamma.change?.percent)

        // The area: 68 ÷ 2 ÷ 4,000 × 1,000 = 8.5; 42 against 26 is +16, +61.5%.
        XCTAssertEqual(a.areaRow.incidents.value, 68)
        XCTAssertEqual(try XCTUnwrap(a.areaRow.rate).rate, 8.5, accuracy: 1e-12)
        XCTAssertEqual(a.areaRow.change?.difference, 16)
        XCTAssertEqual(try XCTUnwrap(a.areaRow.change?.percent), 16.0 / 26 * 100, accuracy: 1e-12)
        XCTAssertEqual(a.outside.value, 0)
        // Under-25s in the area: 12 in the last 12 months per 1,200 residents under 25 = 10 per 1,000.
        XCTAssertEqual(a.cohorts.map(\.id), ["all_ages", "under_25"])
        XCTAssertEqual(a.cohorts[1].population, 1200)
        XCTAssertEqual(try XCTUnwrap(a.cohorts[1].rate).rate, 10, accuracy: 1e-12)
        XCTAssertEqual(a.headline, "Testshire, 12 months to 2025-12: all serious violence +62%, under-25s up from none on the previous year.")
    }

    /// Partner tier: true counts, so even Gamma's 3 is ranked (3 ÷ 2 ÷ 1,000 × 1,000 = 1.5 a year).
    func testPartnerTierPublishesTrueCounts() throws {
        let a = Assessment(input: try input(.partner))
        XCTAssertEqual(a.districts.map(\.name), ["Alpha", "Beta", "Gamma"])
        let gamma = a.districts[2]
        XCTAssertEqual(gamma.incidents.cell, .count(3))
        XCTAssertEqual(gamma.rank, 3)
        XCTAssertEqual(try XCTUnwrap(gamma.rate).rate, 1.5, accuracy: 1e-12)
        XCTAssertEqual(gamma.change?.difference, 1)
        XCTAssertEqual(try XCTUnwrap(gamma.change?.percent), 100, accuracy: 1e-12)
        XCTAssertTrue(a.districts.allSatisfy(\.breakdownShown))
    }

    /// A pack keeps the districts area-wide and counts only its district elsewhere.
    func testPackScope() throws {
        let a = Assessment(input: try input(.partner), district: 1)
        XCTAssertEqual(a.scopeName, "Beta")
        XCTAssertEqual(a.scopeRow?.name, "Beta")
        XCTAssertEqual(a.districts.map(\.incidents.value), [50, 15, 3])
        XCTAssertEqual(a.scopeIncidents.value, 15)
        XCTAssertEqual(a.strands.map(\.incidents.value), [15, 0])
        XCTAssertEqual(a.headlineCards.first?.change.difference, 5)
        XCTAssertEqual(a.areaHeadlineCards.first?.change.difference, 16)
        // Beta's cohort rate is over Beta's 600 residents under 25, not the area's 1,200; 0 in the last 12 months.
        XCTAssertEqual(a.cohorts[1].population, 600)
        XCTAssertEqual(a.cohorts[0].population, 2000)
        XCTAssertEqual(a.headline?.hasPrefix("Beta, 12 months to 2025-12: "), true)
    }

    /// Fewer than 24 months of data: no change anywhere, and the tables say so.
    func testNoChangeWithoutTwoYears() throws {
        var i = try input(.partner)
        i = AssessmentInput(areaName: i.areaName, districts: i.districts, populationNote: i.populationNote, definitions: i.definitions,
                            offenceNames: i.offenceNames, offenceScopes: i.offenceScopes, cube: i.cube,
                            period: MonthKey(year: 2024, month: 1)...MonthKey(year: 2024, month: 12), dataQuality: i.dataQuality,
                            disclosure: i.disclosure)
        let a = Assessment(input: i)
        XCTAssertNil(a.twelveMonths)
        XCTAssertTrue(a.districts.allSatisfy { $0.change == nil && $0.cohortChanges.isEmpty })
        XCTAssertTrue(a.headlineCards.isEmpty)
        XCTAssertNil(a.headline)
        XCTAssertEqual(AssessmentTables(a).districtChange().notes, ["Not computable: fewer than 24 months of data."])
    }
}
