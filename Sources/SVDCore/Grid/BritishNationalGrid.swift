import Foundation

/// WGS84/ETRS89 ↔ British National Grid (OSGB36 Transverse Mercator, EPSG:27700).
///
/// Uses the OS seven-parameter Helmert transformation (ETRS89 → OSGB36) and the OS Transverse Mercator
/// formulae from "A guide to coordinate systems in Great Britain". Helmert is good to a few metres,
/// ample for binning and hotspots at 100 m scale; OSTN15 (the 1 m-accurate grid shift) is not bundled.
public enum BritishNationalGrid {
    struct Ellipsoid {
        let a: Double
        let b: Double
        var e2: Double { (a * a - b * b) / (a * a) }
    }

    static let airy1830 = Ellipsoid(a: 6_377_563.396, b: 6_356_256.909)
    static let grs80 = Ellipsoid(a: 6_378_137.000, b: 6_356_752.3141)

    // National Grid projection constants.
    static let f0 = 0.9996012717
    static let lat0 = 49.0 * .pi / 180
    static let lon0 = -2.0 * .pi / 180
    static let e0 = 400_000.0
    static let n0 = -100_000.0

    /// Plausible extent of the grid on land and near-shore GB, used to reject garbage coordinates.
    public static let validEastings = 0.0...700_000.0
    public static let validNorthings = 0.0...1_300_000.0
    public static let validLongitudes = -9.0...2.5
    public static let validLatitudes = 49.5...61.0

    public static func isOnGrid(_ p: BNGPoint) -> Bool {
        validEastings.contains(p.easting) && validNorthings.contains(p.northing)
    }

    /// ETRS89/WGS84 longitude and latitude in degrees → BNG metres.
    public static func fromWGS84(longitude: Double, latitude: Double) -> BNGPoint {
        let (x, y, z) = cartesian(lat: latitude * .pi / 180, lon: longitude * .pi / 180, on: grs80)
        let (x2, y2, z2) = helmert(x, y, z, inverse: false)
        let (lat, lon) = geodetic(x: x2, y: y2, z: z2, on: airy1830)
        return project(lat: lat, lon: lon)
    }

    /// BNG metres → ETRS89/WGS84 (longitude, latitude) in degrees.
    public static func toWGS84(_ p: BNGPoint) -> (longitude: Double, latitude: Double) {
        let (lat, lon) = unproject(p)
        let (x, y, z) = cartesian(lat: lat, lon: lon, on: airy1830)
        let (x2, y2, z2) = helmert(x, y, z, inverse: true)
        let (lat2, lon2) = geodetic(x: x2, y: y2, z: z2, on: grs80)
        return (lon2 * 180 / .pi, lat2 * 180 / .pi)
    }

    /// OSGB36 latitude/longitude in radians → grid (the OS guide's equations C1–C3).
    static func project(lat φ: Double, lon λ: Double) -> BNGPoint {
        let a = airy1830.a, b = airy1830.b, e2 = airy1830.e2
        let n = (a - b) / (a + b)
        let sinφ = sin(φ), cosφ = cos(φ), tanφ = tan(φ)
        let ν = a * f0 / (1 - e2 * sinφ * sinφ).squareRoot()
        let ρ = a * f0 * (1 - e2) * pow(1 - e2 * sinφ * sinφ, -1.5)
        let η2 = ν / ρ - 1
        let m = meridionalArc(φ, b: b, n: n)
        let i = m + n0
        let ii = ν / 2 * sinφ * cosφ
        let iii = ν / 24 * sinφ * pow(cosφ, 3) * (5 - tanφ * tanφ + 9 * η2)
        let iiia = ν / 720 * sinφ * pow(cosφ, 5) * (61 - 58 * tanφ * tanφ + pow(tanφ, 4))
        let iv = ν * cosφ
        let v = ν / 6 * pow(cosφ, 3) * (ν / ρ - tanφ * tanφ)
        let vi = ν / 120 * pow(cosφ, 5) * (5 - 18 * tanφ * tanφ + pow(tanφ, 4) + 14 * η2 - 58 * tanφ * tanφ * η2)
        let dλ = λ - lon0
        let north = i + ii * dλ * dλ + iii * pow(dλ, 4) + iiia * pow(dλ, 6)
        let east = e0 + iv * dλ + v * pow(dλ, 3) + vi * pow(dλ, 5)
        return BNGPoint(easting: east, northing: north)
    }

