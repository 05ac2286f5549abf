import SVDCore
import SVDLocate
import SVDMeasure

/// The district choropleth and the hotspot map.
extension NeedsAssessmentReport {
    static let mapWidth = 700.0

    /// Districts' outlines as path data for a frame, computed once per map.
    func districtPaths(_ frame: MapFrame) -> [String] {
        area.districts.map { frame.path($0.polygons) }
    }

    // MARK: Choropleth

    struct DistrictRate {
        let rate: Double?
        let compared: String    // higher / similar / lower, or "" when hidden
    }

    func districtMapSection(_ m: inout Markup) {
        section(&m, "district-map") { m in
            let rates: [DistrictRate] = assessment.districtsByIndex.map { d in
                DistrictRate(rate: d.rate?.rate, compared: d.comparedWithArea?.rawValue ?? "")
            }
            let shown = rates.compactMap(\.rate).sorted()
            let breaks = Self.classBreaks(shown, classes: Palette.rateClasses.count)
            func rateClass(_ r: Double) -> Int { breaks.firstIndex { r <= $0 } ?? breaks.count - 1 }
            let areaRate = assessment.areaRow.rate.map { Self.rateText($0.rate) } ?? ""

            m.element("p", [], "Serious violence per 1,000 residents a year, \(periodText), by district. Hatched districts are significantly higher than the \(input.areaName) rate (\(areaRate)); dotted, significantly lower; plain, similar (95% confidence intervals).")
            m.open("div", [("class", "pair")])
            m.open("figure")
            let bounds = area.bounds
            let frame = MapFrame(min: bounds.min, max: bounds.max, width: Self.mapWidth)
            let paths = districtPaths(frame)
            m.open("svg", [("viewBox", "0 0 \(Format.coordinate(frame.width)) \(Format.coordinate(frame.height + 96))"),
                           ("width", Format.coordinate(frame.width)), ("role", "img"),
                           ("aria-labelledby", "dm-title dm-desc")])
            m.element("title", [("id", "dm-title")], "Serious violence rate per 1,000 residents a year by district, \(input.areaName)")
            let ranked = input.districts.indices.filter { rates[$0].rate != nil }.sorted { rates[$0].rate! > rates[$1].rate! }
            let descText = ranked.map { "\(input.districts[$0].name) \(Format.fixed(rates[$0].rate!, 2)) (\(rates[$0].compared))" }.joined(separator: "; ")
            m.element("desc", [("id", "dm-desc")], "Choropleth map, darker is higher. Area rate \(areaRate). Districts from highest rate: \(descText).")
            m.element("defs", []) { defs in
                defs.element("pattern", [("id", "sig-higher"), ("patternUnits", "userSpaceOnUse"), ("width", "8"), ("height", "8"),
                                        ("patternTransform", "rotate(45)")]) { p in
                    p.empty("rect", [("width", "8"), ("height", "8"), ("fill", "none")])
                    p.empty("line", [("x1", "0"), ("y1", "0"), ("x2", "0"), ("y2", "8"), ("stroke", "#000"), ("stroke-width", "2.2"), ("stroke-opacity", "0.75")])
                }
                defs.element("pattern", [("id", "sig-lower"), ("patternUnits", "userSpaceOnUse"), ("width", "7"), ("height", "7")]) { p in
                    p.empty("circle", [("cx", "3.5"), ("cy", "3.5"), ("r", "1.3"), ("fill", "#000"), ("fill-opacity", "0.8")])
                }
            }
            for i in input.districts.indices {
                let r = rates[i]
                let fill = r.rate.map { Palette.rateClasses[rateClass($0)] } ?? Palette.hidden
                let highlighted = i == district
                m.element("path", [("d", paths[i]), ("fill", fill), ("stroke", "#ffffff"), ("stroke-width", "1"), ("fill-rule", "evenodd")]) { p in
                    p.element("title", [], "\(input.districts[i].name): \(r.rate.map { Format.fixed($0, 2) } ?? "hidden") per 1,000 a year, \(r.compared.isEmpty ? "not compared" : r.compared)")
                }
                if r.compared == "higher" || r.compared == "lower" {
                    m.empty("path", [("d", paths[i]), ("fill", "url(#sig-\(r.compared))"), ("fill-rule", "evenodd"),
                                     ("stroke", "#000"), ("stroke-width", r.compared == "higher" ? "2" : "1.5"),
                                     ("stroke-dasharray", r.compared == "lower" ? "4 3" : "none")])
                }
                if highlighted {
                    m.empty("path", [("d", paths[i]), ("fill", "none"), ("stroke", Palette.rise), ("stroke-width", "4")])
                }
            }
            for i in input.districts.indices {
                guard let p = MapFrame.labelPoint(area.districts[i].polygons) else { continue }
                mapLabel(&m, input.districts[i].name, x: frame.x(p.easting), y: frame.y(p.northing),
                         attributes: [("font-size", i == district ? "13" : "11"), ("font-weight", i == district ? "bold" : "normal")])
            }
            choroplethLegend(&m, top: frame.height + 8, breaks: breaks, minimum: shown.first)
            m.close()
            m.element("figcaption", [], "Districts labelled by name; darker fill is a higher rate. Boundaries simplified for drawing.")
            m.close()
            m.open("div")
            // Districts in published order, then the area; "Against area" is blank where a rate is hidden.
            func row(_ name: String, _ incidents: Released, _ rate: RateEstimate?, _ compared: Comparison?, _ change: Assessment.Change?) -> [PublishedTable.Value] {
                [.text(name), incidents.cell, rate.map { .number($0.rate, decimals: 2) } ?? .empty,
                 .text(rate.map { "\(Self.rateText($0.lower))\u{2013}\(Self.rateText($0.upper))" } ?? ""),
                 compared.map { .text($0.rawValue) } ?? .empty, change?.percentCell ?? .empty]
            }
            let rows = assessment.districts.map { row($0.name, $0.incidents, $0.rate, $0.comparedWithArea, $0.change) }
                + [row(input.areaName, assessment.areaRow.incidents, assessment.areaRow.rate, nil, assessment.areaRow.change)]
            table(&m, caption: "Rate by district, highest first", columns: [
                Self.cell(0, "District", numeric: false), Self.cell(1, "Incidents"), Self.cell(2, "Rate per 1,000 a year"),
                Self.cell(3, "95% CI"), Self.cell(4, "Against area", numeric: false), Self.cell(5, "12-month change"),
            ], rows: rows, rowClass: { i in
                i < assessment.districts.count && assessment.districts[i].index == district ? "selected" : nil
            }, notes: ["Incidents over the whole period; change is the last 12 months against the 12 before. Rates and intervals are left out where the count is hidden."])
            m.close()
            m.close()
        }
    }

