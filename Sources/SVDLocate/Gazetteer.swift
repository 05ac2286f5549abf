import Foundation
import SVDCore
import GEOS

/// A named place of an area's gazetteer: a point (a town's or village's position) or polygons (a ward, a town's
/// built-up area), in BNG metres.
public struct Place: Sendable, Equatable {
    public let name: String
    /// What kind of place, when the file says ("Town", "Suburban Area", "ward"); informational only.
    public let kind: String?
    public let point: BNGPoint?
    /// Polygons as closed rings (shell first, then holes); empty for a point place.
    public let polygons: [[[BNGPoint]]]

    public init(name: String, kind: String? = nil, point: BNGPoint? = nil, polygons: [[[BNGPoint]]] = []) {
        self.name = name
        self.kind = kind
        self.point = point
        self.polygons = polygons
    }
}

/// Place names an area provides, so a hotspot or cell can be named by the place a person recognises ("Chatham")
/// beside its district and OS grid reference. Imported like districts, from GeoJSON points or polygons with a
/// name (`svd geodata import … --places FILE`, or `svd hotspots --gazetteer FILE`), and kept in the area directory
/// as `places.json` (GeoJSON in EPSG:27700).
///
/// The place of a position is the smallest polygon place containing it; failing that, the nearest place (point, or
/// polygon edge).
public struct Gazetteer: Sendable, Equatable {
    public let places: [Place]
    /// Where the names come from and under which licence (carried into `places.json` and outputs' notes).
    public let source: String

    public static let fileName = "places.json"
    /// Name properties looked for, in order (any case), after an ONS `xxNNnm` field: OS Open Names has `NAME1`,
    /// OpenStreetMap extracts `name`.
    public static let nameFields = ["name", "name1", "placename", "place_name", "place", "town", "ward_name", "wardname"]
    public static let kindFields = ["local_type", "type", "kind", "place_type", "fclass"]

    public init(places: [Place], source: String) {
        self.places = places
        self.source = source
    }

    // MARK: Reading

    /// Reads a GeoJSON FeatureCollection of Point, MultiPoint (first point), Polygon or MultiPolygon features in WGS84
    /// or EPSG:27700; the name comes from `nameField` when given, else the first of `nameFields` present. Features
    /// without a name are refused with their index, as are positions off the grid.
    public static func read(_ url: URL, nameField: String? = nil, source: String? = nil) throws -> Gazetteer {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GeoJSONError(file: url.path, feature: nil, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, file: url.path, nameField: nameField, source: source ?? url.lastPathComponent)
    }

    public static func parse(_ data: Data, file: String, nameField: String? = nil, source: String) throws -> Gazetteer {
        func fail(_ feature: Int?, _ reason: String) -> GeoJSONError { GeoJSONError(file: file, feature: feature, reason: reason) }
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw fail(nil, "not valid JSON (\(error.localizedDescription)); is the file truncated?")
        }
        guard let collection = root as? [String: Any], collection["type"] as? String == "FeatureCollection" else {
            throw fail(nil, "top level is not a GeoJSON FeatureCollection")
        }
        guard let features = collection["features"] as? [Any], !features.isEmpty else { throw fail(nil, "\"features\" is missing or empty") }
        let fileSource = (collection["svd_source"] as? String) ?? source

