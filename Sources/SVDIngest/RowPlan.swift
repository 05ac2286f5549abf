import SVDCore

/// Which file layout to read.
public enum IncidentFormat: Sendable {
    /// Our own header-driven schema (README-schema.md).
    case native
    /// data.police.uk street-level crime CSV, as published.
    case policeUK
    /// A partner extract described by a YAML column mapping.
    case mapped(ColumnMapping)

    public var label: String {
        switch self {
        case .native: "native"
        case .policeUK: "data.police.uk"
        case .mapped(let m): "mapped (\(m.name))"
        }
    }
}

/// A text field (offence, source): a column, optionally recoded by a map, or a constant.
struct TextRule: Sendable {
    var column = -1
    var constant: String?
    /// normaliseCategory(partner value) → our text.
    var map: [String: String] = [:]
}

struct CategoricalRule: Sendable {
    var column = -1
    var table: ValueTable
    var constant: UInt8?
    /// Used for values outside the table instead of rejecting the row.
    var fallback: UInt8?
}

enum DateRule: Sendable {
    case native(Int)
    case yearMonth(Int)
    case patterns(date: Int, [DatePattern], time: Int, [DatePattern])
}

/// How each incident field comes out of a record, compiled once per file from the header.
struct RowPlan: Sendable {
    var format: String
    var columnNames: [String]
    var id = -1
    var idMayBeBlank = false
    var date: DateRule
    var offence: TextRule
    var easting = -1, northing = -1, longitude = -1, latitude = -1
    var victimAge = -1, suspectAge = -1
    var categorical: [CategoricalRule]
    var source: TextRule
    var defaultSource: String
    /// Venue-name column, its lookup, and the area's district index + 1 for each district name the lookup uses.
    var venue = -1
    var venues: VenueLookup?
    var venueDistricts: [String: UInt8] = [:]

    var columnCount: Int { columnNames.count }

    func name(_ column: Int) -> String { column >= 0 && column < columnNames.count ? columnNames[column] : "?" }
}

/// Header names compare case-insensitively, with spaces and hyphens read as underscores.
func headerKey(_ s: String) -> String {
    var out = ""
    var pending = false
    for ch in s.lowercased().unicodeScalars {
        if ch == " " || ch == "\t" || ch == "-" || ch == "_" { pending = !out.isEmpty; continue }
        if pending { out.append("_"); pending = false }
        out.unicodeScalars.append(ch)
    }
    return out
}

struct HeaderIndex {
    let file: String
    let names: [String]
    private var positions: [String: Int] = [:]
    private var duplicates: Set<String> = []

    init(file: String, names: [String]) {
        self.file = file
        self.names = names
        for (i, n) in names.enumerated() {
            let k = headerKey(n)
            if positions[k] != nil { duplicates.insert(k) } else { positions[k] = i }
        }
    }

    func has(_ name: String) -> Bool { positions[headerKey(name)] != nil }

    /// Index of a column the plan uses; a duplicated name is ambiguous and so an error.
    func column(_ name: String) throws -> Int? {
        let k = headerKey(name)
        if duplicates.contains(k) { throw IngestError.duplicateColumn(file: file, column: name) }
        return positions[k]
    }
}

extension RowPlan {
    static func vocabularyRules() -> [CategoricalRule] {
        CategoricalField.allCases.map { CategoricalRule(table: CategoricalField.vocabularyTables[$0.rawValue]) }
    }

    /// Picks the format from the header: data.police.uk by its distinctive columns, else native.
    static func detect(_ header: HeaderIndex) throws -> IncidentFormat {
        if header.has("crime id") && header.has("crime type") && header.has("month") { return .policeUK }
        if header.has("id") || header.has("datetime") || header.has("offence") { return .native }
        throw IngestError.unrecognisedHeader(file: header.file, header: header.names)
    }

    static func make(_ format: IncidentFormat, header: HeaderIndex, sourceLabel: String?) throws -> RowPlan {
        switch format {
        case .native: try native(header, sourceLabel: sourceLabel)
        case .policeUK: try policeUK(header, sourceLabel: sourceLabel)
        case .mapped(let m): try mapped(m, header, sourceLabel: sourceLabel)
        }
    }

