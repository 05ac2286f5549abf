import Foundation

/// Reads an ONS-style long population CSV (one count per row) into per-district totals and single years of age.
///
/// Columns are found by name, case-insensitively: code (`area_code`, `lad20cd`, `LAD21CD`, `code`…),
/// year, age (`age_band_or_age`, `age`), population (`population`, `count`, `value`), and optionally
/// `record_type`, `sex`, `source`. Every row is either used or listed in `unused` with its line and reason.
public struct PopulationTable: Sendable {
    public struct Unused: Sendable, Equatable {
        public let line: Int
        public let reason: String
    }

    public let file: String
    public private(set) var rows = 0
    public private(set) var used = 0
    public private(set) var unused: [Unused] = []
    /// Facts worth telling the analyst that are not about one row (e.g. totals that disagree with age sums).
    public private(set) var notes: [String] = []
    public private(set) var population = Population.none

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    enum Kind { case allAges, singleYear(Int, open: Bool), derivedBand }

    public static func read(_ url: URL, districtCodes: [String]) throws -> PopulationTable {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw Invalid(description: "\(url.path): cannot read as UTF-8 text: \(error.localizedDescription)")
        }
        return try PopulationTable(csv: text, file: url.path, districtCodes: districtCodes)
    }

    public init(csv text: String, file: String, districtCodes: [String]) throws {
        self.file = file
        func fail(_ why: String) -> Invalid { Invalid(description: "\(file): \(why)") }
        var records = CSV.records(text)
        guard !records.isEmpty else { throw fail("empty file") }
        let header = records.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ names: [String], onsSuffix: String? = nil) -> Int? {
            if let i = header.firstIndex(where: { names.contains($0) }) { return i }
            guard let onsSuffix else { return nil }
            return header.firstIndex { h in
                h.hasSuffix(onsSuffix) && h.dropLast(2).suffix(2).allSatisfy(\.isNumber) && h.count >= 6
            }
        }
        guard let codeColumn = column(["area_code", "areacode", "code", "geography_code", "geography code"], onsSuffix: "cd") else {
            throw fail("no district code column (area_code, lad20cd, …) in header \(header)")
        }
        guard let yearColumn = column(["year", "mid_year", "date"]) else { throw fail("no year column in header \(header)") }
        guard let countColumn = column(["population", "count", "value", "obs_value", "persons"]) else {
            throw fail("no population column (population, count, value) in header \(header)")
        }
        let ageColumn = column(["age_band_or_age", "age", "age_band"])
        let typeColumn = column(["record_type", "type"])
        let sexColumn = column(["sex", "gender"])
        let sourceColumn = column(["source"])

        let index = Dictionary(uniqueKeysWithValues: districtCodes.enumerated().map { ($1, $0) })
        var totals: [Int: [Int: Int]] = [:]                 // year → district → count
        var totalLines: [Int: [Int]] = [:]
        var singles: [Int: [Int: [Int: Int]]] = [:]         // year → district → age → count
        var singleLines: [Int: [(line: Int, age: Int)]] = [:]
        var openAges: [Int: Int] = [:]
        var sources: [String: [String]] = [:]               // "all_ages 2020" → sources

        func note(_ line: Int, _ why: String) { unused.append(Unused(line: line, reason: why)) }
        for record in records {
            let f = record.fields
            if f.count == 1, f[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }  // blank line
            rows += 1
            let line = record.line
            func field(_ i: Int?) -> String? { i.flatMap { $0 < f.count ? f[$0].trimmingCharacters(in: .whitespaces) : nil } }
            guard f.count == header.count else { note(line, "has \(f.count) fields, header has \(header.count)"); continue }
            let code = field(codeColumn)!
            guard let district = index[code] else { note(line, "district \(code) is not in the boundaries"); continue }
            guard let year = Int(field(yearColumn)!.prefix(4)) else { note(line, "year \"\(field(yearColumn)!)\" is not a year"); continue }
            guard let count = Int(field(countColumn)!), count >= 0 else {
                note(line, "population \"\(field(countColumn)!)\" is not a non-negative whole number"); continue
            }
            if let sex = field(sexColumn)?.lowercased(), !["persons", "all", "people", "total", ""].contains(sex) {
                note(line, "sex-specific row (\(sex)); only persons are used"); continue
            }
            let age = field(ageColumn) ?? "all"
            let kind: Kind
            switch field(typeColumn)?.lowercased() {
            case "all_ages": kind = .allAges
            case "single_year_of_age":
                guard let k = Self.singleAge(age) else { note(line, "single_year_of_age row with age \"\(age)\""); continue }
                kind = k
            case let t? where t.contains("derived") || t.contains("band"): kind = .derivedBand
            case nil, "":
                if ["all", "all ages", "all_ages", "total"].contains(age.lowercased()) { kind = .allAges }
                else if let k = Self.singleAge(age) { kind = k }
                else { kind = .derivedBand }
            case let t?: note(line, "unknown record_type \"\(t)\""); continue
            }
            let source = field(sourceColumn) ?? ""
            switch kind {
            case .derivedBand:
                note(line, "age band \(age) not used: bands are derived from the single years of age")
            case .allAges:
                if let previous = totals[year]?[district] {
                    note(line, "duplicate all-ages count for \(code) \(year) (\(count); first was \(previous))"); continue
                }
                totals[year, default: [:]][district] = count
                totalLines[year, default: []].append(line)
                sources["all_ages \(year)", default: []].append(source)
            case .singleYear(let a, let open):
                if let previous = singles[year]?[district]?[a] {
                    note(line, "duplicate count for \(code) \(year) age \(age) (\(count); first was \(previous))"); continue
                }
                if open {
                    if let o = openAges[year], o != a { note(line, "second open-ended age \(age) for \(year) (first was \(o)+)"); continue }
                    openAges[year] = a
                }
                singles[year, default: [:]][district, default: [:]][a] = count
                singleLines[year, default: []].append((line, a))
                sources["single_year_of_age \(year)", default: []].append(source)
            }
        }

        func sourceText(_ key: String) -> String {
            var seen: [String] = []
            for s in sources[key] ?? [] where !s.isEmpty && !seen.contains(s) { seen.append(s) }
            return seen.joined(separator: "; ")
        }
        var allAges: [Population.Totals] = []
        for year in totals.keys.sorted() {
            let byDistrict = totals[year]!
            let missing = districtCodes.indices.filter { byDistrict[$0] == nil }.map { districtCodes[$0] }
            if missing.isEmpty {
                allAges.append(.init(year: year, source: sourceText("all_ages \(year)"),
                                     counts: districtCodes.indices.map { byDistrict[$0]! }))
                used += totalLines[year]!.count
            } else {
                for line in totalLines[year]! { note(line, "all-ages \(year) not used: no count for \(missing.joined(separator: ", "))") }
            }
        }
        // One single-year table is kept: the latest complete year.
        var single: Population.SingleYearOfAge?
        for year in singles.keys.sorted(by: >) {
            let byDistrict = singles[year]!
            let reject: String?
            if single != nil {
                reject = "single years of age \(year) not used: \(single!.year) is the table kept"
            } else if let open = openAges[year] {
                let incomplete = districtCodes.indices.filter { d in (0...open).contains { byDistrict[d]?[$0] == nil } }
                reject = incomplete.isEmpty ? nil
                    : "single years of age \(year) not used: ages 0…\(open)+ incomplete for \(incomplete.map { districtCodes[$0] }.joined(separator: ", "))"
                if reject == nil {
                    single = .init(year: year, source: sourceText("single_year_of_age \(year)"), openAge: open,
                                   counts: districtCodes.indices.map { d in (0...open).map { byDistrict[d]![$0]! } })
                    for row in singleLines[year]! {
                        if row.age > open { note(row.line, "age \(row.age) lies inside the open-ended \(open)+ group") } else { used += 1 }
                    }
                }
            } else {
                reject = "single years of age \(year) not used: no open-ended top age (e.g. 90+)"
            }
            if let reject { for row in singleLines[year]! { note(row.line, reject) } }
        }
        if let s = single, let t = allAges.first(where: { $0.year == s.year }) {
            for d in districtCodes.indices {
                let sum = s.counts[d].reduce(0, +)
                if sum != t.counts[d] {
                    notes.append("\(districtCodes[d]) \(s.year): single years of age sum to \(sum) but all-ages total is \(t.counts[d])")
                }
            }
        }
        unused.sort { $0.line < $1.line }
        population = Population(allAges: allAges, singleYearOfAge: single)
    }

    /// "37" → age 37; "90+" → open-ended 90.
    static func singleAge(_ text: String) -> Kind? {
        if text.hasSuffix("+"), let a = Int(text.dropLast()), a >= 0, a <= 120 { return .singleYear(a, open: true) }
        if let a = Int(text), a >= 0, a <= 120 { return .singleYear(a, open: false) }
        return nil
    }

    /// Unused rows grouped by reason, with up to five line numbers each.
    public var unusedSummary: [String] {
        var order: [String] = []
        var lines: [String: [Int]] = [:]
        for u in unused {
            if lines[u.reason] == nil { order.append(u.reason) }
            lines[u.reason, default: []].append(u.line)
        }
        return order.map { reason in
            let l = lines[reason]!
            let shown = l.prefix(5).map(String.init).joined(separator: ", ")
            return "\(l.count) row\(l.count == 1 ? "" : "s") (line\(l.count == 1 ? "" : "s") \(shown)\(l.count > 5 ? ", …" : "")): \(reason)"
        }
    }
}

/// Minimal RFC 4180 reader: quoted fields with doubled quotes, CRLF or LF, BOM stripped.
enum CSV {
    struct Record { let line: Int; let fields: [String] }

    static func records(_ text: String) -> [Record] {
        var out: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1, recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        var first = true
        while let c = pending ?? iterator.next() {
            pending = nil
            if first { first = false; if c == "\u{FEFF}" { continue } }
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": fields.append(field); field = ""
            case "\r": continue
            case "\n":
                fields.append(field); field = ""
                out.append(Record(line: recordLine, fields: fields)); fields = []
                line += 1; recordLine = line
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            out.append(Record(line: recordLine, fields: fields))
        }
        return out
    }
}
