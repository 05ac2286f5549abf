import SVDCore
import XCTest
@testable import SVDMeasure

final class PeriodChangeTests: XCTestCase {
    func day(_ y: Int, _ m: Int, _ d: Int) -> Int { CivilDate.daysSinceEpoch(year: y, month: m, day: d) }

    /// Jan 2021 … Dec 2024 with count = 1, 2, 3, … so any window's total is an arithmetic series.
    func rampSeries() throws -> MonthlySeries {
        try MonthlySeries(firstMonth: MonthKey(year: 2021, month: 1), counts: Array(1...48))
    }

    func testRollingTwelveAcrossAYearBoundary() throws {
        let change = try PeriodChange.rolling12(endingAt: MonthKey(year: 2023, month: 2), in: rampSeries())
        XCTAssertEqual(change.current, MonthKey(year: 2022, month: 3)...MonthKey(year: 2023, month: 2))
        XCTAssertEqual(change.previous, MonthKey(year: 2021, month: 3)...MonthKey(year: 2022, month: 2))
        XCTAssertEqual(change.currentCount, 246) // months 15…26: (15 + 26) · 12 / 2
        XCTAssertEqual(change.previousCount, 102) // months 3…14: (3 + 14) · 12 / 2
        XCTAssertEqual(change.difference, 144)
        XCTAssertEqual(try XCTUnwrap(change.percentChange), 14400.0 / 102, accuracy: 1e-12)
    }

    func testLatestRollingTwelveEndsAtTheLastCompleteMonth() throws {
        let series = try rampSeries()
        let latest = try PeriodChange.latestRolling12(in: series)
        XCTAssertEqual(latest.current.upperBound, MonthKey(year: 2024, month: 12))
        XCTAssertEqual(latest.currentCount, (37 + 48) * 6)
        XCTAssertEqual(latest.previousCount, (25 + 36) * 6)
        // An extract taken mid-December: November is the last whole month.
        let earlier = try PeriodChange.latestRolling12(in: series, lastCompleteMonth: MonthKey(year: 2024, month: 11))
        XCTAssertEqual(earlier.current, MonthKey(year: 2023, month: 12)...MonthKey(year: 2024, month: 11))
        XCTAssertEqual(earlier.currentCount, (36 + 47) * 6)
    }

    func testRollingTwelveNeedsTwentyFourMonths() throws {
        let series = try rampSeries()
        XCTAssertNoThrow(try PeriodChange.rolling12(endingAt: MonthKey(year: 2022, month: 12), in: series))
        XCTAssertThrowsError(try PeriodChange.rolling12(endingAt: MonthKey(year: 2022, month: 11), in: series)) { error in
            XCTAssertTrue("\(error)".contains("2021-01…2024-12"), "\(error)")
        }
        XCTAssertThrowsError(try PeriodChange.rolling12(endingAt: MonthKey(year: 2025, month: 1), in: series))
        let empty = try MonthlySeries(firstMonth: MonthKey(year: 2024, month: 1), counts: [])
        XCTAssertThrowsError(try PeriodChange.latestRolling12(in: empty))
    }

    func testPercentUndefinedWhenPreviousIsZero() throws {
        let series = try MonthlySeries(firstMonth: MonthKey(year: 2022, month: 1), counts: Array(repeating: 0, count: 12) + [0, 0, 3] + Array(repeating: 0, count: 9))
        let change = try PeriodChange.latestRolling12(in: series)
        XCTAssertEqual(change.previousCount, 0)
        XCTAssertEqual(change.currentCount, 3)
        XCTAssertEqual(change.difference, 3)
        XCTAssertNil(change.percentChange)
    }

    func testNegativeCountsAreRejected() {
        XCTAssertThrowsError(try MonthlySeries(firstMonth: MonthKey(year: 2022, month: 1), counts: [1, -2])) { error in
            XCTAssertTrue("\(error)".contains("2022-02"), "\(error)")
        }
    }

    // MARK: financial years

