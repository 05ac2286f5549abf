import Foundation
import SVDCore
import Yams

/// How a partner extract's columns become incident fields, read from YAML (see Mappings/README.md).
///
/// Each field is a column name, or a mapping with `column`, `format`/`formats` (dates), `map` (partner code →
/// our value), `default` (for values neither mapped nor in our vocabulary) or `value` (a constant for every row).
public struct ColumnMapping: Sendable {
    public enum CoordinateSystem: String, Sendable { case bng, wgs84 }

    struct Field: Sendable {
        var column: String?
        var value: String?
        var formats: [String] = []
        var map: [(String, String)] = []
        var defaultValue: String?
    }

    public let name: String
    /// nil: the extract has no coordinate columns and places every row through `venues`.
    public let coordinates: CoordinateSystem?
    let fields: [String: Field]
    /// `venue: {column, lookup}`: the column naming the place, and the lookup that turns it into coordinates or a
    /// district, for rows without coordinates. A row that still cannot be placed is rejected as `unplaced_location`.
    public let venues: (column: String, lookup: VenueLookup)?

    static let fieldKeys = Set<String>([
        "id", "datetime", "date", "time", "offence", "easting", "northing", "longitude", "latitude",
        "victim_age", "suspect_age", "source",
    ]).union(CategoricalField.allCases.map(\.key))

    public init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw IngestError.invalidMapping(file: url.path, reason: "cannot read mapping: \(error.localizedDescription)")
        }
        try self.init(yaml: text, source: url.path, relativeTo: url.deletingLastPathComponent())
    }

    /// `source` names the mapping in error messages; a venue lookup's path is relative to `relativeTo` (default:
    /// the working directory).
    public init(yaml: String, source: String, relativeTo base: URL? = nil) throws {
        func fail(_ why: String) -> IngestError { .invalidMapping(file: source, reason: why) }
        let root: Node?
        do { root = try SafeYAML.compose(yaml: yaml) } catch let e as SafeYAML.TooLarge {
            throw fail("\(e)")
        } catch { throw fail("not valid YAML: \(error)") }
        guard let top = root?.mapping else { throw fail("expected a mapping of field names at the top level") }
        var name = source
        var coordinates: CoordinateSystem?
        var fields: [String: Field] = [:]
        var venues: (column: String, lookup: VenueLookup)?
        for (k, v) in top {
            guard let key = k.scalar?.string else { throw fail("top-level keys must be plain names") }
            switch key {
            case "name":
                guard let s = v.scalar?.string else { throw fail("name must be text") }
                name = s
            case "coordinates":
                guard let s = v.scalar?.string, let c = CoordinateSystem(rawValue: s.lowercased()) else {
                    throw fail("coordinates must be bng or wgs84")
                }
                coordinates = c
            case "venue":
                guard let m = v.mapping, let column = m["column"]?.scalar?.string, let path = m["lookup"]?.scalar?.string,
                      m.count == 2 else { throw fail("venue must be {column: <venue name column>, lookup: <CSV of venue, easting, northing | longitude, latitude | district>}") }
                let file = path.hasPrefix("/") || base == nil ? URL(fileURLWithPath: path) : base!.appendingPathComponent(path)
                venues = (column, try VenueLookup(contentsOf: file))
            case _ where Self.fieldKeys.contains(key):
                fields[key] = try Self.field(v, key: key, fail: fail)
            default:
                throw fail("unknown key '\(key)' (fields: \(Self.fieldKeys.sorted().joined(separator: ", ")); also name, coordinates, venue)")
            }
        }
        if coordinates == nil && venues == nil { throw fail("coordinates: bng or wgs84 is required (or a venue lookup)") }
        if let coordinates {
            let pair = coordinates == .bng ? ["easting", "northing"] : ["longitude", "latitude"]
            for k in pair where fields[k]?.column == nil { throw fail("coordinates \(coordinates.rawValue) needs a column for '\(k)'") }
        }
        guard fields["offence"] != nil else { throw fail("offence is required (a column, or {value: category})") }
        switch (fields["datetime"], fields["date"]) {
        case (nil, nil): throw fail("give datetime, or date (and optionally time)")
        case (.some, .some): throw fail("give datetime or date, not both")
        default: break
        }
        if fields["datetime"] != nil && fields["time"] != nil { throw fail("time goes with date, not datetime") }
        for k in ["datetime", "date", "time"] {
            guard let f = fields[k] else { continue }
            guard f.column != nil, !f.formats.isEmpty else { throw fail("\(k) needs a column and a format, e.g. {column: X, format: dd/MM/yyyy}") }
            for pattern in f.formats {
                let p: DatePattern
                do { p = try DatePattern(pattern) } catch let e as DatePattern.Invalid { throw fail(e.reason) }
                if k == "time" ? !p.hasHour : !p.hasDate { throw fail("\(k) format '\(pattern)' lacks \(k == "time" ? "HH" : "yyyy and a month")") }
            }
        }
        for k in ["id", "easting", "northing", "longitude", "latitude", "victim_age", "suspect_age"] {
            if let f = fields[k], f.column == nil || !f.map.isEmpty || f.value != nil { throw fail("\(k) takes a column name only") }
        }
        for c in CategoricalField.allCases {
            guard let f = fields[c.key] else { continue }
            let vocabulary = ValueTable(c.vocabulary)
            for value in f.map.map(\.1) + [f.value, f.defaultValue].compactMap({ $0 }) where !value.isEmpty {
                let bytes = Array(value.utf8)
                let known = bytes.withUnsafeBufferPointer { vocabulary.lookup($0.baseAddress!, 0, bytes.count) } != nil
                if !known {
                    throw fail("\(c.key): '\(value)' is not one of \(c.vocabulary.map(\.0).joined(separator: ", "))")
                }
            }
        }
        self.name = name
        self.coordinates = coordinates
        self.fields = fields
        self.venues = venues
    }

    private static func field(_ node: Node, key: String, fail: (String) -> IngestError) throws -> Field {
        if let s = node.scalar?.string { return Field(column: s) }
        guard let m = node.mapping else { throw fail("\(key): expected a column name or a mapping") }
        var f = Field()
        for (k, v) in m {
            switch k.scalar?.string {
            case "column": f.column = v.scalar?.string
            case "value": f.value = v.scalar?.string
            case "default": f.defaultValue = v.scalar?.string
            case "format":
                guard let s = v.scalar?.string else { throw fail("\(key).format must be text") }
                f.formats = [s]
            case "formats":
                guard let seq = v.sequence else { throw fail("\(key).formats must be a list") }
                f.formats = seq.compactMap { $0.scalar?.string }
            case "map":
                guard let mm = v.mapping else { throw fail("\(key).map must be a mapping of partner value: our value") }
                // Scalars keep their source text, so a code such as 01 stays "01".
                f.map = try mm.map { pk, pv in
                    guard let a = pk.scalar?.string, let b = pv.scalar?.string else { throw fail("\(key).map entries must be plain values") }
                    return (a, b)
                }
            default:
                throw fail("\(key): unknown option '\(k.scalar?.string ?? "?")' (column, value, format, formats, map, default)")
            }
        }
        if f.column == nil && f.value == nil { throw fail("\(key): give a column or a value") }
        if f.column != nil && f.value != nil { throw fail("\(key): give a column or a value, not both") }
        return f
    }
}
