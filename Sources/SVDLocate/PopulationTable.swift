import Foundation
import SVDCore

/// Reads ONS-style long population CSVs (one count per row) into per-district totals and single years of age,
/// for persons and, when the files give them, for females and males.
///
/// Several files can be read together (e.g. an older persons file and a newer by-sex file); each has its own
/// header. Columns are found by name, case-insensitively: code (`area_code`, `lad_code`, `lad20cd`, `LAD21CD`,
/// `code`…), year, age (`age_band_or_age`, `age`), population (`population`, `count`, `value`), and optionally
/// `record_type`, `sex` (`persons`/`all`, `female`/`F`, `male`/`M`) and `source`. A row's source is its
/// `source` column, else the label given for its file, else the file's name.
///
/// Kept: every year's complete all-ages totals; the latest year whose persons single years of age are complete
/// (persons may be female + male when a file gives only the sexes), with its female and male single years when
/// both are complete and add up to persons. A kept year without all-ages rows gets totals summed from its single
/// years. Every row is either used or listed in `unused` with its file, line and reason.
public struct PopulationTable: Sendable {
    public struct Unused: Sendable, Equatable {
        public let line: Int
        public let reason: String
        /// The file's name (as given); empty for a table read from one string.
        public var file: String = ""

        public init(line: Int, reason: String, file: String = "") {
            self.line = line
            self.reason = reason
            self.file = file
        }
    }

    /// One CSV to read, with the source label for rows that carry none.
    public struct Input: Sendable {
        public let text: String
        public let file: String
        public let source: String?
        public init(text: String, file: String, source: String? = nil) {
            self.text = text
            self.file = file
            self.source = source
        }
    }

    /// The files read, joined with ", ".
    public let file: String
    public let files: [String]
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

    /// Rows' sex: persons, or one of the two sexes ONS estimates are published for.
    enum RowSex: Int, CaseIterable {
        case persons = 0, female, male
        var label: String { ["persons", "female", "male"][rawValue] }
    }

    public static func read(_ url: URL, districtCodes: [String]) throws -> PopulationTable {
        try read([(url, nil)], districtCodes: districtCodes)
    }

    /// Reads several files; `source` labels a file's rows that have no source column.
    public static func read(_ files: [(url: URL, source: String?)], districtCodes: [String]) throws -> PopulationTable {
        let inputs = try files.map { url, source in
            do { return Input(text: try String(contentsOf: url, encoding: .utf8), file: url.path, source: source) } catch {
                throw Invalid(description: "\(url.path): cannot read as UTF-8 text: \(error.localizedDescription)")
            }
        }
        return try PopulationTable(inputs: inputs, districtCodes: districtCodes)
    }

    public init(csv text: String, file: String, districtCodes: [String]) throws {
        try self.init(inputs: [Input(text: text, file: file)], districtCodes: districtCodes, singleFile: true)
    }

    public init(inputs: [Input], districtCodes: [String]) throws {
        try self.init(inputs: inputs, districtCodes: districtCodes, singleFile: inputs.count == 1)
    }

    /// A row that passed the per-row checks.
    private struct Row {
        let file: Int, line: Int, district: Int, year: Int, sex: RowSex, age: Int, open: Bool, count: Int, source: String
    }