        var raw: [(name: String, kind: String?, point: (Double, Double)?, polygons: [[[(Double, Double)]]])] = []
        for (i, item) in features.enumerated() {
            guard let feature = item as? [String: Any], feature["type"] as? String == "Feature" else { throw fail(i, "is not a GeoJSON Feature") }
            let properties = feature["properties"] as? [String: Any] ?? [:]
            let name: String?
            if let nameField {
                name = properties.first { $0.key.lowercased() == nameField.lowercased() }.flatMap { GeoJSONBoundaries.text($0.value) }
            } else {
                name = GeoJSONBoundaries.pick(properties, ons: "nm", plain: nameFields)
            }
            guard let name else {
                throw fail(i, "no place name (looked for \(nameField.map { "\"\($0)\"" } ?? (["an ONS xxNNnm field"] + nameFields).joined(separator: ", "))); properties: \(properties.keys.sorted())")
            }
            let kind = kindFields.lazy.compactMap { want in properties.first { $0.key.lowercased() == want }.flatMap { GeoJSONBoundaries.text($0.value) } }.first
            guard let geometry = feature["geometry"] as? [String: Any], let coordinates = geometry["coordinates"] else {
                throw fail(i, "(\(name)) has no geometry")
            }
            switch geometry["type"] as? String {
            case "Point":
                guard let p = JSONText.pairs([coordinates])?.first else { throw fail(i, "(\(name)) Point coordinates are not [x, y]") }
                raw.append((name, kind, p, []))
            case "MultiPoint":
                guard let p = JSONText.pairs(coordinates)?.first else { throw fail(i, "(\(name)) MultiPoint has no [x, y] position") }
                raw.append((name, kind, p, []))
            case "Polygon", "MultiPolygon":
                let polygons = geometry["type"] as? String == "Polygon" ? [coordinates] : (coordinates as? [Any] ?? [])
                var parsed: [[[(Double, Double)]]] = []
                for (j, polygon) in polygons.enumerated() {
                    guard let rings = polygon as? [Any], !rings.isEmpty else { throw fail(i, "(\(name)) polygon \(j) has no rings") }
                    var out: [[(Double, Double)]] = []
                    for (k, r) in rings.enumerated() {
                        guard let ring = JSONText.pairs(r), ring.count >= 4, ring.first! == ring.last! else {
                            throw fail(i, "(\(name)) polygon \(j) ring \(k) is not a closed ring of at least 4 [x, y] positions")
                        }
                        out.append(ring)
                    }
                    parsed.append(out)
                }
                guard !parsed.isEmpty else { throw fail(i, "(\(name)) has no polygons") }
                raw.append((name, kind, nil, parsed))
            default:
                throw fail(i, "(\(name)) geometry type is \(GeoJSONBoundaries.describe(geometry["type"])); a place is a Point, MultiPoint, Polygon or MultiPolygon")
            }
        }
        let all = raw.map { f in f.polygons.isEmpty ? [[[f.point!]]] : f.polygons }
        let crs = try GeoJSONBoundaries.coordinateSystem(collection, all, fail: { fail(nil, $0) })
        func convert(_ i: Int, _ xy: (Double, Double)) throws -> BNGPoint {
            switch crs {
            case .wgs84:
                guard BritishNationalGrid.validLongitudes.contains(xy.0), BritishNationalGrid.validLatitudes.contains(xy.1) else {
                    throw fail(i, "(\(raw[i].name)) position [\(xy.0), \(xy.1)] is not a Great Britain longitude/latitude")
                }
                return BritishNationalGrid.fromWGS84(longitude: xy.0, latitude: xy.1)
            case .britishNationalGrid:
                let p = BNGPoint(easting: xy.0, northing: xy.1)
                guard BritishNationalGrid.isOnGrid(p) else { throw fail(i, "(\(raw[i].name)) position [\(xy.0), \(xy.1)] is outside the British National Grid") }
                return p
            }
        }
        var places: [Place] = []
        for (i, f) in raw.enumerated() {
            let point = try f.point.map { try convert(i, $0) }
            let polygons = try f.polygons.map { try $0.map { try $0.map { try convert(i, $0) } } }
            places.append(Place(name: f.name, kind: f.kind, point: point, polygons: polygons))
        }
        return Gazetteer(places: places, source: fileSource)
    }

    // MARK: The area directory

    /// `places.json` of an area directory, or nil when it has none.
    public static func load(areaDirectory: URL) throws -> Gazetteer? {
        let url = areaDirectory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try read(url)
    }

    /// Writes `places.json` (GeoJSON, EPSG:27700 to 0.1 m, with the source) into the area directory.
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(encoded.utf8).write(to: directory.appendingPathComponent(Self.fileName), options: .atomic)
    }

    public var encoded: String {
        func number(_ v: Double) -> String {
            let d = (v * 10).rounded() / 10
            return d == d.rounded() ? String(Int(d)) : String(format: "%.1f", d)
        }
        func position(_ p: BNGPoint) -> String { "[\(number(p.easting)),\(number(p.northing))]" }
        var out = "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},"
        out += "\"svd_source\":" + AreaFile.quote(source) + ",\"features\":["
        for (i, p) in places.enumerated() {
            out += (i == 0 ? "\n" : ",\n") + "{\"type\":\"Feature\",\"properties\":{\"name\":" + AreaFile.quote(p.name)
            if let kind = p.kind { out += ",\"type\":" + AreaFile.quote(kind) }
            out += "},\"geometry\":"
            if let point = p.point {
                out += "{\"type\":\"Point\",\"coordinates\":" + position(point) + "}}"
            } else {
                out += "{\"type\":\"MultiPolygon\",\"coordinates\":["
                out += p.polygons.map { "[" + $0.map { "[" + $0.map(position).joined(separator: ",") + "]" }.joined(separator: ",") + "]" }.joined(separator: ",")
                out += "]}}"
            }
        }
        return out + "\n]}\n"
    }

    // MARK: Naming

    /// The place of `p`: the smallest polygon place containing it, else the nearest place; nil for an empty gazetteer.
    public func name(at p: BNGPoint) -> String? { nearest(to: p)?.place.name }

    /// The place of `p` and its distance in metres (0 inside a polygon place). Polygon geometry goes through GEOS.
    public func nearest(to p: BNGPoint) -> (place: Place, metres: Double)? {
        let context = GEOSContext()
        guard let point = try? Geometry(pointX: p.easting, y: p.northing, context: context) else { return nil }
        var containing: (index: Int, area: Double)?
        var best: (index: Int, metres: Double)?
        for (i, place) in places.enumerated() {
            if let q = place.point {
                let dx = q.easting - p.easting, dy = q.northing - p.northing
                let d = (dx * dx + dy * dy).squareRoot()
                if best.map({ d < $0.metres }) ?? true { best = (i, d) }
                continue
            }
            let coordinates = place.polygons.map { $0.map { $0.map { Coordinate(x: $0.easting, y: $0.northing) } } }
            guard let shape = try? Geometry(multiPolygon: coordinates, context: context) else { continue }
            if (try? shape.covers(point)) == true {
                let a = (try? shape.area()) ?? .infinity
                if containing.map({ a < $0.area }) ?? true { containing = (i, a) }
                continue
            }
            if let d = try? shape.distance(to: point), best.map({ d < $0.metres }) ?? true { best = (i, d) }
        }
        if let containing { return (places[containing.index], 0) }
        return best.map { (places[$0.index], $0.metres) }
    }
}
