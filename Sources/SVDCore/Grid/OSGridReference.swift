import Foundation

/// Ordnance Survey National Grid references: two letters for the 100 km square, then the easting and northing
/// within it, truncated (never rounded) to the precision, e.g. "TQ 757 685" for the 100 m square whose south-west
/// corner is E 575,700 N 168,500.
///
/// The first letter names the 500 km square and the second the 100 km square within it, each from a 5 × 5 block
/// of the alphabet without I, lettered west to east and north to south; the false origin of the grid is the
/// south-west corner of square S V (OS, "A guide to coordinate systems in Great Britain", and "Using the National
/// Grid").
public enum OSGridReference {
    /// The grid the letters cover: squares H, N, O, S, T (and J) — eastings 0–700 km, northings 0–1,300 km.
    public static let eastings = 0.0..<700_000.0
    public static let northings = 0.0..<1_300_000.0

    /// The two letters of the 100 km square holding (easting, northing); nil off the grid.
    public static func squareLetters(easting: Double, northing: Double) -> String? {
        guard eastings.contains(easting), northings.contains(northing) else { return nil }
        let e = Int((easting / 100_000).rounded(.down)), n = Int((northing / 100_000).rounded(.down))
        // Index in the 25-letter alphabet of the 500 km square (from the false origin 1,000 km west and 500 km
        // south of S V's corner) and of the 100 km square within it.
        var first = (19 - n) - (19 - n) % 5 + (e + 10) / 5
        var second = (19 - n) * 5 % 25 + e % 5
        if first > 7 { first += 1 }   // no I
        if second > 7 { second += 1 }
        let a = UInt8(ascii: "A")
        return String(decoding: [a + UInt8(first), a + UInt8(second)], as: UTF8.self)
    }

    /// The reference of the square of side `precision` metres (1, 10, 100, 1,000 or 10,000) holding the point,
    /// letters and digit groups separated by spaces ("TQ 757 685"); nil off the grid or for another precision.
    public static func reference(_ p: BNGPoint, precision: Double = 100) -> String? {
        guard let letters = squareLetters(easting: p.easting, northing: p.northing) else { return nil }
        let digits: Int
        switch precision {
        case 1: digits = 5
        case 10: digits = 4
        case 100: digits = 3
        case 1_000: digits = 2
        case 10_000: digits = 1
        default: return nil
        }
        let e = Int((p.easting.truncatingRemainder(dividingBy: 100_000) / precision).rounded(.down))
        let n = Int((p.northing.truncatingRemainder(dividingBy: 100_000) / precision).rounded(.down))
        func padded(_ v: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        return letters + " " + padded(e) + " " + padded(n)
    }

    /// The finest of the standard precisions (10 m … 10 km) that is not finer than a square of side `metres`, so a
    /// reference never names a place more exactly than the square it labels: 100 m for 100–999 m cells, 1 km for
    /// 1–9.9 km cells.
    public static func precision(notFinerThan metres: Double) -> Double {
        var p = 10_000.0
        while p > 10 && p > metres { p /= 10 }
        return p
    }
}
