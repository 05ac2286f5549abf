import SVDCore

/// Incident counts for consecutive calendar months, as the cube's month axis provides them.
public struct MonthlySeries: Sendable, Equatable {
    public let firstMonth: MonthKey
    public let counts: [Int]

    public init(firstMonth: MonthKey, counts: [Int]) throws {
        if let i = counts.firstIndex(where: { $0 < 0 }) {
            throw MeasureError("monthly count for \(firstMonth.adding(months: i)) is negative (\(counts[i]))")
        }
        self.firstMonth = firstMonth
        self.counts = counts
    }

    /// Last month with data, nil for an empty series.
    public var lastMonth: MonthKey? { counts.isEmpty ? nil : firstMonth.adding(months: counts.count - 1) }

    public func covers(_ month: MonthKey) -> Bool {
        month >= firstMonth && Int(month.index - firstMonth.index) < counts.count
    }

    /// Sum over whole months `from...through`, nil unless the series covers every one of them.
    public func total(from: MonthKey, through: MonthKey) -> Int? {
        guard from <= through, covers(from), covers(through) else { return nil }
        let start = Int(from.index - firstMonth.index)
        let end = Int(through.index - firstMonth.index)
        var sum = 0
        for i in start...end { sum += counts[i] }
        return sum
    }

    /// Monthly totals from daily counts starting on day `firstDay` (days since 1970-01-01). Months only partly
    /// covered at either end are dropped — a half month would look like a fall — so the result holds whole
    /// months only (possibly none). Month lengths come from the calendar, so 29 February counts in its month.
    public static func fromDailyCounts(firstDay: Int, counts daily: [Int]) throws -> MonthlySeries {
        if let i = daily.firstIndex(where: { $0 < 0 }) {
            let d = CivilDate.civil(daysSinceEpoch: firstDay + i)
            throw MeasureError("daily count for \(d.year)-\(d.month)-\(d.day) is negative (\(daily[i]))")
        }
        let start = CivilDate.civil(daysSinceEpoch: firstDay)
        // First whole month: this one if the data start on the 1st, otherwise the next.
        var month = MonthKey(year: start.year, month: start.month)
        var offset = 0
        if start.day != 1 {
            offset = CivilDate.daysInMonth(year: start.year, month: start.month) - start.day + 1
            month = month.adding(months: 1)
        }
        let first = month
        var monthly: [Int] = []
        while true {
            let length = CivilDate.daysInMonth(year: month.year, month: month.month)
            guard offset + length <= daily.count else { break }
            var sum = 0
            for d in offset..<(offset + length) { sum += daily[d] }
            monthly.append(sum)
            offset += length
            month = month.adding(months: 1)
        }
        return try MonthlySeries(firstMonth: first, counts: monthly)
    }
}

extension MonthKey {
    /// The latest month wholly on or before `day` (days since 1970-01-01): an extract taken on 15 March
    /// has February as its last complete month, one taken on 31 March has March.
    public static func lastComplete(onOrBefore day: Int) -> MonthKey {
        let d = CivilDate.civil(daysSinceEpoch: day)
        let month = MonthKey(year: d.year, month: d.month)
        return d.day == CivilDate.daysInMonth(year: d.year, month: d.month) ? month : month.adding(months: -1)
    }

    /// "2023/24" for the financial year starting April 2023.
    public static func financialYearLabel(startYear: Int) -> String {
        let next = (startYear + 1) % 100
        return "\(startYear)/\(next < 10 ? "0" : "")\(next)"
    }
}

/// A count in one period against the same-length period before it.
public struct PeriodChange: Sendable, Equatable {
    public let current: ClosedRange<MonthKey>
    public let previous: ClosedRange<MonthKey>
    public let currentCount: Int
    public let previousCount: Int

    public init(current: ClosedRange<MonthKey>, previous: ClosedRange<MonthKey>, currentCount: Int, previousCount: Int) {
        self.current = current
        self.previous = previous
        self.currentCount = currentCount
        self.previousCount = previousCount
    }

    public var difference: Int { currentCount - previousCount }

    /// Percentage change on the previous period; nil when the previous period had none (no base to compare).
    public var percentChange: Double? {
        previousCount == 0 ? nil : Double(currentCount - previousCount) / Double(previousCount) * 100
    }