    /// Upper bounds of each class: quantiles of the shown rates, so each colour holds about the same number of districts.
    static func classBreaks(_ sorted: [Double], classes: Int) -> [Double] {
        guard let last = sorted.last else { return [] }
        var breaks: [Double] = []
        for c in 1..<classes {
            let i = Int((Double(c) / Double(classes) * Double(sorted.count)).rounded(.up)) - 1
            let b = sorted[max(0, min(sorted.count - 1, i))]
            if breaks.last.map({ b > $0 }) ?? true { breaks.append(b) }
        }
        if breaks.last.map({ last > $0 }) ?? true { breaks.append(last) }
        return breaks
    }

    func choroplethLegend(_ m: inout Markup, top: Double, breaks: [Double], minimum: Double?) {
        m.open("g", [("class", "legend"), ("transform", "translate(10 \(Format.coordinate(top)))")])
        m.element("text", [("x", "0"), ("y", "10"), ("font-size", "12"), ("font-weight", "bold")], "Rate per 1,000 a year")
        var lower = minimum ?? 0
        for (i, b) in breaks.enumerated() {
            let x = Double(i) * 106
            m.empty("rect", [("x", Format.coordinate(x)), ("y", "16"), ("width", "24"), ("height", "14"), ("fill", Palette.rateClasses[i]), ("stroke", "#666")])
            m.element("text", [("x", Format.coordinate(x + 28)), ("y", "27"), ("font-size", "11")], "\(Format.fixed(lower, 2))\u{2013}\(Format.fixed(b, 2))")
            lower = b
        }
        let y = 44.0
        let items: [(String, String, String)] = [("url(#sig-higher)", "2", "Significantly higher than area"),
                                                 ("url(#sig-lower)", "1.5", "Significantly lower"), ("none", "1", "Similar")]
        for (i, item) in items.enumerated() {
            let x = Double(i) * 220
            m.empty("rect", [("x", Format.coordinate(x)), ("y", Format.coordinate(y)), ("width", "24"), ("height", "16"), ("fill", "#21918c")])
            m.empty("rect", [("x", Format.coordinate(x)), ("y", Format.coordinate(y)), ("width", "24"), ("height", "16"), ("fill", item.0),
                             ("stroke", "#000"), ("stroke-width", item.1), ("stroke-dasharray", i == 1 ? "4 3" : "none")])
            m.element("text", [("x", Format.coordinate(x + 30)), ("y", Format.coordinate(y + 12)), ("font-size", "11")], item.2)
        }
        m.empty("rect", [("x", "0"), ("y", Format.coordinate(y + 24)), ("width", "24"), ("height", "14"), ("fill", Palette.hidden), ("stroke", "#666")])
        m.element("text", [("x", "30"), ("y", Format.coordinate(y + 35)), ("font-size", "11")], "Rate hidden (count hidden)")
        m.close()
    }

