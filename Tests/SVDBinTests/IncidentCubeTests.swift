import XCTest
import SVDCore
@testable import SVDBin

final class IncidentCubeTests: XCTestCase {
    let definitions = try! Definitions(name: "test", ageBands: .standard, seriousViolence: ["violence with injury"],
                                       outOfScope: ["burglary"], strands: [
                                           .init(id: "dom", label: "Domestic", all: [.domestic(.yes)], any: []),
                                           .init(id: "knife", label: "Knife", all: [.weapon([.knife])], any: []),
                                       ], cohorts: [])

    func testHandCountedCells() {
        let cube = IncidentCube(shape: .init(districts: 3, definitions: definitions))
        // 2024-03-15 is a Friday (weekday 4), 23:00; victim 17 → band 10–17 (index 1).
        let day = CivilDate.daysSinceEpoch(year: 2024, month: 3, day: 15)
        let friday = Incident(location: .init(easting: 0, northing: 0), month: MonthKey(year: 2024, month: 3).index,
                              day: Int32(day), hour: 23, offence: 0, victimAge: 17, victimSex: .male, suspectAge: 30,
                              locationType: .street, domestic: .no, weapon: .knife)
        cube.add(friday, district: 2, inScope: true, strandMask: 0b10)
        cube.add(friday, district: 2, inScope: true, strandMask: 0b10)
        var police = friday
        police.day = Incident.unknownDay
        police.hour = Incident.unknownHour
        police.victimAge = Incident.unknownAge
        cube.add(police, district: 3, inScope: true, strandMask: 0)      // outside the area
        cube.add(police, district: 0, inScope: false, strandMask: 0)     // out of scope: offence table only

        var cells: [String: Int] = [:]
        cube.forEachCell { c in cells["\(c.month) d\(c.district) a\(c.ageBand) h\(c.hour) w\(c.weekday) s\(c.strand)"] = c.count }
        XCTAssertEqual(cells, [
            "2024-03 d2 a1 h23 w4 s0": 2,
            "2024-03 d2 a1 h23 w4 s2": 2,
            "2024-03 d3 a7 h24 w7 s0": 1,
        ])
        var suspects: [String: Int] = [:]
        cube.forEachPersonCell { c in if c.role == .suspect { suspects["d\(c.district) a\(c.ageBand) \(c.sex.label) s\(c.strand)"] = c.count } }
        XCTAssertEqual(suspects, ["d2 a3 unknown s0": 2, "d2 a3 unknown s2": 2, "d3 a3 unknown s0": 1])
        var offences = 0
        cube.forEachOffenceCell { offences += $0.count }
        XCTAssertEqual(offences, 4, "the offence table holds every accepted incident, in scope or not")
        XCTAssertEqual(cube.months, [MonthKey(year: 2024, month: 3)])
    }

    /// Single years of age by role, district and strand, and the people block per strand, counted by hand:
    /// two incidents in district 1 (victim 17, suspect 17, knife strand), one in district 0 (victim 120, suspect
    /// unknown), one outside (victim 0), one with a suspect aged 127 (read as unknown), one a month later.
    func testSingleYearsOfAgeAndPeopleByStrand() {
        let cube = IncidentCube(shape: .init(districts: 2, definitions: definitions))
        let march = MonthKey(year: 2024, month: 3), april = MonthKey(year: 2024, month: 4)
        func incident(_ month: MonthKey, victim: Int8, suspect: Int8, sex: Sex = .female) -> Incident {
            Incident(location: .init(easting: 0, northing: 0), month: month.index, offence: 0, victimAge: victim, victimSex: sex,
                     suspectAge: suspect, suspectSex: .male)
        }
        cube.add(incident(march, victim: 17, suspect: 17), district: 1, inScope: true, strandMask: 0b10)
        cube.add(incident(march, victim: 17, suspect: 17), district: 1, inScope: true, strandMask: 0b10)
        cube.add(incident(march, victim: 120, suspect: -1, sex: .male), district: 0, inScope: true, strandMask: 0)
        cube.add(incident(march, victim: 0, suspect: 40), district: 2, inScope: true, strandMask: 0)
        cube.add(incident(march, victim: 30, suspect: 127), district: 0, inScope: true, strandMask: 0b01)
        cube.add(incident(april, victim: 17, suspect: 17), district: 1, inScope: true, strandMask: 0)
        cube.add(incident(march, victim: 17, suspect: 17), district: 1, inScope: false, strandMask: 0)   // out of scope
        let m = CubeMarginals(cube: cube, period: march...march)
        let unknown = IncidentCube.Shape.unknownSingleAge
        func nonZero(_ role: Int, _ strand: Int) -> [String: Int] {
            var out: [String: Int] = [:]
            for (d, ages) in m.bySingleAge[role][strand].enumerated() {
                for (a, c) in ages.enumerated() where c.count > 0 { out["d\(d) \(a == unknown ? "unknown" : String(a))"] = c.count }
            }
            return out
        }
        XCTAssertEqual(nonZero(0, 0), ["d1 17": 2, "d0 120": 1, "d2 0": 1, "d0 30": 1])
        XCTAssertEqual(nonZero(1, 0), ["d1 17": 2, "d0 unknown": 2, "d2 40": 1])
        XCTAssertEqual(nonZero(1, 2), ["d1 17": 2])
        XCTAssertEqual(nonZero(1, 1), ["d0 unknown": 1])
        XCTAssertEqual(nonZero(0, 1), ["d0 30": 1])
        // One district's marginals hold only that district.
        let d1 = CubeMarginals(cube: cube, period: march...april, district: 1)
        XCTAssertEqual(d1.bySingleAge[1][0][1][17].count, 3)
        XCTAssertEqual(d1.bySingleAge[1][0][0].sum().count, 0)
        // People by strand: strand 2 (knife) has the two district-1 victims, female, band 10–17.
        XCTAssertEqual(m.byPersonByStrand[2][0][1][1][Int(Sex.female.rawValue)].count, 2)
        XCTAssertEqual(m.byPersonByStrand[2][0].joined().joined().sum().count, 2)
        XCTAssertEqual(m.byPersonByStrand[0][1][1][1][Int(Sex.male.rawValue)].count, 2)
        for r in 0..<2 { XCTAssertEqual(m.byPersonByStrand[0][r].map { $0.map { $0.map(\.count) } }, m.byPerson[r].map { $0.map { $0.map(\.count) } }) }
        // Merging two cubes adds the single-age block too.
        let other = IncidentCube(shape: cube.shape)
        other.add(incident(march, victim: 17, suspect: 17), district: 1, inScope: true, strandMask: 0)
        cube.merge(other)
        XCTAssertEqual(CubeMarginals(cube: cube, period: march...march).bySingleAge[1][0][1][17].count, 3)
        // Tables index location types by raw value, in declaration order.
        XCTAssertEqual(LocationType.allCases.map { Int($0.rawValue) }, Array(LocationType.allCases.indices))
    }

