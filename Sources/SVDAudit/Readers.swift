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

    func column(_ name: String) -> Int? { columns.firstIndex(of: name) }

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
        let t = ParsedTable(id: id, title: id, columns: columns, rows: Array(r.records.dropFirst()), lines: Array(r.lines.dropFirst()))
        return (r.header, t)
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
            if s.hasPrefix("## ") && columns == nil { title = String(s.dropFirst(3)); continue }
            if s.hasPrefix("> ") {
                var m = String(s.dropFirst(2))
                if m.hasPrefix("**") && m.hasSuffix("**") && m.count >= 4 { m = String(m.dropFirst(2).dropLast(2)) }
                if columns == nil { header.append(m) }
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
            if c == "|" { cells.append(cur.trimmingCharacters(in: .whitespaces)); cur = ""; continue }
            cur.append(c)
        }
        cells.append(cur.trimmingCharacters(in: .whitespaces))
        return cells
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
