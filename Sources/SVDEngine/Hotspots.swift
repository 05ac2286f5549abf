import Foundation
import SVDCore
import SVDLocate
import SVDDetect
import SVDPublish

public enum HotspotMethod: String, Sendable, CaseIterable {
    /// Density-based clusters of incidents, drawn as hulls.
    case dbscan
    /// Getis–Ord Gi* hot and cold grid cells.
    case gistar
    /// Quartic kernel density surface.
    case kde
    /// Emerging hot spots: Gi* per month or quarter, Mann–Kendall trends and the ArcGIS patterns (`EmergingHotspotsRun.swift`).
    case emerging
    /// The micro-place targeting list: fixed cells ranked by count, concentration curve and back-test (`MicroPlacesRun.swift`).
    case cells
    /// Repeat locations: incidents at the same snapped location and type (`RepeatLocationsRun.swift`).
    case repeats
}

/// Which earlier period a Gi* run is compared with.
public enum HotspotComparison: Sendable, Equatable {
    case none
    /// The equal-length period just before the analysis period.
    case previousPeriod
    case period(ClosedRange<MonthKey>)
}

/// What `svd hotspots` was asked for. Defaults: for DBSCAN 100 m and a density-aware core size (`automaticMinPoints`); for Gi* the automatic cell
/// (sfhotspot's: shorter side of the incidents' extent / 50, about 1 km for a county — on 100 m cells most cells
/// are empty and almost any occupied neighbourhood tests "significant") and a band of the cell and its eight
/// neighbours; for KDE 100 m cells, which only set the surface's resolution.
public struct HotspotParameters: Sendable {
    public var method: HotspotMethod = .dbscan
    public var eps: Double = HotspotParameters.defaultEps
    /// DBSCAN's core size; nil is density-aware (`automaticMinPoints`).
    public var minPoints: Int?
    /// Street-level neighbourhoods: 150 m merged whole town centres on dense data (README, "Hotspots: defaults").
    public static let defaultEps = 100.0
    /// The automatic core size: a core incident's eps-disc must hold this many times the incidents the area's mean
    /// density would put there over the period analysed...
    public static let densityMultiple = 75.0
    /// ...and never fewer than this many.
    public static let smallestMinPoints = 10
    /// Space-time DBSCAN: neighbours must also lie within this many days.
    public var epsDays: Int?
    /// Grid cell side in metres; nil picks the automatic size (shorter side of the incidents' extent / 50).
    public var cellSize: Double?
    /// Gi* distance band in metres; nil is √2 cells.
    public var band: Double?
    /// KDE radius in metres; nil is ArcGIS's default rule.
    public var bandwidth: Double?
    /// Only incidents in this strand (an id from the definitions).
    public var strand: String?
    /// Only this district (a code of the area). DBSCAN still clusters the whole area and publishes the clusters
    /// lying in the district, with the area run's ids, so a pack and the full report name a hotspot alike;
    /// Gi* and KDE lay their grid over the district alone.
    public var district: String?
    /// The months analysed; nil is the binning run's analysis period.
    public var period: ClosedRange<MonthKey>?
    public var comparison: HotspotComparison = .none
    /// Rows in the published table.
    public var top: Int = 20
    /// Gi* over occupied cells only (esda on the non-empty cells) instead of every cell of the grid.
    public var occupiedCellsOnly = false
    /// Grid analyses (Gi*, KDE) use only the cells that intersect the area's districts (the district's, with
    /// `district`); false keeps every cell of the bounding rectangle, sea included, as zeros (the old behaviour).
    public var landOnly = true
    /// Place names (the area directory's `places.json`, or `--gazetteer`): every hotspot and cell row then names the
    /// place it lies in or nearest to, beside its district and OS grid reference.
    public var places: Gazetteer?
    /// Spatial disclosure control (see `SpatialRules`); nil keeps the tier's default.
    /// Side of the generalisation grid in metres.
    public var generalisation: Double?
    /// Distinct generalisation squares a published hotspot or cell must rest on.
    public var minPlaces: Int?
    /// Include domestic abuse, sexual offences and incidents at dwellings (the public tier leaves them out).
    public var includeSensitivePlaces: Bool?
    /// Emerging hot spots: the cube's time step.
    public var step: EmergingStep = .month
    /// Micro places: harm weight per offence (normalised category name); cells are then ranked by weighted sum. Partner tier only.
    public var weights: [String: Double]?
    /// Repeat locations: side in metres of the National Grid squares incidents are snapped to.
    public var snap: Double = RepeatLocationsRun.defaultSnap

