import SVDCore
import XCTest

/// CivilDate and MonthKey against Python's datetime (Fixtures/make_calendar_reference.py).
final class CalendarTests: XCTestCase {
    private func ymd(_ s: String) throws -> (Int, Int, Int) {
        let p = s.split(separator: "-").compactMap { Int($0) }
        XCTAssertEqual(p.count, 3, "bad date \(s)")
        return (p[0], p[1], p[2])
    }

    func testAgreesWithPythonDatetimeOnMonthEndsFrom1900To2100() throws {
        let rows = try fixtureRows("calendar_reference.csv")
        XCTAssertEqual(rows.count, 201 * 12 * 2)
        for row in rows {
            let (y, m, d) = try ymd(row["date"]!)
            let days = try row.int("days_since_epoch")
            XCTAssertEqual(CivilDate.daysSinceEpoch(year: y, month: m, day: d), days, row["date"]!)
            let back = CivilDate.civil(daysSinceEpoch: days)
            XCTAssertTrue(back == (y, m, d), "\(row["date"]!) came back as \(back)")
            XCTAssertEqual(CivilDate.weekday(daysSinceEpoch: days), try row.int("weekday_mon0"), row["date"]!)
            XCTAssertEqual(CivilDate.daysInMonth(year: y, month: m), try row.int("days_in_month"), row["date"]!)
            XCTAssertEqual(CivilDate.isLeapYear(y), try row.int("is_leap_year") == 1, row["date"]!)
            XCTAssertEqual(MonthKey(year: y, month: m).financialYearStart, try row.int("financial_year_start"), row["date"]!)
        }
    }

    /// Every day from 1900-01-01 to 2100-12-31 maps to the next calendar day and back again.
    func testEveryDayFrom1900To2100RoundTripsAndAdvancesByOne() {
        let first = CivilDate.daysSinceEpoch(year: 1900, month: 1, day: 1)
        let last = CivilDate.daysSinceEpoch(year: 2100, month: 12, day: 31)
        XCTAssertEqual(last - first + 1, 73_414)  // 201 years with 49 leap days (1900 and 2100 are not leap years)
        var (y, m, d) = (1900, 1, 1)
        for z in first...last {
            let c = CivilDate.civil(daysSinceEpoch: z)
            if c != (y, m, d) { XCTFail("day \(z) is \(c), expected \((y, m, d))"); return }
            if CivilDate.daysSinceEpoch(year: y, month: m, day: d) != z { XCTFail("\((y, m, d)) does not map back to \(z)"); return }
            d += 1
            if d > CivilDate.daysInMonth(year: y, month: m) { d = 1; m += 1 }
            if m > 12 { m = 1; y += 1 }
        }
    }

    func testWeekdaysOfKnownDates() {
        func weekday(_ y: Int, _ m: Int, _ d: Int) -> String {
            CivilDate.weekdayNames[CivilDate.weekday(daysSinceEpoch: CivilDate.daysSinceEpoch(year: y, month: m, day: d))]
        }
        XCTAssertEqual(weekday(1970, 1, 1), "Thu")   // Unix epoch
        XCTAssertEqual(weekday(2024, 2, 29), "Thu")  // leap day 2024
        XCTAssertEqual(weekday(2000, 1, 1), "Sat")
        XCTAssertEqual(weekday(1969, 7, 20), "Sun")  // Apollo 11 landing
        XCTAssertEqual(weekday(1900, 1, 1), "Mon")
        XCTAssertEqual(weekday(2023, 5, 6), "Sat")   // coronation of Charles III
    }

    func testLeapYearRules() {
        XCTAssertTrue(CivilDate.isLeapYear(2000))
        XCTAssertFalse(CivilDate.isLeapYear(1900))
        XCTAssertFalse(CivilDate.isLeapYear(2100))
        XCTAssertTrue(CivilDate.isLeapYear(2024))
        XCTAssertFalse(CivilDate.isLeapYear(2023))
        XCTAssertEqual(CivilDate.daysInMonth(year: 2024, month: 2), 29)
        XCTAssertEqual(CivilDate.daysInMonth(year: 2100, month: 2), 28)
    }

    func testFinancialYearTurnsOverOnFirstOfApril() {
        XCTAssertEqual(MonthKey(year: 2024, month: 3).financialYearStart, 2023)
        XCTAssertEqual(MonthKey(year: 2024, month: 4).financialYearStart, 2024)
        XCTAssertEqual(MonthKey(year: 2025, month: 1).financialYearStart, 2024)
        XCTAssertEqual(MonthKey(year: 2024, month: 12).financialYearStart, 2024)
    }

    func testMonthKeyArithmeticAndParsing() {
        let nov = MonthKey(year: 2023, month: 11)
        XCTAssertEqual(nov.adding(months: 2), MonthKey(year: 2024, month: 1))
        XCTAssertEqual(nov.adding(months: 35), MonthKey(year: 2026, month: 10))
        XCTAssertEqual(MonthKey(year: 2026, month: 10).index - nov.index, 35)
        XCTAssertEqual(nov.description, "2023-11")
        XCTAssertEqual(MonthKey(year: 2024, month: 3).description, "2024-03")
        XCTAssertEqual(MonthKey(parsing: "2024-03"), MonthKey(year: 2024, month: 3))
        XCTAssertEqual(MonthKey(year: 2024, month: 3).year, 2024)
        XCTAssertEqual(MonthKey(year: 2024, month: 3).month, 3)
        XCTAssertNil(MonthKey(parsing: "2024-13"))
        XCTAssertNil(MonthKey(parsing: "2024"))
        XCTAssertNil(MonthKey(parsing: "March 2024"))
        XCTAssertNil(MonthKey(parsing: "2024-00"))
    }
}
