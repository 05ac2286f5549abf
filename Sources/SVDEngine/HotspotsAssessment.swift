import SVDCore
import SVDPublish

/// The "top hotspots per district" table of `svd assess`: DBSCAN with the default parameters over every
/// serious-violence incident of the assessment period, the largest clusters of each district with their profile.
public enum DistrictHotspots {
    public static let perDistrict = 3

    /// Never throws, so a needs assessment is never lost to its hotspot table: when clustering is impossible
    /// (no points collected, too few incidents, one location) the table is empty and its note says why.
    /// `binned` must have been read with `collectPoints: true`.
    public static func table(_ binned: BinnedIncidents, disclosure: DisclosurePolicy, perDistrict: Int = perDistrict) -> PublishedTable {
        var parameters = HotspotParameters(method: .dbscan)
        // Concave hulls of the largest town-centre clusters cost seconds each; the table needs sizes only.
        parameters.concaveHulls = false
        let method = "DBSCAN over \(binned.period.lowerBound) to \(binned.period.upperBound): eps \(HotspotAnalysis.metres(parameters.eps)) m, "
            + "at least \(parameters.minPoints) incidents within eps; the same clusters and ids as `svd hotspots` with default options."
        do {
            guard !binned.result.points.isEmpty else { throw EngineError("no incident points were collected for this run") }
            let analysis = try HotspotAnalysis(binned: binned, parameters: parameters, disclosure: disclosure)
            let (ranked, withheld) = analysis.publisher.rank(analysis.clusters)
            return analysis.publisher.topPerDistrict(ranked, perDistrict: perDistrict, withheld: withheld,
                                                     notes: [method, analysis.selectionNote], concaveHulls: false)
        } catch {
            let publisher = HotspotPublisher(policy: disclosure, districtCodes: binned.area.districts.map(\.code),
                                             districtNames: binned.area.districts.map(\.name),
                                             strands: binned.definitions.strands.map { ($0.id, $0.label) })
            var table = publisher.topPerDistrict([], perDistrict: perDistrict, withheld: 0, notes: [method], concaveHulls: false)
            table.rows = []
            table.notes.insert("Not computed: \(error)", at: 0)
            return table
        }
    }
}