    public init(method: HotspotMethod = .dbscan) {
        self.method = method
        cellSize = method == .kde ? 100 : method == .cells ? MicroPlacesRun.defaultCellSize : nil
    }

    /// Rejects impossible values with a `ParameterError` naming the parameter.
    public func validate() throws {
        guard eps.isFinite, eps > 0 else { throw ParameterError("eps", "must be a positive number of metres (got \(eps))") }
        if let minPoints, minPoints < 1 { throw ParameterError("min-points", "must be at least 1 (got \(minPoints))") }
        if let epsDays, epsDays < 0 { throw ParameterError("eps-days", "must be zero or more (got \(epsDays))") }
        if let cellSize, !(cellSize.isFinite && cellSize > 0) {
            throw ParameterError("cell", "must be a positive number of metres or 'auto' (got \(cellSize))")
        }
        if let band, !(band.isFinite && band >= 0) { throw ParameterError("band", "must be a non-negative number of metres (got \(band))") }
        if let bandwidth, !(bandwidth.isFinite && bandwidth > 0) {
            throw ParameterError("bandwidth", "must be a positive number of metres (got \(bandwidth))")
        }
        guard top >= 1 else { throw ParameterError("top", "must be at least 1 (got \(top))") }
        if comparison != .none && method != .gistar {
            throw ParameterError("comparison", "needs method gistar (hot-spot change is a Gi* comparison)")
        }
        if epsDays != nil && method != .dbscan { throw ParameterError("eps-days", "applies to method dbscan only") }
        if weights != nil && method != .cells { throw ParameterError("weights", "applies to method cells only") }
        guard snap.isFinite, snap >= 1 else { throw ParameterError("snap", "must be at least 1 metre (got \(snap))") }
        if method == .repeats && includeSensitivePlaces == true {
            throw ParameterError("sensitive-places", "include is refused for repeat locations: a list of dwellings with repeat incidents is a list of victims' homes")
        }
    }

    /// The points a binning pass must keep for this run of `request`: the analysis period's months, or every
    /// month when a Gi* comparison reaches back before it or the period's length is not known in advance.
    public func pointWindow(for request: IncidentRequest) -> PointWindow {
        if comparison != .none { return .all }
        if let period { return request.to == period.upperBound ? .latest(Int(period.upperBound.index - period.lowerBound.index) + 1) : .all }
        switch (request.from, request.to) {
        case (nil, _): return .latest(BinnedIncidents.defaultPeriodMonths)
        case (let f?, let t?): return .latest(Int(t.index - f.index) + 1)
        case (_?, nil): return .all
        }
    }

    /// `validate()` and the tier's spatial floors: --cell, --bandwidth, --generalise and --min-places below them are refused.
    public func validate(policy: DisclosurePolicy) throws {
        try validate()
        if weights != nil && policy.protects {
            throw ParameterError("weights", "is refused in the \(policy.tier.rawValue) tier: a weighted harm score per cell is not a count and cannot pass the disclosure engine (use --tier partner)")
        }
        _ = try spatialRules(policy: policy)
    }

    /// The run's spatial rules: the tier's defaults with this run's options, checked against the tier's floors.
    public func spatialRules(policy: DisclosurePolicy) throws -> SpatialRules {
        // Repeat locations never list sensitive places, in either tier (see `validate()`).
        let rules = try SpatialRules(policy: policy).with(generalisation: generalisation, minPlaces: minPlaces,
                                                           includeSensitivePlaces: method == .repeats ? false : includeSensitivePlaces, tier: policy.tier)
        // The KDE cell defaults to 100 m; only an explicit size or radius is checked here.
        try rules.check(cellSize: method == .dbscan ? nil : cellSize, bandwidth: method == .kde ? bandwidth : nil, tier: policy.tier)
        return rules
    }
}