    /// April 2021 … March 2024: FY 2021/22 has 10 a month, 2022/23 has 9 a month except a March spike of 50,
    /// 2023/24 has 8 a month.
    func financialSeries() throws -> MonthlySeries {
        var counts = Array(repeating: 10, count: 12) + Array(repeating: 9, count: 12) + Array(repeating: 8, count: 12)
        counts[23] = 50 // March 2023, the last month of FY 2022/23
        return try MonthlySeries(firstMonth: MonthKey(year: 2021, month: 4), counts: counts)
    }

    func testMarchBelongsToTheFinancialYearThatStartedTheAprilBefore() throws {
        let fy = try FinancialYearChange.compare(startYear: 2022, in: financialSeries())
        XCTAssertEqual(fy.label, "2022/23")
        XCTAssertEqual(fy.previousLabel, "2021/22")
        XCTAssertTrue(fy.isComplete)
        XCTAssertEqual(fy.change.current, MonthKey(year: 2022, month: 4)...MonthKey(year: 2023, month: 3))
        XCTAssertEqual(fy.change.currentCount, 9 * 11 + 50)
        XCTAssertEqual(fy.change.previousCount, 120)
        let next = try FinancialYearChange.compare(startYear: 2023, in: financialSeries())
        XCTAssertEqual(next.change.previousCount, 9 * 11 + 50)
        XCTAssertEqual(next.change.currentCount, 96)
    }

    func testLatestCompleteFinancialYearAtTheMarchAprilBoundary() throws {
        let series = try financialSeries()
        // Data end in March 2024: 2023/24 has just completed.
        XCTAssertEqual(try FinancialYearChange.latestComplete(in: series).startYear, 2023)
        // One more month (April 2024) does not complete 2024/25.
        var extended = series.counts
        extended.append(7)
        let withApril = try MonthlySeries(firstMonth: series.firstMonth, counts: extended)
        XCTAssertEqual(try FinancialYearChange.latestComplete(in: withApril).startYear, 2023)
        // Stopping at February 2024 leaves 2022/23 as the latest complete year.
        let toFebruary = try FinancialYearChange.latestComplete(in: series, lastCompleteMonth: MonthKey(year: 2024, month: 2))
        XCTAssertEqual(toFebruary.startYear, 2022)
        // A year with no complete year before it in the data cannot be compared.
        let short = try MonthlySeries(firstMonth: MonthKey(year: 2022, month: 4), counts: Array(repeating: 1, count: 23))
        XCTAssertThrowsError(try FinancialYearChange.latestComplete(in: short))
    }

    func testYearToDateComparesTheSameMonths() throws {
        var counts = try financialSeries().counts
        counts += [7, 7, 7] // April–June 2024
        let series = try MonthlySeries(firstMonth: MonthKey(year: 2021, month: 4), counts: counts)
        let ytd = try FinancialYearChange.latestYearToDate(in: series)
        XCTAssertEqual(ytd.startYear, 2024)
        XCTAssertFalse(ytd.isComplete)
        XCTAssertEqual(ytd.monthsCompared, 3)
        XCTAssertEqual(ytd.change.current, MonthKey(year: 2024, month: 4)...MonthKey(year: 2024, month: 6))
        XCTAssertEqual(ytd.change.previous, MonthKey(year: 2023, month: 4)...MonthKey(year: 2023, month: 6))
        XCTAssertEqual(ytd.change.currentCount, 21)
        XCTAssertEqual(ytd.change.previousCount, 24)
        // Ending in March, year to date is the whole year.
        let march = try FinancialYearChange.latestYearToDate(in: series, lastCompleteMonth: MonthKey(year: 2024, month: 3))
        XCTAssertTrue(march.isComplete)
        XCTAssertEqual(march.startYear, 2023)
        XCTAssertThrowsError(try FinancialYearChange.compare(startYear: 2024, through: MonthKey(year: 2024, month: 3), in: series))
    }

    // MARK: daily input and leap days

