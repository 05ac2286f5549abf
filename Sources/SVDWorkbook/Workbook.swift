import Foundation
import CXLSXWriter
import SVDCore
import SVDPublish

/// What the Notes sheet says about the run besides the disclosure policy and the tables' own notes.
public struct WorkbookCover: Sendable {
    public var title: String
    /// The definitions' name (serious violence, strands, cohorts).
    public var definitions: String
    /// "2023-11 to 2026-10".
    public var period: String
    public var area: String
    /// Further label/value lines (method, headline…): published text only.
    public var details: [(label: String, value: String)]

    public init(title: String, definitions: String, period: String, area: String, details: [(label: String, value: String)] = []) {
        self.title = title
        self.definitions = definitions
        self.period = period
        self.area = area
        self.details = details
    }
}

public struct WorkbookError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// One Excel workbook of a run's published tables: a Notes sheet first, then one sheet per table. It only lays
/// out `PublishedTable` values, which already went through disclosure control: nothing is recomputed, and every
/// number is the value the CSV prints (its text read back as a number), so the two always agree.
public enum Workbook {
    public static let notesSheet = "Notes"

    /// Excel's sheet names: at most 31 characters, none of `[ ] : * ? / \`, no apostrophe first or last, unique
    /// ignoring case, never "History" (reserved). Each id keeps as much of itself as fits; clashes get "~2", "~3"…
    public static func sheetNames(for ids: [String], reserved: [String] = [notesSheet]) -> [String] {
        var taken = Set((reserved + ["History"]).map { $0.lowercased() })
        return ids.map { id in
            var base = String(id.map { "[]:*?/\\".contains($0) || $0.isNewline ? "_" : $0 })
            if base.hasPrefix("'") { base = "_" + base.dropFirst() }
            if base.hasSuffix("'") { base = base.dropLast() + "_" }
            if base.isEmpty { base = "Sheet" }
            var name = fitted(base, suffix: "")
            var n = 2
            while taken.contains(name.lowercased()) {
                name = fitted(base, suffix: "~\(n)")
                n += 1
            }
            taken.insert(name.lowercased())
            return name
        }
    }

    /// `base` cut to leave room for `suffix` within 31 UTF-16 units (Excel's count), on a character boundary.
    private static func fitted(_ base: String, suffix: String) -> String {
        var cut = base
        while cut.utf16.count + suffix.utf16.count > 31 { cut.removeLast() }
        if cut.hasSuffix("'") { cut = cut.dropLast() + "_" }
        return cut + suffix
    }

    /// Writes the workbook to `url` (the caller makes it atomic: `Publication.writeWorkbook`).
    public static func write(_ tables: [PublishedTable], cover: WorkbookCover, policy: DisclosurePolicy, to url: URL) throws {
        guard let wb = workbook_new(url.path) else { throw WorkbookError("\(url.path): cannot start a workbook") }
        let writer = Writer(wb, policy: policy)
        do {
            try writer.properties(cover)
            let names = sheetNames(for: tables.map(\.id))
            try writer.notes(cover, tables: tables, sheetNames: names)
            for (table, name) in zip(tables, names) { try writer.table(table, sheet: name) }
        } catch {
            lxw_workbook_free(wb)
            throw error
        }
        // Frees the workbook whatever it returns.
        let status = workbook_close(wb)
        guard status == LXW_NO_ERROR else { throw WorkbookError("\(url.path): \(String(cString: lxw_strerror(status)))") }
    }
}

extension Workbook {
    /// A report's tables (`svd report --xlsx`, the portal's pack workbook): the figures its page shows.
    public static func write(_ report: NeedsAssessmentReport, policy: DisclosurePolicy, to url: URL) throws {
        let c = report.cover
        try write(report.workbookTables, cover: WorkbookCover(title: c.title, definitions: c.definitions, period: c.period, area: c.area),
                  policy: policy, to: url)
    }

    /// The same workbook as bytes (libxlsxwriter writes only to a file: a private temporary one, removed after).
    public static func data(_ report: NeedsAssessmentReport, policy: DisclosurePolicy) throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("svd-workbook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("pack.xlsx")
        try write(report, policy: policy, to: url)
        return try Data(contentsOf: url)
    }
}

extension Publication {
    /// One workbook of `tables`, written under a temporary name and renamed into place, and listed in the manifest.
    public mutating func writeWorkbook(name: String, tables: [PublishedTable], cover: WorkbookCover) throws {
        let policy = self.policy
        try write(name: name) { url in try Workbook.write(tables, cover: cover, policy: policy, to: url) }
    }
}

// MARK: - The thin layer over libxlsxwriter

private typealias SheetPointer = UnsafeMutablePointer<lxw_worksheet>
private typealias FormatPointer = UnsafeMutablePointer<lxw_format>

private final class Writer {
    let wb: UnsafeMutablePointer<lxw_workbook>
    let policy: DisclosurePolicy
    let bold: FormatPointer
    let header: FormatPointer
    let title: FormatPointer
    let marking: FormatPointer
    let hidden: FormatPointer
    let wrap: FormatPointer
    var numberFormats: [String: FormatPointer] = [:]

