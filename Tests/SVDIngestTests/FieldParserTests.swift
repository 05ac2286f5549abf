import Foundation
import SVDCore
@testable import SVDIngest
import XCTest

final class FieldParserTests: XCTestCase {
    func withBytes<R>(_ s: String, _ body: (Bytes, Int, Int) -> R) -> R {
        let a = Array(s.utf8)
        return a.withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, a.count) }
    }

    func testDecimalsMatchTheStandardLibrary() {
        var cases = ["0", "575123", "575500.5", "-0.123456", "+51.5", ".5", "5.", "0.1", "0.3", "123456.789012345",
                     "1e5", "51.27183512345678901", "00000000000000000001.5"]
        var rng = SplittingTests.RNG(state: 5)
        for _ in 0..<2000 {
            let whole = rng.below(1_000_000), frac = rng.below(10_000_000), places = 1 + rng.below(7)
            let f = String(String(frac).prefix(places))
            cases.append("\(rng.below(2) == 0 ? "-" : "")\(whole).\(f)")
        }
        for c in cases {
            let got = withBytes(c) { parseDecimal($0, $1, $2) }
            // Double(String) is strtod-backed: an independent, correctly rounded reference.
            XCTAssertEqual(got, Double(c), c)
        }
        for bad in ["", "-", ".", "1.2.3", "12a", "0x1A", "inf", "nan", "1,5", "e5", "--1"] {
            XCTAssertNil(withBytes(bad) { parseDecimal($0, $1, $2) }, bad)
        }
    }

    func testNativeDateForms() {
        func p(_ s: String) -> When? { withBytes(s) { parseNativeDateTime($0, $1, $2) } }
        // 2024-03-15 is day 19797 (Python datetime).
        for (s, hour) in [("2024-03-15T23:40", 23), ("2024-03-15 23:40", 23), ("2024-03-15T23:40:59", 23),
                          ("2024-03-15T07:05:00.250Z", 7), ("15/03/2024 23:40", 23), ("15/3/2024 00:00", 0)] {
            XCTAssertEqual(p(s)?.day, 19797, s)
            XCTAssertEqual(p(s).map { Int($0.hour) }, hour, s)
            XCTAssertEqual(p(s)?.month, 2024 * 12 + 2, s)
        }
        XCTAssertEqual(p("2024-03-15")?.hour, -1)
        XCTAssertEqual(p("15/03/2024")?.day, 19797)
        XCTAssertEqual(p("29/02/2024")?.day, 19782)
        for bad in ["2024-13-01", "2024-02-30", "2023-02-29", "2024-03-15T23:60", "2024-03-15T24:00", "2024-03-15X23:40",
                    "2024-3-15", "15/03/24", "32/01/2024", "1899-12-31", "2024-03-15T23", "2024-03-15T23:40:", "15-03-2024"] {
            XCTAssertNil(p(bad), bad)
        }
    }

    func testDatePatterns() throws {
        func m(_ pattern: String, _ s: String) throws -> (Int?, Int?, Int?, Int?)? {
            let dp = try DatePattern(pattern)
            return withBytes(s) { dp.match($0, $1, $2) }.map { ($0.year, $0.month, $0.day, $0.hour) }
        }
        XCTAssertTrue(try m("d-MMM-yyyy", "5-mar-2024")! == (2024, 3, 5, nil))
        XCTAssertTrue(try m("dd/MM/yyyy HH:mm", "05/03/2024 23:59")! == (2024, 3, 5, 23))
        XCTAssertTrue(try m("yyyyMMdd", "20240305")! == (2024, 3, 5, nil))
        XCTAssertTrue(try m("HHmm", "0730")! == (nil, nil, nil, 7))
        XCTAssertTrue(try m("yyyy-MM", "2024-03")! == (2024, 3, nil, nil))
        XCTAssertNil(try m("dd/MM/yyyy", "05/03/2024 "))
        XCTAssertNil(try m("HH:mm", "24:00"))
        XCTAssertThrowsError(try DatePattern("dd/MM/yy"))
        XCTAssertThrowsError(try DatePattern("hh:mm a"))
    }

    func testVocabularyLookupIgnoresCaseSpacingAndSeparators() {
        let table = ValueTable(CategoricalField.locationType.vocabulary).makeFast()
        defer { table.deallocate() }
        func look(_ s: String) -> LocationType? { withBytes(s) { table.lookup($0, $1, $2) }.flatMap(LocationType.init(rawValue:)) }
        XCTAssertEqual(look("PUB"), .licensedPremises)
        // A high street is its own type, not folded into street.
        XCTAssertEqual(look("High-Street"), .highStreet)
        XCTAssertEqual(look("high_street"), .highStreet)
        XCTAssertEqual(look("Road"), .street)
        XCTAssertEqual(look("Licensed  Premises"), .licensedPremises)
        XCTAssertEqual(look("Railway Station"), .transportHub)
        XCTAssertEqual(look("dwelling"), .dwelling)
        XCTAssertNil(look("pubs"))
        XCTAssertNil(look("castle"))
        XCTAssertNil(look("stree"))
        // Every vocabulary word, in upper case, finds its own code.
        for f in CategoricalField.allCases {
            let t = ValueTable(f.vocabulary).makeFast()
            defer { t.deallocate() }
            for (word, code) in f.vocabulary {
                XCTAssertEqual(withBytes(word.uppercased()) { t.lookup($0, $1, $2) }, code, "\(f.key): \(word)")
            }
        }
    }

    func testSummariesMerge() {
        let a = IngestSummary(files: ["a"], bytes: 10, rowsRead: 5, accepted: 3, rejectedByReason: [.missingID: 2], blankLines: 1,
                              acceptedUnknownVictimAge: 1, acceptedUnknownHour: 2, acceptedUnknownDay: 0, acceptedUnknownLocationType: 3)
        let b = IngestSummary(files: ["b"], bytes: 7, rowsRead: 4, accepted: 1, rejectedByReason: [.missingID: 1, .offGrid: 2],
                              blankLines: 0, acceptedUnknownVictimAge: 1, acceptedUnknownHour: 0, acceptedUnknownDay: 1,
                              acceptedUnknownLocationType: 0)
        let m = a + b
        XCTAssertEqual(m.files, ["a", "b"])
        XCTAssertEqual(m.rowsRead, 9)
        XCTAssertEqual(m.accepted, 4)
        XCTAssertEqual(m.rejected, 5)
        XCTAssertEqual(m.rejectedByReason, [.missingID: 3, .offGrid: 2])
        XCTAssertEqual(m.blankLines, 1)
        XCTAssertEqual(m.acceptedUnknownVictimAge, 2)
        XCTAssertEqual(m.acceptedUnknownDay, 1)
        XCTAssertEqual(RejectReason.allCases.map(\.label).filter { $0.contains(" ") || $0 != $0.lowercased() }, [])
    }

    /// The word-at-a-time path must tokenize exactly as the general one wherever it answers.
    func testQuoteFreeFastPathMatchesGeneralTokenizer() {
        var rng = SplittingTests.RNG(state: 11)
        let alphabet: [UInt8] = [0x61, 0x62, 0x2C, 0x2C, 0x0D, 0x0A, 0x20, 0xFF, 0x00, 0x22]
        let fast = RecordTokenizer(capacity: 6), general = RecordTokenizer(capacity: 6)
        defer { fast.deallocate(); general.deallocate() }
        var answered = 0
        for _ in 0..<5000 {
            let bytes = (0..<rng.below(48)).map { _ in alphabet[rng.below(alphabet.count)] }
            bytes.withUnsafeBufferPointer { buf in
                guard let b = buf.baseAddress else { return }
                var p = 0
                while p < bytes.count {
                    let g = general.nextGeneral(b, p, bytes.count)
                    if let f = fast.nextWithoutQuotes(b, p, bytes.count) {
                        answered += 1
                        XCTAssertEqual([f.start, f.contentEnd, f.next, f.fieldCount, f.lineFeeds], [g.start, g.contentEnd, g.next, g.fieldCount, g.lineFeeds])
                        for k in 0..<min(f.fieldCount, 6) {
                            XCTAssertEqual([fast.fields[k].start, fast.fields[k].end], [general.fields[k].start, general.fields[k].end])
                            XCTAssertTrue(general.fields[k].plain)
                        }
                    }
                    p = g.next
                }
            }
        }
        XCTAssertGreaterThan(answered, 2000)
    }
}
