import SVDCore
import SVDBin

/// One hotspot as the report draws and tabulates it. Counts are keyed here; the report releases them.
public struct ReportHotspot: Sendable {
    /// Outline in BNG metres (closed ring); empty when the members are collinear.
    public let hull: [BNGPoint]
    public let centroid: BNGPoint
    public let incidents: KeyedCount
    public let areaHectares: Double
    /// Members per district slot (the last slot is outside the area).
    public let byDistrict: [KeyedCount]
    /// Members with a known victim age, and those under the cohort age.
    public let knownVictimAge: KeyedCount
    public let cohortVictims: KeyedCount
    /// Members by hour 0–23 and weekday Mon…Sun (unknowns left out).
    public let byHour: [KeyedCount]
    public let byWeekday: [KeyedCount]
    /// Members in the knife/weapon-enabled strand.
    public let knifeOrWeapon: KeyedCount
    /// The hotspot's id as `svd hotspots` publishes it (e.g. "H3"); empty to number by rank.
    public let label: String

    public init(hull: [BNGPoint], centroid: BNGPoint, incidents: KeyedCount, areaHectares: Double, byDistrict: [KeyedCount],
                knownVictimAge: KeyedCount, cohortVictims: KeyedCount, byHour: [KeyedCount], byWeekday: [KeyedCount], knifeOrWeapon: KeyedCount,
                label: String = "") {
        self.label = label
        self.hull = hull
        self.centroid = centroid
        self.incidents = incidents
        self.areaHectares = areaHectares
        self.byDistrict = byDistrict
        self.knownVictimAge = knownVictimAge
        self.cohortVictims = cohortVictims
        self.byHour = byHour
        self.byWeekday = byWeekday
        self.knifeOrWeapon = knifeOrWeapon
    }
}

/// The hotspots of a run (or of one district, for a local pack), ranked by incidents, most first.
public struct ReportHotspots: Sendable {
    /// DBSCAN neighbourhood radius in metres and minimum neighbours (itself included) of a core point.
    public let eps: Double
    public let minPoints: Int
    /// Incidents given to the clustering (serious violence in the period, in scope of the report).
    public let incidentsClustered: Int
    /// Age of the cohort whose share is profiled, e.g. 25, with its label.
    public let cohortUnder: Int
    public let cohortLabel: String
    public let knifeLabel: String
    public let clusters: [ReportHotspot]
    /// Clusters found but not published (too few incidents or places), and method and disclosure notes on the map.
    public let withheld: Int
    public let notes: [String]
    /// The rules the outlines were generalised by, declared in the report's disclosure meta.
    public let places: SpatialRules?

    public init(eps: Double, minPoints: Int, incidentsClustered: Int, cohortUnder: Int, cohortLabel: String,
                knifeLabel: String, clusters: [ReportHotspot], withheld: Int = 0, notes: [String] = [], places: SpatialRules? = nil) {
        self.places = places
        self.withheld = withheld
        self.notes = notes
        self.eps = eps
        self.minPoints = minPoints
        self.incidentsClustered = incidentsClustered
        self.cohortUnder = cohortUnder
        self.cohortLabel = cohortLabel
        self.knifeLabel = knifeLabel
        self.clusters = clusters
    }
}

