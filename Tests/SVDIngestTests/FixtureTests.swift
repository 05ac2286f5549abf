import Foundation
import SVDCore
@testable import SVDIngest
import XCTest

/// Every expectation here was worked out by reading the fixture rows (see Fixtures/README.md).
final class FixtureTests: XCTestCase {
    func testNativeGridFileAccountsForEveryRow() throws {
        let r = try readFixture(Fixture.url("native_bng.csv"), workers: 1)
        XCTAssertEqual(r.summary.rowsRead, 19)
        XCTAssertEqual(r.summary.accepted, 6)
        XCTAssertEqual(r.summary.rejected, 13)
        XCTAssertEqual(r.summary.rejectedByReason, [
            .unparseableDate: 1, .offGrid: 1, .missingLocation: 1, .missingID: 1, .missingOffence: 1, .invalidAge: 2,
            .unrecognisedValue: 3, .unparseableCoordinate: 1, .raggedRow: 1, .missingDate: 1,
        ])
        XCTAssertEqual(r.summary.acceptedUnknownVictimAge, 2)
        XCTAssertEqual(r.summary.acceptedUnknownHour, 2)
        XCTAssertEqual(r.summary.acceptedUnknownLocationType, 1)
        XCTAssertEqual(r.summary.acceptedUnknownDay, 0)
        XCTAssertEqual(r.summary.blankLines, 0)
        XCTAssertEqual(r.rejectLines, Array(7...19))
        XCTAssertEqual(r.reasons, ["unparseable_date", "off_grid", "missing_location", "missing_id", "missing_offence",
                                   "invalid_age", "invalid_age", "unrecognised_value", "unrecognised_value",
                                   "unparseable_coordinate", "ragged_row", "unrecognised_value", "missing_date"])
        XCTAssertTrue(r.rejects[7].detail.contains("victim_sex"), r.rejects[7].detail)
        XCTAssertTrue(r.rejects[8].detail.contains("location_type"), r.rejects[8].detail)
        XCTAssertTrue(r.rejects[11].detail.contains("domestic"), r.rejects[11].detail)
        XCTAssertTrue(r.rejects[9].detail.contains("Easting"), r.rejects[9].detail)
        XCTAssertEqual(r.rejects[0].record, "N006,Violence with injury,2024-02-30T10:00,575000,168000,,,,,,,,,,,")

        let i = r.incidents
        XCTAssertEqual(i.count, 6)
        // N001
        XCTAssertEqual(i[0].location, BNGPoint(easting: 575123, northing: 168456))
        XCTAssertEqual(i[0].day, Day.d2024_03_15)
        XCTAssertEqual(i[0].month, 2024 * 12 + 2)
        XCTAssertEqual(i[0].hour, 23)
        XCTAssertEqual(r.offenceName(i[0]), "violence with injury")
        XCTAssertEqual(i[0].victimAge, 17)
        XCTAssertEqual(i[0].victimSex, .male)
        XCTAssertEqual(i[0].suspectAge, 19)
        XCTAssertEqual(i[0].suspectSex, .male)
        XCTAssertEqual(i[0].locationType, .street)
        XCTAssertEqual(i[0].publicPlace, .yes)
        XCTAssertEqual(i[0].domestic, .no)
        XCTAssertEqual(i[0].alcohol, .yes)
        XCTAssertEqual(i[0].drugs, .no)
        XCTAssertEqual(i[0].weapon, .knife)
        XCTAssertEqual(r.sources.name(i[0].source), "police")
        // N002: decimals, seconds, quoted location type, blanks → unknown, blank source → default
        XCTAssertEqual(i[1].location, BNGPoint(easting: 575500.5, northing: 168000.25))
        XCTAssertEqual(i[1].hour, 1)
        XCTAssertEqual(i[1].day, Day.d2024_03_15 + 1)
        XCTAssertEqual(i[1].victimAge, Incident.unknownAge)
        XCTAssertEqual(i[1].victimSex, .female)
        XCTAssertEqual(i[1].locationType, .transportHub)
        XCTAssertEqual(i[1].weapon, .unknown)
        XCTAssertEqual(i[1].domestic, .unknown)
        XCTAssertEqual(r.sources.name(i[1].source), "police")
        // N003: leap day, date only
        XCTAssertEqual(i[2].day, Day.d2024_02_29)
        XCTAssertEqual(i[2].month, 2024 * 12 + 1)
        XCTAssertEqual(i[2].hour, Incident.unknownHour)
        XCTAssertEqual(i[2].locationType, .dwelling)
        XCTAssertEqual(i[2].publicPlace, .no)
        XCTAssertEqual(i[2].domestic, .yes)
        XCTAssertEqual(i[2].alcohol, .no)
        XCTAssertEqual(i[2].drugs, .no)
        XCTAssertEqual(i[2].weapon, .firearm)
        XCTAssertEqual(i[2].suspectSex, .male)
        // N004: UK date-time
        XCTAssertEqual(i[3].day, Day.d2024_03_15)
        XCTAssertEqual(i[3].hour, 8)
        XCTAssertEqual(i[3].victimSex, .unknown)
        XCTAssertEqual(i[3].locationType, .school)
        XCTAssertEqual(i[3].weapon, .knife)
        // N005: UK date only
        XCTAssertEqual(i[4].hour, Incident.unknownHour)
        XCTAssertEqual(i[4].locationType, .licensedPremises)
        XCTAssertEqual(i[4].alcohol, .yes)
        XCTAssertEqual(i[4].weapon, .other)
        // N019: category spelling normalises to the same code; source column
        XCTAssertEqual(i[5].offence, i[0].offence)
        XCTAssertEqual(r.sources.name(i[5].source), "A&E")
    }