    init(_ wb: UnsafeMutablePointer<lxw_workbook>, policy: DisclosurePolicy) {
        self.wb = wb
        self.policy = policy
        // Labels and titles beside wrapped lines sit at the top of their (taller) rows.
        bold = workbook_add_format(wb)
        format_set_bold(bold)
        format_set_align(bold, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        header = workbook_add_format(wb)
        format_set_bold(header)
        format_set_bottom(header, UInt8(LXW_BORDER_THIN.rawValue))
        title = workbook_add_format(wb)
        format_set_bold(title)
        format_set_font_size(title, 12)
        marking = workbook_add_format(wb)
        format_set_bold(marking)
        format_set_font_color(marking, 0xC00000)
        // "<5" and "[c]" sit right-aligned among the numbers they stand for.
        hidden = workbook_add_format(wb)
        format_set_align(hidden, UInt8(LXW_ALIGN_RIGHT.rawValue))
        wrap = workbook_add_format(wb)
        format_set_text_wrap(wrap)
        format_set_align(wrap, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
    }

    func numberFormat(_ code: String) -> FormatPointer {
        if let f = numberFormats[code] { return f }
        let f = workbook_add_format(wb)!
        format_set_num_format(f, code)
        numberFormats[code] = f
        return f
    }

    func check(_ status: lxw_error, _ what: @autoclosure () -> String) throws {
        guard status == LXW_NO_ERROR else { throw WorkbookError("\(what()): \(String(cString: lxw_strerror(status)))") }
    }

    func properties(_ cover: WorkbookCover) throws {
        let fields = [cover.title, "\(cover.area), \(cover.period)", policy.tier.marking, policy.headerLines.joined(separator: " ")]
        let copies = fields.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var p = lxw_doc_properties()
        p.title = copies[0]
        p.subject = copies[1]
        p.category = copies[2]
        p.keywords = copies[2]
        p.comments = copies[3]
        // A fixed creation time, so the same run gives the same bytes: $SOURCE_DATE_EPOCH when set (the
        // reproducible-builds convention), else the first instant after the period ("… to 2026-10": 2026-11-01 UTC).
        p.created = Self.creationTime(period: cover.period)
        try check(workbook_set_properties(wb, &p), "document properties")
        try check(workbook_set_custom_property_string(wb, "Marking", policy.tier.marking), "custom property Marking")
        try check(workbook_set_custom_property_string(wb, "Disclosure tier", policy.tier.rawValue), "custom property Disclosure tier")
    }

    static func creationTime(period: String) -> time_t {
        if let e = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let t = Int(e), t > 0 { return time_t(t) }
        let tail = period.suffix(7).split(separator: "-")
        var c = DateComponents()
        c.timeZone = TimeZone(identifier: "UTC")
        if tail.count == 2, let y = Int(tail[0]), let m = Int(tail[1]), (1...12).contains(m) {
            c.year = m == 12 ? y + 1 : y
            c.month = m == 12 ? 1 : m + 1
        } else {
            c.year = 2000
            c.month = 1
        }
        c.day = 1
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return time_t(calendar.date(from: c).map { $0.timeIntervalSince1970 } ?? 946_684_800)
    }

    func sheet(_ name: String) throws -> SheetPointer {
        try check(workbook_validate_sheet_name(wb, name), "sheet name '\(name)'")
        guard let ws = workbook_add_worksheet(wb, name) else { throw WorkbookError("cannot add sheet '\(name)'") }
        // The marking on every printed page too; pages a sheet wide.
        let page = policy.protects && !policy.perturb ? "NOT SAFE TO PUBLISH" : policy.tier.marking
        try check(worksheet_set_header(ws, "&C" + page), "page header")
        try check(worksheet_set_footer(ws, "&C" + page), "page footer")
        worksheet_set_landscape(ws)
        worksheet_fit_to_pages(ws, 1, 0)
        return ws
    }

    /// The marking lines in the first rows, as the CSV's `#` lines; returns the next row.
    func markingRows(_ ws: SheetPointer) throws -> UInt32 {
        var row: UInt32 = 0
        for line in policy.headerLines {
            try string(ws, row, 0, line, marking)
            row += 1
        }
        return row
    }

    /// Every text cell as the CSV prints it: formula-like text gets a leading apostrophe (`spreadsheetSafe`), so the
    /// workbook and the CSV say the same and a copy-out or re-save never turns a name into a formula.
    func string(_ ws: SheetPointer, _ row: UInt32, _ col: UInt16, _ text: String, _ format: FormatPointer? = nil) throws {
        try check(worksheet_write_string(ws, row, col, spreadsheetSafe(text), format), "cell \(row + 1),\(col + 1)")
    }

    func number(_ ws: SheetPointer, _ row: UInt32, _ col: UInt16, _ x: Double, _ format: FormatPointer?) throws {
        try check(worksheet_write_number(ws, row, col, x, format), "cell \(row + 1),\(col + 1)")
    }

    // MARK: Sheets

    func notes(_ cover: WorkbookCover, tables: [PublishedTable], sheetNames: [String]) throws {
        let ws = try sheet(Workbook.notesSheet)
        var row = try markingRows(ws)
        worksheet_freeze_panes(ws, row, 0)
        row += 1
        try string(ws, row, 0, cover.title, title)
        row += 2
        var facts: [(String, String)] = [("Definitions", cover.definitions), ("Period", cover.period), ("Area", cover.area),
                                         ("Disclosure tier", policy.tier.rawValue), ("Marking", policy.tier.marking)]
        facts += policy.headerLines.map { ("Disclosure", $0) }
        facts += cover.details.map { ($0.label, $0.value) }
        let texts = facts.map(\.1) + tables.flatMap { [$0.title] + $0.notes }
        let widthA = min(40, (facts.map(\.0.count) + sheetNames.map(\.count) + [10]).max()! + 2)
        let widthB = min(100, texts.map(\.count).max().map { $0 + 2 } ?? 20)
        try check(worksheet_set_column(ws, 0, 0, Double(widthA), nil), "column widths")
        try check(worksheet_set_column(ws, 1, 1, Double(widthB), nil), "column widths")
        /// A wrapped line: as many rows' height as it needs (applications do not grow rows for wrapped text on load).
        func wrapped(_ text: String) throws {
            try string(ws, row, 1, text, wrap)
            // A column of width w holds about 1.1 w characters of the default font (w counts '0's).
            let perLine = max(Int(Double(widthB - 2) * 1.1), 1)
            let lines = (text.count + perLine - 1) / perLine
            if lines > 1 { try check(worksheet_set_row(ws, row, 15 * Double(lines), nil), "row height") }
        }
        for (label, value) in facts {
            try string(ws, row, 0, label, bold)
            try wrapped(value)
            row += 1
        }
        row += 1
        try string(ws, row, 0, "Sheet", header)
        try string(ws, row, 1, "Table and notes", header)
        row += 1
        for (table, name) in zip(tables, sheetNames) {
            let link = "internal:'\(name.replacingOccurrences(of: "'", with: "''"))'!A1"
            try check(worksheet_write_url_opt(ws, row, 0, link, nil, name, nil), "link to sheet '\(name)'")
            try string(ws, row, 1, table.title, bold)
            row += 1
            for note in table.notes {
                try wrapped(note)
                row += 1
            }
            row += 1
        }
    }

    func table(_ table: PublishedTable, sheet name: String) throws {
        let ws = try sheet(name)
        var row = try markingRows(ws)
        try string(ws, row, 0, table.title, title)
        row += 1
        let headerRow = row
        var widths = table.columns.map { $0.count + 3 }
        for (c, column) in table.columns.enumerated() { try string(ws, row, UInt16(c), column, header) }
        row += 1
        // Header row and everything above it (the marking) stay in view, and head every printed page.
        worksheet_freeze_panes(ws, row, 0)
        try check(worksheet_repeat_rows(ws, headerRow, headerRow), "print titles")
        for values in table.rows {
            for (c, value) in values.enumerated() {
                let col = UInt16(c)
                if let shown = try cell(ws, row, col, value), c < widths.count { widths[c] = max(widths[c], shown + 2) }
            }
            row += 1
        }
        for (c, w) in widths.enumerated() {
            try check(worksheet_set_column(ws, UInt16(c), UInt16(c), Double(min(max(w, 6), 60)), nil), "column widths")
        }
        if !table.columns.isEmpty {
            try check(worksheet_autofilter(ws, headerRow, 0, max(headerRow, row - 1), UInt16(table.columns.count - 1)), "autofilter")
        }
    }

    /// Writes one published value; returns the characters it shows, nil for a blank.
    func cell(_ ws: SheetPointer, _ row: UInt32, _ col: UInt16, _ value: PublishedTable.Value) throws -> Int? {
        // Numbers are the CSV's text read back, so the cell holds exactly the published, rounded value.
        let text = value.plain
        switch value {
        case .empty:
            return nil
        case .text(let s):
            guard !s.isEmpty else { return nil }
            try string(ws, row, col, s)
            return s.count
        case .suppressed, .withheld:
            try string(ws, row, col, text, hidden)
            return text.count
        case .count(let n):
            try number(ws, row, col, Double(n), numberFormat("#,##0"))
            return groupedThousands(n).count
        case .number(_, let d):
            guard let x = Double(text) else { return nil }
            try number(ws, row, col, x, numberFormat(Self.fixed(d)))
            return text.count
        case .percent(_, let d):
            guard let x = Double(text) else { return nil }
            try number(ws, row, col, x, numberFormat(Self.fixed(d)))
            return text.count
        case .change(_, let d):
            guard let x = Double(text) else { return nil }
            let f = Self.fixed(d)
            try number(ws, row, col, x, numberFormat("+\(f);-\(f);\(f)"))
            return text.count + 1
        }
    }

    /// "0", "0.0", "0.00"…: the CSV's decimals.
    static func fixed(_ decimals: Int) -> String { decimals > 0 ? "0." + String(repeating: "0", count: decimals) : "0" }
}