/// One hotspot run over the incidents of a binning pass: selection, detection, and what may be published.
public struct HotspotAnalysis {
    /// The report's and `assess --hotspots`'s window: hotspots for patrols and problem-solving look at the latest
    /// year, since older concentrations may have moved.
    public static let patrolWindowMonths = 12

    public let parameters: HotspotParameters
    public let area: Area
    public let period: ClosedRange<MonthKey>
    public let comparisonPeriod: ClosedRange<MonthKey>?
    /// The incidents analysed (in the area, period, strand and district asked for). Never published.
    public let incidents: [IncidentPoint]
    /// In-scope incidents of the period left out because they lie outside every district.
    public let outsideArea: KeyedCount
    /// Left out as sensitive places (public tier: domestic abuse, sexual offences, dwellings).
    public let sensitiveLeftOut: KeyedCount
    /// How places are generalised and which may be published.
    public let spatial: SpatialRules
    /// The grid published outlines are snapped to.
    public let generalisationGrid: GeneralisationGrid
    /// Notes on parameters the tier's floors raised (an automatic cell or radius finer than the tier allows).
    public private(set) var adjustments: [String] = []
    /// Left out of a space-time run for having a month-only date.
    public let withoutDay: KeyedCount

    public let clustering: DBSCANResult?
    /// DBSCAN's core size used: `parameters.minPoints`, or the automatic, density-aware one.
    public let minPoints: Int
    /// Outline of every cluster, indexed by cluster id.
    public let shapes: [ClusterShape]
    /// Counts of every cluster, indexed by cluster id.
    public let clusters: [ClusterSummary]
    public let giStar: GiStarResult?
    public let previousGiStar: GiStarResult?
    public let trends: [HotspotTrend]?
    /// Incidents per cell in the comparison period (Gi* with a comparison only).
    public let previousCellCounts: [KeyedCount]?
    /// Locations of the comparison period's incidents (Gi* with a comparison only). Never published.
    let previousLocations: [BNGPoint]?
    public let density: DensitySurface?
    /// The land of the run's grids: the area's districts, or the district asked for (nil with `landOnly` off).
    /// Cached per grid, so every grid analysis of the run shares one answer.
    public let landMask: LandMask?
    /// Emerging hot spots (method `.emerging`).
    public let emerging: EmergingHotspotRun?
    /// The micro-place targeting list (method `.cells`).
    public let microPlaces: MicroPlacesRun?
    /// Repeat locations (method `.repeats`).
    public let repeatLocations: RepeatLocationsRun?

    public let publisher: HotspotPublisher
    /// DBSCAN: the published clusters, ranked and numbered over the whole area (H1 has most incidents), then
    /// narrowed to the district asked for. Every output of every command takes hotspots from here.
    public let ranking: HotspotPublisher.ClusterRanking
    /// The district whose hotspots are published (DBSCAN with `district`).
    public let selectedDistrict: Int?
    let strandNames: [String]

