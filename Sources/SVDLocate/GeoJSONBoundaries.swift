import Foundation
import SVDCore

/// One district boundary read from GeoJSON, already in British National Grid metres.
public struct BoundaryFeature: Sendable, Equatable {
    public let code: String
    public let name: String
    /// Polygons as closed rings (shell first, then holes).
    public let polygons: [[[BNGPoint]]]
}

/// A GeoJSON problem, naming the file, the feature and what is wrong.
public struct GeoJSONError: Error, CustomStringConvertible {
    public let file: String
    /// Zero-based index in `features`, when the problem belongs to one feature.
    public let feature: Int?
    public let reason: String

    public var description: String {
        feature.map { "\(file): feature \($0): \(reason)" } ?? "\(file): \(reason)"
    }
}

/// Reads district boundaries from a GeoJSON FeatureCollection of Polygon/MultiPolygon features.
///
/// Coordinates are RFC 7946 WGS84 longitude/latitude and are converted with `BritishNationalGrid.fromWGS84`,
/// unless the file is already in BNG: a legacy `crs` member naming EPSG:27700, or coordinates too large to be
/// degrees. District code and name come from the first property shaped like an ONS field (`lad20cd`/`LAD21NM`,
/// `xxxNNcd`/`xxxNNnm`) or from `code`/`name`-like properties.
public enum GeoJSONBoundaries {
    public enum CoordinateSystem: String, Sendable { case wgs84 = "WGS84", britishNationalGrid = "EPSG:27700" }

