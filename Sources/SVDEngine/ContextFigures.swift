import Foundation
import SVDCore
import SVDLocate
import SVDPublish

/// Area-level partner figures: counts by district and month with no incidents behind them (school exclusions, youth
/// offending caseloads…), read from a CSV with columns `district` (code or name), `month` (YYYY-MM), `measure` and
/// `value`, and optionally `supplied_by`. They are shown beside the incident measures, labelled as context, and
/// published through the same disclosure engine (each district-month figure is one keyed cell).
public enum ContextFigures {
    public static func load(_ url: URL, area: Area, key: DisclosureKey) throws -> [AssessmentInput.ContextMeasure] {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw EngineError("\(url.path): cannot read the context figures (UTF-8 CSV)")
        }
        return try parse(csv: text, file: url.path, area: area, key: key)
    }

    public static func parse(csv: String, file: String, area: Area, key: DisclosureKey) throws -> [AssessmentInput.ContextMeasure] {
        var records = SmallCSV.records(csv)
        guard !records.isEmpty else { throw EngineError("\(file): empty (need a header: district, month, measure, value)") }
        let header = records.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let required = ["district", "month", "measure", "value"]
        let missing = required.filter { !header.contains($0) }
        guard missing.isEmpty else { throw EngineError("\(file):1: context figures lack column(s) \(missing.joined(separator: ", ")) (need district, month, measure, value; optional supplied_by)") }
        let col = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var order: [String] = []
        var measures: [String: (partner: String?, cells: [AssessmentInput.ContextCell])] = [:]
        var seen = Set<String>()
        for r in records {
            let f = r.fields
            if f.count == 1 && f[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            func fail(_ why: String) -> EngineError { EngineError("\(file):\(r.line): \(why)") }
            guard f.count == header.count else { throw fail("\(f.count) fields, the header has \(header.count)") }
            func v(_ name: String) -> String { col[name].map { f[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            guard let d = area.district(matching: v("district")) else {
                throw fail("district '\(v("district"))' is not a district of \(area.name)")
            }
            guard let month = MonthKey(parsing: Substring(v("month"))) else { throw fail("month '\(v("month"))' is not YYYY-MM") }
            let measure = v("measure")
            guard !measure.isEmpty else { throw fail("blank measure") }
            guard let value = Int(v("value")), value >= 0, value < 1 << 31 else { throw fail("value '\(v("value"))' is not a whole number of 0 or more") }
            let id = "\(measure.lowercased())|\(d)|\(month)"
            guard seen.insert(id).inserted else { throw fail("\(measure) for \(area.districts[d].name) in \(month) is given twice") }
            // One keyed cell per figure: the same figure always gets the same noise, in every run.
            let bytes = Array(id.utf8)
            let cellKey = bytes.withUnsafeBufferPointer { key.recordKey($0.baseAddress!, count: $0.count, domain: 3) }
            if measures[measure] == nil { order.append(measure) }
            let partner = v("supplied_by")
            measures[measure, default: (partner.isEmpty ? nil : partner, [])].cells.append(
                AssessmentInput.ContextCell(district: d, month: month, value: KeyedCount(count: value, key: cellKey)))
        }
        return order.map { AssessmentInput.ContextMeasure(label: $0, partner: measures[$0]!.partner, cells: measures[$0]!.cells) }
    }
}