    public init(binned: BinnedIncidents, parameters: HotspotParameters, disclosure: DisclosurePolicy) throws {
        try parameters.validate()
        let spatial = try parameters.spatialRules(policy: disclosure)
        self.spatial = spatial
        generalisationGrid = try GeneralisationGrid(cellSize: spatial.generalisation)
        self.parameters = parameters
        area = binned.area
        let period = parameters.period ?? binned.period
        self.period = period
        try Self.checkPoints(binned, cover: period, comparison: parameters.comparison)
        let defs = binned.definitions
        strandNames = defs.strands.map(\.label)
        publisher = HotspotPublisher(policy: disclosure, districtCodes: area.districts.map(\.code),
                                     districtNames: area.districts.map(\.name), strands: defs.strands.map { ($0.id, $0.label) },
                                     spatial: spatial, places: parameters.places)

        // DBSCAN over the whole area even for one district: clusters do not stop at a boundary, and ids stay the area's.
        var selection = parameters
        if parameters.method == .dbscan { selection.district = nil }
        var filter = try HotspotFilter(area: area, definitions: defs, parameters: selection)
        // The district's own filter (its name and index) differs only when DBSCAN widened the selection.
        let districtFilter = selection.district == parameters.district ? filter
            : try HotspotFilter(area: area, definitions: defs, parameters: parameters)
        selectedDistrict = parameters.method == .dbscan ? districtFilter.district : nil
        if spatial.excludeSensitivePlaces { filter.sensitiveStrands = SensitivePlaces.strandMask(defs.strands.map { ($0.id, $0.label) }) }
        filter.excludeSensitive = spatial.excludeSensitivePlaces
        let needDays = parameters.epsDays != nil
        let current = filter.select(binned.result, period: period, needDays: needDays)
        incidents = current.points
        outsideArea = current.outsideArea
        withoutDay = current.withoutDay
        sensitiveLeftOut = current.sensitive
        let scope = districtFilter.describe(period)
        if incidents.isEmpty {
            if !current.outsideArea.isZero && current.otherDistricts == 0 && current.sensitive.isZero {
                throw EngineError("all in-scope incidents of \(scope) lie outside \(area.name); check the extract's coordinates")
            }
            if !current.sensitive.isZero {
                throw EngineError("the in-scope incidents of \(scope) in the area are all \(SensitivePlaces.note), which the \(disclosure.tier.rawValue) tier leaves out of maps; "
                                  + "partners may map them with --tier partner")
            }
            if !current.withoutDay.isZero {
                throw EngineError("--eps-days needs day-level dates, but all incidents of \(scope) have a month-only date")
            }
            throw EngineError("no accepted serious-violence incidents in \(scope); nothing to map")
        }
        let locations = incidents.map(\.location)
        if let first = locations.first, locations.allSatisfy({ $0 == first }) {
            throw EngineError("all \(locations.count) incidents of \(scope) share one location (E \(first.easting), N \(first.northing)); "
                              + "hotspots need distinct locations — check the extract's geocoding")
        }

        switch parameters.comparison {
        case .none: comparisonPeriod = nil
        case .previousPeriod:
            let length = Int(period.upperBound.index - period.lowerBound.index) + 1
            comparisonPeriod = period.lowerBound.adding(months: -length)...period.lowerBound.adding(months: -1)
        case .period(let p): comparisonPeriod = p
        }

        let districts = binned.area.districts
        minPoints = parameters.minPoints ?? Self.automaticMinPoints(incidents: locations.count, eps: parameters.eps,
                                                                   areaSquareMetres: Self.landArea(districts.map(\.polygons)))
        let landMask: LandMask? = parameters.landOnly
            ? LandMask(regions: districtFilter.district.map { [districts[$0].polygons] } ?? districts.map(\.polygons)) : nil
        self.landMask = landMask
        var adjustments: [String] = []
        var clustering: DBSCANResult?
        var shapes: [ClusterShape] = []
        var clusters: [ClusterSummary] = []
        var giStar: GiStarResult?, previousGiStar: GiStarResult?, trends: [HotspotTrend]?, previousCellCounts: [KeyedCount]?
        var previousLocations: [BNGPoint]?
        var density: DensitySurface?
        var emerging: EmergingHotspotRun?
        var microPlaces: MicroPlacesRun?
        var repeatLocations: RepeatLocationsRun?
        /// Gi* and emerging grids: the automatic cell unless given, never finer than the tier allows.
        func tierGrid() throws -> GridSpec {
            var size = try parameters.cellSize ?? GridSpec.automaticCellSize(for: locations)
            if size < spatial.minCellSize {
                adjustments.append("The automatic cell (\(Self.metres(size)) m) is finer than the \(disclosure.tier.rawValue) tier allows: \(Self.metres(spatial.minCellSize)) m cells are used.")
                size = spatial.minCellSize
            }
            return try HotspotAnalysis.grid(filter.bounds, cellSize: size, points: locations)
        }
        do {
            switch parameters.method {
            case .dbscan:
                let c: DBSCANResult
                let minPoints = self.minPoints
                if let epsDays = parameters.epsDays {
                    c = try DBSCAN.cluster(locations, days: incidents.map(\.day), eps: parameters.eps, epsDays: epsDays,
                                           minPoints: minPoints)
                } else {
                    c = try DBSCAN.cluster(locations, eps: parameters.eps, minPoints: minPoints)
                }
                clustering = c
                shapes = try Generalise.shapes(locations, labels: c.labels, clusterCount: c.clusterCount, grid: generalisationGrid)
                clusters = HotspotAnalysis.summarise(incidents, labels: c.labels, shapes: shapes,
                                                     districts: area.districts.count, strands: defs.strands.count,
                                                     cohortUnder: defs.cohorts.first?.under ?? 25)
            case .gistar:
                let spec = try tierGrid()
                let observations: GiStarObservations = parameters.occupiedCellsOnly ? .occupiedCells : .allCells
                let nowGrid = CountGrid(points: locations, spec: spec)
                var beforeGrid: CountGrid?
                if let earlier = comparisonPeriod {
                    let before = filter.select(binned.result, period: earlier, needDays: false)
                    guard !before.points.isEmpty else {
                        throw EngineError("no incidents in the comparison period \(filter.describe(earlier)); the data start later — choose --compare-from/--compare-to within the data")
                    }
                    previousLocations = before.points.map(\.location)
                    beforeGrid = CountGrid(points: previousLocations!, spec: spec)
                    previousCellCounts = HotspotAnalysis.keyedCells(before.points, spec: spec)
                }
                // Both periods on the same land cells, so their classes compare like with like.
                let land = try Self.landCells(landMask, spec: spec, counts: [nowGrid.counts] + (beforeGrid.map { [$0.counts] } ?? []))
                let now = try GetisOrd.giStar(nowGrid, band: parameters.band, observations: observations, land: land)
                giStar = now
                if let beforeGrid {
                    let then = try GetisOrd.giStar(beforeGrid, band: parameters.band, observations: observations, land: land)
                    previousGiStar = then
                    trends = try HotspotChange.classify(earlier: then, later: now)
                }
            case .kde:
                let spec = try HotspotAnalysis.grid(filter.bounds, cellSize: parameters.cellSize, points: locations)
                var h = try parameters.bandwidth ?? KernelDensity.defaultBandwidth(locations)
                if h < spatial.minBandwidth {
                    adjustments.append("The automatic radius (\(Self.metres(h.rounded())) m) is finer than the \(disclosure.tier.rawValue) tier allows: \(Self.metres(spatial.minBandwidth)) m is used.")
                    h = spatial.minBandwidth
                }
                let land = try Self.landCells(landMask, spec: spec, counts: [CountGrid(points: locations, spec: spec).counts])
                density = try KernelDensity.quartic(locations, spec: spec, bandwidth: h, land: land)
            case .emerging:
                // The same grid as Gi*: automatic cell unless given, never finer than the tier allows.
                let spec = try tierGrid()
                // Every step on the same land cells, as Gi* (cells holding an incident count as land).
                let land = try Self.landCells(landMask, spec: spec, counts: [CountGrid(points: locations, spec: spec).counts])
                emerging = try EmergingHotspotRun(incidents: incidents, period: period, step: parameters.step, spec: spec, band: parameters.band,
                                                  observations: parameters.occupiedCellsOnly ? .occupiedCells : .allCells, land: land)
            case .cells:
                microPlaces = try MicroPlacesRun(analysis: (filter.bounds, locations, incidents, period, landMask), parameters: parameters,
                                                 offenceNames: binned.result.catalog.entries.map(\.name),
                                                 spatial: spatial, tier: disclosure.tier, adjustments: &adjustments)
            case .repeats:
                repeatLocations = try RepeatLocationsRun(incidents: incidents, period: period, snap: parameters.snap)
            }
        } catch let e as DetectError {
            throw EngineError("\(parameters.method.rawValue) on \(scope): \(e)")
        }
        self.clustering = clustering
        self.shapes = shapes
        self.clusters = clusters
        self.giStar = giStar
        self.previousGiStar = previousGiStar
        self.trends = trends
        self.previousCellCounts = previousCellCounts
        self.previousLocations = previousLocations
        self.density = density
        self.emerging = emerging
        self.microPlaces = microPlaces
        self.repeatLocations = repeatLocations
        self.scope = scope
        self.adjustments = adjustments
        ranking = publisher.ranking(clusters, inDistrict: selectedDistrict)
    }