    /// Grid → OSGB36 latitude/longitude in radians (the OS guide's inverse, iterating for φ′).
    static func unproject(_ p: BNGPoint) -> (lat: Double, lon: Double) {
        let a = airy1830.a, b = airy1830.b, e2 = airy1830.e2
        let n = (a - b) / (a + b)
        var φ = lat0
        var m = 0.0
        repeat {
            φ += (p.northing - n0 - m) / (a * f0)
            m = meridionalArc(φ, b: b, n: n)
        } while abs(p.northing - n0 - m) >= 0.00001
        let sinφ = sin(φ), cosφ = cos(φ), tanφ = tan(φ)
        let ν = a * f0 / (1 - e2 * sinφ * sinφ).squareRoot()
        let ρ = a * f0 * (1 - e2) * pow(1 - e2 * sinφ * sinφ, -1.5)
        let η2 = ν / ρ - 1
        let secφ = 1 / cosφ
        let vii = tanφ / (2 * ρ * ν)
        let viii = tanφ / (24 * ρ * pow(ν, 3)) * (5 + 3 * tanφ * tanφ + η2 - 9 * tanφ * tanφ * η2)
        let ix = tanφ / (720 * ρ * pow(ν, 5)) * (61 + 90 * tanφ * tanφ + 45 * pow(tanφ, 4))
        let x = secφ / ν
        let xi = secφ / (6 * pow(ν, 3)) * (ν / ρ + 2 * tanφ * tanφ)
        let xii = secφ / (120 * pow(ν, 5)) * (5 + 28 * tanφ * tanφ + 24 * pow(tanφ, 4))
        let xiia = secφ / (5040 * pow(ν, 7)) * (61 + 662 * tanφ * tanφ + 1320 * pow(tanφ, 4) + 720 * pow(tanφ, 6))
        let dE = p.easting - e0
        let lat = φ - vii * dE * dE + viii * pow(dE, 4) - ix * pow(dE, 6)
        let lon = lon0 + x * dE - xi * pow(dE, 3) + xii * pow(dE, 5) - xiia * pow(dE, 7)
        return (lat, lon)
    }

    static func meridionalArc(_ φ: Double, b: Double, n: Double) -> Double {
        let n2 = n * n, n3 = n2 * n
        let d = φ - lat0, s = φ + lat0
        return b * f0 * (
            (1 + n + 5.0 / 4 * n2 + 5.0 / 4 * n3) * d
                - (3 * n + 3 * n2 + 21.0 / 8 * n3) * sin(d) * cos(s)
                + (15.0 / 8 * n2 + 15.0 / 8 * n3) * sin(2 * d) * cos(2 * s)
                - 35.0 / 24 * n3 * sin(3 * d) * cos(3 * s))
    }

    static func cartesian(lat φ: Double, lon λ: Double, on e: Ellipsoid) -> (Double, Double, Double) {
        let ν = e.a / (1 - e.e2 * sin(φ) * sin(φ)).squareRoot()
        return (ν * cos(φ) * cos(λ), ν * cos(φ) * sin(λ), (1 - e.e2) * ν * sin(φ))
    }

    static func geodetic(x: Double, y: Double, z: Double, on e: Ellipsoid) -> (lat: Double, lon: Double) {
        let p = (x * x + y * y).squareRoot()
        var φ = atan2(z, p * (1 - e.e2))
        for _ in 0..<10 {
            let ν = e.a / (1 - e.e2 * sin(φ) * sin(φ)).squareRoot()
            let next = atan2(z + e.e2 * ν * sin(φ), p)
            if abs(next - φ) < 1e-14 { φ = next; break }
            φ = next
        }
        return (φ, atan2(y, x))
    }

    /// OS ETRS89 → OSGB36 Helmert parameters; the inverse negates them (adequate at this accuracy).
    static func helmert(_ x: Double, _ y: Double, _ z: Double, inverse: Bool) -> (Double, Double, Double) {
        let k = inverse ? -1.0 : 1.0
        let tx = -446.448 * k, ty = 125.157 * k, tz = -542.060 * k
        let s = 20.4894e-6 * k
        let arc = Double.pi / (180 * 3600)
        let rx = -0.1502 * arc * k, ry = -0.2470 * arc * k, rz = -0.8421 * arc * k
        return (tx + (1 + s) * x - rz * y + ry * z,
                ty + rz * x + (1 + s) * y - rx * z,
                tz - ry * x + rx * y + (1 + s) * z)
    }
}
