/// Proleptic Gregorian date arithmetic on day numbers, without Foundation's calendar
/// (which is far too slow for tens of millions of rows and depends on the time zone).
public enum CivilDate {
    /// Days since 1970-01-01 for a valid y-m-d (Hinnant's days_from_civil).
    @inlinable public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// (year, month, day) for a day number.
    @inlinable public static func civil(daysSinceEpoch z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    @inlinable public static func isLeapYear(_ y: Int) -> Bool {
        (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    }

    @inlinable public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 0 = Monday … 6 = Sunday. 1970-01-01 was a Thursday.
    @inlinable public static func weekday(daysSinceEpoch d: Int) -> Int {
        let w = (d + 3) % 7
        return w < 0 ? w + 7 : w
    }

    public static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
}

/// A calendar month as a single integer `year * 12 + (month - 1)`, so ranges and differences are arithmetic.
public struct MonthKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var index: Int32
    @inlinable public init(index: Int32) { self.index = index }
    @inlinable public init(year: Int, month: Int) { index = Int32(year * 12 + month - 1) }
    @inlinable public var year: Int { Int(index) / 12 }
    @inlinable public var month: Int { Int(index) % 12 + 1 }
    public static func < (a: MonthKey, b: MonthKey) -> Bool { a.index < b.index }
    @inlinable public func adding(months: Int) -> MonthKey { MonthKey(index: index + Int32(months)) }
    /// "2024-03"
    public var description: String {
        let m = month
        return "\(year)-\(m < 10 ? "0" : "")\(m)"
    }
    /// UK financial year starting in April: FY 2023/24 is April 2023–March 2024, keyed by its start year.
    @inlinable public var financialYearStart: Int { month >= 4 ? year : year - 1 }

    /// Parses "YYYY-MM".
    public init?(parsing s: Substring) {
        let parts = s.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m), (1900...2200).contains(y)
        else { return nil }
        self.init(year: y, month: m)
    }
}
