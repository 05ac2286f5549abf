import Foundation
import SVDCore

/// `svd audit`: attacks everything given together as an outsider would, and reports each small count (1–4) or place
/// that can be recovered, and each file that is unfit to publish.
public enum Auditor {
    public static func run(paths: [String], options: AuditOptions = AuditOptions()) throws -> AuditReport {
        let inputs = try Inputs(paths: paths)
        var findings = inputs.findings
        var notes = inputs.notes
        var stats = AuditReport.Statistics()
        stats.files = inputs.docs.count

        // Linked tables: cells, identities, propagation.
        let tm = TableModel(inputs: inputs, area: options.area)
        stats.tables = tm.tables
        stats.cells = tm.cells
        stats.variables = tm.model.count
        stats.constraints = tm.model.constraints.count
        let solved = solve(tm.model, inputs: inputs, maxRounds: options.maxRounds, notes: &notes)
        stats.rounds = solved.rounds
        stats.reachedFixpoint = solved.fixpoint
        if !solved.fixpoint { notes.append("propagation stopped after \(solved.rounds) rounds without reaching a fixpoint: bounds are valid but may not be the tightest") }
        findings += pinned(tm.model, solved, inputs: inputs)

        findings += Ranks.check(inputs, vocabulary: tm.vocabulary)
        findings += Copies.check(inputs)

        // Places.
        let incidents = try options.incidents.map { try IncidentIndex(url: $0) }
        stats.incidents = incidents?.points.count ?? 0
        var places = Places(options: options, incidents: incidents)
        for doc in inputs.docs where !doc.skip {
            if doc.kind == .geojson { places.check(geojson: doc, inputs: inputs) }
            if doc.kind == .html { places.check(report: doc, vocabulary: tm.vocabulary) }
        }
        findings += places.findings
        notes += places.notes
        stats.vertices = places.vertices

        // Public-tier Gi* outputs must not carry z, p or q (they are computed from true counts).
        for doc in inputs.docs where !doc.skip && doc.semantics.tier == .public {
            var columns: [String] = doc.tables.filter { $0.id == "hotspots_gistar" }.flatMap(\.columns)
            if doc.kind == .geojson, doc.stem.contains("gistar"), let f = (doc.geojson?["features"] as? [[String: Any]])?.first,
               let p = f["properties"] as? [String: Any] { columns = Array(p.keys) }
            let stats = ["z", "p", "q", "z_score", "p_value", "q_value"].filter(columns.contains)
            if !stats.isEmpty {
                findings.append(Finding(file: doc.path, location: "column\(stats.count > 1 ? "s" : "") \(stats.joined(separator: ", "))",
                                        message: "public-tier Gi* output publishes \(stats.joined(separator: "/")): statistics of the true cell counts (a z-score with its neighbours inverts to a count); the public tier gives classes only",
                                        route: .fitness))
            }
        }
        return AuditReport(findings: Array(Set(findings)).sorted(), notes: notes, statistics: stats)
    }

    // MARK: Solving

    static func solve(_ model: Model, inputs: Inputs, maxRounds: Int, notes: inout [String]) -> Propagation {
        var active = Array(repeating: true, count: model.constraints.count)
        // Inputs that disagree (different extracts, edited files) empty some interval: set that constraint aside and retry.
        for _ in 0..<50 {
            let p = Propagation(model: model, active: active, maxRounds: maxRounds)
            guard let conflict = p.conflict else { return p }
            let c = model.constraints[conflict.constraint]
            active[conflict.constraint] = false
            notes.append("inputs disagree on \(describe(model.keys[conflict.variable])): \(describe(c, model: model, inputs: inputs)); that relation was left out")
        }
        return Propagation(model: model, active: Array(repeating: false, count: model.constraints.count), maxRounds: maxRounds)
    }

    static func describe(_ k: CountKey) -> String { "\(k.sf.filter) in \(k.sf.scope) over \(k.span)" }

    static func describe(_ ref: CellRef, inputs: Inputs) -> String {
        "\(inputs.docs[ref.doc].path) row \(ref.row) / \(ref.column)"
    }

    static func describe(_ c: Constraint, model: Model, inputs: Inputs) -> String {
        switch c.kind {
        case .observation(let r): return "\(describe(r, inputs: inputs)) = '\(r.raw)'"
        case .derived: return c.label
        case .identity: return c.label
        case .split:
            // Name the published cells of the parts where there are some.
            let cells = c.vars.compactMap { v in model.refs[Int(v)].min(by: { inputs.docs[$0.doc].formatRank < inputs.docs[$1.doc].formatRank }) }
            let named = cells.prefix(3).map { "\(inputs.docs[$0.doc].url.lastPathComponent) \($0.row)/\($0.column)" }
            return c.label + (named.isEmpty ? "" : " (" + named.joined(separator: ", ") + (cells.count > 3 ? ", …" : "") + ")")
        }
    }

    /// The route of a recovered count: the relation that closed its interval, named by kind.
    static func route(of c: Constraint, model: Model, inputs: Inputs) -> Finding.Route {
        let periods = Set(c.docs.compactMap { inputs.docs[$0].period })
        if periods.count > 1 { return .runToRun }
        switch c.kind {
        case .observation: return .publishedSmallCount
        case .derived: return .derivedValue
        case .identity(let r):
            if r == .districtArea && c.docs.contains(where: { inputs.docs[$0].kind == .html && inputs.docs[$0].scope != .area }) { return .packArea }
            return r
        case .split:
            let spans = c.vars.map { model.keys[Int($0)].span }
            return spans.contains(where: { $0.months == 1 || ($0.months == 12 && !isYearPart($0, c, model)) }) ? .monthsRolling : .periodSplit
        }
    }

