import Foundation
import SVDCore

/// The packaged area format: a directory holding `area.json` (boundaries in BNG metres rounded to 0.1 m, plus
/// population) and `ATTRIBUTION.md` (the licence text). The JSON is written by hand so the same area always
/// produces the same bytes.
public enum AreaFile {
    public static let fileName = "area.json"
    public static let attributionFileName = "ATTRIBUTION.md"
    public static let format = "svd-area"
    public static let version = 1

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Extra facts recorded in the file for provenance; not needed to use the area.
    public struct Provenance: Sendable, Equatable {
        public var boundaries: String
        public var population: String
        public var notes: [String]
        public init(boundaries: String, population: String, notes: [String] = []) {
            self.boundaries = boundaries
            self.population = population
            self.notes = notes
        }
    }

    // MARK: Writing

    public static func save(_ area: Area, provenance: Provenance? = nil, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(encode(area, provenance: provenance).utf8).write(to: directory.appendingPathComponent(fileName), options: .atomic)
        try Data(attributionMarkdown(area, provenance: provenance).utf8)
            .write(to: directory.appendingPathComponent(attributionFileName), options: .atomic)
    }

    public static func encode(_ area: Area, provenance: Provenance? = nil) -> String {
        var out = "{\n"
        out += "\"format\": \(quote(format)),\n\"version\": \(version),\n"
        out += "\"id\": \(quote(area.id)),\n\"name\": \(quote(area.name)),\n\"crs\": \"EPSG:27700\",\n"
        out += "\"attribution\": \(quote(area.attribution)),\n"
        if let provenance {
            out += "\"provenance\": {\"boundaries\": \(quote(provenance.boundaries)), \"population\": \(quote(provenance.population)), "
            out += "\"notes\": [" + provenance.notes.map(quote).joined(separator: ", ") + "]},\n"
        }
        out += "\"population\": {\n\"all_ages\": ["
        out += area.population.allAges.map { t in
            "\n  {\"year\": \(t.year), \"source\": \(quote(t.source)), \"counts\": {"
                + zip(area.districts, t.counts).map { "\(quote($0.code)): \($1)" }.joined(separator: ", ") + "}}"
        }.joined(separator: ",")
        out += "\n],\n\"single_year_of_age\": "
        if let s = area.population.singleYearOfAge {
            out += "{\"year\": \(s.year), \"source\": \(quote(s.source)), \"open_age\": \(s.openAge), \"counts\": {"
            out += zip(area.districts, s.counts).map { d, counts in
                "\n  \(quote(d.code)): [" + counts.map(String.init).joined(separator: ",") + "]"
            }.joined(separator: ",")
            out += "\n}}"
        } else {
            out += "null"
        }
        // Written only when present, so an area without it keeps its bytes.
        if let s = area.population.singleYearOfAgeBySex {
            out += ",\n\"single_year_of_age_by_sex\": {\"year\": \(s.year), \"source\": \(quote(s.source)), \"open_age\": \(s.openAge)"
            for (name, table) in [("female", s.female), ("male", s.male)] {
                out += ", \"\(name)\": {"
                out += zip(area.districts, table).map { d, counts in
                    "\n  \(quote(d.code)): [" + counts.map(String.init).joined(separator: ",") + "]"
                }.joined(separator: ",")
                out += "\n}"
            }
            out += "}"
        }
        out += "\n},\n\"districts\": ["
        out += area.districts.map { d in
            var s = "\n{\"code\": \(quote(d.code)), \"name\": \(quote(d.name)), \"polygons\": ["
            s += d.polygons.map { rings in
                "\n [" + rings.map { ring in
                    "\n  [" + ring.map { "[\(decimetres($0.easting)),\(decimetres($0.northing))]" }.joined(separator: ",") + "]"
                }.joined(separator: ",") + "]"
            }.joined(separator: ",")
            return s + "]}"
        }.joined(separator: ",")
        out += "\n]\n}\n"
        return out
    }

    public static func attributionMarkdown(_ area: Area, provenance: Provenance?) -> String {
        var s = "# \(area.name) (`\(area.id)`): sources and licence\n\n\(area.attribution)\n"
        if let provenance {
            s += "\nBuilt by `svd geodata import` from:\n\n* boundaries: `\(provenance.boundaries)`\n"
            s += provenance.population.components(separatedBy: ", ").map { "* population: `\($0)`\n" }.joined()
            let p = area.population
            var kept: [String] = p.allAges.map { "* all ages, mid-\($0.year): \($0.source)\n" }
            if let single = p.singleYearOfAge { kept.append("* single years of age 0–\(single.openAge)+, mid-\(single.year) (every denominator): \(single.source)\n") }
            if let bySex = p.singleYearOfAgeBySex { kept.append("* single years of age by sex (female, male), mid-\(bySex.year): \(bySex.source)\n") }
            if !kept.isEmpty { s += "\nPopulation kept:\n\n" + kept.joined() }
            if !provenance.notes.isEmpty { s += "\nNotes:\n\n" + provenance.notes.map { "* \($0)\n" }.joined() }
        }
        return s
    }

