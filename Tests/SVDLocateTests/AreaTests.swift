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
            let ages = single[code]!
            XCTAssertEqual(ages.count, 91)
            XCTAssertEqual(area.population(district: d, ages: 0...), ages.values.reduce(0, +))
            XCTAssertEqual(area.population(district: d, ages: 37...37), ages["37"])
            XCTAssertEqual(area.population(district: d, ages: 65...), (65...89).map { ages[String($0)]! }.reduce(0, +) + ages["90+"]!)
            // The file's own derived bands are an independent check of the band helper.
            XCTAssertEqual(area.population(district: d, ages: 10...17), bands["\(code) 10-17"], code)
            XCTAssertEqual(area.population(district: d, ages: 18...24), bands["\(code) 18-24"], code)
            XCTAssertEqual(area.population(district: d, ages: 25...), bands["\(code) 25+"], code)
        }
        XCTAssertEqual(area.totalPopulation(lower: 0, upper: nil), 1_868_199)   // SOURCES.md: total of the 13 districts
        XCTAssertEqual((0..<12).compactMap { area.population(district: $0, year: 2020) }.reduce(0, +), 1_589_057) // Kent, SOURCES.md
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
        XCTAssertEqual(bands[0].reduce(0, +), area.population(district: 0, year: 2020))
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