    // MARK: Hotspot map

    func hotspotSection(_ m: inout Markup) {
        section(&m, "hotspots") { m in
            guard let h = hotspots else {
                m.element("p", [("class", "note")], "Hotspots were not computed for this report.")
                return
            }
            let shownCount = min(maxHotspots, h.clusters.count)
            let top = Array(h.clusters.prefix(shownCount))
            m.open("p")
            m.text("Dense clusters of serious violence incidents in \(scopeName) over the latest 12 months, \(h.window.lowerBound) to \(h.window.upperBound) (DBSCAN, \(Format.fixed(h.eps, 0)) m, at least \(h.minPoints) incidents): where patrols and problem-solving go now. ")
            if h.clusters.isEmpty {
                m.text(h.withheld > 0 ? "No cluster can be published." : "No cluster was found.")
            } else {
                // A number of clusters, each of at least minPoints incidents: not a small count of people.
                let found = Self.spelled(h.clusters.count)
                m.text(shownCount < h.clusters.count ? "\(found.prefix(1).uppercased() + found.dropFirst()) clusters published; the \(Self.spelled(shownCount)) largest are ranked and profiled (H-numbers as in svd hotspots)."
                       : h.clusters.count == 1 ? "One cluster published, profiled as \(h.clusters[0].row.label)." : "\(found.prefix(1).uppercased() + found.dropFirst()) clusters published, all ranked and profiled (H-numbers as in svd hotspots).")
            }
            if h.withheld > 0 {
                m.text(" \(Self.spelled(h.withheld).prefix(1).uppercased() + Self.spelled(h.withheld).dropFirst()) more \(h.withheld == 1 ? "is" : "are") not published (too few incidents or too few separate places).")
            }
            m.close()
            for note in h.notes { m.element("p", [("class", "note")], note) }
            m.open("div", [("class", "pair")])
            m.open("figure")
            let frame = placeMapFrame
            m.open("svg", [("viewBox", "0 0 \(Format.coordinate(frame.width)) \(Format.coordinate(frame.height))"),
                           ("width", Format.coordinate(frame.width)), ("role", "img"), ("aria-labelledby", "hs-title hs-desc")])
            m.element("title", [("id", "hs-title")], "Serious violence hotspots, \(scopeName)")
            m.element("desc", [("id", "hs-desc")], "Map of generalised cluster outlines over district boundaries. " + top.enumerated().map { i, c in
                "\(c.row.label): \(c.row.incidents.cell.display) incidents, \(Format.fixed(c.row.areaHectares, 1)) ha, \(c.row.districts.joined(separator: " and "))"
            }.joined(separator: "; ") + ".")
            m.element("defs", []) { d in
                d.element("clipPath", [("id", "hs-clip")]) { $0.empty("rect", [("width", Format.coordinate(frame.width)), ("height", Format.coordinate(frame.height))]) }
            }
            m.open("g", [("clip-path", "url(#hs-clip)")])
            districtBackdrop(&m, frame)
            for (i, c) in h.clusters.enumerated().reversed() where c.hull.count >= 3 {
                let ranked = i < shownCount
                let d = frame.path([[c.hull]], tolerancePixels: 0.3)
                guard !d.isEmpty else { continue }
                m.empty("path", [("d", d), ("fill", Palette.hotspotFill), ("fill-opacity", ranked ? "0.6" : "0.3"),
                                 ("stroke", "#7a2f00"), ("stroke-width", ranked ? "1.2" : "0.6")])
            }
            if let d = district {
                // The pack's own boundary on top, so the clusters read against it.
                m.empty("path", [("d", frame.path(area.districts[d].polygons)), ("fill", "none"), ("stroke", "#222"), ("stroke-width", "2")])
            }
            // Ranked labels last, so no outline covers them; tiny hulls get a ring so they are visible at all.
            // Each label takes the first spot round its point that no earlier label covers.
            var placed: [(x: Double, y: Double, w: Double)] = []
            let spots: [(Double, Double)] = [(5, -4), (5, 13), (-5, -4), (-5, 13), (5, -18), (-5, -18), (5, 27), (-5, 27)]
            for c in top {
                let x = frame.x(c.row.centroid.easting), y = frame.y(c.row.centroid.northing)
                let name = c.row.label, w = Double(name.count) * 8.5
                m.empty("circle", [("cx", Format.coordinate(x)), ("cy", Format.coordinate(y)), ("r", "3"), ("fill", "#7a2f00")])
                func box(_ dx: Double, _ dy: Double) -> (x: Double, y: Double, w: Double) { (dx >= 0 ? x + dx : x + dx - w, y + dy, w) }
                func free(_ b: (x: Double, y: Double, w: Double)) -> Bool {
                    !placed.contains { abs(($0.x + $0.w / 2) - (b.x + b.w / 2)) < ($0.w + b.w) / 2 && abs($0.y - b.y) < 13 }
                }
                let spot = spots.first { free(box($0.0, $0.1)) } ?? spots[0]
                let b = box(spot.0, spot.1)
                placed.append(b)
                m.element("text", [("x", Format.coordinate(b.x)), ("y", Format.coordinate(b.y)), ("font-size", "12"),
                                   ("font-weight", "bold"), ("class", "halo")], name)
            }
            if district == nil {
                for i in area.districts.indices {
                    guard let p = MapFrame.labelPoint(area.districts[i].polygons) else { continue }
                    mapLabel(&m, input.districts[i].name, x: frame.x(p.easting), y: frame.y(p.northing) + 14,
                             attributes: [("font-size", "9.5"), ("fill", "#555")])
                }
            }
            m.close()
            m.close()
            m.element("figcaption", [], "Orange outlines: hotspot clusters, generalised to grid squares (ranked H-numbers, largest first; paler outlines are smaller clusters not ranked). Grey: district boundaries" + (district.map { "; dark line: \(input.districts[$0].name)." } ?? "."))
            m.close()
            m.open("div")
            hotspotTable(&m, h, top)
            m.close()
            m.close()
        }
    }

