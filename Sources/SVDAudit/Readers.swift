import Foundation

/// A table as read back from a published file: raw cell texts, with where each row came from.
struct ParsedTable {
    /// Table id: the file stem for `svd assess`/`svd hotspots` files (district_summary…), a fixed id for report tables.
    var id: String
    var title: String
    var columns: [String]
    var rows: [[String]]
    /// Source line of each row (CSV, Markdown), or the row's position (JSON, HTML).
    var lines: [Int]
    /// Extra columns carried for checks only (e.g. HTML `tr` classes).
    var rowClasses: [String?] = []
    /// The workbook sheet it was read from (`lines` are then the sheet's row numbers).
    var sheet: String?

    func column(_ name: String) -> Int? { columns.firstIndex(of: name) }

    /// Where row `r` sits, as findings name it: "line 12", or "sheet 'district_summary' row 12" in a workbook.
    func place(_ r: Int) -> String { sheet.map { "sheet '\($0)' row \(lines[r])" } ?? "line \(lines[r])" }

    func value(_ row: Int, _ name: String) -> String? {
        guard let c = column(name), c < rows[row].count else { return nil }
        return rows[row][c]
    }
}

// MARK: - CSV

enum CSV {
    /// RFC 4180 records with the 1-based line each starts on. Leading `#` lines are returned apart as header lines.
    static func read(_ text: String) -> (header: [String], records: [[String]], lines: [Int]) {
        var header: [String] = []
        var records: [[String]] = []
        var lines: [Int] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var line = 1
        // `#` comment lines before the first record.
        while i < scalars.count, scalars[i] == "#" {
            var j = i
            while j < scalars.count, scalars[j] != "\n" { j += 1 }
            var s = String(String.UnicodeScalarView(scalars[i..<j]))
            if s.hasSuffix("\r") { s.removeLast() }
            header.append(s.hasPrefix("# ") ? String(s.dropFirst(2)) : String(s.dropFirst()))
            i = j + 1
            line += 1
        }
        var field = String.UnicodeScalarView()
        var record: [String] = []
        var quoted = false
        var startLine = line
        var atRecordStart = true
        func endField() { record.append(String(field)); field = String.UnicodeScalarView() }
        while i < scalars.count {
            let c = scalars[i]
            if atRecordStart { startLine = line; atRecordStart = false }
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" { field.append("\""); i += 2; continue }
                    quoted = false
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": endField()
            case "\r": break
            case "\n":
                endField()
                if !(record.count == 1 && record[0].isEmpty) { records.append(record); lines.append(startLine) }
                record = []
                line += 1
                atRecordStart = true
            default: field.append(c)
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty {
            endField()
            records.append(record)
            lines.append(startLine)
        }
        return (header, records, lines)
    }

    static func table(id: String, text: String) -> (header: [String], table: ParsedTable?) {
        let r = read(text)
        guard let columns = r.records.first else { return (r.header, nil) }
        let t = ParsedTable(id: id, title: id, columns: columns.map(Spreadsheet.text),
                            rows: r.records.dropFirst().map { $0.map(Spreadsheet.text) }, lines: Array(r.lines.dropFirst()))
        return (r.header, t)
    }
}

/// svd neutralises text cells that start like a formula (`=`, `+`, `-`, `@`, tab, CR) in CSV and workbooks with a
/// leading apostrophe (OWASP's CSV-injection advice); the audit reads such a cell as the text it stands for, so it
/// compares with the Markdown, JSON and HTML copies (which carry the text itself).
enum Spreadsheet {
    static let triggers: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\r\n"]

    static func text(_ s: String) -> String {
        guard s.hasPrefix("'"), let second = s.dropFirst().first, triggers.contains(second) else { return s }
        return String(s.dropFirst())
    }
}

// MARK: - Markdown

