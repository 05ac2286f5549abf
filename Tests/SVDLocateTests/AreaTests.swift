import XCTest
import SVDCore
@testable import SVDLocate

final class AreaTests: XCTestCase {
    static let codes = (105...116).map { "E07000\($0)" } + ["E06000035"]

    func testEmbeddedAreaHasTheThirteenDistricts() throws {
        let area = try Area.embedded(id: "kent-medway")
        XCTAssertEqual(area.districts.map(\.code), Self.codes)
        XCTAssertEqual(area.districts.first?.name, "Ashford")
        XCTAssertTrue(area.attribution.contains("Open Government Licence v3.0"))
        XCTAssertTrue(area.attribution.contains("Contains OS data © Crown copyright and database right 2020"))
        XCTAssertTrue(area.districts.allSatisfy { !$0.polygons.isEmpty })
        XCTAssertThrowsError(try Area.embedded(id: "atlantis"))
        // The definitions text compiled in is the checked-in file, byte for byte, and parses.
        let yaml = try String(contentsOf: Paths.geodata.appendingPathComponent("definitions.yaml"), encoding: .utf8)
        XCTAssertEqual(Area.embeddedDefinitionsYAML(id: "kent-medway"), yaml)
        XCTAssertNoThrow(try Definitions(yaml: yaml, source: "definitions.yaml"))
    }

    func testDistrictByCodeOrNameInAnyCase() throws {
        let area = try Area.embedded(id: "kent-medway")
        let folkestone = try XCTUnwrap(area.districtIndex(code: "E07000112"))
        for text in ["E07000112", "e07000112", "Folkestone and Hythe", "FOLKESTONE AND HYTHE", "  folkestone and hythe "] {
            XCTAssertEqual(area.district(matching: text), folkestone, text)
        }
        XCTAssertEqual(area.district(matching: "medway"), area.districtIndex(code: "E06000035"))
        for text in ["", " ", "Folkestone", "E0700011", "kent"] { XCTAssertNil(area.district(matching: text), text) }
    }

    func testEmbeddedCopyMatchesTheCheckedInAreaFile() throws {
        let onDisk = try String(contentsOf: Paths.geodata.appendingPathComponent("area.json"), encoding: .utf8)
        XCTAssertEqual(Area.embeddedJSON(id: "kent-medway"), onDisk, "regenerate geodata/KentMedway.generated.swift")
        let generated = try String(contentsOf: Paths.repository.appendingPathComponent("geodata/KentMedway.generated.swift"), encoding: .utf8)
        let yaml = try String(contentsOf: Paths.geodata.appendingPathComponent("definitions.yaml"), encoding: .utf8)
        XCTAssertEqual(generated, EmbeddedAreaSource.swiftSource(swiftName: "kentMedway", areaJSON: onDisk, definitionsYAML: yaml,
                                                                 origin: "kent-medway/{area.json,definitions.yaml}"))
        XCTAssertEqual(try AreaFile.load(directory: Paths.geodata), try Area.embedded(id: "kent-medway"))
    }

