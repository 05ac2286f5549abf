import Foundation
import SVDCore
import SVDDetect

/// Repeat locations of one run (`svd hotspots --method repeats`): the analysed incidents grouped by snapped location
/// (square and location type), with each location's keyed counts. Only keyed counts leave here; everything
/// published is computed from released counts.
public struct RepeatLocationsRun: Sendable {
    /// 10 m: a premises frontage; data.police.uk's map points each fall in one square whatever the side.
    public static let defaultSnap = 10.0
    /// A repeat location has at least this many incidents over the period.
    public static let repeatMinimum = 2
    /// The later window each location's count is also given for.
    public static let latestMonths = 12

    public struct Location: Sendable {
        public let southWest: BNGPoint
        public let type: LocationType
        public let incidents: KeyedCount
        public let latest: KeyedCount
        /// Distinct months with an incident, and the first and last of them.
        public let months: Int
        public let first: MonthKey
        public let last: MonthKey
        /// The district most of its incidents lie in (index into the area's districts).
        public let district: Int
    }

    /// Per location type: locations with an incident, how many are repeat locations, and the keyed counts of all
    /// incidents and of those at repeat locations.
    public struct TypeSummary: Sendable {
        public let type: LocationType
        public let locations: Int
        public let repeatLocations: Int
        public let incidents: KeyedCount
        public let atRepeats: KeyedCount
        /// True count of the busiest location (never published from here: the list releases it).
        let most: KeyedCount
    }

    public let snap: Double
    public let latestWindow: ClosedRange<MonthKey>
    /// Repeat locations, most incidents first (true counts; ties by square and type).
    public let repeats: [Location]
    public let byType: [TypeSummary]
    public let locationCount: Int

    init(incidents: [IncidentPoint], period: ClosedRange<MonthKey>, snap: Double) throws {
        self.snap = snap
        let grouping = try RepeatLocations.group(incidents.map(\.location), types: incidents.map(\.locationType), snap: snap)
        let latestFirst = max(period.lowerBound, period.upperBound.adding(months: -(Self.latestMonths - 1)))
        latestWindow = latestFirst...period.upperBound
        let lf = latestFirst.index
        var repeats: [Location] = []
        var byType: [LocationType: (locations: Int, repeats: Int, all: KeyedCount, atRepeats: KeyedCount, most: KeyedCount)] = [:]
        for l in grouping.locations {
            var count = KeyedCount.zero
            for i in grouping.incidents(of: l) { count += .record(key: incidents[Int(i)].recordKey) }
            var t = byType[l.type] ?? (0, 0, .zero, .zero, .zero)
            t.locations += 1
            t.all += count
            if l.incidents > t.most.count { t.most = count }
            if l.incidents >= Self.repeatMinimum {
                t.repeats += 1
                t.atRepeats += count
                var latest = KeyedCount.zero
                var months = Set<Int32>()
                var districtVotes: [Int16: Int] = [:]
                for i in grouping.incidents(of: l) {
                    let p = incidents[Int(i)]
                    months.insert(p.month)
                    if p.month >= lf { latest += .record(key: p.recordKey) }
                    districtVotes[p.district, default: 0] += 1
                }
                let district = districtVotes.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
                repeats.append(Location(southWest: l.southWest(snap: snap), type: l.type, incidents: count, latest: latest,
                                        months: months.count, first: MonthKey(index: months.min()!), last: MonthKey(index: months.max()!),
                                        district: Int(district)))
            }
            byType[l.type] = t
        }
        repeats.sort {
            $0.incidents.count != $1.incidents.count ? $0.incidents.count > $1.incidents.count
                : ($0.southWest.easting, $0.southWest.northing, $0.type.rawValue) < ($1.southWest.easting, $1.southWest.northing, $1.type.rawValue)
        }
        self.repeats = repeats
        self.byType = LocationType.allCases.compactMap { type in
            byType[type].map { TypeSummary(type: type, locations: $0.locations, repeatLocations: $0.repeats, incidents: $0.all, atRepeats: $0.atRepeats, most: $0.most) }
        }
        locationCount = grouping.locations.count
    }
}