    func testDailyCountsFormWholeMonthsIncludingTheLeapDay() throws {
        // 15 January … 31 March 2024: January is partial and dropped; February has 29 days.
        let start = day(2024, 1, 15)
        let days = day(2024, 3, 31) - start + 1
        var daily = Array(repeating: 1, count: days)
        daily[day(2024, 2, 29) - start] = 100
        let series = try MonthlySeries.fromDailyCounts(firstDay: start, counts: daily)
        XCTAssertEqual(series.firstMonth, MonthKey(year: 2024, month: 2))
        XCTAssertEqual(series.counts, [28 + 100, 31])
    }

    func testDataEndingOnTwentyEighthFebruaryIsIncompleteOnlyInALeapYear() throws {
        let leapStart = day(2024, 1, 1)
        let leap = try MonthlySeries.fromDailyCounts(firstDay: leapStart, counts: Array(repeating: 2, count: day(2024, 2, 28) - leapStart + 1))
        XCTAssertEqual(leap.counts, [62])
        let plainStart = day(2023, 1, 1)
        let plain = try MonthlySeries.fromDailyCounts(firstDay: plainStart, counts: Array(repeating: 2, count: day(2023, 2, 28) - plainStart + 1))
        XCTAssertEqual(plain.counts, [62, 56])
        XCTAssertEqual(MonthKey.lastComplete(onOrBefore: day(2024, 2, 28)), MonthKey(year: 2024, month: 1))
        XCTAssertEqual(MonthKey.lastComplete(onOrBefore: day(2024, 2, 29)), MonthKey(year: 2024, month: 2))
        XCTAssertEqual(MonthKey.lastComplete(onOrBefore: day(2023, 2, 28)), MonthKey(year: 2023, month: 2))
        XCTAssertEqual(MonthKey.lastComplete(onOrBefore: day(2024, 12, 31)), MonthKey(year: 2024, month: 12))
        XCTAssertEqual(MonthKey.lastComplete(onOrBefore: day(2025, 1, 1)), MonthKey(year: 2024, month: 12))
    }

    func testTooFewDaysGiveAnEmptySeries() throws {
        let series = try MonthlySeries.fromDailyCounts(firstDay: day(2024, 3, 2), counts: Array(repeating: 1, count: 40))
        XCTAssertEqual(series.counts, [])
        XCTAssertNil(series.lastMonth)
        XCTAssertThrowsError(try MonthlySeries.fromDailyCounts(firstDay: day(2024, 3, 1), counts: [1, -1]))
    }

    func testFinancialYearLabels() {
        XCTAssertEqual(MonthKey.financialYearLabel(startYear: 2023), "2023/24")
        XCTAssertEqual(MonthKey.financialYearLabel(startYear: 1999), "1999/00")
        XCTAssertEqual(MonthKey.financialYearLabel(startYear: 2008), "2008/09")
    }

    // MARK: headline text

    func testCohortHeadlineUsesUnicodeMinusAndWholePercent() {
        let months = MonthKey(year: 2024, month: 1)...MonthKey(year: 2024, month: 12)
        let before = MonthKey(year: 2023, month: 1)...MonthKey(year: 2023, month: 12)
        let under25 = PeriodChange(current: months, previous: before, currentCount: 910, previousCount: 1000) // −9.0%
        let under18 = PeriodChange(current: months, previous: before, currentCount: 353, previousCount: 400) // −11.75%
        let line = Headline.cohortLine([
            (Headline.cohortLabel(under: 25), under25), (Headline.cohortLabel(under: 18), under18),
        ])
        XCTAssertEqual(line, "under-25s \u{2212}9%, under-18s \u{2212}12% on the previous year")
        XCTAssertEqual(Headline.percentText(4.5), "+5%")
        XCTAssertEqual(Headline.percentText(-4.5), "\u{2212}5%")
        XCTAssertEqual(Headline.percentText(-0.4), "0%")
        XCTAssertEqual(Headline.percentText(0.4), "0%")
        let fromNone = PeriodChange(current: months, previous: before, currentCount: 4, previousCount: 0)
        XCTAssertEqual(Headline.cohortPhrase(label: "under-10s", change: fromNone), "under-10s up from none")
        let none = PeriodChange(current: months, previous: before, currentCount: 0, previousCount: 0)
        XCTAssertEqual(Headline.cohortPhrase(label: "under-10s", change: none), "under-10s none in either period")
    }
}