    private init(inputs: [Input], districtCodes: [String], singleFile: Bool) throws {
        guard !inputs.isEmpty else { throw Invalid(description: "no population file given") }
        files = inputs.map(\.file)
        file = files.joined(separator: ", ")
        let names = inputs.map { URL(fileURLWithPath: $0.file).lastPathComponent }
        let index = Dictionary(uniqueKeysWithValues: districtCodes.enumerated().map { ($1, $0) })
        var unusedRows: [Unused] = []
        func note(_ f: Int, _ line: Int, _ why: String) {
            unusedRows.append(Unused(line: line, reason: why, file: singleFile ? "" : names[f]))
        }

        var totals: [Int: [Int: Int]] = [:]                 // year → district → count
        var totalRows: [Int: [Row]] = [:]
        var singles: [RowSex: [Int: [Int: [Int: Int]]]] = [:] // sex → year → district → age → count
        var singleRows: [RowSex: [Int: [Row]]] = [:]
        var openAges: [RowSex: [Int: Int]] = [:]
        var sources: [String: [String]] = [:]               // "all_ages 2020" → sources

        for (f, input) in inputs.enumerated() {
            func fail(_ why: String) -> Invalid { Invalid(description: "\(input.file): \(why)") }
            var records = SmallCSV.records(input.text)
            guard !records.isEmpty else { throw fail("empty file") }
            let header = records.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            func column(_ names: [String], onsSuffix: String? = nil) -> Int? {
                if let i = header.firstIndex(where: { names.contains($0) }) { return i }
                guard let onsSuffix else { return nil }
                return header.firstIndex { h in
                    h.hasSuffix(onsSuffix) && h.dropLast(2).suffix(2).allSatisfy(\.isNumber) && h.count >= 6
                }
            }
            guard let codeColumn = column(["area_code", "areacode", "code", "geography_code", "geography code", "lad_code", "la_code", "ladcode"],
                                          onsSuffix: "cd") else {
                throw fail("no district code column (area_code, lad_code, lad20cd, …) in header \(header)")
            }
            guard let yearColumn = column(["year", "mid_year", "date"]) else { throw fail("no year column in header \(header)") }
            guard let countColumn = column(["population", "count", "value", "obs_value", "persons"]) else {
                throw fail("no population column (population, count, value) in header \(header)")
            }
            let ageColumn = column(["age_band_or_age", "age", "age_band"])
            let typeColumn = column(["record_type", "type"])
            let sexColumn = column(["sex", "gender"])
            let sourceColumn = column(["source"])
            let fileSource = input.source.flatMap { $0.isEmpty ? nil : $0 } ?? names[f]

            for record in records {
                let fields = record.fields
                if fields.count == 1, fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }  // blank line
                rows += 1
                let line = record.line
                func field(_ i: Int?) -> String? { i.flatMap { $0 < fields.count ? fields[$0].trimmingCharacters(in: .whitespaces) : nil } }
                guard fields.count == header.count else { note(f, line, "has \(fields.count) fields, header has \(header.count)"); continue }
                let code = field(codeColumn)!
                guard let district = index[code] else { note(f, line, "district \(code) is not in the boundaries"); continue }
                guard let year = Int(field(yearColumn)!.prefix(4)) else { note(f, line, "year \"\(field(yearColumn)!)\" is not a year"); continue }
                guard let count = Int(field(countColumn)!), count >= 0 else {
                    note(f, line, "population \"\(field(countColumn)!)\" is not a non-negative whole number"); continue
                }
                let sex: RowSex
                switch field(sexColumn)?.lowercased() ?? "" {
                case "persons", "all", "people", "total", "": sex = .persons
                case "female", "females", "f": sex = .female
                case "male", "males", "m": sex = .male
                case let other: note(f, line, "sex \"\(other)\" is not persons, female or male"); continue
                }
                let age = field(ageColumn) ?? "all"
                let kind: Kind
                switch field(typeColumn)?.lowercased() {
                case "all_ages": kind = .allAges
                case "single_year_of_age":
                    guard let k = Self.singleAge(age) else { note(f, line, "single_year_of_age row with age \"\(age)\""); continue }
                    kind = k
                case let t? where t.contains("derived") || t.contains("band"): kind = .derivedBand
                case nil, "":
                    if ["all", "all ages", "all_ages", "total"].contains(age.lowercased()) { kind = .allAges }
                    else if let k = Self.singleAge(age) { kind = k }
                    else { kind = .derivedBand }
                case let t?: note(f, line, "unknown record_type \"\(t)\""); continue
                }
                let sourceValue = field(sourceColumn).flatMap { $0.isEmpty ? nil : $0 } ?? fileSource
                switch kind {
                case .derivedBand:
                    note(f, line, "age band \(age) not used: bands are derived from the single years of age")
                case .allAges:
                    guard sex == .persons else {
                        note(f, line, "\(sex.label) all-ages total not used: sex-specific denominators come from the single years of age"); continue
                    }
                    if let previous = totals[year]?[district] {
                        note(f, line, "duplicate all-ages count for \(code) \(year) (\(count); first was \(previous))"); continue
                    }
                    totals[year, default: [:]][district] = count
                    totalRows[year, default: []].append(Row(file: f, line: line, district: district, year: year, sex: sex, age: -1,
                                                            open: false, count: count, source: sourceValue))
                    sources["all_ages \(year)", default: []].append(sourceValue)
                case .singleYear(let a, let open):
                    let tag = sex == .persons ? "" : " \(sex.label)"
                    if let previous = singles[sex]?[year]?[district]?[a] {
                        note(f, line, "duplicate\(tag) count for \(code) \(year) age \(age) (\(count); first was \(previous))"); continue
                    }
                    if open {
                        if let o = openAges[sex]?[year], o != a {
                            note(f, line, "second open-ended\(tag) age \(age) for \(year) (first was \(o)+)"); continue
                        }
                        openAges[sex, default: [:]][year] = a
                    }
                    singles[sex, default: [:]][year, default: [:]][district, default: [:]][a] = count
                    singleRows[sex, default: [:]][year, default: []].append(Row(file: f, line: line, district: district, year: year, sex: sex,
                                                                                age: a, open: open, count: count, source: sourceValue))
                    sources["single_year_of_age \(sex.label) \(year)", default: []].append(sourceValue)
                }
            }
        }