enum MarkdownTable {
    /// The first pipe table of a file written by `PublishedTable.markdown`, its `## title` and `> **marking**` lines.
    static func read(id: String, text: String) -> (header: [String], table: ParsedTable?) {
        var header: [String] = []
        var title = id
        var columns: [String]?
        var rows: [[String]] = []
        var lines: [Int] = []
        var sawSeparator = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let s = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if s.hasPrefix("## ") && columns == nil { title = unescape(String(s.dropFirst(3))); continue }
            if s.hasPrefix("> ") {
                var m = String(s.dropFirst(2))
                if m.hasPrefix("**") && m.hasSuffix("**") && m.count >= 4 { m = String(m.dropFirst(2).dropLast(2)) }
                if columns == nil { header.append(unescape(m)) }
                continue
            }
            guard s.hasPrefix("|") else {
                if columns != nil && sawSeparator && !s.isEmpty { break }
                continue
            }
            let cells = splitRow(s)
            if columns == nil { columns = cells; continue }
            if !sawSeparator { sawSeparator = true; continue }
            rows.append(cells)
            lines.append(n + 1)
        }
        guard let columns else { return (header, nil) }
        return (header, ParsedTable(id: id, title: title, columns: columns, rows: rows, lines: lines))
    }

    static func splitRow(_ s: String) -> [String] {
        var cells: [String] = []
        var cur = ""
        var escaped = false
        var chars = Array(s)
        if chars.first == "|" { chars.removeFirst() }
        if chars.last == "|" { chars.removeLast() }
        for c in chars {
            if escaped { cur.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "|" { cells.append(unescape(cur.trimmingCharacters(in: .whitespaces))); cur = ""; continue }
            cur.append(c)
        }
        cells.append(unescape(cur.trimmingCharacters(in: .whitespaces)))
        return cells
    }

    /// `PublishedTable.markdown`'s escapes read back: `<br>` a line break, `&lt;` `&gt;` `&quot;` `&#N;` `&#xN;`
    /// and `&amp;` the characters they stand for (backslash escapes are undone by `splitRow`); any other `&` or `<`
    /// is itself.
    static func unescape(_ s: String) -> String {
        guard s.contains("&") || s.contains("<br>") else { return s }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let rest = s[i...]
            if rest.hasPrefix("<br>") { out.append("\n"); i = s.index(i, offsetBy: 4); continue }
            if s[i] == "&", let semi = rest.prefix(12).firstIndex(of: ";") {
                let name = s[s.index(after: i)..<semi]
                var decoded: String?
                switch name {
                case "lt": decoded = "<"
                case "gt": decoded = ">"
                case "amp": decoded = "&"
                case "quot": decoded = "\""
                default:
                    if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { decoded = String(u) }
                    else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let u = Unicode.Scalar(v) { decoded = String(u) }
                }
                if let decoded { out += decoded; i = s.index(after: semi); continue }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }
}

// MARK: - JSON tables

enum JSONTable {
    /// A table written by `PublishedTable.json`: `header`, `columns`, `rows` (objects keyed by column).
    static func read(id: String, object: [String: Any]) -> (header: [String]?, table: ParsedTable?) {
        let header = object["header"] as? [String]
        guard let columns = object["columns"] as? [String], let rows = object["rows"] as? [[String: Any]] else { return (header, nil) }
        var out: [[String]] = []
        for row in rows {
            out.append(columns.map { c in text(row[c]) })
        }
        let title = object["title"] as? String ?? id
        return (header, ParsedTable(id: object["id"] as? String ?? id, title: title, columns: columns, rows: out, lines: (0..<out.count).map { $0 + 1 }))
    }

    static func text(_ v: Any?) -> String {
        switch v {
        case nil, is NSNull: return ""
        case let s as String: return s
        case let n as NSNumber:
            #if canImport(Darwin)
            if CFGetTypeID(n) == CFBooleanGetTypeID() { return n.boolValue ? "true" : "false" }
            #endif
            let d = n.doubleValue
            if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
            return String(d)
        default: return "\(v!)"
        }
    }
}

// MARK: - Workbooks

/// The tables of an svd workbook (`--format xlsx`): a Notes sheet (the marking rows, then label/value facts and each
/// table's sheet name, linked to its sheet, beside its title), then a sheet per table: its marking rows, a title row,
/// the header row (frozen with everything above it), then the cells.
struct WorkbookTables {
    /// The file's marking: the Notes sheet's marking rows (else the first table sheet's).
    var header: [String] = []
    var notesSheet: String?
    /// The Notes sheet's label/value rows ("Disclosure tier" → "public"), the first of each label.
    var facts: [String: String] = [:]
    /// Tables the Notes sheet lists: sheet name (the link's text) and title.
    var listed: [(sheet: String, title: String)] = []
    /// One per table sheet; its id is the sheet's name until `Inputs` maps it back to the table id.
    var tables: [ParsedTable] = []
    /// Each table sheet's own marking rows, by sheet name.
    var markings: [String: [String]] = [:]
    /// Sheets that are not tables the audit can read: (location, message).
    var problems: [(location: String, message: String)] = []

    init(_ wb: XLSXWorkbook) {
        let notes = wb.sheets.firstIndex { $0.name.lowercased() == "notes" }
        for (i, sheet) in wb.sheets.enumerated() {
            if i == notes {
                readNotes(sheet)
                continue
            }
            // The header row: the last frozen row, as svd writes it; else the first row of two or more cells.
            let last = sheet.lastRow
            guard let headerRow = sheet.frozenRows.flatMap({ $0 <= max(last, 1) ? $0 : nil })
                    ?? (1...max(last, 1)).first(where: { sheet.row($0).filter { !$0.isEmpty }.count >= 2 }),
                  !sheet.row(headerRow).isEmpty else {
                if last > 0 { problems.append(("sheet '\(sheet.name)'", "no header row (svd freezes it under the marking and title): not a table the audit can read")) }
                continue
            }
            let title = headerRow >= 2 ? sheet.text(headerRow - 1, 0) : ""
            markings[sheet.name] = headerRow >= 3 ? (1...(headerRow - 2)).map { sheet.text($0, 0) }.filter { !$0.isEmpty } : []
            let columns = sheet.row(headerRow).map(Spreadsheet.text)
            var t = ParsedTable(id: sheet.name, title: title.isEmpty ? sheet.name : title, columns: columns, rows: [], lines: [], sheet: sheet.name)
            if last > headerRow {
                for r in (headerRow + 1)...last {
                    var cells = sheet.row(r).map(Spreadsheet.text)
                    if cells.count < columns.count { cells += Array(repeating: "", count: columns.count - cells.count) }
                    t.rows.append(cells)
                    t.lines.append(r)
                }
            }
            tables.append(t)
        }
        // A sheet without its title row: the title the Notes sheet lists beside its name.
        for i in tables.indices where tables[i].title == tables[i].sheet {
            if let l = listed.first(where: { $0.sheet == tables[i].sheet }) { tables[i].title = l.title }
        }
        // No Notes sheet (or no marking on it): the first table sheet's marking speaks for the file.
        if header.isEmpty, let first = tables.first?.sheet { header = markings[first] ?? [] }
    }

    private mutating func readNotes(_ sheet: XLSXWorkbook.Sheet) {
        notesSheet = sheet.name
        let last = sheet.lastRow
        guard last > 0 else { return }
        if let frozen = sheet.frozenRows, frozen <= last {
            header = (1...frozen).map { sheet.text($0, 0) }.filter { !$0.isEmpty }
        } else {
            var r = 1
            while r <= last, !sheet.text(r, 0).isEmpty { header.append(sheet.text(r, 0)); r += 1 }
        }
        for r in 1...last {
            let a = sheet.text(r, 0), b = sheet.text(r, 1)
            guard !a.isEmpty, !b.isEmpty else { continue }
            if facts[a] == nil { facts[a] = b }
            if sheet.links["A\(r)"] != nil { listed.append((a, b)) }
        }
    }

    /// Excel's sheet name for a table id as svd makes it (`Workbook.sheetNames`, not linked here: the audit reads
    /// files only): `[ ] : * ? / \` and an apostrophe first or last replaced by `_`, then cut to 31 UTF-16 units
    /// (a clash then ends "~2", "~3"… within the 31).
    static func sheetBase(_ id: String) -> String {
        var base = String(id.map { "[]:*?/\\".contains($0) || $0.isNewline ? "_" : $0 })
        if base.hasPrefix("'") { base = "_" + base.dropFirst() }
        if base.hasSuffix("'") { base = base.dropLast() + "_" }
        return base.isEmpty ? "Sheet" : base
    }

    /// The table id a sheet holds: the sheet name when it is one; else the one id whose cut name it is (with a
    /// "~n" suffix, the id whose name starts with what is left), told apart by title when several fit; nil if none.
    static func tableId(sheet: String, title: String, candidates: [(id: String, title: String?)]) -> String? {
        if candidates.contains(where: { $0.id == sheet }) { return sheet }
        var stem = sheet
        let suffix = sheet.range(of: #"~\d+$"#, options: .regularExpression)
        if let suffix { stem = String(sheet[..<suffix.lowerBound]) }
        let cut = suffix != nil || sheet.utf16.count == 31
        let key = stem.lowercased()
        var fits: [(id: String, title: String?)] = []
        for c in candidates where !fits.contains(where: { $0.id == c.id }) {
            let base = sheetBase(c.id).lowercased()
            // An apostrophe left last by the cut reads "_".
            if base == sheet.lowercased() || (cut && !key.isEmpty && base.replacingOccurrences(of: "'", with: "_").hasPrefix(key)) { fits.append(c) }
        }
        if fits.count == 1 { return fits[0].id }
        let byTitle = fits.filter { $0.title == title }
        return byTitle.count == 1 ? byTitle[0].id : nil
    }
}