    /// A 12-month span that is a last/previous-12 or financial-year total rather than a rolling window.
    private static func isYearPart(_ s: Span, _ c: Constraint, _ model: Model) -> Bool {
        !c.vars.contains { model.keys[Int($0)].span.months == 1 }
    }

    /// Every variable whose interval is a single value from 1 to 4.
    static func pinned(_ model: Model, _ p: Propagation, inputs: Inputs) -> [Finding] {
        var out: [Finding] = []
        var published: [Int: [Int]] = [:]   // doc → cells shown as exact small counts
        for v in 0..<model.count where p.lo[v] == p.hi[v] && (1...4).contains(p.lo[v]) {
            let value = p.lo[v]
            let refs = model.refs[v].sorted { (inputs.docs[$0.doc].formatRank, $0.doc) < (inputs.docs[$1.doc].formatRank, $1.doc) }
            // Reasons: the constraints that closed the interval, other than the cell's own publication.
            var reasons: [Int] = []
            for r in [p.hiReason[v], p.loReason[v]] where r >= 0 && !reasons.contains(r) {
                if case .observation = model.constraints[r].kind { continue }
                reasons.append(r)
            }
            if reasons.isEmpty {
                // Shown outright as 1–4 (an exact tier).
                if let first = refs.first { published[first.doc, default: []].append(v) }
                continue
            }
            let route = reasons.map { Self.route(of: model.constraints[$0], model: model, inputs: inputs) }
                .min { priority($0) < priority($1) } ?? .linkedTables
            let how = reasons.map { describe(model.constraints[$0], model: model, inputs: inputs) }.joined(separator: "; and ")
            if let cell = refs.first {
                let also = Set(refs.map(\.doc)).count - 1
                out.append(Finding(file: inputs.docs[cell.doc].path, location: "row \(cell.row) / \(cell.column)\(lineNote(cell, inputs))",
                                   message: "'\(cell.raw)' is exactly \(value) (\(describe(model.keys[v]))) — from \(how)\(also > 0 ? " (also published in \(also) other file\(also == 1 ? "" : "s"))" : "")",
                                   route: route, value: value, row: cell.row, column: cell.column, table: cell.table))
            } else {
                // Not itself published: a count over part of a period, a column total, a district's share of the area.
                let witness = Self.witness(v, model: model, reasons: reasons, rank: { inputs.docs[$0].kind == .xlsx ? 1 : 0 })
                let file = witness.map { inputs.docs[$0.doc].path } ?? "(inputs)"
                let loc = witness.map { "row \($0.row) / \($0.column)\(lineNote($0, inputs))" } ?? "-"
                out.append(Finding(file: file, location: loc,
                                   message: "an unpublished count is exactly \(value): \(describe(model.keys[v])) — from \(how)", route: route, value: value))
            }
        }
        for (doc, vars) in published {
            let refs = vars.compactMap { model.refs[$0].first(where: { $0.doc == doc }) }.sorted { $0.line < $1.line }
            guard let first = refs.first else { continue }
            out.append(Finding(file: inputs.docs[doc].path, location: "row \(first.row) / \(first.column)\(lineNote(first, inputs))",
                               message: "\(refs.count) cell\(refs.count == 1 ? "" : "s") publish a count from 1 to 4 outright (this one: \(first.raw))",
                               route: .publishedSmallCount, value: Int(first.raw), row: first.row, column: first.column))
        }
        return out
    }

    /// A published cell near an unpublished count, to name where the attack starts: breadth-first over the relations.
    /// Cells of files ranked lower first (a workbook's copy of a cell after the CSV's).
    static func witness(_ v: Int, model: Model, reasons: [Int], rank: (Int) -> Int = { _ in 0 }) -> CellRef? {
        var seen: Set<Int> = [v]
        var frontier = reasons.flatMap { model.constraints[$0].vars.map(Int.init) }
        for _ in 0..<4 {
            var found: [CellRef] = []
            for u in frontier where !seen.contains(u) { found += model.refs[u] }
            if let best = found.min(by: { (rank($0.doc), $0.doc, $0.line) < (rank($1.doc), $1.doc, $1.line) }) { return best }
            seen.formUnion(frontier)
            let next = Set(frontier.flatMap { u in model.constraintsOf(u).flatMap { model.constraints[$0].vars.map(Int.init) } }).subtracting(seen)
            frontier = Array(next)
            if frontier.isEmpty { break }
        }
        return nil
    }

    static func lineNote(_ r: CellRef, _ inputs: Inputs) -> String {
        switch inputs.docs[r.doc].kind {
        case .csv, .md: " (line \(r.line))"
        case .html: " (table '\(r.table)')"
        case .xlsx: r.sheet.map { " (sheet '\($0)' row \(r.line))" } ?? ""
        default: ""
        }
    }

    /// Which route to name when a count was closed by two relations (the more specific first).
    static func priority(_ r: Finding.Route) -> Int {
        switch r {
        case .runToRun: 0
        case .packArea: 1
        case .periodSplit: 2
        case .monthsRolling: 3
        case .derivedValue: 4
        case .districtArea: 5
        case .linkedTables: 6
        case .rowColumnTotals: 7
        default: 8
        }
    }
}
