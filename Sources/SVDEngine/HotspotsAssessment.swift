import SVDCore
import SVDPublish

/// The "top hotspots per district" table of `svd assess`: DBSCAN with the default parameters over the
/// serious-violence incidents of the patrol window (the latest 12 months), the largest clusters of each district
/// with their profile. It is the same `HotspotAnalysis` as `svd hotspots` and the report, so numbers, counts,
/// generalised outlines and the places rule agree.
public enum DistrictHotspots {
    public static let perDistrict = 3

    /// Never throws, so a needs assessment is never lost to its hotspot table: when clustering is impossible
    /// (no points collected, too few incidents, one location) the table is empty and its note says why.
    /// `binned` must have kept points for at least the latest `HotspotAnalysis.patrolWindowMonths` (`points: .latest(12)`).
    public static func table(_ binned: BinnedIncidents, disclosure: DisclosurePolicy, perDistrict: Int = perDistrict) -> PublishedTable {
        var parameters = HotspotParameters(method: .dbscan)
        let window = binned.latestMonths(HotspotAnalysis.patrolWindowMonths)
        parameters.period = window
        parameters.places = binned.places
        var method = "DBSCAN over \(window.lowerBound) to \(window.upperBound): eps \(HotspotAnalysis.metres(parameters.eps)) m, "
        do {
            let analysis = try HotspotAnalysis(binned: binned, parameters: parameters, disclosure: disclosure)
            method += "at least \(analysis.minPoints) incidents within eps (density-aware); the same clusters, ids and outlines as `svd hotspots` with default options."
            return analysis.publisher.topPerDistrict(analysis.ranking, perDistrict: perDistrict,
                                                     notes: [method, analysis.selectionNote] + analysis.placeNotes)
        } catch {
            let publisher = HotspotPublisher(policy: disclosure, districtCodes: binned.area.districts.map(\.code),
                                             districtNames: binned.area.districts.map(\.name),
                                             strands: binned.definitions.strands.map { ($0.id, $0.label) })
            var table = publisher.topPerDistrict(HotspotPublisher.ClusterRanking(published: [], withheldSmall: 0, withheldPlaces: 0),
                                                 perDistrict: perDistrict, notes: [method + "density-aware core size."])
            table.rows = []
            table.notes.insert("Not computed: \(HotspotAnalysis.publishableReason(error))", at: 0)
            return table
        }
    }
}
