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

    /// `svd hotspots --method emerging` (default cell, monthly steps) over the report's period, for its scope.
    func reportEmerging(district: Int?, disclosure: DisclosurePolicy) throws -> ReportEmerging {
        var parameters = HotspotParameters(method: .emerging)
        parameters.district = district.map { area.districts[$0].code }
        parameters.places = places
        // The period's months whose points were kept: `svd report` keeps the whole period.
        guard let months = pointMonths else { return .notComputed() }
        parameters.period = months
        do {
            return try HotspotAnalysis(binned: self, parameters: parameters, disclosure: disclosure).publish().emerging ?? .notComputed()
        } catch let e as EngineError {
            return .notComputed("Not computed: \(HotspotAnalysis.publishableReason(e))")
        }
    }

    /// `svd hotspots --method cells --tier partner` (150 m cells) over the report's period, for its scope.
    func reportTargeting(district: Int?, disclosure: DisclosurePolicy, top: Int) throws -> ReportTargeting? {
        var parameters = HotspotParameters(method: .cells)
        parameters.district = district.map { area.districts[$0].code }
        parameters.places = places
        parameters.top = max(top, 1)
        guard let months = pointMonths else { return nil }
        parameters.period = months
        do {
            return try HotspotAnalysis(binned: self, parameters: parameters, disclosure: disclosure).publish().targeting
        } catch is EngineError {
            // Nothing to list in this scope: the section is left out, as in the public tier.
            return nil
        }
    }

    /// The points a binning pass must keep for `report`: the period's (hotspots use its latest 12 months, emerging hot
    /// spots and the targeting list all of it). Every caller of `report` bins with this, so a pack is the CLI's report.
    public static func reportPointWindow(for request: IncidentRequest) -> PointWindow {
        HotspotParameters(method: .emerging).pointWindow(for: request)
    }

    /// The whole report as one HTML file, from a pass that kept `reportPointWindow`'s points.
    /// `run` (the command's manifest) is set out in the methods section.
    public func report(disclosure: DisclosurePolicy, district: Int? = nil, maxHotspots: Int = 10, run: RunManifest? = nil) throws -> String {
        try reportDocument(disclosure: disclosure, district: district, maxHotspots: maxHotspots, run: run).html()
    }

    /// The report before rendering: `html()` is the page, `workbookTables` the same figures as a workbook's sheets
    /// (`svd report --xlsx`, the portal's pack workbook), so both come from one computation.
    public func reportDocument(disclosure: DisclosurePolicy, district: Int? = nil, maxHotspots: Int = 10,
                               run: RunManifest? = nil) throws -> NeedsAssessmentReport {
        if let district, !area.districts.indices.contains(district) { throw EngineError("district index \(district) is not in \(area.name)") }
        let hotspots = try reportHotspots(district: district, disclosure: disclosure)
        var report = NeedsAssessmentReport(input: assessmentInput(disclosure: disclosure), area: area, hotspots: hotspots,
                                           district: district, maxHotspots: maxHotspots)
        report.emerging = try reportEmerging(district: district, disclosure: disclosure)
        // A ranked list of small places is a partner-tier product (as `svd hotspots --method cells`).
        if !disclosure.protects { report.targeting = try reportTargeting(district: district, disclosure: disclosure, top: maxHotspots) }
        report.runLines = run?.lines ?? []
        return report
    }
}
