import GEOS
import SVDCore

/// A district boundary that GEOS found invalid and repaired with MakeValid.
public struct BoundaryRepair: Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let name: String
    /// GEOS `isValidReason` before the repair, e.g. "Self-intersection[612345.1 154321.9]".
    public let reason: String
    /// Planar area in m² before (as GEOS measures the invalid shape) and after the repair.
    public let areaBefore: Double
    public let areaAfter: Double
    /// Polygon count before and after.
    public let polygonsBefore: Int
    public let polygonsAfter: Int

    public var description: String {
        let change = areaAfter - areaBefore
        return "\(code) \(name): \(reason); repaired with MakeValid, area \(Self.km2(areaBefore)) → \(Self.km2(areaAfter)) km² "
            + "(change \(change >= 0 ? "+" : "")\(Int(change.rounded())) m²), polygons \(polygonsBefore) → \(polygonsAfter)"
    }

    static func km2(_ m2: Double) -> String {
        let hundredths = Int((m2 / 10_000).rounded())
        return "\(hundredths / 100).\(String(hundredths % 100).leftPadded(to: 2))"
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Rounds boundaries to the 0.1 m the area format stores, checks them with GEOS and repairs invalid ones.
public enum BoundaryValidation {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func validate(_ features: [BoundaryFeature], context: GEOSContext = GEOSContext())
        throws -> (districts: [District], repairs: [BoundaryRepair]) {
        var districts: [District] = []
        var repairs: [BoundaryRepair] = []
        for feature in features {
            let rounded = feature.polygons.map { $0.map { $0.map(roundToDecimetre) } }
            let geometry: Geometry
            do { geometry = try Geometry(multiPolygon: coordinates(rounded), context: context) } catch {
                throw Failure(description: "\(feature.code) \(feature.name): GEOS cannot build the boundary: \(error)")
            }
            guard try !geometry.isValid() else {
                districts.append(District(code: feature.code, name: feature.name, polygons: rounded))
                continue
            }
            let reason = try geometry.isValidReason()
            var repaired = try geometry.makeValid()
            var polygons = try repaired.polygonRings().map { $0.map { $0.map { roundToDecimetre(BNGPoint(easting: $0.x, northing: $0.y)) } } }
            // Rounding MakeValid's new nodes can re-create a tiny defect; one more pass settles it.
            var check = try Geometry(multiPolygon: coordinates(polygons), context: context)
            if try !check.isValid() {
                repaired = try check.makeValid()
                polygons = try repaired.polygonRings().map { $0.map { $0.map { roundToDecimetre(BNGPoint(easting: $0.x, northing: $0.y)) } } }
                check = try Geometry(multiPolygon: coordinates(polygons), context: context)
                guard try check.isValid() else {
                    throw Failure(description: "\(feature.code) \(feature.name): still invalid after repair: \(try check.isValidReason())")
                }
            }
            guard !polygons.isEmpty else {
                throw Failure(description: "\(feature.code) \(feature.name): repair of an invalid boundary (\(reason)) left no area")
            }
            repairs.append(BoundaryRepair(code: feature.code, name: feature.name, reason: reason,
                                          areaBefore: try geometry.area(), areaAfter: try check.area(),
                                          polygonsBefore: rounded.count, polygonsAfter: polygons.count))
            districts.append(District(code: feature.code, name: feature.name, polygons: polygons))
        }
        return (districts, repairs)
    }

    static func roundToDecimetre(_ p: BNGPoint) -> BNGPoint {
        BNGPoint(easting: (p.easting * 10).rounded() / 10, northing: (p.northing * 10).rounded() / 10)
    }

    static func coordinates(_ polygons: [[[BNGPoint]]]) -> [[[Coordinate]]] {
        polygons.map { $0.map { $0.map { Coordinate(x: $0.easting, y: $0.northing) } } }
    }
}

extension District {
    /// The boundary as a GEOS MultiPolygon in `context`.
    public func geometry(in context: GEOSContext) throws -> Geometry {
        try Geometry(multiPolygon: BoundaryValidation.coordinates(polygons), context: context)
    }
}
