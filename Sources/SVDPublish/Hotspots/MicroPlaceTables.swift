import Foundation
import SVDCore
import SVDDetect

/// A listed cell of the micro-place targeting list, with its counts already released by the disclosure engine.
public struct MicroPlaceRow: Sendable {
    public var southWest: BNGPoint
    public var cellSize: Double
    public var district: String
    public var incidents: Released
    /// Share (0–1) of all published incidents, and the running share over the listed cells down to this one.
    public var share: Double
    public var cumulativeShare: Double
    /// The latest 12 months and the 12 before (nil without a back-test).
    public var latest: Released?
    public var previous: Released?
    /// Weighted harm over the period (with --weights, partner tier).
    public var harm: Double?

    public init(southWest: BNGPoint, cellSize: Double, district: String, incidents: Released, share: Double, cumulativeShare: Double,
                latest: Released?, previous: Released?) {
        self.southWest = southWest
        self.cellSize = cellSize
        self.district = district
        self.incidents = incidents
        self.share = share
        self.cumulativeShare = cumulativeShare
        self.latest = latest
        self.previous = previous
    }
}

extension HotspotPublisher {
    public func microPlaceColumns(backtest: Bool, weighted: Bool = false) -> [String] {
        ["rank", "cell_id"] + placeColumns + ["district", "centre_easting", "centre_northing", "centre_lon", "centre_lat",
                                              "incidents"] + (weighted ? ["harm"] : []) + ["share_pct", "cumulative_share_pct"]
            + (backtest ? ["latest_12_months", "previous_12_months"] : [])
    }

    public func microPlaceRow(_ c: MicroPlaceRow, rank: Int, backtest: Bool, weighted: Bool = false) -> [PublishedTable.Value] {
        let centre = BNGPoint(easting: c.southWest.easting + c.cellSize / 2, northing: c.southWest.northing + c.cellSize / 2)
        let g = BritishNationalGrid.toWGS84(centre)
        var row: [PublishedTable.Value] = [.count(rank), .text(Self.cellID(c.southWest))]
            + placeValues(gridRef: gridReference(ofCell: c.southWest, size: c.cellSize), at: centre)
            + [.text(c.district), .number(centre.easting, decimals: 0), .number(centre.northing, decimals: 0),
               .number(g.longitude, decimals: 5), .number(g.latitude, decimals: 5),
               c.incidents.cell] + (weighted ? [.number(c.harm ?? 0, decimals: 2)] : [])
            + [.percent(c.share * 100, decimals: 2), .percent(c.cumulativeShare * 100, decimals: 2)]
        if backtest { row += [c.latest?.cell ?? .empty, c.previous?.cell ?? .empty] }
        return row
    }

    public func microPlaceTable(_ rows: [MicroPlaceRow], backtest: Bool, weighted: Bool = false, title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "micro_places", title: title, columns: microPlaceColumns(backtest: backtest, weighted: weighted))
        for (i, c) in rows.enumerated() { table.rows.append(microPlaceRow(c, rank: i + 1, backtest: backtest, weighted: weighted)) }
        table.notes = notes
        if policy.protects {
            table.notes.append("Cell counts are published like every count: perturbed, and below \(policy.threshold) read \"<\(policy.threshold)\"; "
                               + "shares, the concentration curve and the back-test are computed from the published counts and the scope's published total (cells whose count is hidden are not ranked).")
        }
        return table
    }

    /// Curve points (`line` "top 1% of places" …) and the X%-in-Y% lines.
    public func microPlaceConcentrationTable(curve: [(placeShare: Double, cells: Int, incidentShare: Double)],
                                             lines: [(incidentShare: Double, cells: Int?, placeShare: Double?, statement: String)],
                                             title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "micro_places_concentration", title: title,
                                   columns: ["line", "places", "places_pct", "incidents_pct", "statement"])
        for p in curve {
            table.rows.append([.text("top \(Self.percentText(p.placeShare)) of places"), .count(p.cells), .percent(p.placeShare * 100, decimals: 2),
                               .percent(p.incidentShare * 100, decimals: 1), .text("")])
        }
        for l in lines {
            table.rows.append([.text("\(Self.percentText(l.incidentShare)) of incidents"), l.cells.map { .count($0) } ?? .empty,
                               .percent(l.placeShare.map { $0 * 100 }, decimals: 2),
                               .percent(l.incidentShare * 100, decimals: 1), .text(l.statement)])
        }
        table.notes = notes
        return table
    }

    public func microPlaceBacktestTable(_ rows: [MicroPlaces.Backtest], title: String, notes: [String]) -> PublishedTable {
        var table = PublishedTable(id: "micro_places_backtest", title: title,
                                   columns: ["n", "cells", "hit_rate_pct", "area_share_pct", "pai", "stable", "jaccard"])
        for r in rows {
            table.rows.append([.count(r.n), .count(r.chosen), .percent(r.hitRate * 100, decimals: 1), .percent(r.areaShare * 100, decimals: 3),
                               .number(r.pai, decimals: 1), .count(r.stable), .number(r.jaccard, decimals: 2)])
        }
        table.notes = notes
        return table
    }

    /// "1%", "2.5%", "50%".
    public static func percentText(_ share: Double) -> String {
        let p = share * 100
        return (p == p.rounded() ? String(Int(p)) : String(format: "%.1f", p)) + "%"
    }
}
