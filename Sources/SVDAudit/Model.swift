import Foundation
import SVDCore

/// Months `lo…hi` (MonthKey indices, inclusive).
struct Span: Hashable, Comparable, CustomStringConvertible {
    var lo: Int32
    var hi: Int32

    init(_ lo: MonthKey, _ hi: MonthKey) { self.lo = lo.index; self.hi = hi.index }
    init(lo: Int32, hi: Int32) { self.lo = lo; self.hi = hi }

    var months: Int { Int(hi - lo) + 1 }
    var description: String {
        // Stand-in months of an undated file (see TableModel).
        if lo < -50_000 { return "\(months) month\(months == 1 ? "" : "s") of an undated period" }
        return lo == hi ? MonthKey(index: lo).description : "\(MonthKey(index: lo))..\(MonthKey(index: hi))"
    }
    static func < (a: Span, b: Span) -> Bool { (a.lo, a.hi) < (b.lo, b.hi) }

    /// The 12 months ending with `end`, and the 12 before.
    static func last12(_ end: Int32) -> Span { Span(lo: end - 11, hi: end) }
    static func previous12(_ end: Int32) -> Span { Span(lo: end - 23, hi: end - 12) }
}

/// Where a count is counted: the area (all districts, without the outside bucket), one district, or outside.
enum Scope: Hashable, CustomStringConvertible {
    case area
    case district(String)
    case outside

    var description: String {
        switch self {
        case .area: "the area"
        case .district(let c): c
        case .outside: "outside every district"
        }
    }
}

/// What is counted (always serious violence incidents, except offence categories).
enum Filter: Hashable, CustomStringConvertible {
    case all
    case strand(String)
    case cohort(Int)
    case band(role: String, band: String)
    case bandSex(role: String, band: String, sex: String)
    /// Hour label ("00:00"…"unknown", or "*" for every hour) × weekday ("Mon"…"weekday_unknown", or "*").
    case hourDay(hour: String, day: String)
    case place(String)
    case offence(String)
    case offenceScope(String)
    /// A count with no identity to anything else (e.g. incidents outside the period), kept per file.
    case standalone(String)

    var description: String {
        switch self {
        case .all: "serious violence"
        case .strand(let s): "strand \(s)"
        case .cohort(let n): "victims under \(n)"
        case .band(let r, let b): "\(r) age \(b)"
        case .bandSex(let r, let b, let s): "\(r) age \(b), \(s)"
        case .hourDay(let h, let d): h == "*" ? "\(d), every hour" : d == "*" ? "hour \(h)" : "hour \(h) on \(d)"
        case .place(let p): "location type \(p)"
        case .offence(let o): "offence \(o)"
        case .offenceScope(let s): "all \(s) offences"
        case .standalone(let s): s
        }
    }
}

struct ScopeFilter: Hashable {
    var scope: Scope
    var filter: Filter
}

struct CountKey: Hashable {
    var sf: ScopeFilter
    var span: Span
}

/// A published cell: file, table, row and column.
struct CellRef: Hashable {
    var doc: Int
    var table: String
    var row: String
    var column: String
    var line: Int
    var raw: String
    /// The workbook sheet, for a cell read from one (`line` is then its row).
    var sheet: String? = nil
}

/// Σ coefficient × variable ∈ [lo, hi]; coefficients are ±1.
struct Constraint {
    enum Kind {
        /// A published cell's own interval.
        case observation(CellRef)
        /// A rate, share or difference beside a hidden cell bounds its published value.
        case derived(CellRef)
        /// An identity between counts.
        case identity(Finding.Route)
        /// A count over months = the sum of its parts (periods, months, rolling windows, overlapping runs).
        case split
    }
    var vars: [Int32]
    var coefs: [Int8]
    var lo: Int
    var hi: Int
    var kind: Kind
    var label: String
    /// Files whose cells take part (for naming a route across runs).
    var docs: [Int] = []
}

/// An identity between a parent count and its parts, stated over every span where a part is published
/// (or over one fixed span).
struct Family {
    enum Relation { case sum, atLeast }
    var parent: ScopeFilter
    var children: [ScopeFilter]
    var relation: Relation
    var route: Finding.Route
    var label: String
    var fixedSpan: Span?
    /// Whose published spans the identity is stated over (default: the children's).
    var triggers: [ScopeFilter]? = nil
}

let infinity = Int.max / 8

/// The variables (true counts) and constraints an attacker can write down from everything published together.
final class Model {
    private(set) var keys: [CountKey] = []
    private var index: [CountKey: Int] = [:]
    /// Spans each scope×filter has variables for.
    private var spans: [ScopeFilter: Set<Span>] = [:]
    /// Spans each scope×filter is published over.
    private(set) var observedSpans: [ScopeFilter: Set<Span>] = [:]
    /// Published cells of each variable.
    private(set) var refs: [[CellRef]] = []
    private(set) var constraints: [Constraint] = []
    private(set) var families: [Family] = []

    var count: Int { keys.count }