    /// The points a run needs must have been kept by the binning pass.
    static func checkPoints(_ binned: BinnedIncidents, cover period: ClosedRange<MonthKey>, comparison: HotspotComparison) throws {
        switch binned.pointWindow {
        case .none:
            throw EngineError("hotspots need incident points: bin with points: .latest(months) or .all")
        case .latest(let n):
            let first = binned.period.upperBound.adding(months: -(n - 1))
            if period.lowerBound < first || period.upperBound > binned.period.upperBound || comparison != .none {
                throw EngineError("the binning run kept points for \(first) to \(binned.period.upperBound) only; hotspots over \(period.lowerBound) to \(period.upperBound)"
                                  + (comparison != .none ? " with a comparison period" : "") + " need points: .all")
            }
        case .all:
            break
        }
    }

    let scope: String

    /// The grid over `bounds` (the area, or the district asked for), so runs with the same cell size line up.
    static func grid(_ bounds: (min: BNGPoint, max: BNGPoint), cellSize: Double?, points: [BNGPoint]) throws -> GridSpec {
        let size = try cellSize ?? GridSpec.automaticCellSize(for: points)
        do {
            return try GridSpec.covering([bounds.min, bounds.max], cellSize: size)
        } catch let e as DetectError {
            if case .tooManyCells = e { throw ParameterError("cell", "\(size): \(e)") }
            throw e
        }
    }

