import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What the audit reads from an `svd report` HTML file (which is well-formed XML): its markings, tables,
/// headline cards, method notes and the hotspot map's outlines (in SVG pixels).
struct HTMLDocument {
    var title = ""
    var meta: [String: String] = [:]
    /// Header lines shown at the top (class "marking" or "warning").
    var markingLines: [String] = []
    var tables: [ParsedTable] = []
    /// Headline cards: label, the big (last 12 months) value, the previous 12 months.
    var cards: [(label: String, current: String, previous: String?)] = []
    /// `dd` texts of the methods list.
    var methods: [String] = []
    /// The hotspot map (SVG with aria-labelledby "hs-title hs-desc"): viewBox size, outline paths, centroid marks.
    var hotspotMap: HotspotMap?

    struct HotspotMap {
        var width: Double
        var height: Double
        /// Hotspot outlines: rings of (x, y) pixels.
        var outlines: [[[(x: Double, y: Double)]]] = []
        var centroids: [(x: Double, y: Double)] = []
    }

    static func parse(_ data: Data) -> HTMLDocument? {
        let delegate = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        parser.shouldResolveExternalEntities = false
        guard parser.parse() else { return nil }
        return delegate.doc
    }

    /// SVG path data (M, L, Z with absolute coordinates, as the report writes) as rings.
    static func rings(_ d: String) -> [[(x: Double, y: Double)]] {
        var rings: [[(x: Double, y: Double)]] = []
        var cur: [(x: Double, y: Double)] = []
        var numbers: [Double] = []
        var token = ""
        func flushToken() {
            if !token.isEmpty, let v = Double(token) { numbers.append(v) }
            token = ""
        }
        func flushPoint() {
            while numbers.count >= 2 { cur.append((numbers[0], numbers[1])); numbers.removeFirst(2) }
            numbers.removeAll()
        }
        for c in d {
            switch c {
            case "M":
                flushToken(); flushPoint()
                if !cur.isEmpty { rings.append(cur); cur = [] }
            case "L":
                flushToken(); flushPoint()
            case "Z", "z":
                flushToken(); flushPoint()
                if !cur.isEmpty { rings.append(cur); cur = [] }
            case " ", ",":
                flushToken()
            case "-":
                flushToken(); token.append(c)
            default:
                token.append(c)
            }
        }
        flushToken(); flushPoint()
        if !cur.isEmpty { rings.append(cur) }
        return rings
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var doc = HTMLDocument()
        var stack: [(name: String, attributes: [String: String])] = []
        // Text capture.
        var text = ""
        var capturing = 0
        // Table being read.
        var caption = ""
        var headers: [String] = []
        var rows: [[String]] = []
        var rowClasses: [String?] = []
        var row: [String]?
        var rowClass: String?
        var inTable = false
        // Card being read.
        var card: (label: String, current: String, previous: String?)?
        var subText: String?
        var inHotspotSVG = false

        func has(_ cls: String, _ a: [String: String]) -> Bool {
            (a["class"] ?? "").split(separator: " ").contains { $0 == cls }
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes a: [String: String] = [:]) {
            stack.append((name, a))
            switch name {
            case "meta":
                if let n = a["name"], let c = a["content"] { doc.meta[n] = c }
            case "title", "caption", "th", "td", "dd":
                text = ""
                capturing += 1
            case "p" where has("marking", a) || has("warning", a):
                text = ""
                capturing += 1
            case "table":
                inTable = true
                caption = ""; headers = []; rows = []; rowClasses = []
            case "tr":
                row = []
                rowClass = a["class"]
            case "div" where has("card", a):
                card = ("", "", nil)
            case "div" where card != nil && (has("label", a) || has("sub", a)):
                text = ""
                capturing += 1
                if has("sub", a) { subText = "" }
            case "span" where card != nil && has("big", a):
                text = ""
                capturing += 1
            case "svg":
                if (a["aria-labelledby"] ?? "").contains("hs-title"), let vb = a["viewBox"] {
                    let parts = vb.split(separator: " ").compactMap { Double($0) }
                    if parts.count == 4 {
                        doc.hotspotMap = HotspotMap(width: parts[2], height: parts[3])
                        inHotspotSVG = true
                    }
                }
            case "path" where inHotspotSVG && (a["stroke"] ?? "") == "#7a2f00":
                if let d = a["d"] { doc.hotspotMap?.outlines.append(HTMLDocument.rings(d)) }
            case "circle" where inHotspotSVG && (a["fill"] ?? "") == "#7a2f00":
                if let x = a["cx"].flatMap(Double.init), let y = a["cy"].flatMap(Double.init) { doc.hotspotMap?.centroids.append((x, y)) }
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if capturing > 0 { text += string }
            if subText != nil { subText! += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let a = stack.popLast()?.attributes ?? [:]
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            switch name {
            case "title":
                capturing -= 1
                if !stack.contains(where: { $0.name == "svg" }) && doc.title.isEmpty { doc.title = t }
            case "caption":
                capturing -= 1
                caption = t
            case "th":
                capturing -= 1
                if inTable { headers.append(t) }
            case "td":
                capturing -= 1
                row?.append(t)
            case "dd":
                capturing -= 1
                if stack.contains(where: { $0.name == "dl" && has("methods", $0.attributes) }) { doc.methods.append(t) }
            case "p" where has("marking", a) || has("warning", a):
                capturing -= 1
                doc.markingLines.append(t)
            case "tr":
                if let r = row, !r.isEmpty { rows.append(r); rowClasses.append(rowClass) }
                row = nil
            case "table":
                inTable = false
                var t = ParsedTable(id: caption, title: caption, columns: headers, rows: rows, lines: (0..<rows.count).map { $0 + 1 })
                t.rowClasses = rowClasses
                doc.tables.append(t)
            case "span" where card != nil && has("big", a):
                capturing -= 1
                card?.current = t
            case "span" where card != nil && has("n", a):
                if let s = subText, s.hasPrefix("previous 12 months") {
                    let v = s.replacingOccurrences(of: "previous 12 months:", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
                    card?.previous = v
                }
            case "div" where card != nil && has("label", a):
                capturing -= 1
                card?.label = t
            case "div" where card != nil && has("sub", a):
                capturing -= 1
                subText = nil
            case "div" where has("card", a):
                if let c = card { doc.cards.append(c) }
                card = nil
            case "svg":
                if inHotspotSVG && !stack.contains(where: { $0.name == "svg" }) { inHotspotSVG = false }
            default: break
            }
        }
    }
}
