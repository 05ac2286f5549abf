import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// An Excel workbook (Office Open XML, `.xlsx`) as the audit reads it: its sheets in order, each a grid of cell
/// texts. A zip archive (ZIPFoundation) of XML parts (XMLParser): `xl/workbook.xml` names the sheets,
/// `xl/_rels/workbook.xml.rels` finds their parts, `xl/sharedStrings.xml` holds the strings cells point at, and
/// `xl/styles.xml` the number formats (only to show a number with the decimals its format shows, as the CSV does).
struct XLSXWorkbook {
    struct Sheet {
        var name: String
        /// The part in the archive (xl/worksheets/sheetN.xml).
        var part: String
        /// Cell texts by 1-based row number, then 0-based column.
        var cells: [Int: [Int: String]] = [:]
        /// Rows frozen at the top (the pane's `ySplit`), nil when nothing is frozen.
        var frozenRows: Int?
        /// Internal hyperlinks (cell "A12" → location "'name'!A1").
        var links: [String: String] = [:]

        func text(_ row: Int, _ column: Int) -> String { cells[row]?[column] ?? "" }

        /// The row's cells up to its last non-empty one.
        func row(_ r: Int) -> [String] {
            guard let cs = cells[r], let last = cs.filter({ !$0.value.isEmpty }).keys.max() else { return [] }
            return (0...last).map { cs[$0] ?? "" }
        }

        /// The last row holding a non-empty cell (0 for an empty sheet).
        var lastRow: Int { cells.filter { $0.value.values.contains { !$0.isEmpty } }.keys.max() ?? 0 }
    }

    /// Why a file cannot be read as a workbook: one line.
    struct ReadError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    var sheets: [Sheet] = []

    /// No part is inflated beyond this (a zip bomb is a finding, not an exhausted machine).
    static let maxPartBytes = 256 << 20