    func testNativeLongitudeLatitude() throws {
        let r = try readFixture(Fixture.url("native_lonlat.csv"), workers: 1)
        XCTAssertEqual(r.summary.rowsRead, 6)
        XCTAssertEqual(r.summary.accepted, 2)
        XCTAssertEqual(r.summary.rejectedByReason, [.offGrid: 1, .missingLocation: 1, .unparseableCoordinate: 1, .unparseableDate: 1])
        XCTAssertEqual(r.rejectLines, [4, 5, 6, 7])
        XCTAssertEqual(r.summary.acceptedUnknownHour, 1)
        XCTAssertEqual(r.summary.acceptedUnknownVictimAge, 1)
        // Reference grid positions from pyproj (Fixtures/reference_bng.py); Helmert is good to a few metres.
        let expected = [BNGPoint(easting: ReferenceBNG.l1.0, northing: ReferenceBNG.l1.1),
                        BNGPoint(easting: ReferenceBNG.l2.0, northing: ReferenceBNG.l2.1)]
        for (got, want) in zip(r.incidents, expected) {
            XCTAssertEqual(got.location.easting, want.easting, accuracy: 10)
            XCTAssertEqual(got.location.northing, want.northing, accuracy: 10)
        }
        XCTAssertEqual(r.incidents[0].hour, 22)
        XCTAssertEqual(r.incidents[1].day, r.incidents[0].day)
    }

    func testEachRowUsesWhicheverCoordinatePairItFills() throws {
        let r = try readFixture(Fixture.url("native_mixed.csv"), workers: 1)
        XCTAssertEqual(r.summary.accepted, 3)
        XCTAssertEqual(r.summary.rejectedByReason, [.missingLocation: 1])
        XCTAssertEqual(r.incidents[0].location, BNGPoint(easting: 575000, northing: 168000))
        XCTAssertEqual(r.incidents[1].location.easting, ReferenceBNG.l1.0, accuracy: 10)
        XCTAssertEqual(r.incidents[2].location, BNGPoint(easting: 576000, northing: 169000))
        XCTAssertEqual(r.rejects.map(\.detail), ["no coordinates"])
    }

