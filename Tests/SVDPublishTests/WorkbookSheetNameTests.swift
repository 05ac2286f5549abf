import XCTest
import Foundation
import SVDPublish
import SVDWorkbook

/// Sheet names within Excel's rules, checked by libxlsxwriter itself when the workbook is written; and the
/// atomic write: a failed file never appears under its name, nor in the manifest's list.
final class WorkbookSheetNameTests: XCTestCase {
    let ids = ["district_summary", "notes", "History", "a/b:c*d?e[f]g\\h", "'quoted'",
               "victim_age_sex_by_district_and_more_words", "victim_age_sex_by_district_and_other_words",
               "VICTIM_AGE_SEX_BY_DISTRICT_AND_MORE_WORDS", "", "é" + String(repeating: "x", count: 40)]

    func testNamesFollowExcelsRules() {
        let names = Workbook.sheetNames(for: ids)
        XCTAssertEqual(names[0], "district_summary")
        XCTAssertEqual(names[1], "notes~2", "Notes is the first sheet; Excel compares names ignoring case")
        XCTAssertEqual(names[2], "History~2", "History is reserved")
        XCTAssertEqual(names[3], "a_b_c_d_e_f_g_h")
        XCTAssertEqual(names[4], "_quoted_")
        XCTAssertEqual(names[5], "victim_age_sex_by_district_and_")
        XCTAssertEqual(names[6], "victim_age_sex_by_district_an~2")
        XCTAssertEqual(names[7], "VICTIM_AGE_SEX_BY_DISTRICT_AN~3")
        XCTAssertEqual(names[8], "Sheet")
        for n in names {
            XCTAssertLessThanOrEqual(n.utf16.count, 31, n)
            XCTAssertFalse(n.contains(where: { "[]:*?/\\".contains($0) }), n)
            XCTAssertFalse(n.hasPrefix("'") || n.hasSuffix("'"), n)
        }
        XCTAssertEqual(Set((names + ["Notes"]).map { $0.lowercased() }).count, names.count + 1)
    }

    func testLibxlsxwriterAcceptsTheNamesAndTheFileLandsWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svd-workbook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var publication = try Publication(directory: dir, policy: DisclosurePolicy())
        let tables = ids.map { PublishedTable(id: $0, title: "T \($0)", columns: ["a", "b"], rows: [[.count(1_234), .suppressed(threshold: 5)]], notes: ["n"]) }
        try publication.writeWorkbook(name: "w.xlsx", tables: tables, cover: WorkbookCover(title: "t", definitions: "d", period: "p", area: "a"))
        XCTAssertEqual(publication.files, ["w.xlsx"])
        let data = try Data(contentsOf: dir.appendingPathComponent("w.xlsx"))
        XCTAssertEqual(Array(data.prefix(2)), [0x50, 0x4B], "a zip container")

        struct Boom: Error {}
        XCTAssertThrowsError(try publication.write(name: "x.xlsx") { url in
            try Data("half".utf8).write(to: url)
            throw Boom()
        })
        XCTAssertEqual(publication.files, ["w.xlsx"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["w.xlsx"])
    }
}