    /// Rolling 12 months ending with `month` against the 12 months before them.
    public static func rolling12(endingAt month: MonthKey, in series: MonthlySeries) throws -> PeriodChange {
        let current = month.adding(months: -11)...month
        let previous = month.adding(months: -23)...month.adding(months: -12)
        guard let now = series.total(from: current.lowerBound, through: current.upperBound),
              let before = series.total(from: previous.lowerBound, through: previous.upperBound)
        else {
            throw MeasureError(
                "12 months to \(month) against the 12 before need data for \(previous.lowerBound)…\(month); "
                    + "the series covers \(series.coverageText)")
        }
        return PeriodChange(current: current, previous: previous, currentCount: now, previousCount: before)
    }

    /// The rolling 12 months ending with the last complete month: the series' last month, or
    /// `lastCompleteMonth` when the extract ends part-way through a month.
    public static func latestRolling12(in series: MonthlySeries, lastCompleteMonth: MonthKey? = nil) throws -> PeriodChange {
        guard let last = series.lastMonth else { throw MeasureError("no monthly data to compare") }
        return try rolling12(endingAt: min(last, lastCompleteMonth ?? last), in: series)
    }
}

/// A financial year (April–March) against the previous one. When the year is not yet over, the comparison
/// is year to date: the same months of both years, and `isComplete` is false so the text can say so.
public struct FinancialYearChange: Sendable, Equatable {
    /// Calendar year in which the financial year starts (2023 for 2023/24).
    public let startYear: Int
    /// Months compared in each year, April first: 12 for a complete year.
    public let monthsCompared: Int
    public let change: PeriodChange

    public var isComplete: Bool { monthsCompared == 12 }
    public var label: String { MonthKey.financialYearLabel(startYear: startYear) }
    public var previousLabel: String { MonthKey.financialYearLabel(startYear: startYear - 1) }

    /// Financial year starting April `startYear` against the year before. `through` (default: end of March)
    /// limits both years to April…that month for a year-to-date comparison.
    public static func compare(startYear: Int, through: MonthKey? = nil, in series: MonthlySeries) throws -> FinancialYearChange {
        let april = MonthKey(year: startYear, month: 4)
        let march = april.adding(months: 11)
        let end = through ?? march
        guard end >= april, end <= march else {
            throw MeasureError("\(end) is not within financial year \(MonthKey.financialYearLabel(startYear: startYear))")
        }
        let months = Int(end.index - april.index) + 1
        let current = april...end
        let previous = april.adding(months: -12)...end.adding(months: -12)
        guard let now = series.total(from: current.lowerBound, through: current.upperBound),
              let before = series.total(from: previous.lowerBound, through: previous.upperBound)
        else {
            throw MeasureError(
                "financial year \(MonthKey.financialYearLabel(startYear: startYear)) against the year before needs "
                    + "data for \(previous.lowerBound)…\(previous.upperBound) and \(current.lowerBound)…\(current.upperBound); "
                    + "the series covers \(series.coverageText)")
        }
        return FinancialYearChange(
            startYear: startYear, monthsCompared: months,
            change: PeriodChange(current: current, previous: previous, currentCount: now, previousCount: before))
    }

    /// The latest complete financial year with a complete year before it.
    public static func latestComplete(in series: MonthlySeries, lastCompleteMonth: MonthKey? = nil) throws -> FinancialYearChange {
        guard let seriesLast = series.lastMonth else { throw MeasureError("no monthly data to compare") }
        let last = min(seriesLast, lastCompleteMonth ?? seriesLast)
        // The financial year that ends with or before `last`.
        let startYear = last.month == 3 ? last.year - 1 : last.financialYearStart - 1
        return try compare(startYear: startYear, in: series)
    }

    /// The financial year containing the last complete month, year to date (complete when that month is March).
    public static func latestYearToDate(in series: MonthlySeries, lastCompleteMonth: MonthKey? = nil) throws -> FinancialYearChange {
        guard let seriesLast = series.lastMonth else { throw MeasureError("no monthly data to compare") }
        let last = min(seriesLast, lastCompleteMonth ?? seriesLast)
        return try compare(startYear: last.financialYearStart, through: last, in: series)
    }
}

extension MonthlySeries {
    var coverageText: String {
        guard let last = lastMonth else { return "no months" }
        return "\(firstMonth)…\(last)"
    }
}