    func testPoliceUKSample() throws {
        let r = try readFixture(Fixture.url("police_uk_sample.csv"))
        guard case .policeUK = try IncidentReader(url: Fixture.url("police_uk_sample.csv"), catalog: emptyCatalog(),
                                                  sources: SourceCatalog()).format else { return XCTFail("not detected as police.uk") }
        XCTAssertEqual(r.summary.rowsRead, 20)
        XCTAssertEqual(r.summary.accepted, 19)
        XCTAssertEqual(r.summary.rejectedByReason, [.missingLocation: 1])
        XCTAssertEqual(r.rejectLines, [10])
        XCTAssertTrue(r.rejects[0].detail.contains("no location"))
        XCTAssertEqual(r.summary.acceptedUnknownDay, 19)
        XCTAssertEqual(r.summary.acceptedUnknownHour, 19)
        XCTAssertEqual(r.summary.acceptedUnknownVictimAge, 19)
        XCTAssertEqual(r.summary.acceptedUnknownLocationType, 19)
        // data.police.uk records no age or sex: every accepted row is unknown (what "not recorded" rests on).
        XCTAssertEqual(r.summary.acceptedUnknownSuspectAge, 19)
        XCTAssertEqual(r.summary.acceptedUnknownVictimSex, 19)
        XCTAssertEqual(r.summary.acceptedUnknownSuspectSex, 19)
        let names = r.incidents.map(r.offenceName)
        XCTAssertEqual(names.filter { $0 == "anti social behaviour" }.count, 4)
        XCTAssertEqual(names.filter { $0 == "violence and sexual offences" }.count, 3)
        XCTAssertTrue(r.incidents.allSatisfy { $0.month == 2024 * 12 + 2 && $0.day == Incident.unknownDay })
        XCTAssertTrue(r.incidents.allSatisfy { r.sources.name($0.source) == "police.uk" })
        XCTAssertTrue(r.incidents.allSatisfy { BritishNationalGrid.isOnGrid($0.location) && $0.location.easting > 570_000 })
    }

    func testCRLFByteOrderMarkQuotesAndBlankLines() throws {
        let r = try readFixture(Fixture.url("structure_crlf_bom_quotes.csv"), workers: 1)
        XCTAssertEqual(r.summary.rowsRead, 6)
        XCTAssertEqual(r.summary.accepted, 4)
        XCTAssertEqual(r.summary.blankLines, 2)
        XCTAssertEqual(r.summary.rejectedByReason, [.unparseableDate: 1, .unterminatedQuote: 1])
        XCTAssertEqual(r.rejectLines, [9, 10])
        XCTAssertEqual(r.reasons, ["unparseable_date", "unterminated_quote"])
        XCTAssertEqual(r.incidents.map(r.offenceName), ["violence, with injury", "violence with \"injury\"", "robbery", "robbery"])
        XCTAssertEqual(r.incidents.map(\.locationType), [.street, .park, .park, .street])
    }

    func testInvalidBytesAndNULs() throws {
        let r = try readFixture(Fixture.url("structure_bad_bytes.csv"), workers: 1)
        XCTAssertEqual(r.summary.rowsRead, 8)
        XCTAssertEqual(r.summary.accepted, 3)
        XCTAssertEqual(r.reasons, ["invalid_utf8", "invalid_utf8", "control_character", "unparseable_coordinate", "unrecognised_value"])
        XCTAssertEqual(r.rejectLines, [3, 4, 5, 6, 7])
        XCTAssertTrue(r.rejects[0].detail.contains("offence"))
        XCTAssertTrue(r.rejects[1].detail.contains("victim_sex"))
        // The reject file stays valid UTF-8 without NULs.
        XCTAssertNotNil(String(data: r.rejectFile, encoding: .utf8))
        XCTAssertFalse(r.rejectFile.contains(0))
        XCTAssertEqual(r.rejects[0].record, "B2,2024-01-05,Rob\u{FFFD}bery,575000,168000,F,")
        XCTAssertEqual(r.incidents.map(\.victimSex), [.female, .male, .male])
    }

