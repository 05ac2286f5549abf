import SVDCore
import SVDPublish

/// `svd report`: the needs-assessment HTML from one binning pass that kept the patrol window's points.
extension BinnedIncidents {
    /// The report's hotspots: the `HotspotAnalysis` that `svd hotspots --from … --to …` runs over the latest
    /// 12 months (for a pack, `--district`), so numbers, counts, outlines and profiles are the rows it publishes.
    public func reportHotspots(district: Int? = nil, disclosure: DisclosurePolicy = DisclosurePolicy(), eps: Double = HotspotParameters.defaultEps,
                               minPoints: Int? = nil) throws -> ReportHotspots {
        var parameters = HotspotParameters(method: .dbscan)
        parameters.eps = eps
        parameters.minPoints = minPoints
        parameters.district = district.map { area.districts[$0].code }
        parameters.places = places
        let window = latestMonths(HotspotAnalysis.patrolWindowMonths)
        parameters.period = window
        let analysis: HotspotAnalysis
        do {
            analysis = try HotspotAnalysis(binned: self, parameters: parameters, disclosure: disclosure)
        } catch let e as EngineError where pointWindow != .none {
            // Nothing to map in this scope (no incidents, or only ones a public map leaves out): the report says so.
            return ReportHotspots(eps: eps, minPoints: minPoints ?? HotspotParameters.smallestMinPoints, window: window, clusters: [],
                                  notes: ["Not computed: \(HotspotAnalysis.publishableReason(e))"])
        }
        let clusters = analysis.ranking.published.map {
            ReportHotspot(row: analysis.publisher.row($0), hull: analysis.shapes[$0.id].concaveHull)
        }
        var notes = [analysis.selectionNote, analysis.spatial.outlineNote]
        if let places = analysis.spatial.placesNote(withheld: analysis.ranking.withheldPlaces, what: "hotspot") { notes.append(places) }
        notes += analysis.placeNotes
        if let d = analysis.selectedDistrict { notes.append(analysis.districtNote(d)) }
        return ReportHotspots(eps: eps, minPoints: analysis.minPoints, window: window, clusters: clusters, withheld: analysis.ranking.withheld,
                              notes: notes, places: analysis.spatial)
    }

    /// The whole report as one HTML file, from a pass made with `points: .latest(12)` (or `.all`).
    /// `run` (the command's manifest) is set out in the methods section.
    public func report(disclosure: DisclosurePolicy, district: Int? = nil, maxHotspots: Int = 10, run: RunManifest? = nil) throws -> String {
        if let district, !area.districts.indices.contains(district) { throw EngineError("district index \(district) is not in \(area.name)") }
        let hotspots = try reportHotspots(district: district, disclosure: disclosure)
        var report = NeedsAssessmentReport(input: assessmentInput(disclosure: disclosure), area: area, hotspots: hotspots,
                                           district: district, maxHotspots: maxHotspots)
        report.runLines = run?.lines ?? []
        return report.html()
    }
}
