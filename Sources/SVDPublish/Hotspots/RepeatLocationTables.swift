import Foundation
import SVDCore

/// A listed repeat location, its counts already released by the disclosure engine.
public struct RepeatLocationRow: Sendable {
    public var southWest: BNGPoint
    public var snap: Double
    public var type: LocationType
    public var district: String
    public var incidents: Released
    public var latest: Released
    public var months: Int
    public var first: MonthKey
    public var last: MonthKey

    public init(southWest: BNGPoint, snap: Double, type: LocationType, district: String, incidents: Released, latest: Released,
                months: Int, first: MonthKey, last: MonthKey) {
        self.southWest = southWest
        self.snap = snap
        self.type = type
        self.district = district
        self.incidents = incidents
        self.latest = latest
        self.months = months
        self.first = first
        self.last = last
    }
}

/// One location type's line of the summary, counts released.
public struct RepeatTypeRow: Sendable {
    public var type: LocationType
    public var locations: Int
    public var repeatLocations: Int
    public var incidents: Released
    public var atRepeats: Released
    public var most: Released

    public init(type: LocationType, locations: Int, repeatLocations: Int, incidents: Released, atRepeats: Released, most: Released) {
        self.type = type
        self.locations = locations
        self.repeatLocations = repeatLocations
        self.incidents = incidents
        self.atRepeats = atRepeats
        self.most = most
    }
}

extension HotspotPublisher {
    public func repeatLocationColumns() -> [String] {
        ["rank", "location_id", "location_type"] + placeColumns + ["district", "centre_easting", "centre_northing", "centre_lon", "centre_lat",
                                                                  "incidents", "months_with_incidents", "first_month", "last_month", "latest_12_months"]
    }

    /// `E575710N167620 licensed premises`: the square's cell id and the type, which together name the location.
    public static func repeatLocationID(_ r: RepeatLocationRow) -> String {
        cellID(r.southWest) + "-" + r.type.label.replacingOccurrences(of: " ", with: "_")
    }

    public func repeatLocationRow(_ r: RepeatLocationRow, rank: Int) -> [PublishedTable.Value] {
        let centre = BNGPoint(easting: r.southWest.easting + r.snap / 2, northing: r.southWest.northing + r.snap / 2)
        let g = BritishNationalGrid.toWGS84(centre)
        return [.count(rank), .text(Self.repeatLocationID(r)), .text(r.type.label)]
            + placeValues(gridRef: gridReference(ofCell: r.southWest, size: r.snap), at: centre)
            + [.text(r.district), .number(centre.easting, decimals: 0), .number(centre.northing, decimals: 0),
               .number(g.longitude, decimals: 5), .number(g.latitude, decimals: 5),
               r.incidents.cell, .count(r.months), .text("\(r.first)"), .text("\(r.last)"), r.latest.cell]
    }

    public func repeatLocationTable(_ rows: [RepeatLocationRow], title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "repeat_locations", title: title, columns: repeatLocationColumns())
        for (i, r) in rows.enumerated() { table.rows.append(repeatLocationRow(r, rank: i + 1)) }
        table.notes = notes
        return table
    }

    /// Per location type: locations, repeat locations and the share of incidents at them (shares from released counts).
    public func repeatTypeTable(_ rows: [RepeatTypeRow], title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "repeat_locations_by_type", title: title,
                                   columns: ["location_type", "locations", "repeat_locations", "repeat_locations_pct", "incidents",
                                             "incidents_at_repeat_locations", "repeat_share_pct", "most_at_one_location"])
        for r in rows {
            let share: Double? = switch (r.incidents.value, r.atRepeats.value) {
            case (let all?, let rep?) where all > 0: Double(rep) / Double(all) * 100
            default: nil
            }
            table.rows.append([.text(r.type.label), .count(r.locations), .count(r.repeatLocations),
                               .percent(r.locations > 0 ? Double(r.repeatLocations) / Double(r.locations) * 100 : nil, decimals: 1),
                               r.incidents.cell, r.atRepeats.cell, .percent(share, decimals: 1), r.most.cell])
        }
        table.notes = notes
        return table
    }
}
