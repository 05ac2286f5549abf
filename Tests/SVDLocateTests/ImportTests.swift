import XCTest
import GEOS
import SVDCore
@testable import SVDLocate

final class ImportTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svd-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testImportingTwiceIsByteIdenticalAndMatchesTheCheckedInArea() throws {
        try Paths.requireShared()
        let a = try temporaryDirectory(), b = try temporaryDirectory()
        let report = try AreaImporter.run(boundaries: Paths.boundaries, populations: Paths.populations,
                                          id: "kent-medway", name: "Kent & Medway", outputDirectory: a)
        try AreaImporter.run(boundaries: Paths.boundaries, populations: Paths.populations,
                             id: "kent-medway", name: "Kent & Medway", outputDirectory: b)
        for file in [AreaFile.fileName, AreaFile.attributionFileName] {
            let first = try Data(contentsOf: a.appendingPathComponent(file))
            XCTAssertEqual(first, try Data(contentsOf: b.appendingPathComponent(file)), file)
            XCTAssertEqual(first, try Data(contentsOf: Paths.geodata.appendingPathComponent(file)), "\(file) differs from geodata/kent-medway")
        }
        // Every population row of both files is used or reported: 1,261 + 3,549 rows; unused are the 2020 file's
        // 52 derived bands and its 1,183 single years (2022 is the single-year table kept).
        XCTAssertEqual(report.populationRows, 1261 + 3549)
        XCTAssertEqual(report.populationRowsUsed + report.unusedPopulationRows.count, report.populationRows)
        XCTAssertEqual(report.unusedPopulationRows.count, 52 + 1183)
        XCTAssertEqual(report.unusedPopulationRows.filter { $0.reason.contains("derived") }.count, 52)
        XCTAssertEqual(report.unusedPopulationRows.filter { $0.reason.contains("2020 not used: 2022 is the table kept") }.count, 1183)
        XCTAssertTrue(report.unusedPopulationRows.allSatisfy { $0.file == "kent-medway-population.csv" })
        XCTAssertEqual(report.coordinateSystem, .wgs84)
        XCTAssertEqual(report.area.districts.count, 13)
        XCTAssertTrue("\(report)".contains("3575 used, 1235 not used"), "\(report)")
        XCTAssertEqual(report.area.population.years, [2020, 2022, 2023])
        XCTAssertEqual(report.area.population.singleYearOfAge?.year, 2022)
        XCTAssertEqual(report.area.population.singleYearOfAgeBySex?.year, 2022)
        XCTAssertEqual(report.area.population.singleYearOfAge?.source, Paths.populationSex2022Source)
        // The licence statement travels with the area.
        let attribution = try String(contentsOf: a.appendingPathComponent(AreaFile.attributionFileName), encoding: .utf8)
        XCTAssertTrue(attribution.contains("Open Government Licence v3.0"), attribution)
        XCTAssertTrue(attribution.contains("kent-medway-population-sex-2022.csv"), attribution)
    }

    /// One population file still imports as before: mid-2020 persons, no sex-specific table.
    func testTheOldSinglePopulationFileStillImports() throws {
        try Paths.requireShared()
        let (built, report) = try AreaImporter.build(boundaries: Paths.boundaries, population: Paths.population,
                                                     id: "kent-medway", name: "Kent & Medway", outputDirectory: try temporaryDirectory())
        XCTAssertEqual(report.populationRows, 1261)
        XCTAssertEqual(report.unusedPopulationRows.count, 52)
        XCTAssertTrue(report.unusedPopulationRows.allSatisfy { $0.reason.contains("derived") && $0.file.isEmpty })
        XCTAssertTrue("\(report)".contains("1209 used, 52 not used"), "\(report)")
        XCTAssertEqual(built.area.population.singleYearOfAge?.year, 2020)
        XCTAssertNil(built.area.population.singleYearOfAgeBySex)
        XCTAssertEqual(built.area.population.years, [2020, 2023])
        XCTAssertFalse(AreaFile.encode(built.area).contains("single_year_of_age_by_sex"))
        // SOURCES.md planar areas (km²) agree with the converted boundaries to within a few per cent.
        let context = GEOSContext()
        let expectedKm2 = ["E07000105": 577.0, "E07000107": 73, "E07000113": 373, "E06000035": 194]
        for d in report.area.districts where expectedKm2[d.code] != nil {
            let km2 = try d.geometry(in: context).area() / 1e6
            XCTAssertEqual(km2, expectedKm2[d.code]!, accuracy: expectedKm2[d.code]! * 0.03, d.code)
        }
    }

    func testPopulationRowsThatCannotBeUsedAreReportedWithTheirLines() throws {
        let csv = """
            LAD21CD,Year,Age,Population
            A,2021,all,100
            B,2021,all,200
            C,2021,all,300
            A,2021,all,101
            A,2021,x,5
            A,twenty,all,5
            B,2021,all,-4
            B,2021,all
            """
        let table = try PopulationTable(csv: csv, file: "p.csv", districtCodes: ["A", "B"])
        // A file without a source column names itself as the source.
        XCTAssertEqual(table.population.allAges, [Population.Totals(year: 2021, source: "p.csv", counts: [100, 200])])
        XCTAssertEqual(table.rows, 8)
        XCTAssertEqual(table.used, 2)
        XCTAssertEqual(table.unused.map(\.line), [4, 5, 6, 7, 8, 9])
        XCTAssertTrue(table.unused[0].reason.contains("C is not in the boundaries"))
        XCTAssertTrue(table.unused[1].reason.contains("duplicate"))
        XCTAssertTrue(table.unused[3].reason.contains("not a year"))
        XCTAssertTrue(table.unused[4].reason.contains("non-negative"))
        XCTAssertTrue(table.unused[5].reason.contains("fields"))
        XCTAssertThrowsError(try PopulationTable(csv: "x,y\n1,2\n", file: "bad.csv", districtCodes: ["A"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("bad.csv: no district code column"), "\(error)")
        }
    }

    /// Two crafted files: persons for 2021 in one; female and male (no persons) for 2022 in the other, so 2022's
    /// persons are female + male and its all-ages totals are summed from the single years.
    func testSexRowsMakeTheLatestYearAndItsTotals() throws {
        let older = """
            area_code,year,age,sex,population,source
            A,2021,all,persons,30,old
            B,2021,all,persons,40,old
            A,2021,0,persons,10,old
            A,2021,1+,persons,20,old
            B,2021,0,persons,15,old
            B,2021,1+,persons,25,old
            """
        let newer = """
            lad_code,year,sex,age,population
            A,2022,F,0,3
            A,2022,F,1+,9
            A,2022,M,0,4
            A,2022,M,1+,8
            B,2022,female,0,5
            B,2022,female,1+,11
            B,2022,male,0,6
            B,2022,male,1+,12
            B,2022,male,all,18
            B,2022,other,0,1
            """
        let t = try PopulationTable(inputs: [.init(text: older, file: "old.csv"), .init(text: newer, file: "/x/new.csv", source: "New 2022")],
                                    districtCodes: ["A", "B"])
        let p = t.population
        XCTAssertEqual(p.singleYearOfAge, .init(year: 2022, source: "New 2022 (persons = female + male)", openAge: 1, counts: [[7, 17], [11, 23]]))
        XCTAssertEqual(p.singleYearOfAgeBySex, .init(year: 2022, source: "New 2022", openAge: 1, female: [[3, 9], [5, 11]], male: [[4, 8], [6, 12]]))
        XCTAssertEqual(p.allAges.map(\.year), [2021, 2022])
        XCTAssertEqual(p.allAges[1].counts, [24, 34])
        XCTAssertTrue(p.allAges[1].source.contains("summed from single years"))
        XCTAssertEqual(t.rows, 16)
        XCTAssertEqual(t.used, 2 + 8)          // 2021 totals; the 2022 sexes
        XCTAssertEqual(t.unused.map(\.file), ["new.csv", "new.csv", "old.csv", "old.csv", "old.csv", "old.csv"])
        XCTAssertEqual(t.unused.map(\.line), [10, 11, 4, 5, 6, 7])
        XCTAssertTrue(t.unused[0].reason.contains("male all-ages total not used"), t.unused[0].reason)
        XCTAssertTrue(t.unused[1].reason.contains("sex \"other\""), t.unused[1].reason)
        XCTAssertTrue(t.unused[2].reason.contains("2022 is the table kept"), t.unused[2].reason)
        // Area helpers by sex: open-ended band, and a band the table cannot answer.
        let area = Area(id: "t", name: "T", attribution: "", districts: [District(code: "A", name: "A", polygons: []),
                                                                          District(code: "B", name: "B", polygons: [])], population: p)
        XCTAssertEqual(area.population(district: 1, lower: 0, upper: nil, sex: .male), 18)
        XCTAssertEqual(area.population(district: 0, lower: 0, upper: 0, sex: .female), 3)
        XCTAssertNil(area.population(district: 0, lower: 0, upper: 1, sex: .female))
        XCTAssertNil(area.population(district: 0, lower: 0, upper: nil, sex: .unknown))
        XCTAssertEqual(area.bandDenominators(try AgeBands(lowerBounds: [0, 1]), sex: .female), [[3, 9], [5, 11]])
        XCTAssertEqual(try AreaFile.decode(Data(AreaFile.encode(area).utf8), source: "t").population, p)
    }

    /// Female + male that disagree with persons give no sex-specific table; persons are still used.
    func testSexTablesThatDisagreeWithPersonsAreNotKept() throws {
        let csv = """
            code,year,sex,age,population
            A,2022,persons,0,10
            A,2022,persons,1+,20
            A,2022,female,0,5
            A,2022,female,1+,10
            A,2022,male,0,5
            A,2022,male,1+,11
            """
        let t = try PopulationTable(csv: csv, file: "p.csv", districtCodes: ["A"])
        XCTAssertEqual(t.population.singleYearOfAge?.counts, [[10, 20]])
        XCTAssertNil(t.population.singleYearOfAgeBySex)
        XCTAssertEqual(t.used, 2)
        XCTAssertEqual(t.unused.count, 4)
        XCTAssertTrue(t.notes.contains { $0.contains("female + male differ from persons at 1 ages (A age 1: 10 + 11 ≠ 20)") }, "\(t.notes)")
        // Only one sex: no sex-specific table either.
        let oneSex = try PopulationTable(csv: csv.split(separator: "\n").dropLast(2).joined(separator: "\n"), file: "p.csv", districtCodes: ["A"])
        XCTAssertNil(oneSex.population.singleYearOfAgeBySex)
        XCTAssertTrue(oneSex.notes.contains { $0.contains("no sex-specific denominators (male: no open-ended top age") }, "\(oneSex.notes)")
    }

    // MARK: Malformed GeoJSON

    func parse(_ text: String) throws -> [BoundaryFeature] {
        try GeoJSONBoundaries.parse(Data(text.utf8), file: "fixture.geojson").features
    }

    func assertGeoJSONError(_ text: String, feature: Int?, mentions: String, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text), line: line) { error in
            guard let e = error as? GeoJSONError else { return XCTFail("not a GeoJSONError: \(error)", line: line) }
            XCTAssertEqual(e.file, "fixture.geojson", line: line)
            XCTAssertEqual(e.feature, feature, "\(e)", line: line)
            XCTAssertTrue(e.description.contains(mentions), "\(e)", line: line)
        }
    }

    static func feature(_ geometry: String, code: String = "E0001") -> String {
        #"{"type":"Feature","properties":{"lad21cd":"\#(code)","lad21nm":"Somewhere"},"geometry":\#(geometry)}"#
    }

    static func collection(_ features: [String], crs: Bool = false) -> String {
        let c = crs ? #""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"# : ""
        return #"{"type":"FeatureCollection",\#(c)"features":["# + features.joined(separator: ",") + "]}"
    }

    static let square = #"{"type":"Polygon","coordinates":[[[0.5,51.2],[0.6,51.2],[0.6,51.3],[0.5,51.3],[0.5,51.2]]]}"#

    func testMalformedGeoJSONGivesClearErrors() throws {
        let good = Self.collection([Self.feature(Self.square)])
        XCTAssertEqual(try parse(good).map(\.code), ["E0001"])
        assertGeoJSONError(String(good.prefix(good.count / 2)), feature: nil, mentions: "not valid JSON")
        if FileManager.default.fileExists(atPath: Paths.boundaries.path) {
            let real = try String(contentsOf: Paths.boundaries, encoding: .utf8)
            assertGeoJSONError(String(real.prefix(5000)), feature: nil, mentions: "truncated")
        }
        assertGeoJSONError("[1,2]", feature: nil, mentions: "not a JSON object")
        assertGeoJSONError(#"{"type":"Feature"}"#, feature: nil, mentions: "expected \"FeatureCollection\"")
        assertGeoJSONError(#"{"type":"FeatureCollection","features":{}}"#, feature: nil, mentions: "\"features\"")
        assertGeoJSONError(Self.collection([Self.feature(Self.square), "7"]), feature: 1, mentions: "not a JSON object")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"Point","coordinates":[0.5,51.2]}"#)]),
                           feature: 0, mentions: "geometry type is \"Point\"")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"Polygon"}"#)]), feature: 0, mentions: "no \"coordinates\"")
        assertGeoJSONError(Self.collection([Self.feature("null")]), feature: 0, mentions: "\"geometry\" is missing or null")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"Polygon","coordinates":[[[0.5,51.2],["a",51.2],[0.6,51.3],[0.5,51.2]]]}"#)]),
                           feature: 0, mentions: "polygon 0 ring 0 is not an array of [x, y] number pairs")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"Polygon","coordinates":[[[0.5,51.2],[true,51.2],[0.6,51.3],[0.5,51.2]]]}"#)]),
                           feature: 0, mentions: "number pairs")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"MultiPolygon","coordinates":[[[[0.5,51.2],[0.6,51.2],[0.6,51.3],[0.5,51.3]]]]}"#)]),
                           feature: 0, mentions: "ring 0 is not closed")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"Polygon","coordinates":[[[0.5,51.2],[0.6,51.2],[0.5,51.2]]]}"#)]),
                           feature: 0, mentions: "has 3 positions")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"Polygon","coordinates":[]}"#)]), feature: 0, mentions: "no rings")
        assertGeoJSONError(Self.collection([#"{"type":"Feature","properties":{"colour":"red"},"geometry":\#(Self.square)}"#]),
                           feature: 0, mentions: "no district code property")
        assertGeoJSONError(Self.collection([Self.feature(Self.square), Self.feature(Self.square)]), feature: 0, mentions: "more than once")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"Polygon","coordinates":[[[-40,51.2],[0.6,51.2],[0.6,51.3],[-40,51.2]]]}"#)]),
                           feature: 0, mentions: "not a Great Britain longitude/latitude")
        assertGeoJSONError(Self.collection([Self.feature(#"{"type":"Polygon","coordinates":[[[-5000,1],[10,1],[10,10],[-5000,1]]]}"#)]),
                           feature: 0, mentions: "outside the British National Grid")
    }

    func testBNGInputIsDetectedByCRSOrByMagnitude() throws {
        let bng = #"{"type":"Polygon","coordinates":[[[600000,150000],[601000,150000],[601000,151000],[600000,151000],[600000,150000]]]}"#
        for text in [Self.collection([Self.feature(bng)]), Self.collection([Self.feature(bng)], crs: true)] {
            let (features, crs) = try GeoJSONBoundaries.parse(Data(text.utf8), file: "f")
            XCTAssertEqual(crs, .britishNationalGrid)
            XCTAssertEqual(features[0].polygons[0][0][1], BNGPoint(easting: 601_000, northing: 150_000))
        }
        let (features, crs) = try GeoJSONBoundaries.parse(Data(Self.collection([Self.feature(Self.square)]).utf8), file: "f")
        XCTAssertEqual(crs, .wgs84)
        XCTAssertEqual(features[0].polygons[0][0][0], BritishNationalGrid.fromWGS84(longitude: 0.5, latitude: 51.2))
        XCTAssertEqual(features[0].name, "Somewhere")
    }

    func testSelfIntersectingBoundaryIsRepairedAndReported() throws {
        // A bow-tie in BNG: two 1 km triangles meeting at (600500, 150500); each has area 250,000 m².
        let bowTie = #"{"type":"Polygon","coordinates":[[[600000,150000],[601000,151000],[601000,150000],[600000,151000],[600000,150000]]]}"#
        let square = #"{"type":"Polygon","coordinates":[[[610000,150000],[611000,150000],[611000,151000],[610000,151000],[610000,150000]]]}"#
        let features = try parse(Self.collection([Self.feature(bowTie, code: "BOW"), Self.feature(square, code: "SQ")]))
        let (districts, repairs) = try BoundaryValidation.validate(features)
        XCTAssertEqual(districts.map(\.code), ["BOW", "SQ"])
        XCTAssertEqual(repairs.count, 1)
        let repair = try XCTUnwrap(repairs.first)
        XCTAssertEqual(repair.code, "BOW")
        XCTAssertTrue(repair.reason.hasPrefix("Self-intersection"), repair.reason)
        XCTAssertEqual(repair.areaAfter, 500_000, accuracy: 1e-6)
        XCTAssertEqual(repair.polygonsAfter, 2)
        XCTAssertTrue(repair.description.contains("BOW"))
        // The repaired district is the west and east triangles; below and above the crossing is outside.
        let locator = DistrictLocator(districts: districts.map(\.polygons))
        XCTAssertEqual(locator.district(at: BNGPoint(easting: 600_200, northing: 150_500)), 0)
        XCTAssertEqual(locator.district(at: BNGPoint(easting: 600_800, northing: 150_500)), 0)
        XCTAssertEqual(locator.district(at: BNGPoint(easting: 600_500, northing: 150_200)), DistrictLocator.outside)
        XCTAssertEqual(locator.district(at: BNGPoint(easting: 610_500, northing: 150_500)), 1)
    }
}
