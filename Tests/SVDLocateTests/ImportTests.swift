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
        let report = try AreaImporter.run(boundaries: Paths.boundaries, population: Paths.population,
                                          id: "kent-medway", name: "Kent & Medway", outputDirectory: a)
        try AreaImporter.run(boundaries: Paths.boundaries, population: Paths.population,
                             id: "kent-medway", name: "Kent & Medway", outputDirectory: b)
        for file in [AreaFile.fileName, AreaFile.attributionFileName] {
            let first = try Data(contentsOf: a.appendingPathComponent(file))
            XCTAssertEqual(first, try Data(contentsOf: b.appendingPathComponent(file)), file)
            XCTAssertEqual(first, try Data(contentsOf: Paths.geodata.appendingPathComponent(file)), "\(file) differs from geodata/kent-medway")
        }
        // Every population row is used or reported.
        XCTAssertEqual(report.populationRows, 1261)
        XCTAssertEqual(report.populationRowsUsed + report.unusedPopulationRows.count, report.populationRows)
        XCTAssertEqual(report.unusedPopulationRows.count, 52)
        XCTAssertTrue(report.unusedPopulationRows.allSatisfy { $0.reason.contains("derived") })
        XCTAssertEqual(report.coordinateSystem, .wgs84)
        XCTAssertEqual(report.area.districts.count, 13)
        XCTAssertTrue("\(report)".contains("1209 used, 52 not used"), "\(report)")
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
        XCTAssertEqual(table.population.allAges, [Population.Totals(year: 2021, source: "", counts: [100, 200])])
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