    /// The land cells of `spec` (nil without a mask): those intersecting the mask's polygons, plus any cell holding an
    /// incident in `counts` (a point on a boundary that the district locator and GEOS place a hair apart is never lost).
    public static func landCells(_ mask: LandMask?, spec: GridSpec, counts: [[Double]] = []) throws -> [Bool]? {
        guard let mask else { return nil }
        var land = try mask.cells(of: spec)
        for c in counts where c.count == land.count { for i in c.indices where c[i] > 0 { land[i] = true } }
        return land
    }

    /// The density-aware DBSCAN core size: max(10, round(75 · n · π eps² / A)) for n incidents analysed over the area's
    /// land A, i.e. a core incident's eps-disc holds 75 times what the area's mean density would put there. On the
    /// demo's latest 12 months it is 10 at 100k rows and 101 at 1M, which give the same 36–39 street-level hotspots
    /// (README, "Hotspots: defaults"); a fixed 10 merges whole towns on dense data.
    public static func automaticMinPoints(incidents n: Int, eps: Double, areaSquareMetres a: Double) -> Int {
        guard a > 0, n > 0 else { return HotspotParameters.smallestMinPoints }
        let expected = Double(n) * Double.pi * eps * eps / a
        let k = (HotspotParameters.densityMultiple * expected).rounded()
        return k.isFinite ? max(HotspotParameters.smallestMinPoints, Int(min(k, 1e9))) : HotspotParameters.smallestMinPoints
    }

    /// Area in square metres of polygons given as rings (shell first, then holes), summed over regions.
    static func landArea(_ regions: [[[[BNGPoint]]]]) -> Double {
        var total = 0.0
        for polygons in regions { for rings in polygons { for (k, ring) in rings.enumerated() where ring.count >= 3 {
            var twice = 0.0
            for i in 0..<(ring.count - 1) { twice += ring[i].easting * ring[i + 1].northing - ring[i + 1].easting * ring[i].northing }
            twice += ring[ring.count - 1].easting * ring[0].northing - ring[0].easting * ring[ring.count - 1].northing
            total += (k == 0 ? 1 : -1) * abs(twice) / 2
        } } }
        return total
    }

