import Foundation
import SVDCore

/// A location of an emerging hot spot analysis, as published: its pattern and trend, never its per-step counts.
public struct EmergingCellSummary: Sendable {
    public var southWest: BNGPoint
    public var cellSize: Double
    public var district: String
    public var pattern: String
    /// Steps in which the cell was a hot (cold) spot, of `steps`.
    public var hotSteps: Int
    public var coldSteps: Int
    public var steps: Int
    /// Mann–Kendall on the cell's Gi* z series (the trend that tells intensifying from persistent from diminishing).
    public var giTrendZ: Double
    public var giTrendP: Double
    /// Mann–Kendall on the cell's count series (partner tier only: with few incidents it describes their order).
    public var countTrendZ: Double
    public var countTrendP: Double
    /// Incidents in the cell in the final step.
    public var lastStepIncidents: KeyedCount

    public init(southWest: BNGPoint, cellSize: Double, district: String, pattern: String, hotSteps: Int, coldSteps: Int, steps: Int,
                giTrendZ: Double, giTrendP: Double, countTrendZ: Double, countTrendP: Double, lastStepIncidents: KeyedCount) {
        self.southWest = southWest
        self.cellSize = cellSize
        self.district = district
        self.pattern = pattern
        self.hotSteps = hotSteps
        self.coldSteps = coldSteps
        self.steps = steps
        self.giTrendZ = giTrendZ
        self.giTrendP = giTrendP
        self.countTrendZ = countTrendZ
        self.countTrendP = countTrendP
        self.lastStepIncidents = lastStepIncidents
    }
}

extension HotspotPublisher {
    /// Public tier: the pattern and the hot and cold steps only — classes, as the public Gi* map publishes classes
    /// only. Partner tier adds the Mann–Kendall trends of the Gi* z series and of the cell's counts, and the final
    /// step's count through the disclosure engine. Per-step counts, z and classes are never published: a cell's series
    /// of counts would be a monthly table at 150 m.
    public var emergingColumns: [String] {
        ["rank", "cell_id"] + placeColumns + ["centre_easting", "centre_northing", "centre_lon", "centre_lat", "district", "pattern",
         "hot_steps", "cold_steps", "steps"]
            + (spatial.publishStatistics ? ["gi_trend_z", "gi_trend_p", "count_trend_z", "count_trend_p", "last_step_incidents"] : [])
    }

    public func emergingRow(_ c: EmergingCellSummary, rank: Int) -> [PublishedTable.Value] {
        let centre = BNGPoint(easting: c.southWest.easting + c.cellSize / 2, northing: c.southWest.northing + c.cellSize / 2)
        let g = BritishNationalGrid.toWGS84(centre)
        var row: [PublishedTable.Value] = [.count(rank), .text(Self.cellID(c.southWest))]
            + placeValues(gridRef: gridReference(ofCell: c.southWest, size: c.cellSize), at: centre) + [
            .number(centre.easting, decimals: 0), .number(centre.northing, decimals: 0),
            .number(g.longitude, decimals: 5), .number(g.latitude, decimals: 5), .text(c.district), .text(c.pattern),
            .count(c.hotSteps), .count(c.coldSteps), .count(c.steps),
        ]
        if spatial.publishStatistics {
            row += [.number(c.giTrendZ, decimals: 2), .number(c.giTrendP, decimals: 4),
                    .number(c.countTrendZ, decimals: 2), .number(c.countTrendP, decimals: 4), disclosure.release(c.lastStepIncidents).cell]
        }
        return row
    }

    public func emergingTable(_ cells: [EmergingCellSummary], title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "hotspots_emerging", title: title, columns: emergingColumns)
        for (i, c) in cells.enumerated() { table.rows.append(emergingRow(c, rank: i + 1)) }
        table.notes = notes
        if policy.protects {
            table.notes.append("Public tier: classes only (the pattern and how many steps were hot or cold), as the public Gi* map; trends and counts are partner tier. Per-step counts, z and classes are never published.")
        }
        return table
    }
}
