import SVDCore

/// One hotspot as the report draws and tabulates it: the row `svd hotspots` publishes, and its outline.
public struct ReportHotspot: Sendable {
    public let row: HotspotRow
    /// Generalised outline in BNG metres (closed ring); empty when the members are collinear.
    public let hull: [BNGPoint]

    public init(row: HotspotRow, hull: [BNGPoint]) {
        self.row = row
        self.hull = hull
    }
}

/// The report's hotspots: the `HotspotAnalysis` of `svd hotspots` over the patrol window, already published.
public struct ReportHotspots: Sendable {
    /// DBSCAN neighbourhood radius in metres and minimum neighbours (itself included) of a core point.
    public let eps: Double
    public let minPoints: Int
    /// The months clustered (the latest 12 of the period).
    public let window: ClosedRange<MonthKey>
    /// Published hotspots of the report's scope, in the published order (H-numbers are the area's).
    public let clusters: [ReportHotspot]
    /// Clusters found but not published (too few incidents or places).
    public let withheld: Int
    /// Method and disclosure notes on the map.
    public let notes: [String]
    /// The rules the outlines were generalised by, declared in the report's disclosure meta.
    public let places: SpatialRules?

    public init(eps: Double, minPoints: Int, window: ClosedRange<MonthKey>, clusters: [ReportHotspot], withheld: Int = 0,
                notes: [String] = [], places: SpatialRules? = nil) {
        self.eps = eps
        self.minPoints = minPoints
        self.window = window
        self.clusters = clusters
        self.withheld = withheld
        self.notes = notes
        self.places = places
    }
}

/// The report's emerging hot spots: the cells `svd hotspots --method emerging` maps over the same period, as it
/// publishes them (public tier: patterns only), with its notes.
public struct ReportEmerging: Sendable {
    public let cells: [EmergingCellSummary]
    /// Time steps, and the first and last step's labels ("2023-11" … "2026-10").
    public let steps: Int
    public let stepName: String
    public let firstStep: String
    public let lastStep: String
    public let cellSize: Double
    public let notes: [String]

    public init(cells: [EmergingCellSummary], steps: Int, stepName: String, firstStep: String, lastStep: String, cellSize: Double, notes: [String]) {
        self.cells = cells
        self.steps = steps
        self.stepName = stepName
        self.firstStep = firstStep
        self.lastStep = lastStep
        self.cellSize = cellSize
        self.notes = notes
    }

    /// No analysis: the section shows `reason` (or that nothing was computed).
    public static func notComputed(_ reason: String? = nil) -> ReportEmerging {
        ReportEmerging(cells: [], steps: 0, stepName: "month", firstStep: "", lastStep: "", cellSize: 0, notes: reason.map { [$0] } ?? [])
    }
}

/// The report's micro-place targeting list (partner tier only): the tables `svd hotspots --method cells` publishes.
public struct ReportTargeting: Sendable {
    public let list: PublishedTable
    public let concentration: PublishedTable
    public let backtest: PublishedTable?

    public init(list: PublishedTable, concentration: PublishedTable, backtest: PublishedTable?) {
        self.list = list
        self.concentration = concentration
        self.backtest = backtest
    }
}