    /// Per-cluster counts in one pass over the members.
    static func summarise(_ points: [IncidentPoint], labels: [Int32], shapes: [ClusterShape],
                          districts: Int, strands: Int, cohortUnder: Int = 25) -> [ClusterSummary] {
        var sizes = [KeyedCount](repeating: .zero, count: shapes.count)
        for (i, l) in labels.enumerated() where l >= 0 { sizes[Int(l)] += .record(key: points[i].recordKey) }
        var out = shapes.map {
            ClusterSummary(id: $0.cluster, incidents: sizes[$0.cluster], places: $0.places, concaveAreaHectares: $0.concaveAreaHectares,
                           convexAreaHectares: $0.convexAreaHectares, centroid: $0.centroid, districts: districts, strands: strands)
        }
        out.withUnsafeMutableBufferPointer { out in
            for (i, p) in points.enumerated() where labels[i] >= 0 {
                let k = Int(labels[i])
                let one = KeyedCount.record(key: p.recordKey)
                if Int(p.district) < districts { out[k].districtCounts[Int(p.district)] += one }
                if p.victimAge != Incident.unknownAge {
                    out[k].victimAgeKnown += one
                    if p.victimAge < 25 { out[k].victimUnder25 += one }
                    if p.victimAge < 18 { out[k].victimUnder18 += one }
                    if Int(p.victimAge) < cohortUnder { out[k].victimUnderCohort += one }
                }
                if p.hour >= 0 && p.hour < 24 { out[k].hours[Int(p.hour)] += one }
                if p.day != Incident.unknownDay { out[k].weekdays[CivilDate.weekday(daysSinceEpoch: Int(p.day))] += one }
                var mask = p.strandMask
                while mask != 0 {
                    let s = mask.trailingZeroBitCount
                    if s < strands { out[k].strands[s] += one }
                    mask &= mask - 1
                }
                if p.weapon != .unknown {
                    out[k].weaponKnown += one
                    if p.weapon == .knife { out[k].knife += one }
                    if p.weapon.isWeaponEnabled { out[k].weaponEnabled += one }
                }
            }
        }
        return out
    }

    /// Keyed incident counts per grid cell, for publishing cell counts.
    static func keyedCells(_ points: [IncidentPoint], spec: GridSpec) -> [KeyedCount] {
        var cells = [KeyedCount](repeating: .zero, count: spec.cellCount)
        for p in points { if let i = spec.cellIndex(of: p.location) { cells[i] += .record(key: p.recordKey) } }
        return cells
    }

    /// All the incidents analysed, as one keyed count.
    public var analysed: KeyedCount { incidents.reduce(.zero) { $0 + .record(key: $1.recordKey) } }

    /// Why a run could not be made, in words fit for a published note: the operator's message names a location and
    /// a count where all incidents share one place, which a published file must not.
    public static func publishableReason(_ error: Error) -> String {
        let text = "\(error)"
        if text.contains("share one location") { return "the incidents of this scope share one location; hotspots need distinct locations" }
        return text
    }
}

/// Which in-scope incidents a run looks at.
struct HotspotFilter {
    let area: Area
    let strandBit: UInt8?
    let strandLabel: String?
    let district: Int?
    let bounds: (min: BNGPoint, max: BNGPoint)
    /// Leave sensitive places out (see `SensitivePlaces`), with the definitions' sensitive strands.
    var excludeSensitive = false
    var sensitiveStrands: UInt8 = 0