    func testHugeFieldWithinAndBeyondTheLimit() throws {
        let url = Fixture.url("structure_huge_field.csv")
        let within = try readFixture(url)
        XCTAssertEqual(within.summary.accepted, 3)
        XCTAssertEqual(within.summary.rowsRead, 3)
        // With a 1,000-byte limit H2 is rejected, whether it arrives whole in one block or across many.
        for block in [1 << 20, 256, 4096] {
            let r = try readFixture(url, blockSize: block, maxRecordBytes: 1000)
            XCTAssertEqual(r.summary.rowsRead, 3, "block \(block)")
            XCTAssertEqual(r.summary.accepted, 2, "block \(block)")
            XCTAssertEqual(r.reasons, ["record_too_long"], "block \(block)")
            XCTAssertEqual(r.rejectLines, [3], "block \(block)")
            XCTAssertTrue(r.rejects[0].record.hasSuffix("…"))
        }
    }

    func testWholeFileOutcomes() throws {
        func error(_ name: String) -> IngestError? {
            do { _ = try IncidentReader(url: Fixture.url(name), catalog: emptyCatalog(), sources: SourceCatalog()); return nil }
            catch let e as IngestError { return e } catch { return nil }
        }
        XCTAssertEqual(error("empty.csv"), .emptyFile(file: Fixture.url("empty.csv").path))
        XCTAssertEqual(error("only_blank_lines.csv"), .emptyFile(file: Fixture.url("only_blank_lines.csv").path))
        XCTAssertEqual(error("missing_columns.csv"),
                       .missingColumns(file: Fixture.url("missing_columns.csv").path, format: "native", missing: ["datetime", "northing"]))
        guard case .unrecognisedHeader(_, let h)? = error("unrecognised_header.csv") else { return XCTFail() }
        XCTAssertEqual(h, ["a", "b", "c"])
        // Forcing data.police.uk on a native file names what is missing.
        XCTAssertThrowsError(try IncidentReader(url: Fixture.url("native_bng.csv"), format: .policeUK, catalog: emptyCatalog(),
                                                sources: SourceCatalog())) { e in
            XCTAssertEqual(e as? IngestError, .missingColumns(file: Fixture.url("native_bng.csv").path, format: "data.police.uk",
                                                              missing: ["Crime ID", "Month", "Longitude", "Latitude", "Crime type"]))
        }
        let header = try readFixture(Fixture.url("header_only.csv"))
        XCTAssertEqual(header.summary.rowsRead, 0)
        XCTAssertEqual(header.summary.accepted, 0)
        XCTAssertEqual(header.rejects, [])
    }

    func testAandEMapping() throws {
        let mapping = try Fixture.mapping("ae-istv-cardiff-model.yaml")
        let r = try readFixture(Fixture.url("ae_istv_extract.csv"), format: .mapped(mapping), workers: 1)
        XCTAssertEqual(r.summary.rowsRead, 9)
        XCTAssertEqual(r.summary.accepted, 5)
        XCTAssertEqual(r.summary.rejectedByReason, [.unparseableDate: 2, .unrecognisedValue: 1, .missingLocation: 1])
        XCTAssertEqual(r.rejectLines, [5, 6, 7, 8])
        XCTAssertTrue(r.rejects[2].detail.contains("Patient Sex"), r.rejects[2].detail)
        XCTAssertEqual(r.summary.acceptedUnknownHour, 1)
        XCTAssertEqual(r.summary.acceptedUnknownVictimAge, 1)
        XCTAssertEqual(r.summary.acceptedUnknownLocationType, 0)
        let i = r.incidents
        XCTAssertTrue(i.allSatisfy { r.offenceName($0) == "assault" && r.sources.name($0.source) == "A&E" })
        XCTAssertEqual(i.map(\.victimSex), [.male, .female, .unknown, .female, .male])
        XCTAssertEqual(i.map(\.locationType), [.street, .dwelling, .licensedPremises, .retail, .other])
        XCTAssertEqual(i.map(\.weapon), [.knife, .none, .other, .knife, .unknown])
        XCTAssertEqual(i.map(\.alcohol), [.yes, .no, .yes, .no, .yes])
        XCTAssertEqual(i.map(\.domestic), [.no, .yes, .unknown, .yes, .unknown])
        XCTAssertEqual(i.map(\.hour), [23, -1, 1, 19, 2])
        XCTAssertEqual(i[0].day, Day.d2024_03_02)
        XCTAssertEqual(i[0].location, BNGPoint(easting: 575400, northing: 168250))
    }

