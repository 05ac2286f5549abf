import Foundation
import SVDCore
import SVDDetect
import SVDPublish

extension HotspotAnalysis {
    /// Repeat locations: the ranked list, the summary by location type and the map of the listed squares. Every count
    /// is released by the disclosure engine; sensitive places are never among them (`HotspotParameters.validate()`).
    func publishRepeatLocations() -> Output {
        guard let r = repeatLocations else { return Output(tables: [], maps: [], summary: []) }
        let disclosure = publisher.disclosure
        let names = area.districts.map(\.name)
        let rows: [RepeatLocationRow] = r.repeats.prefix(parameters.top).map { l in
            RepeatLocationRow(southWest: l.southWest, snap: r.snap, type: l.type, district: l.district < names.count ? names[l.district] : "",
                              incidents: disclosure.release(l.incidents), latest: disclosure.release(l.latest),
                              months: l.months, first: l.first, last: l.last)
        }
        let types = r.byType.map {
            RepeatTypeRow(type: $0.type, locations: $0.locations, repeatLocations: $0.repeatLocations, incidents: disclosure.release($0.incidents),
                          atRepeats: disclosure.release($0.atRepeats), most: disclosure.release($0.most))
        }
        let snapText = "\(Self.metres(r.snap)) m"
        let locationNote = "A location is a \(snapText) National Grid square and a location type (a pub and the street outside it are two locations); "
            + "incidents are snapped to the square their coordinates fall in (data.police.uk's anonymous map points are one coordinate each, so each is one location). "
            + "A repeat location has at least \(RepeatLocationsRun.repeatMinimum) incidents over \(scope)."
        let sensitiveNote = "Dwellings, domestic abuse and sexual offences are never listed, in either tier: a list of homes with repeat incidents is a list of victims' homes "
            + "(repeat victimisation there is case work, e.g. for a MARAC, not a published analysis)"
            + (sensitiveLeftOut.isZero ? "." : " (\(countText(sensitiveLeftOut)) incidents left out).")
        var notes = [locationNote, selectionNote, sensitiveNote]
        notes.append("grid_ref is the Ordnance Survey grid reference of the square's centre at the square's precision"
                     + (parameters.places.map { "; place is the place of the area's gazetteer it lies in, or the nearest (\($0.source))" } ?? "") + ".")
        notes.append("months_with_incidents counts the distinct months with an incident there; latest_12_months covers \(r.latestWindow.lowerBound) to \(r.latestWindow.upperBound). "
                     + "Ties are ordered by position. The table lists the first \(rows.count) of \(groupedThousands(r.repeats.count)) repeat locations; the map holds the same.")
        notes += adjustments
        if policy.protects {
            notes.append("Counts are published like every count: perturbed, and below \(policy.threshold) read \"<\(policy.threshold)\".")
        }
        let list = publisher.repeatLocationTable(rows, title: "Repeat locations (\(snapText) squares), \(scope)", notes: notes)
        let typeNotes = [
            locationNote, sensitiveNote,
            "repeat_share_pct is the share of the type's incidents at its repeat locations, from the published counts; most_at_one_location is the busiest location's count.",
        ]
        let summary = publisher.repeatTypeTable(types, title: "Repeat locations by location type, \(scope)", notes: typeNotes)
        var lines = ["\(scope): \(countText(analysed)) incidents at \(groupedThousands(r.locationCount)) locations (\(snapText) squares by type); "
                     + "\(groupedThousands(r.repeats.count)) repeat locations."]
        for t in types where t.repeatLocations > 0 {
            if let all = t.incidents.value, let rep = t.atRepeats.value, all > 0 {
                lines.append("\(t.type.label): \(groupedThousands(t.repeatLocations)) of \(groupedThousands(t.locations)) locations repeat, holding "
                             + String(format: "%.1f", Double(rep) / Double(all) * 100) + "% of its incidents.")
            }
        }
        let columns = publisher.repeatLocationColumns()
        let features = rows.enumerated().map { i, row in
            MapPolygon(rings: [Self.square(row.southWest, row.snap)],
                       properties: zip(columns, publisher.repeatLocationRow(row, rank: i + 1)).map { (key: $0, value: GeoJSONProperty($1)) })
        }
        return Output(tables: [list, summary],
                      maps: [("repeat_locations.geojson", GeoJSON.featureCollection(features, name: "repeat_locations", disclosure: policy, places: spatial))],
                      summary: lines)
    }
}