    /// Totals and age sums read from the ONS CSV with a deliberately tiny parser, independent of PopulationTable.
    func testEmbeddedPopulationMatchesTheSourceFile() throws {
        try Paths.requireShared()
        let area = try Area.embedded(id: "kent-medway")
        let lines = try String(contentsOf: Paths.population, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        var totals: [String: Int] = [:], single: [String: [String: Int]] = [:], bands: [String: Int] = [:]
        for line in lines {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            switch f[6] {
            case "all_ages": totals["\(f[0]) \(f[2])"] = Int(f[5])!
            case "single_year_of_age": single[f[0], default: [:]][f[3]] = Int(f[5])!
            case "age_band_derived": bands["\(f[0]) \(f[3])"] = Int(f[5])!
            default: XCTFail("unexpected record type in \(line)")
            }
        }
        XCTAssertEqual(totals.count, 26)
        for (d, code) in Self.codes.enumerated() {
            XCTAssertEqual(area.population(district: d, year: 2020), totals["\(code) 2020"], code)
            XCTAssertEqual(area.population(district: d, year: 2023), totals["\(code) 2023"], code)
            XCTAssertEqual(area.population(district: d), totals["\(code) 2023"], "latest year by default")
            // The mid-2020 single years are no longer the area's table (mid-2022 is), but their sum is the 2020 total.
            XCTAssertEqual(single[code]!.count, 91)
            XCTAssertEqual(single[code]!.values.reduce(0, +), totals["\(code) 2020"], code)
            XCTAssertEqual(bands.filter { $0.key.hasPrefix(code) }.values.reduce(0, +), totals["\(code) 2020"], code)
        }
        XCTAssertEqual((0..<12).compactMap { area.population(district: $0, year: 2020) }.reduce(0, +), 1_589_057) // Kent, SOURCES.md
    }

    /// The mid-2022 by-sex file (SOURCES.md §4), summed here with a tiny parser independent of PopulationTable:
    /// each district's 2022 total, female and male totals, and single years by sex are the area's.
    func testEmbeddedPopulationIsTheMid2022BySexFile() throws {
        try Paths.requireShared()
        let area = try Area.embedded(id: "kent-medway")
        let lines = try String(contentsOf: Paths.populationSex2022, encoding: .utf8).split(whereSeparator: \.isNewline)
        XCTAssertEqual(lines.first, "lad_code,lad_name,year,sex,age,population")
        var sums: [String: Int] = [:], ages: [String: Int] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(f[2], "2022")
            sums["\(f[0]) \(f[3])", default: 0] += Int(f[5])!
            ages["\(f[0]) \(f[3]) \(f[4])"] = Int(f[5])!
        }
        XCTAssertEqual(ages.count, 3549)
        XCTAssertEqual(area.population.singleYearOfAge?.year, 2022)
        XCTAssertEqual(area.population.singleYearOfAgeBySex?.year, 2022)
        for (d, code) in Self.codes.enumerated() {
            XCTAssertEqual(area.population(district: d, year: 2022), sums["\(code) persons"], code)
            XCTAssertEqual(area.population(district: d, ages: 0...), sums["\(code) persons"], code)
            XCTAssertEqual(area.population(district: d, lower: 0, upper: nil, sex: .female), sums["\(code) female"], code)
            XCTAssertEqual(area.population(district: d, lower: 0, upper: nil, sex: .male), sums["\(code) male"], code)
            XCTAssertEqual(area.population(district: d, ages: 37...37), ages["\(code) persons 37"], code)
            XCTAssertEqual(area.population(district: d, lower: 17, upper: 17, sex: .male), ages["\(code) male 17"], code)
            XCTAssertEqual(area.population(district: d, lower: 90, upper: nil, sex: .female), ages["\(code) female 90+"], code)
            XCTAssertEqual(area.population(district: d, ages: 10...17), (10...17).map { ages["\(code) persons \($0)"]! }.reduce(0, +), code)
        }
        // SOURCES.md §4: Kent (12 districts) 1,593,191; Medway 282,702 (female 144,228, male 138,474).
        XCTAssertEqual((0..<12).compactMap { area.population(district: $0, year: 2022) }.reduce(0, +), 1_593_191)
        XCTAssertEqual(area.population(district: 12, year: 2022), 282_702)
        XCTAssertEqual(area.population(district: 12, lower: 0, upper: nil, sex: .female), 144_228)
        XCTAssertEqual(area.totalPopulation(lower: 0, upper: nil), 1_593_191 + 282_702)
    }

    func testAgeHelpersRefuseBandsTheTableCannotAnswer() throws {
        let area = try Area.embedded(id: "kent-medway")
        XCTAssertNil(area.population(district: 0, ages: 85...95))   // splits 90+
        XCTAssertNil(area.population(district: 0, ages: 91...))
        XCTAssertNil(area.population(district: 99, ages: 0...))
        XCTAssertNil(area.population(district: 0, year: 1999))
        XCTAssertNotNil(area.population(district: 0, ages: 90...))
        let bands = try XCTUnwrap(area.bandDenominators(.standard))
        XCTAssertEqual(bands.count, 13)
        XCTAssertEqual(bands[0].count, 7)
        XCTAssertEqual(bands[0].reduce(0, +), area.population(district: 0, year: 2022))
        let female = try XCTUnwrap(area.bandDenominators(.standard, sex: .female)), male = try XCTUnwrap(area.bandDenominators(.standard, sex: .male))
        for d in 0..<13 { XCTAssertEqual(zip(female[d], male[d]).map(+), bands[d]) }
        XCTAssertNil(area.bandDenominators(try AgeBands(lowerBounds: [0, 95])))
    }

    func testAreaFileRoundTripsAndRoundsToDecimetres() throws {
        let area = Area(id: "t", name: "Test \"quoted\"\n", attribution: "a\\b",
                        districts: [District(code: "X1", name: "One", polygons: [[[
                            BNGPoint(easting: 1.04, northing: 2.05), BNGPoint(easting: 10.25, northing: 2),
                            BNGPoint(easting: 10, northing: 12.96), BNGPoint(easting: 1.04, northing: 2.05)]]])],
                        population: Population(allAges: [.init(year: 2020, source: "s", counts: [5])],
                                               singleYearOfAge: .init(year: 2020, source: "s", openAge: 2, counts: [[1, 2, 2]])))
        let text = AreaFile.encode(area)
        XCTAssertTrue(text.contains("[1.0,2.1],[10.3,2.0],[10.0,13.0]"), text)   // 0.1 m, half away from zero
        let back = try AreaFile.decode(Data(text.utf8), source: "test")
        XCTAssertEqual(back.name, area.name)
        XCTAssertEqual(back.attribution, area.attribution)
        XCTAssertEqual(back.population, area.population)
        XCTAssertEqual(back.districts[0].polygons[0][0][1], BNGPoint(easting: 10.3, northing: 2))
        XCTAssertEqual(AreaFile.encode(back), text)
        XCTAssertThrowsError(try AreaFile.decode(Data(text.utf8.dropLast(40)), source: "cut.json")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cut.json: not valid JSON"), "\(error)")
        }
    }
}