    /// A coordinate rounded to 0.1 m, printed without floating-point noise.
    static func decimetres(_ value: Double) -> String {
        let q = Int64((value * 10).rounded())
        let magnitude = q.magnitude
        return (q < 0 ? "-" : "") + "\(magnitude / 10).\(magnitude % 10)"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    // MARK: Reading

    public static func load(directory: URL) throws -> Area {
        let url = directory.appendingPathComponent(fileName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw Invalid(description: "\(url.path): cannot read: \(error.localizedDescription)")
        }
        return try decode(data, source: url.path)
    }

    public static func decode(_ data: Data, source: String) throws -> Area {
        func fail(_ why: String) -> Invalid { Invalid(description: "\(source): \(why)") }
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw fail("not valid JSON (\(JSONText.describe(error)))")
        }
        return try decode(root: root, source: source)
    }

    /// The shipped area's JSON, read with `MiniJSON` (native numbers: no `NSNumber` and cast per coordinate); JSON it
    /// does not read goes through `decode(_:source:)`.
    static func decodeEmbedded(_ json: String, source: String) throws -> Area {
        guard let root = MiniJSON.parse(json) else { return try decode(Data(json.utf8), source: source) }
        return try decode(root: root, source: source)
    }

    static func decode(root: Any, source: String) throws -> Area {
        func fail(_ why: String) -> Invalid { Invalid(description: "\(source): \(why)") }
        guard let object = root as? [String: Any] else { throw fail("top level is not an object") }
        guard object["format"] as? String == format else { throw fail("\"format\" is not \"\(format)\"") }
        guard let v = JSONText.int(object["version"]), v == version else { throw fail("unsupported \"version\" (expected \(version))") }
        guard let id = object["id"] as? String, let name = object["name"] as? String else { throw fail("missing \"id\" or \"name\"") }
        guard object["crs"] as? String == "EPSG:27700" else { throw fail("\"crs\" must be \"EPSG:27700\"") }
        let attribution = object["attribution"] as? String ?? ""
        guard let list = object["districts"] as? [Any] else { throw fail("missing \"districts\" array") }
        var districts: [District] = []
        for (i, item) in list.enumerated() {
            guard let d = item as? [String: Any], let code = d["code"] as? String, let dname = d["name"] as? String else {
                throw fail("districts[\(i)]: needs \"code\" and \"name\" strings")
            }
            guard let polys = d["polygons"] as? [Any] else { throw fail("districts[\(i)] (\(code)): missing \"polygons\"") }
            var polygons: [[[BNGPoint]]] = []
            for (j, p) in polys.enumerated() {
                guard let rings = p as? [Any] else { throw fail("districts[\(i)] (\(code)).polygons[\(j)] is not an array") }
                var out: [[BNGPoint]] = []
                for (k, r) in rings.enumerated() {
                    guard let ring = JSONText.pairs(r) else {
                        throw fail("districts[\(i)] (\(code)).polygons[\(j)][\(k)] is not an array of [easting, northing]")
                    }
                    out.append(ring.map { BNGPoint(easting: $0.0, northing: $0.1) })
                }
                polygons.append(out)
            }
            districts.append(District(code: code, name: dname, polygons: polygons))
        }
        let codes = districts.map(\.code)
        guard Set(codes).count == codes.count else { throw fail("duplicate district codes") }
        return Area(id: id, name: name, attribution: attribution, districts: districts,
                    population: try decodePopulation(object["population"], codes: codes, fail: fail))
    }

