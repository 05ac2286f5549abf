import SVDCore
import SVDDetect
import SVDPublish

/// `svd report`: the needs-assessment HTML from a binning run that collected points.
extension BinnedIncidents {
    /// Hotspots of the report's scope: DBSCAN over serious violence in the period, in the area
    /// (or in `district` for a local pack), profiled for the report's table.
    public func reportHotspots(district: Int? = nil, eps: Double = 150, minPoints: Int = 10) throws -> ReportHotspots {
        let n = area.districts.count
        let first = period.lowerBound.index, last = period.upperBound.index
        var selected: [Int] = []
        selected.reserveCapacity(result.points.count)
        for (i, p) in result.points.enumerated() where p.month >= first && p.month <= last {
            let d = Int(p.district)
            if let district { if d == district { selected.append(i) } } else if d < n { selected.append(i) }
        }
        let locations = selected.map { result.points[$0].location }
        let clustering = try DBSCAN.cluster(locations, eps: eps, minPoints: minPoints)
        let outlines = try HullOutlines.profiles(points: locations, clustering: clustering)
        let cohort = definitions.cohorts.first
        let under = cohort?.under ?? 25
        let knifeStrand = definitions.strands.firstIndex { $0.id.contains("knife") || $0.id.contains("weapon") }
        let k = clustering.clusterCount, slots = n + 1
        var byDistrict = [KeyedCount](repeating: .zero, count: k * slots)
        var byHour = [KeyedCount](repeating: .zero, count: k * 24)
        var byWeekday = [KeyedCount](repeating: .zero, count: k * 7)
        var knownAge = [KeyedCount](repeating: .zero, count: k), young = knownAge, knife = knownAge, members = knownAge
        for (j, label) in clustering.labels.enumerated() where label >= 0 {
            let c = Int(label)
            let p = result.points[selected[j]]
            let one = KeyedCount.record(key: p.recordKey)
            members[c] += one
            byDistrict[c * slots + Int(p.district)] += one
            if p.hour >= 0 && p.hour < 24 { byHour[c * 24 + Int(p.hour)] += one }
            if p.day != Incident.unknownDay { byWeekday[c * 7 + CivilDate.weekday(daysSinceEpoch: Int(p.day))] += one }
            if p.victimAge >= 0 {
                knownAge[c] += one
                if Int(p.victimAge) < under { young[c] += one }
            }
            let isKnife = knifeStrand.map { p.strandMask & (1 << UInt8($0)) != 0 } ?? p.weapon.isWeaponEnabled
            if isKnife { knife[c] += one }
        }
        let clusters = outlines.map { o -> ReportHotspot in
            let c = o.cluster, pr = o.profile
            return ReportHotspot(hull: pr.concaveHull.isEmpty ? pr.convexHull : pr.concaveHull, centroid: o.centroid, incidents: members[c],
                                 areaHectares: pr.concaveHull.isEmpty ? pr.convexAreaHectares : pr.concaveAreaHectares,
                                 byDistrict: Array(byDistrict[c * slots..<(c + 1) * slots]), knownVictimAge: knownAge[c], cohortVictims: young[c],
                                 byHour: Array(byHour[c * 24..<(c + 1) * 24]), byWeekday: Array(byWeekday[c * 7..<(c + 1) * 7]),
                                 knifeOrWeapon: knife[c])
        }
        let ranked = clusters.enumerated().sorted { $0.element.incidents.count != $1.element.incidents.count ? $0.element.incidents.count > $1.element.incidents.count : $0.offset < $1.offset }.map(\.element)
        return ReportHotspots(eps: eps, minPoints: minPoints, incidentsClustered: locations.count, cohortUnder: under,
                              cohortLabel: cohort?.label ?? "Under-\(under)s",
                              knifeLabel: knifeStrand.map { definitions.strands[$0].label } ?? "Weapon-enabled", clusters: ranked)
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
        let hotspots = try reportHotspots(district: district)
        return NeedsAssessmentReport(input: assessmentInput(disclosure: disclosure), area: area, hotspots: hotspots,
                                     district: district, maxHotspots: maxHotspots).html()
    }
}