    func variable(_ k: CountKey) -> Int {
        if let i = index[k] { return i }
        let i = keys.count
        keys.append(k)
        refs.append([])
        index[k] = i
        spans[k.sf, default: []].insert(k.span)
        return i
    }

    func existing(_ k: CountKey) -> Int? { index[k] }

    func add(_ c: Constraint) { constraints.append(c) }

    private var byVariable: [[Int]]?
    /// Constraints a variable takes part in.
    func constraintsOf(_ v: Int) -> [Int] {
        if byVariable == nil {
            var b = Array(repeating: [Int](), count: keys.count)
            for (i, c) in constraints.enumerated() { for u in c.vars { b[Int(u)].append(i) } }
            byVariable = b
        }
        return byVariable![v]
    }

    func addFamily(_ f: Family) { families.append(f) }

    /// A published cell: its variable is bounded by what the published value allows.
    func observe(_ key: CountKey, _ interval: (lo: Int, hi: Int), ref: CellRef) {
        let v = variable(key)
        refs[v].append(ref)
        observedSpans[key.sf, default: []].insert(key.span)
        add(Constraint(vars: [Int32(v)], coefs: [1], lo: interval.lo, hi: interval.hi, kind: .observation(ref), label: "", docs: [ref.doc]))
    }

    /// A bound on a hidden cell's true count from a figure derived from its published value.
    func derived(_ key: CountKey, _ interval: (lo: Int, hi: Int), ref: CellRef, label: String) {
        let v = variable(key)
        add(Constraint(vars: [Int32(v)], coefs: [1], lo: interval.lo, hi: interval.hi, kind: .derived(ref), label: label, docs: [ref.doc]))
    }

    /// Instantiates the families and splits every count published over several spans into its parts.
    func close() {
        for f in families { instantiate(f) }
        split()
    }

    private func docs(of vars: [Int]) -> [Int] {
        var s = Set<Int>()
        for v in vars { for r in refs[v] { s.insert(r.doc) } }
        return s.sorted()
    }

    private func instantiate(_ f: Family) {
        var at = Set<Span>()
        if let s = f.fixedSpan {
            at.insert(s)
        } else {
            var childSpans = Set<Span>()
            for c in f.triggers ?? f.children { childSpans.formUnion(observedSpans[c] ?? []) }
            at = childSpans
            // Parts published over several spans (overlapping runs): also state the identity over their common pieces.
            if childSpans.count >= 2 { at.formUnion(Self.segments(of: childSpans)) }
        }
        for span in at.sorted() {
            let p = variable(CountKey(sf: f.parent, span: span))
            switch f.relation {
            case .sum:
                let kids = f.children.map { variable(CountKey(sf: $0, span: span)) }
                let vars = [p] + kids
                add(Constraint(vars: vars.map(Int32.init), coefs: [1] + kids.map { _ in -1 }, lo: 0, hi: 0,
                               kind: .identity(f.route), label: "\(f.label) (\(span))", docs: docs(of: vars)))
            case .atLeast:
                for c in f.children {
                    guard let k = existing(CountKey(sf: c, span: span)) else { continue }
                    add(Constraint(vars: [Int32(p), Int32(k)], coefs: [1, -1], lo: 0, hi: infinity,
                                   kind: .identity(f.route), label: "\(f.label) (\(span))", docs: docs(of: [p, k])))
                }
            }
        }
    }

    /// Elementary pieces of a set of spans: cut at every span's ends, pieces covered by some span.
    static func segments(of spans: Set<Span>) -> [Span] {
        var cuts = Set<Int32>()
        for s in spans { cuts.insert(s.lo); cuts.insert(s.hi + 1) }
        let sorted = cuts.sorted()
        var out: [Span] = []
        for i in 0..<max(0, sorted.count - 1) {
            let piece = Span(lo: sorted[i], hi: sorted[i + 1] - 1)
            if spans.contains(where: { $0.lo <= piece.lo && piece.hi <= $0.hi }) { out.append(piece) }
        }
        return out
    }

    /// For each scope×filter with several spans: each span = the sum of its pieces.
    private func split() {
        for (sf, set) in spans where set.count > 1 {
            let pieces = Self.segments(of: set)
            guard pieces.count > 1 || !set.contains(pieces[0]) else { continue }
            for span in set.sorted() {
                let inside = pieces.filter { span.lo <= $0.lo && $0.hi <= span.hi }
                if inside.count == 1 && inside[0] == span { continue }
                let v = variable(CountKey(sf: sf, span: span))
                let parts = inside.map { variable(CountKey(sf: sf, span: $0)) }
                let vars = [v] + parts
                add(Constraint(vars: vars.map(Int32.init), coefs: [1] + parts.map { _ in -1 }, lo: 0, hi: 0, kind: .split,
                               label: "\(sf.filter) in \(sf.scope) over \(span) = the sum over \(inside.count) parts", docs: docs(of: vars)))
            }
            differences(sf, pieces: pieces)
        }
    }