    static func decodePopulation(_ value: Any?, codes: [String], fail: (String) -> Invalid) throws -> Population {
        guard let value, !(value is NSNull) else { return .none }
        guard let p = value as? [String: Any] else { throw fail("\"population\" is not an object") }
        var totals: [Population.Totals] = []
        for (i, item) in (p["all_ages"] as? [Any] ?? []).enumerated() {
            guard let t = item as? [String: Any], let year = JSONText.int(t["year"]), let counts = t["counts"] as? [String: Any] else {
                throw fail("population.all_ages[\(i)]: needs \"year\" and \"counts\"")
            }
            let values = try codes.map { code in
                guard let n = JSONText.int(counts[code]) else { throw fail("population.all_ages[\(i)]: no count for \(code)") }
                return n
            }
            totals.append(.init(year: year, source: t["source"] as? String ?? "", counts: values))
        }
        var single: Population.SingleYearOfAge?
        if let s = p["single_year_of_age"] as? [String: Any] {
            guard let year = JSONText.int(s["year"]), let openAge = JSONText.int(s["open_age"]), openAge >= 0,
                  let counts = s["counts"] as? [String: Any] else {
                throw fail("population.single_year_of_age: needs \"year\", \"open_age\" and \"counts\"")
            }
            let table = try codes.map { code -> [Int] in
                guard let list = counts[code] as? [Any], list.count == openAge + 1 else {
                    throw fail("population.single_year_of_age: \(code) needs \(openAge + 1) counts")
                }
                return try list.map { guard let n = JSONText.int($0) else { throw fail("population.single_year_of_age: \(code) has a non-integer count") }; return n }
            }
            single = .init(year: year, source: s["source"] as? String ?? "", openAge: openAge, counts: table)
        }
        var bySex: Population.SingleYearOfAgeBySex?
        if let s = p["single_year_of_age_by_sex"] as? [String: Any] {
            let what = "population.single_year_of_age_by_sex"
            guard let year = JSONText.int(s["year"]), let openAge = JSONText.int(s["open_age"]), openAge >= 0 else {
                throw fail("\(what): needs \"year\", \"open_age\", \"female\" and \"male\"")
            }
            func table(_ sex: String) throws -> [[Int]] {
                guard let counts = s[sex] as? [String: Any] else { throw fail("\(what): needs \"\(sex)\"") }
                return try codes.map { code -> [Int] in
                    guard let list = counts[code] as? [Any], list.count == openAge + 1 else {
                        throw fail("\(what).\(sex): \(code) needs \(openAge + 1) counts")
                    }
                    return try list.map { guard let n = JSONText.int($0) else { throw fail("\(what).\(sex): \(code) has a non-integer count") }; return n }
                }
            }
            guard year == single?.year, openAge == single?.openAge else {
                throw fail("\(what): year and open_age must be those of single_year_of_age")
            }
            bySex = .init(year: year, source: s["source"] as? String ?? "", openAge: openAge, female: try table("female"), male: try table("male"))
        }
        return Population(allAges: totals, singleYearOfAge: single, singleYearOfAgeBySex: bySex)
    }
}

/// Helpers for values produced by `JSONSerialization`, whose number types differ between platforms.
enum JSONText {
    /// The class JSONSerialization gives JSON true/false (a boolean NSNumber subclass that also casts to Int),
    /// found once: naming every value's type cost a string per coordinate.
    static let booleanType: ObjectIdentifier? = {
        guard let list = try? JSONSerialization.jsonObject(with: Data("[true]".utf8)) as? [Any], let t = list.first else { return nil }
        return ObjectIdentifier(type(of: t))
    }()

    static func double(_ value: Any?) -> Double? {
        guard let value, !(value is String) else { return nil }
        // A native Int or Double (`MiniJSON`) first: no bridging cast; a native Bool (`MiniJSON`'s true/false) is refused.
        if type(of: value) == Int.self, let i = value as? Int { return Double(i) }
        if type(of: value) == Double.self, let d = value as? Double { return d }
        if type(of: value) == Bool.self { return nil }
        // JSON true/false cast to Int too; refuse them.
        if let booleanType, ObjectIdentifier(type(of: value)) == booleanType { return nil }
        switch value {
        case let i as Int: return Double(i)
        case let d as Double: return d
        case let n as NSNumber: return n.doubleValue
        default: return nil
        }
    }

    static func int(_ value: Any?) -> Int? {
        guard let d = double(value), d.isFinite, d == d.rounded(), abs(d) < 1e15 else { return nil }
        return Int(d)
    }

    /// An array of [x, y] (extra ordinates ignored), or nil if any element is not numeric.
    static func pairs(_ value: Any) -> [(Double, Double)]? {
        guard let list = value as? [Any] else { return nil }
        var out: [(Double, Double)] = []
        out.reserveCapacity(list.count)
        for item in list {
            guard let xy = item as? [Any], xy.count >= 2, let x = double(xy[0]), let y = double(xy[1]) else { return nil }
            out.append((x, y))
        }
        return out
    }

    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let detail = ns.userInfo["NSDebugDescription"] as? String { return detail }
        return ns.localizedDescription
    }
}
