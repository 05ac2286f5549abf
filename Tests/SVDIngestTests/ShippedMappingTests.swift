import Foundation
import SVDCore
import SVDIngest
import XCTest

/// The mappings compiled into the binary are the .yaml files in Sources/SVDIngest/Mappings, byte for byte.
final class ShippedMappingTests: XCTestCase {
    private static let mappingsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/SVDIngest/Mappings")

    func testEmbeddedTextEqualsTheYAMLFiles() throws {
        for shipped in ShippedMapping.allCases {
            let file = try Data(contentsOf: Self.mappingsFolder.appendingPathComponent(shipped.fileName))
            XCTAssertEqual(Data(shipped.yaml.utf8), file,
                           "\(shipped.fileName) changed: regenerate with bash scripts/embed-mappings.sh")
        }
    }

    func testEveryYAMLFileInTheFolderIsShipped() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.mappingsFolder.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertEqual(Set(names), Set(ShippedMapping.allCases.map(\.fileName)))
    }

    func testNamesAndParsedMappings() throws {
        XCTAssertEqual(ShippedMapping(rawValue: "ae-istv"), .aeISTV)
        XCTAssertEqual(ShippedMapping(rawValue: "ambulance"), .ambulance)
        XCTAssertNil(ShippedMapping(rawValue: "ae-istv-cardiff-model.yaml"))
        let ae = try ShippedMapping.aeISTV.mapping()
        XCTAssertEqual(ae.name, "A&E ISTV")
        XCTAssertEqual(ae.coordinates, .bng)
        let ambulance = try ShippedMapping.ambulance.mapping()
        XCTAssertEqual(ambulance.name, "ambulance")
        XCTAssertEqual(ambulance.coordinates, .wgs84)
    }

    /// The embedded mapping reads the fixture extract exactly as the file does (FixtureTests.testAandEMapping).
    func testEmbeddedMappingReadsTheFixture() throws {
        let r = try readFixture(Fixture.url("ae_istv_extract.csv"), format: .mapped(try ShippedMapping.aeISTV.mapping()), workers: 1)
        XCTAssertEqual(r.summary.rowsRead, 9)
        XCTAssertEqual(r.summary.accepted, 5)
        let a = try readFixture(Fixture.url("ambulance_callouts_extract.csv"), format: .mapped(try ShippedMapping.ambulance.mapping()), workers: 1)
        XCTAssertEqual(a.summary.accepted, 4)
        XCTAssertEqual(a.incidents.map(a.offenceName), ["violence with injury", "assault", "assault", "falls"])
    }
}