    public static func read(_ url: URL) throws -> (features: [BoundaryFeature], source: CoordinateSystem) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GeoJSONError(file: url.path, feature: nil, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, file: url.path)
    }

    public static func parse(_ data: Data, file: String) throws -> (features: [BoundaryFeature], source: CoordinateSystem) {
        func fail(_ feature: Int?, _ reason: String) -> GeoJSONError { GeoJSONError(file: file, feature: feature, reason: reason) }
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw fail(nil, "not valid JSON (\(JSONText.describe(error))); is the file truncated?")
        }
        guard let collection = root as? [String: Any] else { throw fail(nil, "top level is not a JSON object") }
        guard collection["type"] as? String == "FeatureCollection" else {
            throw fail(nil, "top-level \"type\" is \(describe(collection["type"])), expected \"FeatureCollection\"")
        }
        guard let features = collection["features"] as? [Any] else { throw fail(nil, "\"features\" is missing or not an array") }
        guard !features.isEmpty else { throw fail(nil, "\"features\" is empty") }

        // First pass: structure and raw coordinates, so the coordinate system is decided over the whole file.
        var raw: [(code: String, name: String, polygons: [[[(Double, Double)]]])] = []
        for (i, item) in features.enumerated() {
            guard let feature = item as? [String: Any] else { throw fail(i, "is not a JSON object") }
            guard feature["type"] as? String == "Feature" else {
                throw fail(i, "\"type\" is \(describe(feature["type"])), expected \"Feature\"")
            }
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let code = pick(properties, ons: "cd", plain: ["code", "area_code", "areacode", "id"])
                    ?? (feature["id"] as? String) else {
                throw fail(i, "no district code property (looked for lad20cd-style, code, area_code); properties: \(properties.keys.sorted())")
            }
            let name = pick(properties, ons: "nm", plain: ["name", "area_name", "areaname"]) ?? code
            guard let geometry = feature["geometry"] as? [String: Any] else {
                throw fail(i, "(\(code)) \"geometry\" is missing or null")
            }
            guard let coordinates = geometry["coordinates"] else { throw fail(i, "(\(code)) geometry has no \"coordinates\"") }
            let polygons: [Any]
            switch geometry["type"] as? String {
            case "Polygon": polygons = [coordinates]
            case "MultiPolygon":
                guard let list = coordinates as? [Any] else { throw fail(i, "(\(code)) MultiPolygon coordinates are not an array") }
                polygons = list
            default:
                throw fail(i, "(\(code)) geometry type is \(describe(geometry["type"])); only Polygon and MultiPolygon are district boundaries")
            }
            var parsed: [[[(Double, Double)]]] = []
            for (j, polygon) in polygons.enumerated() {
                guard let rings = polygon as? [Any], !rings.isEmpty else { throw fail(i, "(\(code)) polygon \(j) has no rings") }
                var out: [[(Double, Double)]] = []
                for (k, r) in rings.enumerated() {
                    guard let ring = JSONText.pairs(r) else {
                        throw fail(i, "(\(code)) polygon \(j) ring \(k) is not an array of [x, y] number pairs")
                    }
                    guard ring.count >= 4 else { throw fail(i, "(\(code)) polygon \(j) ring \(k) has \(ring.count) positions; a ring needs at least 4") }
                    guard ring.first! == ring.last! else {
                        throw fail(i, "(\(code)) polygon \(j) ring \(k) is not closed: first \(ring.first!) ≠ last \(ring.last!)")
                    }
                    out.append(ring)
                }
                parsed.append(out)
            }
            raw.append((code, name, parsed))
        }
        let codes = raw.map(\.code)
        if let duplicate = codes.first(where: { c in codes.filter { $0 == c }.count > 1 }) {
            throw fail(codes.firstIndex(of: duplicate), "district code \(duplicate) appears more than once")
        }

        let source = try coordinateSystem(collection, raw.map(\.polygons), fail: { fail(nil, $0) })
        var out: [BoundaryFeature] = []
        for (i, feature) in raw.enumerated() {
            let polygons = try feature.polygons.map { rings in
                try rings.map { ring in
                    try ring.map { x, y -> BNGPoint in
                        switch source {
                        case .wgs84:
                            guard BritishNationalGrid.validLongitudes.contains(x), BritishNationalGrid.validLatitudes.contains(y) else {
                                throw fail(i, "(\(feature.code)) position [\(x), \(y)] is not a Great Britain longitude/latitude")
                            }
                            return BritishNationalGrid.fromWGS84(longitude: x, latitude: y)
                        case .britishNationalGrid:
                            let p = BNGPoint(easting: x, northing: y)
                            guard BritishNationalGrid.isOnGrid(p) else {
                                throw fail(i, "(\(feature.code)) position [\(x), \(y)] is outside the British National Grid")
                            }
                            return p
                        }
                    }
                }
            }
            out.append(BoundaryFeature(code: feature.code, name: feature.name, polygons: polygons))
        }
        return (out, source)
    }

    static func coordinateSystem(_ collection: [String: Any], _ polygons: [[[[(Double, Double)]]]],
                                 fail: (String) -> GeoJSONError) throws -> CoordinateSystem {
        if let crs = collection["crs"] as? [String: Any], let properties = crs["properties"] as? [String: Any],
           let name = properties["name"] as? String {
            if name.hasSuffix("27700") { return .britishNationalGrid }
            if name.hasSuffix("CRS84") || name.hasSuffix("4326") { return .wgs84 }
            throw fail("unsupported \"crs\" \(name); use WGS84 (RFC 7946) or EPSG:27700")
        }
        // Degrees never exceed 180; BNG metres in Great Britain are in the thousands and more.
        for polygon in polygons { for rings in polygon { for ring in rings { for (x, y) in ring where abs(x) > 180 || abs(y) > 90 {
            return .britishNationalGrid
        } } } }
        return .wgs84
    }

    /// The first property that looks like an ONS `xxNNcd`/`xxNNnm` field, else one of `plain` (any case).
    static func pick(_ properties: [String: Any], ons suffix: String, plain: [String]) -> String? {
        let keys = properties.keys.sorted()
        for key in keys {
            let k = key.lowercased()
            guard k.hasSuffix(suffix), k.count >= 4 else { continue }
            let stem = k.dropLast(2)
            if stem.suffix(2).allSatisfy(\.isNumber), stem.dropLast(2).allSatisfy(\.isLetter), !stem.dropLast(2).isEmpty,
               let value = text(properties[key]) {
                return value
            }
        }
        for want in plain {
            if let key = keys.first(where: { $0.lowercased() == want }), let value = text(properties[key]) { return value }
        }
        return nil
    }

    static func text(_ value: Any?) -> String? {
        guard let s = value as? String else { return nil }
        let trimmed = s.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    static func describe(_ value: Any?) -> String {
        switch value {
        case nil: "missing"
        case let s as String: "\"\(s)\""
        case is NSNull: "null"
        default: "not a string"
        }
    }
}
