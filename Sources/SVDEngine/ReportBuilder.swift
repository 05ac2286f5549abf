import SVDCore
import SVDDetect
import SVDPublish

/// `svd report`: the needs-assessment HTML from a binning run that collected points.
extension BinnedIncidents {
    /// Hotspots of the report's scope: the `HotspotAnalysis` of `svd hotspots` (DBSCAN over serious violence in the
    /// period, in the area or in `district` for a local pack), so ids, counts, generalised outlines and the rules on
    /// places are the same as `svd hotspots` (with `--district` for a pack) publishes; profiled for the report's table.
    public func reportHotspots(district: Int? = nil, disclosure: DisclosurePolicy = DisclosurePolicy(), eps: Double = 150,
                               minPoints: Int = 10) throws -> ReportHotspots {
        let n = area.districts.count
        let cohort = definitions.cohorts.first
        let under = cohort?.under ?? 25
        let knifeStrand = definitions.strands.firstIndex { $0.id.contains("knife") || $0.id.contains("weapon") }
        let cohortLabel = cohort?.label ?? "Under-\(under)s"
        let knifeLabel = knifeStrand.map { definitions.strands[$0].label } ?? "Weapon-enabled"
        var parameters = HotspotParameters(method: .dbscan)
        parameters.eps = eps
        parameters.minPoints = minPoints
        parameters.district = district.map { area.districts[$0].code }
        let analysis: HotspotAnalysis
        do {
            analysis = try HotspotAnalysis(binned: self, parameters: parameters, disclosure: disclosure)
        } catch let e as EngineError {
            // Nothing to map in this scope (no incidents, or only ones a public map leaves out): the report says so.
            return ReportHotspots(eps: eps, minPoints: minPoints, incidentsClustered: 0, cohortUnder: under, cohortLabel: cohortLabel,
                                  knifeLabel: knifeLabel, clusters: [], notes: ["Not computed: \(HotspotAnalysis.publishableReason(e))"])
        }
        guard let clustering = analysis.clustering else { throw EngineError("hotspots: no clustering") }
        let ranking = analysis.publisher.ranking(analysis.clusters)
        let k = clustering.clusterCount, slots = n + 1
        var byDistrict = [KeyedCount](repeating: .zero, count: k * slots)
        var byHour = [KeyedCount](repeating: .zero, count: k * 24)
        var byWeekday = [KeyedCount](repeating: .zero, count: k * 7)
        var knownAge = [KeyedCount](repeating: .zero, count: k), young = knownAge, knife = knownAge, members = knownAge
        for (j, label) in clustering.labels.enumerated() where label >= 0 {
            let c = Int(label)
            let p = analysis.incidents[j]
            let one = KeyedCount.record(key: p.recordKey)
            members[c] += one
            byDistrict[c * slots + min(Int(p.district), n)] += one
            if p.hour >= 0 && p.hour < 24 { byHour[c * 24 + Int(p.hour)] += one }
            if p.day != Incident.unknownDay { byWeekday[c * 7 + CivilDate.weekday(daysSinceEpoch: Int(p.day))] += one }
            if p.victimAge >= 0 {
                knownAge[c] += one
                if Int(p.victimAge) < under { young[c] += one }
            }
            let isKnife = knifeStrand.map { p.strandMask & (1 << UInt8($0)) != 0 } ?? p.weapon.isWeaponEnabled
            if isKnife { knife[c] += one }
        }
        // Published clusters only, in the published order (by released count).
        let clusters = ranking.published.map { summary -> ReportHotspot in
            let c = summary.id, shape = analysis.shapes[c]
            return ReportHotspot(hull: shape.concaveHull, centroid: shape.centroid, incidents: members[c],
                                 areaHectares: shape.concaveAreaHectares,
                                 byDistrict: Array(byDistrict[c * slots..<(c + 1) * slots]), knownVictimAge: knownAge[c], cohortVictims: young[c],
                                 byHour: Array(byHour[c * 24..<(c + 1) * 24]), byWeekday: Array(byWeekday[c * 7..<(c + 1) * 7]),
                                 knifeOrWeapon: knife[c], label: summary.label)
        }
        var notes = [analysis.spatial.outlineNote]
        if let places = analysis.spatial.placesNote(withheld: ranking.withheldPlaces, what: "hotspot") { notes.append(places) }
        notes += analysis.placeNotes
        return ReportHotspots(eps: eps, minPoints: minPoints, incidentsClustered: analysis.incidents.count, cohortUnder: under,
                              cohortLabel: cohortLabel, knifeLabel: knifeLabel, clusters: clusters, withheld: ranking.withheld, notes: notes,
                              places: analysis.spatial)
    }

    /// The whole report as one HTML file. Needs a run made with `collectPoints: true` for the hotspots.
    public func report(disclosure: DisclosurePolicy, district: Int? = nil, maxHotspots: Int = 10) throws -> String {
        if let district, !area.districts.indices.contains(district) { throw EngineError("district index \(district) is not in \(area.name)") }
        if result.points.isEmpty {
            // An empty point list from a run that did not collect points would read as "no hotspots": refuse instead.
            var inScope = 0
            let entries = result.catalog.entries
            result.cube.forEachOffenceCell { c in if entries[Int(c.offence)].scope == .seriousViolence { inScope += c.count } }
            if inScope > 0 { throw EngineError("the report's hotspots need a binning run made with collectPoints: true") }
        }
        let hotspots = try reportHotspots(district: district, disclosure: disclosure)
        return NeedsAssessmentReport(input: assessmentInput(disclosure: disclosure), area: area, hotspots: hotspots,
                                     district: district, maxHotspots: maxHotspots).html()
    }
}

