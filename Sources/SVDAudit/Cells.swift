import Foundation

/// A published cell as text means one of these.
enum CellText: Equatable {
    case count(Int)
    /// "<t": a published value from 1 to t − 1.
    case small(threshold: Int)
    /// "[c]", "*", empty, "n/a", "–": nothing published.
    case unknown
    /// Anything else (labels, rates, percentages).
    case other(String)

    /// Reads CSV/JSON plain forms and Markdown/HTML display forms ("1,234", "−5", "&lt;5").
    init(_ raw: String) {
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.isEmpty || s == "[c]" || s == "*" || s == "n/a" || s == "\u{2013}" || s == "-" { self = .unknown; return }
        if s.hasPrefix("<"), let t = Int(s.dropFirst()), t > 0 { self = .small(threshold: t); return }
        var digits = s.replacingOccurrences(of: "\u{2212}", with: "-")
        if digits.contains(",") {
            // Thousands separators only: 1,234 or 12,345,678.
            let groups = digits.split(separator: ",", omittingEmptySubsequences: false)
            if groups.count > 1, groups.dropFirst().allSatisfy({ $0.count == 3 && $0.allSatisfy(\.isNumber) }),
               let first = groups.first, !first.isEmpty, first.count <= 4 {
                digits = groups.joined()
            } else {
                self = .other(s); return
            }
        }
        if let n = Int(digits) { self = .count(n); return }
        self = .other(s)
    }

    var isHidden: Bool {
        switch self {
        case .small, .unknown: true
        default: false
        }
    }

    /// A decimal number (rates, percentages, changes) in either plain or display form.
    static func number(_ raw: String) -> Double? {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\u{2212}", with: "-")
        if s.hasSuffix("%") { s.removeLast() }
        if s.hasPrefix("+") { s.removeFirst() }
        s = s.replacingOccurrences(of: ",", with: "")
        return Double(s)
    }

    /// Decimals written in a number's text (for rounding intervals).
    static func decimals(_ raw: String) -> Int {
        let s = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
        guard let dot = s.firstIndex(of: ".") else { return 0 }
        return s[s.index(after: dot)...].prefix { $0.isNumber }.count
    }
}

/// How a file's counts relate to the true counts (from the manifest, the HTML meta or the file's marking line).
struct Semantics: Equatable {
    enum Tier: String { case `public`, partner, unknown }
    var tier: Tier
    /// Published values are within ±maxNoise of the true ones (0: exact).
    var maxNoise: Int
    var threshold: Int?
    var perturbed: Bool { maxNoise > 0 }

    static let exact = Semantics(tier: .unknown, maxNoise: 0, threshold: nil)

    /// The true counts a published cell allows, or nil when it says nothing (withheld, empty).
    func interval(_ cell: CellText) -> (lo: Int, hi: Int)? {
        let b = maxNoise
        switch cell {
        case .count(let v):
            if v < 0 { return nil }
            if b == 0 { return (v, v) }
            return v == 0 ? (0, b) : (Swift.max(1, v - b), v + b)
        case .small(let t):
            return (1, t - 1 + b)
        case .unknown, .other:
            return nil
        }
    }

    /// The true counts allowed when the published value itself is known to lie in `lo…hi` (from a derived figure).
    func interval(publishedFrom lo: Int, to hi: Int) -> (lo: Int, hi: Int) {
        let l = Swift.max(0, lo), h = Swift.max(l, hi)
        if maxNoise == 0 { return (l, h) }
        return (l == 0 ? 0 : Swift.max(1, l - maxNoise), h + maxNoise)
    }
}