    /// The frame of the place maps (hotspots, emerging hot spots): a pack zooms to its district, with a little of the
    /// neighbours round it so its edge is not the picture's edge; the area report shows the whole area.
    var placeMapFrame: MapFrame {
        var lo = area.bounds.min, hi = area.bounds.max
        if let d = district {
            lo = BNGPoint(easting: .infinity, northing: .infinity)
            hi = BNGPoint(easting: -.infinity, northing: -.infinity)
            for polygon in area.districts[d].polygons { for p in polygon.first ?? [] {
                lo = BNGPoint(easting: min(lo.easting, p.easting), northing: min(lo.northing, p.northing))
                hi = BNGPoint(easting: max(hi.easting, p.easting), northing: max(hi.northing, p.northing))
            } }
            let pad = 0.04 * max(hi.easting - lo.easting, hi.northing - lo.northing)
            lo = BNGPoint(easting: lo.easting - pad, northing: lo.northing - pad)
            hi = BNGPoint(easting: hi.easting + pad, northing: hi.northing + pad)
        }
        return MapFrame(min: lo, max: hi, width: Self.mapWidth, maxHeight: Self.mapWidth * 0.8)
    }

    /// District boundaries under a place map: the pack's district filled, its neighbours paler.
    func districtBackdrop(_ m: inout Markup, _ frame: MapFrame) {
        for i in area.districts.indices {
            let mine = district == nil || district == i
            m.empty("path", [("d", frame.path(area.districts[i].polygons)), ("fill", mine ? "#eeeeee" : "#f8f8f8"),
                             ("stroke", mine ? "#8a8a8a" : "#c4c4c4"), ("stroke-width", "1"), ("fill-rule", "evenodd")])
        }
    }

