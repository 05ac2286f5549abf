import SVDCore
import SVDPublish

/// The "top hotspots per district" table of `svd assess`: DBSCAN with the default parameters over every
/// serious-violence incident of the assessment period, the largest clusters of each district with their profile.
/// It is the same `HotspotAnalysis` as `svd hotspots`, so ids, counts, generalised outlines and the places rule agree.
public enum DistrictHotspots {
    public static let perDistrict = 3

    /// Never throws, so a needs assessment is never lost to its hotspot table: when clustering is impossible
    /// (no points collected, too few incidents, one location) the table is empty and its note says why.
    /// `binned` must have been read with `collectPoints: true`.
    public static func table(_ binned: BinnedIncidents, disclosure: DisclosurePolicy, perDistrict: Int = perDistrict) -> PublishedTable {
        let parameters = HotspotParameters(method: .dbscan)
        let method = "DBSCAN over \(binned.period.lowerBound) to \(binned.period.upperBound): eps \(HotspotAnalysis.metres(parameters.eps)) m, "
            + "at least \(parameters.minPoints) incidents within eps; the same clusters, ids and outlines as `svd hotspots` with default options."
        do {
            guard !binned.result.points.isEmpty else { throw EngineError("no incident points were collected for this run") }
            let analysis = try HotspotAnalysis(binned: binned, parameters: parameters, disclosure: disclosure)
            return analysis.publisher.topPerDistrict(analysis.publisher.ranking(analysis.clusters), perDistrict: perDistrict,
                                                     notes: [method, analysis.selectionNote] + analysis.placeNotes)
        } catch {
            let publisher = HotspotPublisher(policy: disclosure, districtCodes: binned.area.districts.map(\.code),
                                             districtNames: binned.area.districts.map(\.name),
                                             strands: binned.definitions.strands.map { ($0.id, $0.label) })
            var table = publisher.topPerDistrict(HotspotPublisher.ClusterRanking(published: [], withheldSmall: 0, withheldPlaces: 0),
                                                 perDistrict: perDistrict, notes: [method])
            table.rows = []
            table.notes.insert("Not computed: \(HotspotAnalysis.publishableReason(error))", at: 0)
            return table
        }
    }
}
