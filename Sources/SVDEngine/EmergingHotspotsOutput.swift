import Foundation
import SVDCore
import SVDDetect
import SVDPublish

extension HotspotAnalysis {
    /// The emerging hot spot table and map: cells with a pattern, under the same places rules as Gi* cells.
    func publishEmerging() -> Output {
        guard let e = emerging else { return Output(tables: [], maps: [], summary: []) }
        let r = e.result, spec = r.spec, T = r.steps
        let candidates = r.locations.indices.filter { r.patterns[$0] != .noPattern }
        let cells = candidates.map { Int(r.locations[$0]) }
        // Places: a pattern rests on the cell's band neighbourhood over the steps, and (all but historical, which says the
        // final step is not significant) on the final step's neighbourhood; each must hold enough distinct squares.
        let k = spatial.minPlaces
        var stepped: [BNGPoint] = [], final: [BNGPoint] = []
        for (i, p) in incidents.enumerated() where e.stepOfIncident[i] >= 0 {
            stepped.append(p.location)
            if e.stepOfIncident[i] == T - 1 { final.append(p.location) }
        }
        let overall = HotspotAnalysis.neighbourhoodPlaces(stepped, spec: spec, band: r.band, grid: generalisationGrid, cells: cells, atLeast: k)
        let lastStep = HotspotAnalysis.neighbourhoodPlaces(final, spec: spec, band: r.band, grid: generalisationGrid, cells: cells, atLeast: k)
        var mapped: [(location: Int, cell: Int)] = []
        for (slot, l) in candidates.enumerated() {
            let p = r.patterns[l]
            guard overall[slot] else { continue }
            if p != .historicalHot && p != .historicalCold && !lastStep[slot] { continue }
            mapped.append((l, cells[slot]))
        }
        let withheld = candidates.count - mapped.count
        // The final step's count of each mapped cell, keyed for the disclosure engine.
        var slotOfCell: [Int: Int] = [:]
        for (s, m) in mapped.enumerated() { slotOfCell[m.cell] = s }
        var lastCounts = [KeyedCount](repeating: .zero, count: mapped.count)
        for (i, p) in incidents.enumerated() where e.stepOfIncident[i] == T - 1 {
            if let c = spec.cellIndex(of: p.location), let s = slotOfCell[c] { lastCounts[s] += .record(key: p.recordKey) }
        }
        // Pattern order (new hot first … historical cold), then (partner tier, which shows it) the final step's count,
        // then the cell: the order tells nothing the row does not.
        let shown = lastCounts.map { publisher.spatial.publishStatistics ? publisher.disclosure.release($0).value ?? 0 : 0 }
        let order = mapped.indices.sorted { a, b in
            let pa = r.patterns[mapped[a].location].order, pb = r.patterns[mapped[b].location].order
            if pa != pb { return pa < pb }
            if shown[a] != shown[b] { return shown[a] > shown[b] }
            return mapped[a].cell < mapped[b].cell
        }
        let districts = cellDistricts(spec, order.map { mapped[$0].cell })
        let summaries: [EmergingCellSummary] = order.enumerated().map { slot, s in
            let l = mapped[s].location, centre = spec.centre(ofCell: mapped[s].cell)
            return EmergingCellSummary(southWest: BNGPoint(easting: centre.easting - spec.cellSize / 2, northing: centre.northing - spec.cellSize / 2),
                                       cellSize: spec.cellSize, district: districts[slot], pattern: r.patterns[l].label,
                                       hotSteps: Int(r.hotSteps[l]), coldSteps: Int(r.coldSteps[l]), steps: T,
                                       giTrendZ: r.zTrend[l].z, giTrendP: r.zTrend[l].p,
                                       countTrendZ: r.countTrend[l].z, countTrendP: r.countTrend[l].p, lastStepIncidents: lastCounts[s])
        }
        var tally: [EmergingPattern: Int] = [:]
        for m in mapped { tally[r.patterns[m.location], default: 0] += 1 }
        let tallyText = EmergingPattern.allCases.sorted { $0.order < $1.order }.compactMap { p in
            tally[p].map { "\(p.label.lowercased()) \(groupedThousands($0))" }
        }.joined(separator: ", ")
        let extent = parameters.district == nil ? area.name : "the district"
        let stepName = e.step.rawValue
        var notes = [
            "Emerging hot spot analysis (after ArcGIS Pro's): a space-time cube of \(Self.metres(spec.cellSize)) m cells over \(extent)'s bounds by \(stepName), "
                + "\(T) steps from \(e.label(ofStep: 0)) to \(e.label(ofStep: T - 1)). In each step, Getis–Ord Gi* over the cells within "
                + "\(Self.metres(r.band)) m of each cell (centres; the cell itself included) in the same step, "
                + (r.observations == .allCells ? "every cell of the grid an observation" : "that step's occupied cells the observations")
                + ", with Benjamini–Hochberg FDR over the step's cells; a cell is hot (cold) in a step at 90 % confidence or more.",
            "Trend: the Mann–Kendall test (variance with the ties correction, continuity-corrected z, two-sided p) on each cell's series of Gi* z "
                + "(gi_trend_z, gi_trend_p); significant at p ≤ \(EmergingHotspotRun.trendAlpha). Locations are the cells with an incident in at least one step.",
            "Patterns (ArcGIS Pro's definitions, cold spots mirrored): new — hot in the final step only; consecutive — a final run of two or more hot steps, "
                + "never hot before it, under 90 % of steps hot; intensifying, persistent, diminishing — hot in at least 90 % of steps including the final one, "
                + "with z rising significantly, without a significant trend, falling significantly; sporadic — hot in the final step, on and off before, "
                + "under 90 % of steps hot, never cold; oscillating — hot in the final step, cold in an earlier one, under 90 % hot; historical — hot in at "
                + "least 90 % of steps but not the final one.",
            selectionNote,
        ] + placeNotes
        if e.months.lowerBound > period.lowerBound {
            notes.append("The months before \(e.months.lowerBound) do not fill a whole \(stepName); their incidents are left out of the cube.")
        }
        if T < 10 { notes.append("With fewer than 10 steps, 90 % of steps means every step.") }
        if !r.undefinedSteps.isEmpty {
            notes.append("Gi* is undefined in \(r.undefinedSteps.count == 1 ? "one step" : "\(r.undefinedSteps.count) steps") (no incidents, or all cells alike): "
                         + r.undefinedSteps.map { e.label(ofStep: $0) }.joined(separator: ", ") + "; no cell is significant there and the step is left out of the z trends.")
        }
        if k > 1 {
            notes.append("Places: a cell is mapped only if the cells within its band hold incidents in at least \(k) distinct \(Self.metres(spatial.generalisation)) m squares "
                         + "over the steps and, for every pattern but historical, in the final step; \(NeedsAssessmentReport.spelled(withheld)) withheld.")
        }
        // The report tabulates the patterns itself, so it takes the notes without this tally.
        let tallyNote = "\(groupedThousands(summaries.count)) cells mapped" + (tallyText.isEmpty ? "" : " (\(tallyText))")
            + "; the table lists the first \(min(parameters.top, summaries.count)), the map all."
        let table = publisher.emergingTable(Array(summaries.prefix(parameters.top)), title: "Emerging hot spots (Gi* by \(stepName), Mann–Kendall), \(scope)", notes: notes + [tallyNote])
        let columns = publisher.emergingColumns
        let features = summaries.enumerated().map { i, c in
            MapPolygon(rings: [Self.square(c.southWest, c.cellSize)],
                       properties: zip(columns, publisher.emergingRow(c, rank: i + 1)).map { (key: $0, value: GeoJSONProperty($1)) })
        }
        return Output(tables: [table],
                      maps: [("hotspots_emerging.geojson", GeoJSON.featureCollection(features, name: "hotspots_emerging", disclosure: policy, places: spatial))],
                      summary: ["\(scope): \(countText(analysed)) incidents, \(T) \(stepName)ly steps of \(Self.metres(spec.cellSize)) m cells; "
                                + "\(groupedThousands(summaries.count)) cells with a pattern mapped" + (tallyText.isEmpty ? "" : " (\(tallyText))")
                                + (withheld > 0 ? "; \(groupedThousands(withheld)) withheld: too few places." : ".")],
                      emerging: ReportEmerging(cells: summaries, steps: T, stepName: stepName, firstStep: e.label(ofStep: 0), lastStep: e.label(ofStep: T - 1),
                                               cellSize: spec.cellSize, notes: notes))
    }
}