        func sourceText(_ key: String) -> String {
            var seen: [String] = []
            for s in sources[key] ?? [] where !s.isEmpty && !seen.contains(s) { seen.append(s) }
            return seen.joined(separator: "; ")
        }
        /// A complete single-year table of one sex and year: every district has every age 0…open.
        func complete(_ sex: RowSex, _ year: Int) -> (open: Int, counts: [[Int]])? {
            guard let open = openAges[sex]?[year], let byDistrict = singles[sex]?[year] else { return nil }
            var counts: [[Int]] = []
            for d in districtCodes.indices {
                guard let ages = byDistrict[d], (0...open).allSatisfy({ ages[$0] != nil }) else { return nil }
                counts.append((0...open).map { ages[$0]! })
            }
            return (open, counts)
        }
        func incompleteReason(_ sex: RowSex, _ year: Int) -> String {
            guard let open = openAges[sex]?[year] else { return "no open-ended top age (e.g. 90+)" }
            let byDistrict = singles[sex]?[year] ?? [:]
            let incomplete = districtCodes.indices.filter { d in (0...open).contains { byDistrict[d]?[$0] == nil } }
            return "ages 0…\(open)+ incomplete for \(incomplete.map { districtCodes[$0] }.joined(separator: ", "))"
        }

        // One single-year table is kept: the latest year whose persons are complete (or female + male are).
        let years = Set(RowSex.allCases.flatMap { singles[$0]?.keys.map { $0 } ?? [] }).sorted(by: >)
        var single: Population.SingleYearOfAge?
        var bySex: Population.SingleYearOfAgeBySex?
        var keptSexes: Set<RowSex> = []
        for year in years where single == nil {
            let female = complete(.female, year), male = complete(.male, year)
            if let persons = complete(.persons, year) {
                single = .init(year: year, source: sourceText("single_year_of_age persons \(year)"), openAge: persons.open, counts: persons.counts)
                keptSexes.insert(.persons)
            } else if let female, let male, female.open == male.open {
                let counts = zip(female.counts, male.counts).map { zip($0, $1).map(+) }
                let f = sourceText("single_year_of_age female \(year)"), m = sourceText("single_year_of_age male \(year)")
                single = .init(year: year, source: (f == m ? f : "\(f); \(m)") + " (persons = female + male)", openAge: female.open, counts: counts)
                notes.append("\(year): persons single years of age are female + male (no persons rows)")
            } else {
                continue
            }
            let kept = single!
            // The sexes join the kept year only when both are complete and add up to its persons.
            guard let female, let male else {
                let missing = [(RowSex.female, female == nil), (.male, male == nil)].filter(\.1).map { "\($0.0.label): \(incompleteReason($0.0, year))" }
                if singles[.female]?[year] != nil || singles[.male]?[year] != nil {
                    notes.append("\(year): no sex-specific denominators (\(missing.joined(separator: "; ")))")
                }
                break
            }
            guard female.open == kept.openAge, male.open == kept.openAge else {
                notes.append("\(year): no sex-specific denominators (open-ended ages differ: persons \(kept.openAge)+, female \(female.open)+, male \(male.open)+)")
                break
            }
            var mismatches: [String] = []
            for d in districtCodes.indices {
                for a in 0...kept.openAge where female.counts[d][a] + male.counts[d][a] != kept.counts[d][a] {
                    mismatches.append("\(districtCodes[d]) age \(a): \(female.counts[d][a]) + \(male.counts[d][a]) ≠ \(kept.counts[d][a])")
                }
            }
            guard mismatches.isEmpty else {
                notes.append("\(year): no sex-specific denominators: female + male differ from persons at \(mismatches.count) ages (\(mismatches.prefix(3).joined(separator: "; "))\(mismatches.count > 3 ? "; …" : ""))")
                break
            }
            let fs = sourceText("single_year_of_age female \(year)"), ms = sourceText("single_year_of_age male \(year)")
            bySex = .init(year: year, source: fs == ms ? fs : "\(fs); \(ms)", openAge: kept.openAge,
                          female: female.counts, male: male.counts)
            keptSexes.formUnion([.female, .male])
        }
        for sex in RowSex.allCases {
            for (year, list) in singleRows[sex] ?? [:] {
                let tag = sex == .persons ? "" : "\(sex.label) "
                let reason: String?
                if let kept = single, kept.year == year {
                    reason = keptSexes.contains(sex) ? nil
                        : sex == .persons ? "single years of age \(year) not used: \(incompleteReason(.persons, year)); persons = female + male"
                        : "\(tag)single years of age \(year) not used: no sex-specific denominators (see notes)"
                } else if let kept = single {
                    reason = "\(tag)single years of age \(year) not used: \(kept.year) is the table kept"
                } else {
                    reason = "\(tag)single years of age \(year) not used: \(incompleteReason(sex, year))"
                }
                let openAge = single?.openAge ?? Int.max
                for row in list {
                    if let reason { note(row.file, row.line, reason) }
                    else if row.age > openAge { note(row.file, row.line, "age \(row.age) lies inside the open-ended \(openAge)+ group") }
                    else { used += 1 }
                }
            }
        }