    static func native(_ h: HeaderIndex, sourceLabel: String?) throws -> RowPlan {
        var missing: [String] = []
        func required(_ n: String) throws -> Int {
            if let c = try h.column(n) { return c }
            missing.append(n)
            return -1
        }
        let id = try required("id"), dt = try required("datetime"), off = try required("offence")
        let e = try h.column("easting"), n = try h.column("northing"), lon = try h.column("longitude"), lat = try h.column("latitude")
        if (e == nil) != (n == nil) { missing.append(e == nil ? "easting" : "northing") }
        if (lon == nil) != (lat == nil) { missing.append(lon == nil ? "longitude" : "latitude") }
        if e == nil && n == nil && lon == nil && lat == nil { missing.append("easting+northing or longitude+latitude") }
        guard missing.isEmpty else { throw IngestError.missingColumns(file: h.file, format: "native", missing: missing) }
        var plan = RowPlan(format: "native", columnNames: h.names, id: id, date: .native(dt), offence: TextRule(column: off),
                           categorical: vocabularyRules(), source: TextRule(column: try h.column("source") ?? -1),
                           defaultSource: sourceLabel ?? "police")
        plan.easting = e ?? -1
        plan.northing = n ?? -1
        plan.longitude = lon ?? -1
        plan.latitude = lat ?? -1
        plan.victimAge = try h.column("victim_age") ?? -1
        plan.suspectAge = try h.column("suspect_age") ?? -1
        for f in CategoricalField.allCases { plan.categorical[f.rawValue].column = try h.column(f.key) ?? -1 }
        return plan
    }

    static func policeUK(_ h: HeaderIndex, sourceLabel: String?) throws -> RowPlan {
        let names = ["Crime ID", "Month", "Longitude", "Latitude", "Crime type"]
        let cols = try names.map { try h.column($0) }
        let missing = zip(names, cols).filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty else { throw IngestError.missingColumns(file: h.file, format: "data.police.uk", missing: missing) }
        var plan = RowPlan(format: "data.police.uk", columnNames: h.names, id: cols[0]!, idMayBeBlank: true, date: .yearMonth(cols[1]!),
                           offence: TextRule(column: cols[4]!), categorical: vocabularyRules(), source: TextRule(),
                           defaultSource: sourceLabel ?? "police.uk")
        plan.longitude = cols[2]!
        plan.latitude = cols[3]!
        return plan
    }

    static func mapped(_ m: ColumnMapping, _ h: HeaderIndex, sourceLabel: String?) throws -> RowPlan {
        var missing: [String] = []
        func col(_ key: String) throws -> Int {
            guard let name = m.fields[key]?.column else { return -1 }
            if let c = try h.column(name) { return c }
            missing.append(name)
            return -1
        }
        func text(_ key: String) throws -> TextRule {
            guard let f = m.fields[key] else { return TextRule() }
            var r = TextRule(column: try col(key), constant: f.value)
            for (a, b) in f.map { r.map[normaliseCategory(a)] = b }
            return r
        }
        let id = try col("id")
        let date: DateRule
        if m.fields["datetime"] != nil {
            date = .patterns(date: try col("datetime"), try m.fields["datetime"]!.formats.map(DatePattern.init), time: -1, [])
        } else {
            date = .patterns(date: try col("date"), try m.fields["date"]!.formats.map(DatePattern.init),
                             time: try col("time"), try (m.fields["time"]?.formats ?? []).map(DatePattern.init))
        }
        var plan = RowPlan(format: "mapped (\(m.name))", columnNames: h.names, date: date, offence: try text("offence"),
                           categorical: vocabularyRules(), source: try text("source"), defaultSource: sourceLabel ?? m.name)
        plan.id = id
        if let v = m.venues {
            plan.venues = v.lookup
            if let c = try h.column(v.column) { plan.venue = c } else { missing.append(v.column) }
        }
        if m.coordinates == .bng {
            plan.easting = try col("easting")
            plan.northing = try col("northing")
        } else if m.coordinates == .wgs84 {
            plan.longitude = try col("longitude")
            plan.latitude = try col("latitude")
        }
        plan.victimAge = try col("victim_age")
        plan.suspectAge = try col("suspect_age")
        for c in CategoricalField.allCases {
            guard let f = m.fields[c.key] else { continue }
            var rule = CategoricalRule(column: try col(c.key), table: ValueTable(c.vocabulary + f.map.map { k, v in
                (k, lookupVocabulary(c, v))
            }))
            if let v = f.value { rule.constant = lookupVocabulary(c, v) }
            if let d = f.defaultValue { rule.fallback = lookupVocabulary(c, d) }
            plan.categorical[c.rawValue] = rule
        }
        guard missing.isEmpty else { throw IngestError.missingColumns(file: h.file, format: plan.format, missing: missing) }
        return plan
    }

    /// Code of one of our own words (already validated when the mapping was loaded); blank is unknown.
    static func lookupVocabulary(_ c: CategoricalField, _ word: String) -> UInt8 {
        let bytes = Array(word.utf8)
        guard !bytes.isEmpty else { return 0 }
        return bytes.withUnsafeBufferPointer { CategoricalField.vocabularyTables[c.rawValue].lookup($0.baseAddress!, 0, bytes.count) } ?? 0
    }
}