    static func read(_ data: Data) throws -> XLSXWorkbook {
        guard data.count >= 22, data.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]) || data.prefix(4) == Data([0x50, 0x4B, 0x05, 0x06]) else {
            throw ReadError("not a zip archive (an .xlsx workbook is one)")
        }
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw ReadError("not a readable zip archive (\(error))")
        }
        var entries: [String: Entry] = [:]
        for e in archive where e.type == .file {
            let p = e.path.hasPrefix("/") ? String(e.path.dropFirst()) : e.path
            if entries[p] == nil { entries[p] = e }
        }
        func part(_ path: String) throws -> Data? {
            guard let e = entries[path] else { return nil }
            guard e.uncompressedSize <= UInt64(maxPartBytes) else { throw ReadError("\(path) inflates to \(e.uncompressedSize) bytes: too large to be an svd workbook") }
            var out = Data()
            do {
                let crc = try archive.extract(e, skipCRC32: false) { chunk in
                    out.append(chunk)
                    if out.count > maxPartBytes { throw ReadError("\(path) inflates beyond \(maxPartBytes) bytes: too large to be an svd workbook") }
                }
                if crc != e.checksum { throw ReadError("\(path) is damaged (its checksum does not match)") }
            } catch let r as ReadError {
                throw r
            } catch {
                throw ReadError("\(path) cannot be inflated (\(error))")
            }
            return out
        }

        // The workbook part: where the package's relationships say, else the usual place.
        var workbookPath = "xl/workbook.xml"
        if let rels = try part("_rels/.rels") {
            let r = try Relationships.parse(rels, part: "_rels/.rels", base: "")
            if let main = r.first(where: { $0.type.hasSuffix("/officeDocument") }) { workbookPath = main.target }
        }
        guard let workbookData = try part(workbookPath) else {
            throw ReadError(entries.isEmpty ? "an empty zip archive, not a workbook" : "a zip archive without \(workbookPath): not an Excel workbook")
        }
        let sheetList = try SheetList.parse(workbookData, part: workbookPath)
        let base = (workbookPath as NSString).deletingLastPathComponent
        let relsPath = (base.isEmpty ? "" : base + "/") + "_rels/" + (workbookPath as NSString).lastPathComponent + ".rels"
        guard let relsData = try part(relsPath) else { throw ReadError("no \(relsPath): the sheets' parts cannot be found") }
        let rels = try Relationships.parse(relsData, part: relsPath, base: base)
        let targets = Dictionary(rels.map { ($0.id, $0.target) }, uniquingKeysWith: { a, _ in a })

        var strings: [String] = []
        let stringsPath = rels.first { $0.type.hasSuffix("/sharedStrings") }?.target ?? (base.isEmpty ? "" : base + "/") + "sharedStrings.xml"
        if let d = try part(stringsPath) { strings = try SharedStrings.parse(d, part: stringsPath) }
        var styles = Styles()
        let stylesPath = rels.first { $0.type.hasSuffix("/styles") }?.target ?? (base.isEmpty ? "" : base + "/") + "styles.xml"
        if let d = try part(stylesPath) { styles = try Styles.parse(d, part: stylesPath) }

        var wb = XLSXWorkbook()
        for s in sheetList {
            guard let target = targets[s.rid] else { throw ReadError("sheet '\(s.name)' has no part (relationship \(s.rid) is missing from \(relsPath))") }
            guard let d = try part(target) else { throw ReadError("sheet '\(s.name)': its part \(target) is missing") }
            wb.sheets.append(try SheetReader.parse(d, part: target, name: s.name, strings: strings, styles: styles))
        }
        return wb
    }

    // MARK: - Parts

    /// Element and attribute names without their namespace prefix.
    static func local(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    /// Runs XMLParser over a part; a part that is not well-formed XML is a one-line error naming it.
    static func parse(_ data: Data, part: String, _ delegate: XMLParserDelegate) throws {
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        parser.shouldResolveExternalEntities = false
        if !parser.parse() {
            if let e = delegate as? PartDelegate, let failure = e.failure { throw ReadError("\(part): \(failure)") }
            let reason = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "unknown error"
            throw ReadError("\(part) is not well-formed XML (line \(parser.lineNumber): \(reason.split(separator: "\n").first.map(String.init) ?? reason))")
        }
        if let e = delegate as? PartDelegate {
            if let failure = e.failure { throw ReadError("\(part): \(failure)") }
            // A part cut short can parse without complaint: its root element must have closed.
            if !e.closed { throw ReadError("\(part) is not well-formed XML (it ends before its root element closes)") }
        }
    }

    /// A delegate that may stop the parse with a reason of its own. Each subclass declares XMLParserDelegate itself:
    /// outside Objective-C, a protocol's methods are bound where the conformance is declared.
    class PartDelegate: NSObject {
        var failure: String?
        private var depth = 0
        private(set) var closed = false
        /// Every delegate calls these first in its start and end callbacks.
        func enter() { depth += 1 }
        func leave() { depth -= 1; if depth == 0 { closed = true } }
        func fail(_ parser: XMLParser, _ reason: String) {
            if failure == nil { failure = reason }
            parser.abortParsing()
        }
    }

    /// A part path relative to `base` ("xl"), or absolute ("/xl/…").
    static func resolve(_ target: String, base: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = base.split(separator: "/").map(String.init)
        for p in target.split(separator: "/") {
            if p == ".." { if !parts.isEmpty { parts.removeLast() } } else if p != "." { parts.append(String(p)) }
        }
        return parts.joined(separator: "/")
    }

    struct Relationship { var id: String; var type: String; var target: String }

    final class Relationships: PartDelegate, XMLParserDelegate {
        var out: [Relationship] = []
        let base: String
        init(base: String) { self.base = base }

        static func parse(_ data: Data, part: String, base: String) throws -> [Relationship] {
            let d = Relationships(base: base)
            try XLSXWorkbook.parse(data, part: part, d)
            return d.out
        }

        func parser(_ parser: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
            enter()
            guard local(e) == "Relationship", let id = a["Id"], let target = a["Target"] else { return }
            if a["TargetMode"] == "External" { return }
            out.append(Relationship(id: id, type: a["Type"] ?? "", target: resolve(target, base: base)))
        }

        func parser(_ parser: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { leave() }
    }

    final class SheetList: PartDelegate, XMLParserDelegate {
        var out: [(name: String, rid: String)] = []

        static func parse(_ data: Data, part: String) throws -> [(name: String, rid: String)] {
            let d = SheetList()
            try XLSXWorkbook.parse(data, part: part, d)
            if d.out.isEmpty { throw ReadError("\(part) lists no sheet") }
            return d.out
        }

        func parser(_ parser: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
            enter()
            guard local(e) == "sheet" else { return }
            // r:id, whatever the relationships namespace's prefix.
            guard let name = a["name"], let rid = a.first(where: { $0.key.contains(":") && local($0.key) == "id" })?.value else {
                fail(parser, "a sheet without a name or relationship id")
                return
            }
            out.append((name, rid))
        }

        func parser(_ parser: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { leave() }
    }

    final class SharedStrings: PartDelegate, XMLParserDelegate {
        var out: [String] = []
        var current: String?
        var inText = false
        var phonetic = 0

        static func parse(_ data: Data, part: String) throws -> [String] {
            let d = SharedStrings()
            try XLSXWorkbook.parse(data, part: part, d)
            return d.out
        }

        func parser(_ parser: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
            enter()
            switch local(e) {
            case "si": current = ""
            case "t": inText = phonetic == 0 && current != nil
            case "rPh": phonetic += 1
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
            leave()
            switch local(e) {
            case "si": out.append(current ?? ""); current = nil
            case "t": inText = false
            case "rPh": phonetic -= 1
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters s: String) { if inText { current? += s } }
    }

    /// Decimals each cell style's number format shows.
    struct Styles {
        /// Per `cellXfs` index: the decimals its format shows, nil for General (or a format that is not a plain number).
        var decimals: [Int?] = []

        static func parse(_ data: Data, part: String) throws -> Styles {
            let d = Collector()
            try XLSXWorkbook.parse(data, part: part, d)
            return Styles(decimals: d.xfs.map { id in
                let code = d.formats[id] ?? builtin[id]
                return code.flatMap(decimals(of:))
            })
        }

        /// The built-in formats that show a plain number.
        static let builtin: [Int: String] = [1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00"]

        /// Decimals a format's first section shows ("#,##0" 0, "+0.0;-0.0;0.0" 1); nil for percentages, dates, text.
        static func decimals(of code: String) -> Int? {
            var section = code.split(separator: ";", omittingEmptySubsequences: false).first.map(String.init) ?? code
            // Quoted literals and escaped characters show as themselves.
            section = section.replacingOccurrences(of: #""[^"]*""#, with: "", options: .regularExpression)
            section = section.replacingOccurrences(of: #"\\."#, with: "", options: .regularExpression)
            if section.contains("%") || section.range(of: "[yYmMdDhHsS@]", options: .regularExpression) != nil { return nil }
            guard section.contains(where: { $0 == "0" || $0 == "#" }) else { return nil }
            guard let r = section.range(of: #"\.[0#]+"#, options: .regularExpression) else { return 0 }
            return section.distance(from: r.lowerBound, to: r.upperBound) - 1
        }

        final class Collector: PartDelegate, XMLParserDelegate {
            var formats: [Int: String] = [:]
            var xfs: [Int] = []
            var inCellXfs = false

            func parser(_ parser: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
                enter()
                switch local(e) {
                case "numFmt":
                    if let id = a["numFmtId"].flatMap(Int.init), let code = a["formatCode"] { formats[id] = code }
                case "cellXfs": inCellXfs = true
                case "xf" where inCellXfs: xfs.append(a["numFmtId"].flatMap(Int.init) ?? 0)
                default: break
                }
            }

            func parser(_ parser: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
                leave()
                if local(e) == "cellXfs" { inCellXfs = false }
            }
        }
    }

    final class SheetReader: PartDelegate, XMLParserDelegate {
        var sheet: Sheet
        let strings: [String]
        let styles: Styles
        // The cell being read.
        var row = 0
        var column = -1
        var type = "n"
        var style = 0
        var value: String?
        var inline: String?
        var text: String?
        var inValue = false
        var inInline = false
        var phonetic = 0
        var hadRow = false

        init(name: String, part: String, strings: [String], styles: Styles) {
            sheet = Sheet(name: name, part: part)
            self.strings = strings
            self.styles = styles
        }

        static func parse(_ data: Data, part: String, name: String, strings: [String], styles: Styles) throws -> Sheet {
            let d = SheetReader(name: name, part: part, strings: strings, styles: styles)
            try XLSXWorkbook.parse(data, part: part, d)
            return d.sheet
        }

        /// "AB12" → (12, 27).
        static func reference(_ r: String) -> (row: Int, column: Int)? {
            var col = 0, row = 0, letters = 0
            for u in r.unicodeScalars {
                switch u.value {
                case 65...90 where row == 0: col = col * 26 + Int(u.value - 64); letters += 1
                case 97...122 where row == 0: col = col * 26 + Int(u.value - 96); letters += 1
                case 48...57: row = row * 10 + Int(u.value - 48)
                default: return nil
                }
                if col > 16_384 || row > 1_048_576 { return nil }
            }
            guard letters > 0, row > 0 else { return nil }
            return (row, col - 1)
        }

        func parser(_ parser: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
            enter()
            switch local(e) {
            case "row":
                if let r = a["r"] {
                    guard let n = Int(r), n > 0, n <= 1_048_576 else { fail(parser, "row number '\(r)' is not valid"); return }
                    row = n
                } else {
                    row += 1
                }
                column = -1
                hadRow = true
            case "c":
                guard hadRow else { fail(parser, "a cell outside any row"); return }
                if let r = a["r"] {
                    guard let ref = Self.reference(r) else { fail(parser, "cell reference '\(r)' is not valid"); return }
                    row = ref.row
                    column = ref.column
                } else {
                    column += 1
                }
                type = a["t"] ?? "n"
                style = a["s"].flatMap(Int.init) ?? 0
                value = nil
                inline = nil
            case "v": inValue = true; text = ""
            case "is": inInline = true; inline = ""
            case "t" where inInline && phonetic == 0: text = ""
            case "rPh": phonetic += 1
            case "pane":
                if a["state"] == "frozen" || a["state"] == "frozenSplit", let y = a["ySplit"].flatMap(Double.init), y >= 1 { sheet.frozenRows = Int(y) }
            case "hyperlink":
                if let ref = a["ref"], let location = a["location"] { sheet.links[ref] = location }
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
            leave()
            switch local(e) {
            case "v": inValue = false; value = text; text = nil
            case "t" where inInline && phonetic == 0: inline? += text ?? ""; text = nil
            case "is": inInline = false
            case "rPh": phonetic -= 1
            case "c":
                guard let shown = cellText(parser) else { return }
                sheet.cells[row, default: [:]][column] = shown
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters s: String) { if text != nil { text! += s } }

        /// The cell as the CSV would show it.
        func cellText(_ parser: XMLParser) -> String? {
            switch type {
            case "s":
                guard let v = value else { return "" }
                guard let i = Int(v.trimmingCharacters(in: .whitespaces)), strings.indices.contains(i) else {
                    fail(parser, "cell \(Self.name(row, column)) points at shared string \(v), which does not exist")
                    return nil
                }
                return strings[i]
            case "inlineStr": return inline ?? value ?? ""
            case "str", "e", "d": return value ?? ""
            case "b": return value.map { $0 == "1" ? "TRUE" : "FALSE" } ?? ""
            default:
                guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return "" }
                return Self.number(v, decimals: styles.decimals.indices.contains(style) ? styles.decimals[style] : nil)
            }
        }

        /// A number as stored ("0.6", "1E-3") shown with the decimals its format shows ("0.60"), never fewer than it holds.
        static func number(_ v: String, decimals: Int?) -> String {
            guard let dec = Decimal(string: v, locale: Locale(identifier: "en_US_POSIX")), Double(v) != nil else { return v }
            var plain = "\(dec)"
            if plain == "-0" { plain = "0" }
            let held = plain.firstIndex(of: ".").map { plain.distance(from: $0, to: plain.endIndex) - 1 } ?? 0
            guard let d = decimals, d > held else { return plain }
            return plain + (held == 0 ? "." : "") + String(repeating: "0", count: d - held)
        }

        static func name(_ row: Int, _ column: Int) -> String {
            var c = column + 1, letters = ""
            while c > 0 {
                let r = (c - 1) % 26
                letters = String(UnicodeScalar(UInt8(65 + r))) + letters
                c = (c - 1) / 26
            }
            return letters + String(row)
        }
    }
}
