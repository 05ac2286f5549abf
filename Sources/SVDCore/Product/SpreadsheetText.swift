import Foundation

// Here, not in SVDPublish, so the reject file (SVDIngest) neutralises records by the same rule as the tables.

/// Characters that make a spreadsheet read a text cell as a formula (OWASP's CSV-injection list): `=`, `+`, `-`,
/// `@`, tab and carriage return first.
public let formulaTriggers: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\r\n"]

/// A text cell as CSV and workbooks publish it: one that starts like a formula gets a leading apostrophe (OWASP's
/// advice), so a spreadsheet shows it as text and never runs it. A text that is a plain number ("-3", "+2.5") is
/// left alone (a spreadsheet reads it as that number, nothing more); numbers proper are never text.
public func spreadsheetSafe(_ s: String) -> String {
    guard let first = s.first, formulaTriggers.contains(first) else { return s }
    if s.range(of: #"^[+-]?[0-9]+(\.[0-9]+)?%?$"#, options: .regularExpression) != nil { return s }
    return "'" + s
}

/// What `spreadsheetSafe` added, taken off again: the text a CSV or workbook cell stands for.
public func spreadsheetUnsafe(_ s: String) -> String {
    guard s.hasPrefix("'"), let second = s.dropFirst().first, formulaTriggers.contains(second) else { return s }
    return String(s.dropFirst())
}
