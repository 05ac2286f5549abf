import Foundation
import SVDCore

/// Venue name → place, for partner extracts that record where an assault happened as text (an A&E ISTV form's
/// "Grapes pub, High St") rather than coordinates. Read from a CSV named by the mapping's `venue.lookup`:
/// a `venue` column and either `easting`,`northing`, or `longitude`,`latitude`, or `district` (code or name).
/// Names match ignoring case, spacing and punctuation.
public struct VenueLookup: Sendable {
    public enum Place: Sendable, Equatable {
        case point(BNGPoint)
        /// Only the district is known: the incident counts in its district's tables but has no point (no hotspot,
        /// no overlap match).
        case district(String)
    }

    public let file: String
    let places: [String: Place]

    public var count: Int { places.count }
    var fileName: String { file.split(separator: "/").last.map(String.init) ?? file }

    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw IngestError.invalidMapping(file: url.path, reason: "cannot read the venue lookup (UTF-8 CSV)")
        }
        try self.init(csv: text, file: url.path)
    }

    public init(csv: String, file: String) throws {
        self.file = file
        var records = SmallCSV.records(csv)
        guard !records.isEmpty else { throw IngestError.invalidMapping(file: file, reason: "empty venue lookup (need a header: venue, then easting,northing or longitude,latitude or district)") }
        let header = records.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func col(_ n: String) -> Int? { header.firstIndex(of: n) }
        guard let venue = col("venue") else { throw IngestError.invalidMapping(file: "\(file):1", reason: "venue lookup has no 'venue' column") }
        let grid = (col("easting"), col("northing")), lonLat = (col("longitude"), col("latitude")), district = col("district")
        guard (grid.0 != nil && grid.1 != nil) || (lonLat.0 != nil && lonLat.1 != nil) || district != nil else {
            throw IngestError.invalidMapping(file: "\(file):1", reason: "venue lookup needs easting and northing, longitude and latitude, or district columns")
        }
        var places: [String: Place] = [:]
        for r in records {
            let f = r.fields
            if f.count == 1 && f[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            func fail(_ why: String) -> IngestError { .invalidMapping(file: "\(file):\(r.line)", reason: why) }
            guard f.count == header.count else { throw fail("\(f.count) fields, the header has \(header.count)") }
            func value(_ i: Int?) -> String? {
                guard let i else { return nil }
                let v = f[i].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            guard let name = value(venue).map(Self.key), !name.isEmpty else { throw fail("blank venue name") }
            let place: Place
            if let e = value(grid.0), let n = value(grid.1) {
                guard let east = Double(e), let north = Double(n) else { throw fail("easting/northing '\(e)', '\(n)' are not numbers") }
                let p = BNGPoint(easting: east, northing: north)
                guard BritishNationalGrid.isOnGrid(p) else { throw fail("easting \(e), northing \(n) outside the British National Grid") }
                place = .point(p)
            } else if let x = value(lonLat.0), let y = value(lonLat.1) {
                guard let lon = Double(x), let lat = Double(y), BritishNationalGrid.validLongitudes.contains(lon),
                      BritishNationalGrid.validLatitudes.contains(lat) else { throw fail("longitude/latitude '\(x)', '\(y)' are not in Great Britain") }
                place = .point(BritishNationalGrid.fromWGS84(longitude: lon, latitude: lat))
            } else if let d = value(district) {
                place = .district(d)
            } else {
                throw fail("venue '\(f[venue])' has neither coordinates nor a district")
            }
            if let earlier = places[name], earlier != place { throw fail("venue '\(f[venue])' is listed twice with different places") }
            places[name] = place
        }
        self.places = places
    }

    /// The lookup key of a name: lower case, runs of spaces and punctuation as one space, trimmed.
    static func key<S: StringProtocol>(_ raw: S) -> String {
        var out = ""
        var gap = false
        for ch in raw.lowercased() {
            if ch.isLetter || ch.isNumber {
                if gap && !out.isEmpty { out.append(" ") }
                out.append(ch)
                gap = false
            } else {
                gap = true
            }
        }
        return out
    }

    public func place(of name: String) -> Place? { places[Self.key(name)] }

    /// Every district name the lookup uses, for checking against the area before any row is read.
    public var districtNames: Set<String> {
        Set(places.values.compactMap { if case .district(let d) = $0 { d } else { nil } })
    }
}