    /// Two published counts of the same thing over overlapping months differ by the months they do not share:
    /// A − B = (A's own months) − (B's own months). Stated outright, so propagation cancels the shared months
    /// (consecutive rolling totals, last month's run against this month's, a 12-month total inside a period).
    private func differences(_ sf: ScopeFilter, pieces: [Span]) {
        let published = (observedSpans[sf] ?? []).sorted()
        guard published.count >= 2 else { return }
        for (i, a) in published.enumerated() {
            for b in published[(i + 1)...] where a.lo <= b.hi && b.lo <= a.hi {
                let inA = pieces.filter { a.lo <= $0.lo && $0.hi <= a.hi }, inB = pieces.filter { b.lo <= $0.lo && $0.hi <= b.hi }
                let onlyA = inA.filter { !inB.contains($0) }, onlyB = inB.filter { !inA.contains($0) }
                let shared = inA.count - onlyA.count
                // Worth stating only when it cancels more than it adds.
                guard shared > 0, onlyA.count + onlyB.count < inA.count + inB.count - 1, onlyA.count + onlyB.count <= 12 else { continue }
                let va = variable(CountKey(sf: sf, span: a)), vb = variable(CountKey(sf: sf, span: b))
                let ua = onlyA.map { variable(CountKey(sf: sf, span: $0)) }, ub = onlyB.map { variable(CountKey(sf: sf, span: $0)) }
                let vars = [va, vb] + ua + ub
                add(Constraint(vars: vars.map(Int32.init), coefs: [1, -1] + ua.map { _ in -1 } + ub.map { _ in 1 }, lo: 0, hi: 0, kind: .split,
                               label: "\(sf.filter) in \(sf.scope): \(a) − \(b) = the months only in the first − the months only in the second",
                               docs: docs(of: vars)))
            }
        }
    }
}

/// Interval constraint propagation over the model, to a fixpoint or a bounded number of rounds.
struct Propagation {
    var lo: [Int]
    var hi: [Int]
    /// Constraint that last raised the lower bound / lowered the upper bound (-1: the initial 0…∞).
    var loReason: [Int]
    var hiReason: [Int]
    var rounds = 0
    var fixpoint = true
    /// Set when some variable's interval became empty: the constraint and the variable.
    var conflict: (constraint: Int, variable: Int)?

    init(model: Model, active: [Bool], maxRounds: Int) {
        let n = model.count
        lo = Array(repeating: 0, count: n)
        hi = Array(repeating: infinity, count: n)
        loReason = Array(repeating: -1, count: n)
        hiReason = Array(repeating: -1, count: n)
        let cs = model.constraints
        var watch = Array(repeating: [Int32](), count: n)
        for (i, c) in cs.enumerated() where active[i] { for v in c.vars { watch[Int(v)].append(Int32(i)) } }
        var queued = active
        var current = (0..<cs.count).filter { active[$0] }
        var next: [Int] = []
        while !current.isEmpty {
            if rounds >= maxRounds { fixpoint = false; break }
            rounds += 1
            for ci in current {
                queued[ci] = false
                let c = cs[ci]
                // Sums of the terms' smallest and largest contributions; unbounded terms counted apart.
                var minSum = 0, maxSum = 0, minInf = 0, maxInf = 0
                for (k, v) in c.vars.enumerated() {
                    let i = Int(v)
                    if c.coefs[k] > 0 {
                        minSum += lo[i]
                        if hi[i] >= infinity { maxInf += 1 } else { maxSum += hi[i] }
                    } else {
                        if hi[i] >= infinity { minInf += 1 } else { minSum -= hi[i] }
                        maxSum -= lo[i]
                    }
                }
                for (k, v) in c.vars.enumerated() {
                    let i = Int(v)
                    let positive = c.coefs[k] > 0
                    let unbounded = hi[i] >= infinity
                    // This term's smallest and largest contribution.
                    let cMin = positive ? lo[i] : (unbounded ? 0 : -hi[i])
                    let cMax = positive ? (unbounded ? 0 : hi[i]) : -lo[i]
                    let othersMinInf = minInf - (!positive && unbounded ? 1 : 0)
                    let othersMaxInf = maxInf - (positive && unbounded ? 1 : 0)
                    var upper: Int?      // on coef × x
                    var lower: Int?
                    if c.hi < infinity && othersMinInf == 0 { upper = c.hi - (minSum - cMin) }
                    if c.lo > -infinity && othersMaxInf == 0 { lower = c.lo - (maxSum - cMax) }
                    var newLo: Int?, newHi: Int?
                    if positive { newHi = upper; newLo = lower } else { newHi = lower.map { -$0 }; newLo = upper.map { -$0 } }
                    var changed = false
                    if let h = newHi, h < hi[i] { hi[i] = h; hiReason[i] = ci; changed = true }
                    if let l = newLo, l > lo[i] { lo[i] = l; loReason[i] = ci; changed = true }
                    if lo[i] > hi[i] { conflict = (ci, i); return }
                    if changed {
                        for w in watch[i] where !queued[Int(w)] && Int(w) != ci {
                            queued[Int(w)] = true
                            next.append(Int(w))
                        }
                    }
                }
            }
            current = next
            next = []
        }
    }
}