        var allAges: [Population.Totals] = []
        for year in totals.keys.sorted() {
            let byDistrict = totals[year]!
            let missing = districtCodes.indices.filter { byDistrict[$0] == nil }.map { districtCodes[$0] }
            if missing.isEmpty {
                allAges.append(.init(year: year, source: sourceText("all_ages \(year)"), counts: districtCodes.indices.map { byDistrict[$0]! }))
                used += totalRows[year]!.count
            } else {
                for row in totalRows[year]! { note(row.file, row.line, "all-ages \(year) not used: no count for \(missing.joined(separator: ", "))") }
            }
        }
        if let s = single {
            if let t = allAges.first(where: { $0.year == s.year }) {
                for d in districtCodes.indices {
                    let sum = s.counts[d].reduce(0, +)
                    if sum != t.counts[d] {
                        notes.append("\(districtCodes[d]) \(s.year): single years of age sum to \(sum) but all-ages total is \(t.counts[d])")
                    }
                }
            } else {
                // Crude rates need the kept year's all-ages totals: the single years give them exactly.
                allAges.append(.init(year: s.year, source: s.source + " (all ages summed from single years)", counts: s.counts.map { $0.reduce(0, +) }))
                notes.append("all-ages \(s.year): summed from the single years of age (no all-ages rows for \(s.year))")
            }
        }
        unusedRows.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        unused = unusedRows
        population = Population(allAges: allAges, singleYearOfAge: single, singleYearOfAgeBySex: bySex)
    }

    /// "37" → age 37; "90+" → open-ended 90.
    static func singleAge(_ text: String) -> Kind? {
        if text.hasSuffix("+"), let a = Int(text.dropLast()), a >= 0, a <= 120 { return .singleYear(a, open: true) }
        if let a = Int(text), a >= 0, a <= 120 { return .singleYear(a, open: false) }
        return nil
    }

    /// Unused rows grouped by reason, with up to five line numbers each (prefixed by the file when several were read).
    public var unusedSummary: [String] {
        var order: [String] = []
        var rows: [String: [Unused]] = [:]
        for u in unused {
            if rows[u.reason] == nil { order.append(u.reason) }
            rows[u.reason, default: []].append(u)
        }
        return order.map { reason in
            let l = rows[reason]!
            // The first five lines, each file named once before its lines.
            var parts: [String] = []
            var file: String?
            for u in l.prefix(5) {
                let lineText = "\(u.line)"
                if u.file != file, !u.file.isEmpty { parts.append("\(u.file) \(lineText)") } else { parts.append(lineText) }
                file = u.file
            }
            let shown = parts.joined(separator: ", ")
            return "\(l.count) row\(l.count == 1 ? "" : "s") (line\(l.count == 1 ? "" : "s") \(shown)\(l.count > 5 ? ", …" : "")): \(reason)"
        }
    }
}
