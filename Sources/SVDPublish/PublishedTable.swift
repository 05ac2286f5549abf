import Foundation
import SVDCore

/// A table as published: every count cell already passed through disclosure control,
/// so renderers cannot leak a small number by accident.
public struct PublishedTable: Sendable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case count(Int)
        /// Hidden because the count is small (primary suppression): reads "<threshold".
        case suppressed(threshold: Int)
        /// Withheld for confidentiality: a breakdown of a scope below the minimum base. Reads "[c]" (GSS symbol).
        case withheld
        case number(Double, decimals: Int)
        /// A share in per cent; nil when undefined.
        case percent(Double?, decimals: Int)
        /// A signed change in per cent; nil when undefined (no previous count) or hidden.
        case change(Double?, decimals: Int)
        case empty
    }

    /// File stem, e.g. "district_summary".
    public var id: String
    public var title: String
    public var columns: [String]
    public var rows: [[Value]]
    /// Method and caveat lines printed under the table.
    public var notes: [String]

    public init(id: String, title: String, columns: [String], rows: [[Value]] = [], notes: [String] = []) {
        self.id = id
        self.title = title
        self.columns = columns
        self.rows = rows
        self.notes = notes
    }
}

/// How withheld cells read in every output format (the GSS symbol for "confidential").
public let withheldMark = "[c]"

extension PublishedTable.Value {
    public var plain: String {
        switch self {
        case .text(let s): s
        case .count(let n): String(n)
        case .suppressed(let t): "<\(t)"
        case .withheld: withheldMark
        case .number(let x, let d): x.isFinite ? String(format: "%.\(d)f", x) : ""
        case .percent(let p, let d), .change(let p, let d): p.map { $0.isFinite ? String(format: "%.\(d)f", $0) : "" } ?? ""
        case .empty: ""
        }
    }

    /// Display form for Markdown/HTML: thousands separators and a proper minus sign on changes.
    public var display: String {
        switch self {
        case .count(let n): groupedThousands(n)
        case .change(let p?, let d) where p.isFinite:
            (p > 0 ? "+" : p < 0 ? "\u{2212}" : "") + String(format: "%.\(d)f", abs(p)) + "%"
        case .percent(let p?, let d) where p.isFinite: String(format: "%.\(d)f", p) + "%"
        case .percent, .change: "n/a"
        default: plain
        }
    }
}

public func groupedThousands(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "\u{2212}" : "") + out
}

// MARK: - Renderers

public enum TableFormat: String, Sendable, CaseIterable {
    case csv, md, json
}

extension PublishedTable {
    public func render(_ format: TableFormat, header: [String] = []) -> String {
        switch format {
        case .csv: csv(header: header)
        case .md: markdown(header: header)
        case .json: json(header: header)
        }
    }

    /// RFC 4180 CSV. Header lines (e.g. a no-suppression warning) go first as `#` comments.
    public func csv(header: [String] = []) -> String {
        var out = header.map { "# \($0)\n" }.joined()
        out += columns.map { csvField(spreadsheetSafe($0)) }.joined(separator: ",") + "\n"
        for row in rows { out += row.map { csvField($0.spreadsheetText) }.joined(separator: ",") + "\n" }
        return out
    }

    public func markdown(header: [String] = []) -> String {
        var out = "## \(mdLine(title))\n\n"
        for h in header { out += "> **\(mdLine(h))**\n\n" }
        out += "| " + columns.map(mdEscape).joined(separator: " | ") + " |\n"
        out += "|" + columns.indices.map { _ in "---" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.map { mdEscape($0.display) }.joined(separator: " | ") + " |\n" }
        if !notes.isEmpty { out += "\n" + notes.map { "- \(mdLine($0))" }.joined(separator: "\n") + "\n" }
        return out
    }

    public func json(header: [String] = []) -> String {
        func value(_ v: Value) -> Any {
            switch v {
            case .text(let s): s
            case .count(let n): n
            case .suppressed, .withheld: v.plain
            // The CSV's text read back, so the two always agree (rounding the double itself breaks ties the other way).
            case .number, .percent, .change: Double(v.plain).map { $0 as Any } ?? NSNull()
            case .empty: NSNull()
            }
        }
        let object: [String: Any] = [
            "id": id, "title": title, "header": header, "notes": notes, "columns": columns,
            "rows": rows.map { row in Dictionary(uniqueKeysWithValues: zip(columns, row.map(value))) },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

private func csvField(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
}

extension PublishedTable.Value {
    /// The CSV's text: `plain`, with formula-like text neutralised (`spreadsheetSafe`). Numbers are never touched.
    public var spreadsheetText: String {
        if case .text(let s) = self { return spreadsheetSafe(s) }
        return plain
    }
}

/// A Markdown table cell: pipes and backslashes escaped, line breaks as `<br>` (other control characters as
/// numeric entities), so a row stays one line; and no markup: a `<` that could open a tag or comment, and an `&`
/// that could start an entity, written as `&lt;` and `&amp;` ("<5" and "Kent & Medway" stay as they are).
/// `svd audit` (MarkdownTable) reads every escape back.
func mdEscape(_ s: String) -> String { markdownText(s, cell: true) }

/// A Markdown line outside the table (title, marking, notes): one line, no markup.
func mdLine(_ s: String) -> String { markdownText(s, cell: false) }

private func markdownText(_ s: String, cell: Bool) -> String {
    let scalars = Array(s.unicodeScalars)
    var out = String.UnicodeScalarView()
    func append(_ text: String) { out.append(contentsOf: text.unicodeScalars) }
    for (i, scalar) in scalars.enumerated() {
        let next = i + 1 < scalars.count ? scalars[i + 1] : nil
        switch scalar {
        case "\\" where cell, "|" where cell: append("\\" + String(scalar))
        case "<" where next.map { $0.properties.isAlphabetic || "/!?".unicodeScalars.contains($0) } ?? false: append("&lt;")
        case "&" where startsEntity(scalars, at: i): append("&amp;")
        case "\n": append(cell ? "<br>" : " ")
        case "\t": out.append(scalar)
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                append(cell ? "&#\(scalar.value);" : " ")
            } else {
                out.append(scalar)
            }
        }
    }
    return String(out)
}

/// `&` followed by a name or number and `;` (`&lt;`, `&#60;`, `&amp;`): a browser would read an entity there.
private func startsEntity(_ scalars: [Unicode.Scalar], at i: Int) -> Bool {
    var j = i + 1
    while j < scalars.count, j - i <= 32, scalars[j].isASCII, scalars[j].properties.isAlphabetic || ("0"..."9").contains(scalars[j]) || scalars[j] == "#" {
        j += 1
    }
    return j > i + 1 && j < scalars.count && scalars[j] == ";"
}