    /// Numbers below ten in words, as in prose; larger ones with thousands separators.
    public static func spelled(_ n: Int) -> String {
        let words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        return n >= 0 && n < words.count ? words[n] : groupedThousands(n)
    }

    /// A centred map label with a white halo; long names go on two lines so neighbours do not run together.
    func mapLabel(_ m: inout Markup, _ name: String, x: Double, y: Double, attributes: [(String, String)]) {
        let words = name.split(separator: " ").map(String.init)
        var lines = [name]
        if name.count > 12, words.count > 1 {
            // Break at the space that leaves the two lines closest in length.
            let split = (1..<words.count).min { a, b in
                abs(words[..<a].joined(separator: " ").count - words[a...].joined(separator: " ").count)
                    < abs(words[..<b].joined(separator: " ").count - words[b...].joined(separator: " ").count)
            }!
            lines = [words[..<split].joined(separator: " "), words[split...].joined(separator: " ")]
        }
        let top = y - Double(lines.count - 1) * 6
        m.open("text", [("x", Format.coordinate(x)), ("y", Format.coordinate(top)), ("text-anchor", "middle"), ("class", "halo")] + attributes)
        if lines.count == 1 {
            m.text(name)
        } else {
            for (j, line) in lines.enumerated() {
                m.element("tspan", [("x", Format.coordinate(x)), ("dy", j == 0 ? "0" : "1.1em")], line)
            }
        }
        m.close()
    }

    /// The profile columns of `svd hotspots`'s table, formatted from the same typed rows.
    func hotspotTable(_ m: inout Markup, _ h: ReportHotspots, _ top: [ReportHotspot]) {
        func peak(_ r: HotspotRow) -> String {
            r.peakWeekday.isHidden || r.peakHour.isHidden ? withheldMark : "\(r.peakWeekday.display)\u{00A0}\(r.peakHour.display)"
        }
        let rows: [[PublishedTable.Value]] = top.map { c in
            let r = c.row
            return [.text(r.label), r.incidents.cell, .number(r.areaHectares, decimals: 1), .text(r.districts.joined(separator: ", ")),
                    r.victimsUnder25, r.victimsUnder18, .text(peak(r)), r.weaponEnabled,
                    .text(r.gridReference + (r.place.map { ", \($0)" } ?? ""))]
        }
        let headers = ["Hotspot", "Incidents", "Area (ha)", "Districts", "Victims under 25", "Victims under 18", "Peak day and hour", "Weapon-enabled",
                       "Where (OS grid reference\(h.clusters.contains { $0.row.place != nil } ? ", place" : ""))"]
        table(&m, caption: "Hotspot profiles", columns: headers.enumerated().map { i, header in
            Column(header: header, numeric: ![0, 3, 6, 8].contains(i)) { $0[i].display }
        }, rows: rows, notes: [
            "The same rows as `svd hotspots` (hotspot_id, incidents, area_ha, districts, victims_under_25_pct, victims_under_18_pct, peak_weekday, peak_hour, weapon_enabled_pct, grid_ref and place). Victim shares: of incidents with a known victim age; weapon-enabled: knife, firearm or other weapon, of incidents with a known weapon field. Peak: the most frequent weekday and hour (starting at) among incidents with a known time. \(withheldMark): withheld (a hotspot under \(input.disclosure.minimumBase) published incidents is not profiled, nor is a share resting on a hidden count).",
        ])
    }
}
