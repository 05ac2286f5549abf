import Foundation
import SVDCore

/// A property value on a published map feature.
public enum GeoJSONProperty: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case number(Double, decimals: Int)
    case bool(Bool)
    case null

    /// The same value a table cell publishes: hidden counts stay hidden ("<5", "*"), undefined shares are null.
    public init(_ value: PublishedTable.Value) {
        switch value {
        case .text(let s): self = .text(s)
        case .count(let n): self = .integer(n)
        case .suppressed, .withheld: self = .text(value.plain)
        case .number(let x, let d): self = x.isFinite ? .number(x, decimals: d) : .null
        case .percent(let p, let d), .change(let p, let d): self = p.map { $0.isFinite ? .number($0, decimals: d) : .null } ?? .null
        case .empty: self = .null
        }
    }
}

/// A polygon in BNG metres with its properties: the exterior ring first, then holes. Rings may be open or closed.
public struct MapPolygon: Sendable {
    public var rings: [[BNGPoint]]
    public var properties: [(key: String, value: GeoJSONProperty)]

    public init(rings: [[BNGPoint]], properties: [(key: String, value: GeoJSONProperty)]) {
        self.rings = rings
        self.properties = properties
    }
}

/// RFC 7946 GeoJSON for hotspot maps: WGS84 longitude/latitude (no `crs` member), at most six decimals
/// (about 0.1 m), exterior rings counter-clockwise and holes clockwise (the right-hand rule), every ring closed.
/// QGIS, Leaflet and ArcGIS read it as is.
public enum GeoJSON {
    public static let coordinateDecimals = 6

    /// A FeatureCollection of polygons. A ring left with fewer than four distinct positions after rounding is
    /// dropped; a feature whose exterior is dropped keeps its properties with a null geometry.
    /// `places` (the run's `SpatialRules`) is declared inside `svd_disclosure` as `generalisation`, so a reader can
    /// check every outline vertex against the grid.
    public static func featureCollection(_ features: [MapPolygon], name: String? = nil, disclosure: DisclosurePolicy? = nil,
                                         places: SpatialRules? = nil) -> String {
        var out = "{\"type\":\"FeatureCollection\""
        // A foreign member (RFC 7946 §6.1): the protective marking and disclosure settings travel with the map.
        if let disclosure {
            var settings = disclosure.manifestJSON
            if let places {
                var d = disclosure.manifest
                d["generalisation"] = places.manifest
                if let data = try? JSONSerialization.data(withJSONObject: d, options: [.sortedKeys]) { settings = String(decoding: data, as: UTF8.self) }
            }
            out += ",\"svd_disclosure\":" + settings + ",\"marking\":" + quoted(disclosure.tier.marking)
        }
        if let name { out += ",\"name\":" + quoted(name) }
        out += ",\"features\":["
        for (i, f) in features.enumerated() {
            if i > 0 { out += ",\n" } else { out += "\n" }
            out += "{\"type\":\"Feature\",\"properties\":{"
            for (k, p) in f.properties.enumerated() {
                if k > 0 { out += "," }
                out += quoted(p.key) + ":" + json(p.value)
            }
            out += "},\"geometry\":"
            guard let shell = f.rings.first.flatMap({ ring(from: $0, exterior: true) }) else {
                out += "null}"
                continue
            }
            let rings = [shell] + f.rings.dropFirst().compactMap { ring(from: $0, exterior: false) }
            out += "{\"type\":\"Polygon\",\"coordinates\":["
            for (r, ring) in rings.enumerated() {
                if r > 0 { out += "," }
                out += "["
                for (j, c) in ring.enumerated() {
                    if j > 0 { out += "," }
                    out += "[" + fixed(c.lon) + "," + fixed(c.lat) + "]"
                }
                out += "]"
            }
            out += "]}}"
        }
        out += "\n]}\n"
        return out
    }

    /// Rounded (micro-degree integer) positions of one ring in WGS84, closed and oriented; nil when degenerate.
    static func ring(from points: [BNGPoint], exterior: Bool) -> [(lon: Int64, lat: Int64)]? {
        var ring: [(lon: Int64, lat: Int64)] = []
        ring.reserveCapacity(points.count + 1)
        for p in points {
            let g = BritishNationalGrid.toWGS84(p)
            let c = (lon: Int64((g.longitude * 1e6).rounded()), lat: Int64((g.latitude * 1e6).rounded()))
            // Rounding can merge neighbouring vertices; a repeated position is not a valid ring edge.
            if let last = ring.last, last == c { continue }
            ring.append(c)
        }
        if ring.count > 1, ring.first! == ring.last! { ring.removeLast() }
        guard ring.count >= 3 else { return nil }
        // Twice the signed area (shoelace) in micro-degrees: positive is counter-clockwise.
        var twiceArea: Double = 0
        for i in 0..<ring.count {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            twiceArea += Double(a.lon) * Double(b.lat) - Double(b.lon) * Double(a.lat)
        }
        guard twiceArea != 0 else { return nil }
        if (twiceArea > 0) != exterior { ring.reverse() }
        ring.append(ring[0])
        return ring
    }

    /// Micro-degrees as a decimal without trailing zeros (no exponent, no Foundation formatting).
    static func fixed(_ micro: Int64) -> String {
        let negative = micro < 0
        let m = negative ? -micro : micro
        var s = negative ? "-" : ""
        s += String(m / 1_000_000)
        var frac = m % 1_000_000
        if frac != 0 {
            var digits = 6
            while frac % 10 == 0 { frac /= 10; digits -= 1 }
            let text = String(frac)
            s += "." + String(repeating: "0", count: digits - text.count) + text
        }
        return s
    }

    static func json(_ p: GeoJSONProperty) -> String {
        switch p {
        case .text(let s): return quoted(s)
        case .integer(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .number(let x, let decimals):
            let d = min(max(decimals, 0), 9)
            guard x.isFinite else { return "null" }
            let scale = pow10(d)
            let scaled = (x * scale).rounded()
            // Beyond 2^53 the decimal form would be noise; such values do not occur in hotspot tables.
            guard abs(scaled) < 9e15 else { return "null" }
            let n = Int64(scaled)
            if d == 0 { return String(n) }
            let negative = n < 0
            let m = negative ? -n : n
            let whole = m / Int64(scale), frac = m % Int64(scale)
            let text = String(frac)
            var s = (negative ? "-" : "") + String(whole) + "." + String(repeating: "0", count: d - text.count) + text
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s == "-0" ? "0" : s
        }
    }

    private static func pow10(_ d: Int) -> Double {
        var x = 1.0
        for _ in 0..<d { x *= 10 }
        return x
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