    /// Area-level marginals leave the outside bucket out, so no published total gives its count away by difference.
    func testMarginalsKeepOutsideApart() {
        let cube = IncidentCube(shape: .init(districts: 2, definitions: definitions))
        let day = CivilDate.daysSinceEpoch(year: 2025, month: 6, day: 2)
        let i = Incident(location: .init(easting: 0, northing: 0), month: MonthKey(year: 2025, month: 6).index,
                         day: Int32(day), hour: 14, offence: 0, victimAge: 30, locationType: .street)
        cube.add(i, district: 0, inScope: true, strandMask: 0)
        cube.add(i, district: 1, inScope: true, strandMask: 0)
        cube.add(i, district: 2, inScope: true, strandMask: 0)   // outside the area
        let june = MonthKey(year: 2025, month: 6)
        let m = CubeMarginals(cube: cube, period: june...june)
        XCTAssertEqual(m.byDistrict[0].map(\.count), [1, 1, 1])
        XCTAssertEqual(m.hourWeekday.joined().sum().count, 2)
        XCTAssertEqual(m.byMonth[0][june]?.count, 2)
        XCTAssertEqual(m.byPlace[0].joined().sum().count, 2)
        XCTAssertEqual(m.byVictimAge[0].joined().sum().count, 2)
    }

    /// The cube of two disjoint inputs, merged, equals the cube of their union built in one pass.
    func testMergeEqualsSinglePass() {
        var rng = SplitMix(seed: 42)
        let shape = IncidentCube.Shape(districts: 13, definitions: definitions)
        let whole = IncidentCube(shape: shape), left = IncidentCube(shape: shape), right = IncidentCube(shape: shape)
        for n in 0..<20_000 {
            let day = 19_000 + Int(rng.next() % 1100)
            let (y, m, _) = CivilDate.civil(daysSinceEpoch: day)
            let unknownDay = rng.next() % 10 == 0
            let i = Incident(location: .init(easting: 0, northing: 0), month: MonthKey(year: y, month: m).index,
                             day: unknownDay ? Incident.unknownDay : Int32(day),
                             hour: unknownDay ? -1 : Int8(rng.next() % 24), offence: UInt16(rng.next() % 5),
                             victimAge: Int8(Int(rng.next() % 100) - 5 < 0 ? -1 : Int(rng.next() % 95)),
                             victimSex: Sex(rawValue: UInt8(rng.next() % 3))!, suspectAge: Int8(rng.next() % 90),
                             suspectSex: Sex(rawValue: UInt8(rng.next() % 3))!,
                             locationType: LocationType(rawValue: UInt8(rng.next() % 9))!)
            let district = Int(rng.next() % 14)
            let inScope = rng.next() % 4 != 0
            let mask = UInt8(rng.next() % 4)
            whole.add(i, district: district, inScope: inScope, strandMask: mask)
            (n % 3 == 0 ? left : right).add(i, district: district, inScope: inScope, strandMask: mask)
        }
        left.merge(right)
        XCTAssertEqual(dump(left), dump(whole))
        XCTAssertGreaterThan(dump(whole).count, 1000)
    }

