import Foundation

/// Ranked orders: a rank given to a hidden count, a hidden count placed among ranked rows, or an order that does not
/// follow the published values (so it follows the true ones and gives them away).
enum Ranks {
    static func check(_ inputs: Inputs, vocabulary: Vocabulary) -> [Finding] {
        var out: [Finding] = []
        for doc in inputs.docs where !doc.skip {
            for t in doc.tables {
                switch t.id {
                case "district_summary":
                    out += rankedByRate(doc, t, name: "district_code", count: "incidents", rate: "rate_per_1000_per_year", rank: "rank",
                                        order: { $0 }, excluded: ["TOTAL", "OUTSIDE"])
                case "hotspots_dbscan":
                    out += rankedByCount(doc, t, label: "hotspot_id", count: "incidents", group: nil)
                case "hotspots_by_district", "district_hotspots":
                    out += rankedByCount(doc, t, label: "hotspot_id", count: "incidents", group: "district_code")
                default: break
                }
            }
            if let html = doc.html {
                for t in html.tables {
                    switch t.title {
                    case "Rate by district, highest first":
                        out += rankedByRate(doc, t, name: "District", count: "Incidents", rate: "Rate per 1,000 a year", rank: nil,
                                            order: { vocabulary.codeByName[$0] ?? $0 }, excluded: vocabulary.areaNames)
                    case "Hotspot profiles":
                        out += rankedByCount(doc, t, label: "Hotspot", count: "Incidents", group: nil)
                    default: break
                    }
                }
            }
            if let g = doc.geojson, let features = g["features"] as? [[String: Any]] {
                var t = ParsedTable(id: "map", title: "map", columns: ["hotspot_id", "rank", "incidents"], rows: [], lines: [])
                for (i, f) in features.enumerated() {
                    guard let p = f["properties"] as? [String: Any], p["hotspot_id"] != nil, p["rank"] != nil else { continue }
                    t.rows.append([JSONTable.text(p["hotspot_id"]), JSONTable.text(p["rank"]), JSONTable.text(p["incidents"])])
                    t.lines.append(i + 1)
                }
                if !t.rows.isEmpty {
                    t.rows.sort { (Int($0[1]) ?? 0) < (Int($1[1]) ?? 0) }
                    out += rankedByCount(doc, t, label: "hotspot_id", count: "incidents", group: nil, what: "feature")
                }
            }
        }
        return out
    }

    /// Rows ranked by a rate computed from the published count; hidden counts unranked and listed last in code order.
    static func rankedByRate(_ doc: Doc, _ t: ParsedTable, name: String, count: String, rate: String, rank: String?,
                             order: (String) -> String, excluded: Set<String>) -> [Finding] {
        var out: [Finding] = []
        var lastRate: Double?
        var lastName = ""
        var hiddenSeen: [String] = []
        var rankedAfterHidden = false
        for r in t.rows.indices {
            guard let n = t.value(r, name), !excluded.contains(n), let c = t.value(r, count) else { continue }
            let hidden = CellText(c).isHidden
            let ranked = rank.flatMap { t.value(r, $0) }.map { !$0.isEmpty } ?? !hidden
            let where_ = "row \(n) (\(t.place(r))) / \(rank ?? count)"
            if hidden && ranked && rank != nil {
                out.append(Finding(file: doc.path, location: where_, message: "rank \(t.value(r, rank!) ?? "") given to a hidden count (\(c)): its place in the order bounds it", route: .rank))
            }
            if hidden {
                hiddenSeen.append(n)
                continue
            }
            if !hiddenSeen.isEmpty && !rankedAfterHidden {
                rankedAfterHidden = true
                let x = CellText.number(t.value(r, rate) ?? "")
                out.append(Finding(file: doc.path, location: "row \(hiddenSeen.last!) / \(count)",
                                   message: "hidden count listed among ranked rows (before \(n)\(x.map { ", rate \($0)" } ?? "")): the order bounds its rate, so its count", route: .rank))
            }
            if let x = t.value(r, rate).flatMap(CellText.number) {
                if let last = lastRate, x > last + 1e-9 {
                    out.append(Finding(file: doc.path, location: where_, message: "order does not follow the published rates (\(n) \(x) listed after \(lastName) \(last)): it follows figures that are not published", route: .rank))
                }
                lastRate = x
                lastName = n
            }
        }
        let keys = hiddenSeen.map(order)
        if keys != keys.sorted() {
            out.append(Finding(file: doc.path, location: "rows \(hiddenSeen.joined(separator: ", "))",
                               message: "unranked rows with hidden counts are not in code order: their order can follow the hidden counts", route: .rank))
        }
        return out
    }

    /// Rows ranked by their published count, most first (within `group`).
    static func rankedByCount(_ doc: Doc, _ t: ParsedTable, label: String, count: String, group: String?, what: String = "row") -> [Finding] {
        var out: [Finding] = []
        var last: (group: String, value: Int, name: String)?
        for r in t.rows.indices {
            guard let c = t.value(r, count), let n = t.value(r, label), !n.isEmpty else { continue }
            let g = group.flatMap { t.value(r, $0) } ?? ""
            let where_ = "\(what) \(n) (\(what == "feature" ? "feature \(t.lines[r])" : t.place(r))) / \(count)"
            switch CellText(c) {
            case .count(let v):
                if let l = last, l.group == g, v > l.value {
                    out.append(Finding(file: doc.path, location: where_, message: "ranked below \(l.name) (\(l.value)) with a larger published count (\(v)): the order follows the true counts, and gives their order away", route: .rank))
                }
                last = (g, v, n)
            case .small, .unknown:
                out.append(Finding(file: doc.path, location: where_, message: "a ranked hotspot with a hidden count (\(c)): its rank bounds the count", route: .rank))
            case .other:
                break
            }
        }
        return out
    }
}
