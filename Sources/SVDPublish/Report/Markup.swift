import Foundation

/// Writes well-formed XHTML: every text and attribute escaped, void elements self-closed, so the report
/// opens in a browser and also parses as XML (tests read it with an XML parser).
struct Markup {
    private(set) var out = ""
    private var stack: [String] = []

    init(capacity: Int = 1 << 18) { out.reserveCapacity(capacity) }

    mutating func open(_ tag: String, _ attributes: [(String, String)] = []) {
        out += "<" + tag
        attribute(attributes)
        out += ">"
        stack.append(tag)
    }

    mutating func close() {
        let tag = stack.removeLast()
        out += "</" + tag + ">"
    }

    /// An element with no content: `<rect …/>`, `<br/>`.
    mutating func empty(_ tag: String, _ attributes: [(String, String)] = []) {
        out += "<" + tag
        attribute(attributes)
        out += "/>"
    }

    /// `<tag …>text</tag>` with the text escaped.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], _ text: String) {
        open(tag, attributes)
        self.text(text)
        close()
    }

    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], _ body: (inout Markup) -> Void) {
        open(tag, attributes)
        body(&self)
        close()
    }

    mutating func text(_ s: String) { out += Markup.escape(s, quotes: false) }

    /// Trusted markup written by this module (CSS, prebuilt path data); never user or data text.
    mutating func raw(_ s: String) { out += s }

    private mutating func attribute(_ attributes: [(String, String)]) {
        for (k, v) in attributes { out += " " + k + "=\"" + Markup.escape(v, quotes: true) + "\"" }
    }

    var isBalanced: Bool { stack.isEmpty }

    /// Escapes markup characters, and writes URL schemes without their "//" so the file holds no live link
    /// (the report must work offline and fetch nothing; a licence address stays readable as plain text).
    static func escape(_ s: String, quotes: Bool) -> String {
        var s = s
        if s.contains("://") {
            s = s.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        }
        guard s.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "\u{0}" }) else { return s }
        var r = ""
        r.reserveCapacity(s.count + 16)
        for c in s {
            switch c {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"" where quotes: r += "&quot;"
            case "\u{0}": break
            default: r.append(c)
            }
        }
        return r
    }
}

/// Number formatting for labels and tables.
enum Format {
    static func fixed(_ x: Double, _ decimals: Int) -> String {
        x.isFinite ? String(format: "%.\(decimals)f", x) : "n/a"
    }

    /// SVG coordinates: one decimal is finer than a pixel and keeps the file small.
    @inline(__always) static func coordinate(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        if r == r.rounded() { return String(Int(r)) }
        return String(format: "%.1f", r)
    }

    static func signedPercent(_ p: Double?, decimals: Int = 0) -> String {
        guard let p, p.isFinite else { return "n/a" }
        let body = String(format: "%.\(decimals)f", abs(p))
        let zero = Double(body) == 0
        return (zero ? "" : p > 0 ? "+" : "\u{2212}") + body + "%"
    }

    /// "03:00": never a bare small integer, which would read as a count.
    static func hour(_ h: Int) -> String { (h < 10 ? "0" : "") + "\(h):00" }
}