    /// 65,535 distinct offence names over 60 months grew a dense [code][district] block in every month (0.9 GB);
    /// codes past the dense range are now counted sparsely, in the same order, and merge the same way.
    func testManyOffenceCodesAreCountedSparselyInCodeOrder() {
        let shape = IncidentCube.Shape(districts: 13, definitions: definitions)
        let whole = IncidentCube(shape: shape), left = IncidentCube(shape: shape), right = IncidentCube(shape: shape)
        var expected: [String: Int] = [:]
        for n in 0..<30_000 {
            let code = n % 3 == 0 ? n % 7 : 256 + (n * 7919) % 65_000
            let month = MonthKey(year: 2020 + n % 5, month: 1 + n % 12)
            let i = Incident(location: .init(easting: 0, northing: 0), month: month.index, offence: UInt16(code))
            whole.add(i, district: n % 14, inScope: false, strandMask: 0)
            (n % 2 == 0 ? left : right).add(i, district: n % 14, inScope: false, strandMask: 0)
            expected["\(month) \(code) \(n % 14)", default: 0] += 1
        }
        left.merge(right)
        XCTAssertEqual(dump(left), dump(whole))
        var seen: [String: Int] = [:]
        var order: [(Int32, Int, Int)] = []
        whole.forEachOffenceCell { c in
            seen["\(c.month) \(c.offence) \(c.district)"] = c.count
            order.append((c.month.index, Int(c.offence), c.district))
        }
        XCTAssertEqual(seen, expected)
        XCTAssertTrue(zip(order, order.dropFirst()).allSatisfy { $0 < $1 }, "cells in month, code, district order")
        XCTAssertEqual(whole.months.count, 60)
    }

    /// The stored form (the portal's kept parts) reads back to the same cells, in both layouts; damaged bytes are
    /// refused; renumbering offence codes moves cells between the dense block and the rare cells as one pass would.
    func testEncodedCubeReadsBackAndOffenceCodesRenumber() throws {
        let shape = IncidentCube.Shape(districts: 13, definitions: definitions)
        for layout in [IncidentCube.Layout.full, .marginal] {
            let cube = IncidentCube(shape: shape, layout: layout), renumbered = IncidentCube(shape: shape, layout: layout)
            // Codes 0…299 become 299…0: dense codes go rare and rare ones dense.
            let map = (0..<300).map { UInt16(299 - $0) }
            for n in 0..<5_000 {
                let code = (n * 37) % 300
                let i = Incident(location: .init(easting: 0, northing: 0), month: MonthKey(year: 2021 + n % 3, month: 1 + n % 12).index,
                                 day: Int32(18_700 + n % 900), hour: Int8(n % 24), offence: UInt16(code), victimAge: Int8(n % 90),
                                 victimSex: Sex(rawValue: UInt8(n % 3))!, suspectAge: Int8(n % 70), locationType: LocationType(rawValue: UInt8(n % 9))!)
                cube.add(i, district: n % 14, inScope: n % 5 != 0, strandMask: UInt8(n % 4))
                var j = i
                j.offence = map[code]
                renumbered.add(j, district: n % 14, inScope: n % 5 != 0, strandMask: UInt8(n % 4))
            }
            let bytes = cube.encoded()
            let back = try bytes.withUnsafeBytes { try IncidentCube(shape: shape, decoding: $0) }
            XCTAssertEqual(dump(back), dump(cube))
            XCTAssertEqual(marginals(back), marginals(cube))
            XCTAssertGreaterThan(marginals(cube).count, 100)
            XCTAssertEqual(back.months, cube.months)
            XCTAssertThrowsError(try Array(bytes.dropLast()).withUnsafeBytes { try IncidentCube(shape: shape, decoding: $0) })
            back.remapOffences(map)
            XCTAssertEqual(dump(back), dump(renumbered))
        }
    }

    /// Both projections of the main counts, month by month (any layout).
    private func marginals(_ c: IncidentCube) -> [String] {
        var out: [String] = []
        let s = c.shape
        c.forEachMarginalBlock { month, da, hw in
            for j in 0..<s.districtAgeBlock where da[j] != 0 { out.append("A \(month) \(j) \(da[j])") }
            for j in 0..<s.hourWeekdayBlock where hw[j] != 0 { out.append("H \(month) \(j) \(hw[j])") }
        }
        return out
    }

    private func dump(_ c: IncidentCube) -> [String] {
        var out: [String] = []
        if c.layout == .full { c.forEachCell { out.append("M \($0.month) \($0.district) \($0.ageBand) \($0.hour) \($0.weekday) \($0.strand) \($0.count)") } }
        c.forEachPersonCell { out.append("P \($0.month) \($0.role) \($0.district) \($0.ageBand) \($0.sex) \($0.strand) \($0.count)") }
        c.forEachPlaceCell { out.append("L \($0.month) \($0.locationType) \($0.district) \($0.strand) \($0.count)") }
        c.forEachOffenceCell { out.append("O \($0.month) \($0.offence) \($0.district) \($0.count)") }
        return out
    }
}

/// Test-local PRNG so the inputs are fixed without depending on the product's generator.
struct SplitMix {
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
