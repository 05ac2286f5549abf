import Foundation

/// The same table published in several formats of one folder (CSV, JSON, Markdown, a workbook's sheet) must say
/// the same thing: a copy whose cells differ was edited after the run or comes from another one, and the reader
/// of one cannot tell which to believe. Linked tables treat the copies as one unknown, so a difference within the
/// noise bound would pass unseen there: each copy is compared with the CSV's (else the first format's) cell by cell.
enum Copies {
    static func check(_ inputs: Inputs) -> [Finding] {
        var out: [Finding] = []
        // Folder → table id → (doc, table), each file once.
        var byFolder: [String: [String: [(doc: Doc, table: ParsedTable)]]] = [:]
        var seen = Set<String>()
        for doc in inputs.docs where !doc.skip && [.csv, .json, .md, .xlsx].contains(doc.kind) {
            let path = doc.url.standardizedFileURL.path
            guard seen.insert(path).inserted else { continue }
            let folder = doc.url.deletingLastPathComponent().standardizedFileURL.path
            for t in doc.tables { byFolder[folder, default: [:]][t.id, default: []].append((doc, t)) }
        }
        for (_, tables) in byFolder.sorted(by: { $0.key < $1.key }) {
            for (_, copies) in tables.sorted(by: { $0.key < $1.key }) where copies.count > 1 {
                let sorted = copies.sorted { ($0.doc.formatRank, $0.doc.index) < ($1.doc.formatRank, $1.doc.index) }
                let reference = sorted[0]
                for copy in sorted.dropFirst() { out += compare(copy, with: reference) }
            }
        }
        return out
    }

    /// Name a file by its name (with the sheet for a workbook's table).
    static func name(_ c: (doc: Doc, table: ParsedTable)) -> String {
        c.doc.url.lastPathComponent + (c.table.sheet.map { " (sheet '\($0)')" } ?? "")
    }

    static func compare(_ copy: (doc: Doc, table: ParsedTable), with ref: (doc: Doc, table: ParsedTable)) -> [Finding] {
        let a = ref.table, b = copy.table
        let other = name(ref)
        var out: [Finding] = []
        func finding(_ location: String, _ message: String, row: String? = nil, column: String? = nil) {
            out.append(Finding(file: copy.doc.path, location: location, message: message + ": the same table published twice must say the same in both (one was edited after the run, or comes from another run)",
                               route: .fitness, row: row, column: column, table: b.title))
        }
        let sheet = b.sheet.map { "sheet '\($0)'" }
        if a.columns != b.columns {
            let missing = a.columns.filter { !b.columns.contains($0) }, extra = b.columns.filter { !a.columns.contains($0) }
            var what: [String] = []
            if !missing.isEmpty { what.append("lacks \(missing.prefix(4).joined(separator: ", "))\(missing.count > 4 ? "…" : "")") }
            if !extra.isEmpty { what.append("adds \(extra.prefix(4).joined(separator: ", "))\(extra.count > 4 ? "…" : "")") }
            if what.isEmpty { what.append("orders them differently") }
            finding(sheet ?? "columns", "columns differ from \(other)'s (this copy \(what.joined(separator: " and ")))")
        }
        if a.rows.count != b.rows.count {
            finding(sheet ?? "rows", "\(b.rows.count) rows where \(other) has \(a.rows.count)")
        }
        let columns = a.columns.filter(b.columns.contains)
        var differing = 0
        var first: (r: Int, column: String, mine: String, theirs: String)?
        for r in 0..<min(a.rows.count, b.rows.count) {
            for c in columns {
                let theirs = a.value(r, c) ?? "", mine = b.value(r, c) ?? ""
                if !same(theirs, mine) {
                    differing += 1
                    if first == nil { first = (r, c, mine, theirs) }
                }
            }
        }
        if let f = first {
            // The row's label: its first cell, or the second after a rank.
            let labelColumn = a.columns.first == "rank" && a.columns.count > 1 ? 1 : 0
            let label = a.rows[f.r].count > labelColumn ? a.rows[f.r][labelColumn] : "\(f.r + 1)"
            let location = "row \(label) / \(f.column) (\(b.place(f.r)))"
            finding(location, "'\(f.mine)' where \(other) has '\(f.theirs)'" + (differing > 1 ? " (\(differing) cells differ in all)" : ""),
                    row: label, column: f.column)
        }
        return out
    }

    /// One published value in two forms: plain ("1234", "-3.2") and display ("1,234", "−3.2%"); a number at the
    /// workbook's format; "[c]", empty and "n/a" alike say nothing.
    static func same(_ x: String, _ y: String) -> Bool {
        let a = CellText(x), b = CellText(y)
        switch (a, b) {
        case (.count(let m), .count(let n)): return m == n
        case (.small(let s), .small(let t)): return s == t
        case (.unknown, .unknown): return true
        case (.small, _), (_, .small), (.unknown, _), (_, .unknown): return false
        default: break
        }
        if let p = CellText.number(x), let q = CellText.number(y) {
            return p == q || abs(p - q) <= 1e-9 * max(1, abs(p), abs(q))
        }
        return x.trimmingCharacters(in: .whitespaces) == y.trimmingCharacters(in: .whitespaces)
    }
}