    init(area: Area, definitions: Definitions, parameters: HotspotParameters) throws {
        self.area = area
        if let id = parameters.strand {
            guard let s = definitions.strands.firstIndex(where: { $0.id == id }) else {
                throw EngineError("unknown strand '\(id)': the definitions have \(definitions.strands.map(\.id).joined(separator: ", "))")
            }
            strandBit = UInt8(1) << UInt8(s)
            strandLabel = definitions.strands[s].label
        } else {
            strandBit = nil
            strandLabel = nil
        }
        if let code = parameters.district {
            guard let d = area.districtIndex(code: code) else {
                throw EngineError("unknown district '\(code)': \(area.name) has \(area.districts.map { "\($0.code) (\($0.name))" }.joined(separator: ", "))")
            }
            district = d
            var lo = BNGPoint(easting: .infinity, northing: .infinity), hi = BNGPoint(easting: -.infinity, northing: -.infinity)
            for polygon in area.districts[d].polygons { for ring in polygon { for p in ring {
                lo.easting = min(lo.easting, p.easting); lo.northing = min(lo.northing, p.northing)
                hi.easting = max(hi.easting, p.easting); hi.northing = max(hi.northing, p.northing)
            } } }
            bounds = (lo, hi)
        } else {
            district = nil
            bounds = area.bounds
        }
    }

    struct Selection {
        var points: [IncidentPoint] = []
        var outsideArea = KeyedCount.zero
        var withoutDay = KeyedCount.zero
        var sensitive = KeyedCount.zero
        /// In the area but not in the district asked for.
        var otherDistricts = 0
    }

    /// Why a point of the period is or is not analysed.
    private enum Verdict { case analysed, notInStrand, outsideArea, otherDistrict, sensitive, withoutDay }

    private func verdict(_ p: IncidentPoint, outside: Int16, district: Int16?, needDays: Bool) -> Verdict {
        if let strandBit, p.strandMask & strandBit == 0 { return .notInStrand }
        if p.district >= outside { return .outsideArea }
        if let district, p.district != district { return .otherDistrict }
        if excludeSensitive && SensitivePlaces.isSensitive(domestic: p.domestic, locationType: p.locationType, publicPlace: p.publicPlace,
                                                           strandMask: p.strandMask, sensitiveStrands: sensitiveStrands) {
            return .sensitive
        }
        if needDays && p.day == Incident.unknownDay { return .withoutDay }
        return .analysed
    }

    /// The run's points of `period` that pass the filter. A first pass counts them: when every point is kept (a
    /// partner-tier run over the window the binning run kept) the selection shares the run's array, else it is
    /// copied into an array of exactly its size; either way a 10M-row run holds no doubling buffer of points.
    func select(_ result: BinningRun.Result, period: ClosedRange<MonthKey>, needDays: Bool) -> Selection {
        var s = Selection()
        let lo = period.lowerBound.index, hi = period.upperBound.index
        let outside = Int16(area.districts.count)
        let district = district.map(Int16.init)
        for p in result.outsidePoints where p.month >= lo && p.month <= hi {
            if let strandBit, p.strandMask & strandBit == 0 { continue }
            s.outsideArea += .record(key: p.recordKey)
        }
        let all = result.points
        var kept = 0
        for p in all {
            guard p.month >= lo && p.month <= hi else { continue }
            switch verdict(p, outside: outside, district: district, needDays: needDays) {
            case .analysed: kept += 1
            case .notInStrand: break
            case .outsideArea: s.outsideArea += .record(key: p.recordKey)
            case .otherDistrict: s.otherDistricts += 1
            case .sensitive: s.sensitive += .record(key: p.recordKey)
            case .withoutDay: s.withoutDay += .record(key: p.recordKey)
            }
        }
        if kept == all.count { s.points = all; return s }
        s.points.reserveCapacity(kept)
        for p in all where p.month >= lo && p.month <= hi && verdict(p, outside: outside, district: district, needDays: needDays) == .analysed {
            s.points.append(p)
        }
        return s
    }

    func describe(_ period: ClosedRange<MonthKey>) -> String {
        var text = "\(period.lowerBound) to \(period.upperBound)"
        if let strandLabel { text += ", strand \(strandLabel)" }
        if let district { text += ", \(area.districts[district].name)" }
        return text
    }
}
