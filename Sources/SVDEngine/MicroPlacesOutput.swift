import Foundation
import SVDCore
import SVDDetect
import SVDPublish

extension HotspotAnalysis {
    /// The micro-place targeting list, its concentration curve and back-test, and the map of the listed cells. Every
    /// figure comes from counts released by the disclosure engine; a cell is listed only when its own incidents lie
    /// in enough distinct generalisation squares.
    func publishMicroPlaces() -> Output {
        guard let m = microPlaces else { return Output(tables: [], maps: [], summary: []) }
        let spec = m.spec, disclosure = publisher.disclosure
        let occupied = m.counts.indices.filter { !m.counts[$0].isZero }
        func released(_ counts: [KeyedCount]) -> (values: [Double], cells: [Int: Released]) {
            var values = [Double](repeating: 0, count: spec.cellCount)
            var cells: [Int: Released] = [:]
            cells.reserveCapacity(occupied.count)
            for i in occupied where !counts[i].isZero {
                let r = disclosure.release(counts[i])
                cells[i] = r
                values[i] = Double(r.value ?? 0)
            }
            return (values, cells)
        }
        var whole = released(m.counts)
        var latest = m.latestCounts.map(released), previous = m.previousCounts.map(released)
        // Harm weights (partner tier only, where released counts are true counts): rank, curve and back-test on weighted sums.
        let weighted = m.harm != nil
        if let h = m.harm { whole.values = h }
        if let h = m.latestHarm { latest?.values = h }
        if let h = m.previousHarm { previous?.values = h }
        let backtested = latest != nil

        // Ranking and curve on the published counts.
        let ranked = MicroPlaces.ranked(whole.values)
        // Shares are of the scope's published total: cells whose count is hidden hold the rest, unranked.
        let publishedTotal = weighted ? nil : disclosure.release(analysed).value.map(Double.init)
        let curve = MicroPlaces.Concentration(counts: whole.values, landCells: m.landCells, total: publishedTotal)
        let k = spatial.minPlaces
        let allowed = k > 1
            ? HotspotAnalysis.neighbourhoodPlaces(incidents.map(\.location), spec: spec, band: 0, grid: generalisationGrid, cells: ranked, atLeast: k)
            : [Bool](repeating: true, count: ranked.count)
        var listed: [Int] = []
        for (slot, c) in ranked.enumerated() where allowed[slot] { listed.append(c) }
        let withheld = ranked.count - listed.count
        let half = curve.places(forIncidentShare: 0.5)?.cells ?? ranked.count
        let halfListed = allowed.prefix(half).reduce(0) { $0 + ($1 ? 1 : 0) }
        let mapCount = min(listed.count, Self.maxDensityCells, max(parameters.top, halfListed))
        let shown = Array(listed.prefix(mapCount))
        let districts = cellDistricts(spec, shown)
        var running = 0.0
        let rows: [MicroPlaceRow] = shown.enumerated().map { slot, c in
            let centre = spec.centre(ofCell: c)
            let share = curve.total > 0 ? whole.values[c] / curve.total : 0
            running += share
            var row = MicroPlaceRow(southWest: BNGPoint(easting: centre.easting - spec.cellSize / 2, northing: centre.northing - spec.cellSize / 2),
                                    cellSize: spec.cellSize, district: districts[slot], incidents: whole.cells[c]!, share: share,
                                    cumulativeShare: running, latest: latest.map { $0.cells[c] ?? disclosure.release(.zero) },
                                    previous: previous.map { $0.cells[c] ?? disclosure.release(.zero) })
            if weighted { row.harm = whole.values[c] }
            return row
        }

        let strandLabel = parameters.strand.flatMap { id in publisher.strands.first { $0.id == id }?.label }
        let what = (strandLabel.map { $0.prefix(1).lowercased() + $0.dropFirst() + " incidents" } ?? "serious violence")
            + (spatial.excludeSensitivePlaces ? " outside sensitive places" : "")
        let whatShare = weighted ? "the weighted harm of " + what : what
        func pct(_ share: Double) -> String { String(format: share < 0.0001 ? "%.3f" : share < 0.01 ? "%.2f" : "%.1f", share * 100) + "%" }
        let places = groupedThousands(m.landCells)
        let cellText = "\(Self.metres(spec.cellSize)) m cells"
        let points = MicroPlacesRun.placeShares.map { s in (placeShare: s, cells: curve.cells(inPlaceShare: s), incidentShare: curve.incidentShare(inPlaceShare: s)) }
        let lines = MicroPlacesRun.incidentShares.map { x -> (incidentShare: Double, cells: Int?, placeShare: Double?, statement: String) in
            guard let p = curve.places(forIncidentShare: x) else {
                return (x, nil, nil, "\(HotspotPublisher.percentText(x)) of \(whatShare) is not reached by the cells with a published count")
            }
            return (x, p.cells, p.placeShare, "\(HotspotPublisher.percentText(x)) of \(whatShare) in \(pct(p.placeShare)) of places")
        }
        let extent = parameters.district == nil ? area.name : "the district"
        let placesNote = "Places are the \(places) \(cellText) "
            + (m.landCells < spec.cellCount ? "intersecting \(extent)'s districts (cells of sea or of land outside are not places)" : "of the grid over \(extent)'s bounds")
            + "; cells are ranked by published incidents over \(scope), ties by position."
        var notes = [
            "Micro-place targeting list: fixed \(cellText) (the size of Essex's Grip hotspots) aligned to the National Grid, ranked by incidents. " + placesNote,
            selectionNote,
        ] + placeNotes
        if k > 1 {
            notes.append("Places: a cell is listed only if its own incidents lie in at least \(k) distinct \(Self.metres(spatial.generalisation)) m squares; "
                         + "\(withheld == 0 ? "none" : groupedThousands(withheld)) withheld (they still count in the curve and shares).")
        }
        if weighted {
            let given = (parameters.weights ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \(Self.number($0.value))" }.joined(separator: ", ")
            notes.append("Harm-weighted (--weights): cells are ranked by harm, the sum of their incidents' offence weights (\(given))"
                         + (m.unweighted.isEmpty ? "" : "; offences without a weight count 1: \(m.unweighted.joined(separator: ", "))")
                         + ". Shares, the curve and the back-test are of harm, not of incidents.")
        }
        notes.append("share_pct is the cell's share of all published incidents; cumulative_share_pct runs over the listed cells only. "
                     + "The table lists the first \(min(parameters.top, rows.count)); the map holds the listed cells among those that hold half the incidents (at least --top).")
        let table = publisher.microPlaceTable(Array(rows.prefix(parameters.top)), backtest: backtested, weighted: weighted,
                                              title: "Micro-place targeting list (\(cellText)), \(scope)", notes: notes)
        let curveNotes = [
            "Concentration curve (Weisburd's law of crime concentration): the share of published incidents in the top 1–50% of places (\(places) \(cellText)), "
                + "and the fewest places holding 25%, 50% and 75% of incidents. Computed from the published cell counts"
                + (policy.protects ? " (perturbed), so it may differ slightly from the true counts'." : "."),
            placesNote,
        ]
        var curveNotes2 = curveNotes
        let cellSum = curve.cumulative.last ?? 0
        if policy.protects, curve.total > cellSum {
            curveNotes2.append("Shares are of the \(groupedThousands(Int(curve.total))) incidents published for the scope; the cells with a published count hold "
                               + "\(groupedThousands(Int(cellSum))) (\(String(format: "%.1f", cellSum / curve.total * 100))%), the rest lie in cells whose count is hidden (under \(policy.threshold)), "
                               + "which are not ranked. So the curve is a lower bound, and a share the published cells do not reach is not given (the partner tier uses true counts).")
        }
        let concentration = publisher.microPlaceConcentrationTable(curve: points, lines: lines,
                                                                   title: "Concentration of incidents in places, \(scope)", notes: curveNotes2)
        var tables = [table, concentration]
        var summary = ["\(scope): \(countText(analysed)) incidents; \(groupedThousands(ranked.count)) of \(places) places (\(cellText)) with a published count; "
                       + lines.map(\.statement).joined(separator: "; ") + "."]
        if let latest, let previous, let ly = m.latestYear, let py = m.previousYear {
            // The later year's published total, from the analysed incidents of that year.
            let latestTotal = disclosure.release(incidents.reduce(KeyedCount.zero) { $1.month >= ly.lowerBound.index ? $0 + .record(key: $1.recordKey) : $0 }).value.map(Double.init)
            let sizes = Array(Set(MicroPlacesRun.backtestSizes + [parameters.top])).sorted()
            let tests = sizes.map { n in
                MicroPlaces.backtest(previous: previous.values, latest: latest.values, landCells: m.landCells, n: n, latestTotal: latestTotal)
            }
            let backNotes = [
                "Back-test: the top n cells of \(py.lowerBound) to \(py.upperBound) (by published incidents) against the incidents of \(ly.lowerBound) to \(ly.upperBound). "
                    + "hit_rate_pct is the share of the later year's incidents (its published total) in those cells' published counts; area_share_pct their share of the \(places) places; "
                    + "pai (predictive accuracy index, Chainey, Tompson and Uhlig 2008) = hit rate ÷ area share.",
                "Stability: stable is how many of the later year's top n cells were also the earlier year's top n, and jaccard the overlap of the two sets "
                    + "(shared ÷ either). Ties at the n-th place are broken by position. cells is fewer than n when fewer cells had an incident in the earlier year.",
                "Computed from the published counts of each year" + (policy.protects ? " (perturbed; a cell whose count is hidden is never chosen and adds nothing to the hits, but the later year's published total includes its incidents)." : "."),
            ]
            tables.append(publisher.microPlaceBacktestTable(tests, title: "Back-test of last year's top cells (PAI), \(scope)", notes: backNotes))
            if let t = tests.first(where: { $0.n == parameters.top }), t.chosen == 0 {
                summary.append("Back-test: no cell had a published count in \(py.lowerBound) to \(py.upperBound).")
            } else if let t = tests.first(where: { $0.n == parameters.top }) {
                summary.append("Back-test: last year's top \(t.n) cells held \(String(format: "%.1f", t.hitRate * 100))% of the latest 12 months' \(weighted ? "harm" : "incidents") "
                               + "on \(String(format: "%.3f", t.areaShare * 100))% of places (PAI \(String(format: "%.1f", t.pai))); \(t.stable) of \(t.n) stayed in the top \(t.n).")
            }
        } else {
            summary.append("No back-test: the period is shorter than 24 months.")
        }
        if withheld > 0 { summary.append("\(groupedThousands(withheld)) cells on fewer than \(k) distinct \(Self.metres(spatial.generalisation)) m squares not listed.") }
        let columns = publisher.microPlaceColumns(backtest: backtested, weighted: weighted)
        let features = rows.prefix(mapCount).enumerated().map { i, c in
            MapPolygon(rings: [Self.square(c.southWest, c.cellSize)],
                       properties: zip(columns, publisher.microPlaceRow(c, rank: i + 1, backtest: backtested, weighted: weighted)).map { (key: $0, value: GeoJSONProperty($1)) })
        }
        return Output(tables: tables,
                      maps: [("micro_places.geojson", GeoJSON.featureCollection(Array(features), name: "micro_places", disclosure: policy, places: spatial))],
                      summary: summary,
                      targeting: ReportTargeting(list: table, concentration: concentration, backtest: tables.count > 2 ? tables[2] : nil))
    }

    static func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e12 ? String(Int(x)) : String(x) }
}