    func testAmbulanceMapping() throws {
        let mapping = try Fixture.mapping("ambulance-callouts.yaml")
        XCTAssertEqual(mapping.coordinates, .wgs84)
        let r = try readFixture(Fixture.url("ambulance_callouts_extract.csv"), format: .mapped(mapping), workers: 1)
        XCTAssertEqual(r.summary.rowsRead, 8)
        XCTAssertEqual(r.summary.accepted, 4)
        XCTAssertEqual(r.reasons, ["off_grid", "unparseable_date", "invalid_age", "missing_id"])
        XCTAssertEqual(r.rejectLines, [6, 7, 8, 9])
        let i = r.incidents
        XCTAssertEqual(i.map(r.offenceName), ["violence with injury", "assault", "assault", "falls"])
        XCTAssertEqual(i.map(\.weapon), [.knife, .other, .unknown, .unknown])
        XCTAssertEqual(i.map(\.locationType), [.street, .licensedPremises, .dwelling, .dwelling])
        XCTAssertEqual(i.map(\.victimSex), [.male, .female, .unknown, .female])
        XCTAssertEqual(i.map(\.victimAge), [17, 24, -1, 81])
        XCTAssertEqual(i.map(\.hour), [22, 23, 1, 2])
        XCTAssertEqual(i[2].day, Day.d2024_03_02)
        XCTAssertTrue(i.allSatisfy { r.sources.name($0.source) == "ambulance" })
    }

    func testMappingErrorsAreClear() {
        func reason(_ yaml: String) -> String {
            do { _ = try ColumnMapping(yaml: yaml, source: "m.yaml"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason("coordinates: bng\neasting: E\nnorthing: N\ndate: {column: D, format: dd/MM/yyyy}")
            .contains("offence is required"))
        XCTAssertTrue(reason("coordinates: utm\n").contains("bng or wgs84"))
        XCTAssertTrue(reason("coordinates: bng\neasting: E\nnorthing: N\noffence: {value: x}\ndate: {column: D, format: dd/MM/yy}")
            .contains("unsupported token 'yy'"))
        XCTAssertTrue(reason("coordinates: bng\neasting: E\nnorthing: N\noffence: {value: x}\ndate: {column: D, format: dd/MM/yyyy}\n"
                             + "victim_sex: {column: S, map: {1: man}}").contains("'man' is not one of"))
        XCTAssertTrue(reason("coordinates: bng\neasting: E\nnorthing: N\noffence: {value: x}\ndate: {column: D, format: dd/MM/yyyy}\nvictim_sx: S")
            .contains("unknown key 'victim_sx'"))
    }

    func testMappedHeaderMissingPartnerColumns() throws {
        let mapping = try Fixture.mapping("ae-istv-cardiff-model.yaml")
        XCTAssertThrowsError(try IncidentReader(url: Fixture.url("ambulance_callouts_extract.csv"), format: .mapped(mapping),
                                                catalog: emptyCatalog(), sources: SourceCatalog())) { e in
            guard case .missingColumns(_, _, let missing)? = e as? IngestError else { return XCTFail("\(e)") }
            XCTAssertEqual(missing.first, "AttendanceRef")
            XCTAssertTrue(missing.contains("Incident Easting"))
        }
    }
}
