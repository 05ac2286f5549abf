import SVDCore
import SVDDetect

/// Emerging hot spots and the micro-place targeting list in the report: formatted from what `svd hotspots
/// --method emerging` and `--method cells` publish for the same scope and period (the engine hands over their rows).
extension NeedsAssessmentReport {
    static let emergingSectionID = "emerging"
    static let targetingSectionID = "targeting"

    /// Hot patterns warm, cold patterns blue; the darkest for intensifying, the palest for historical.
    static func emergingColour(_ p: EmergingPattern) -> String {
        switch p {
        case .newHot: "#fdbb84"
        case .consecutiveHot: "#fc8d59"
        case .intensifyingHot: "#7f0000"
        case .persistentHot: "#d7301f"
        case .diminishingHot: "#ef6548"
        case .sporadicHot: "#f768a1"
        case .oscillatingHot: "#ae017e"
        case .historicalHot: "#fee8c8"
        case .newCold: "#c6dbef"
        case .consecutiveCold: "#9ecae1"
        case .intensifyingCold: "#08306b"
        case .persistentCold: "#2171b5"
        case .diminishingCold: "#4292c6"
        case .sporadicCold: "#6baed6"
        case .oscillatingCold: "#54278f"
        case .historicalCold: "#deebf7"
        case .noPattern: "#ffffff"
        }
    }

    /// Cell counts in words below ten, as the hotspot section writes its counts of clusters.
    static func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    static func pattern(labelled label: String) -> EmergingPattern? { EmergingPattern.allCases.first { $0.label == label } }

    func emergingSection(_ m: inout Markup) {
        section(&m, Self.emergingSectionID) { m in
            guard let e = emerging, e.steps > 0 else {
                m.element("p", [("class", "note")], emerging?.notes.first ?? "Emerging hot spots were not computed for this report.")
                return
            }
            var tally: [EmergingPattern: Int] = [:]
            for c in e.cells { if let p = Self.pattern(labelled: c.pattern) { tally[p, default: 0] += 1 } }
            let present = EmergingPattern.allCases.filter { tally[$0] != nil }.sorted { $0.order < $1.order }
            let rising = (tally[.newHot] ?? 0) + (tally[.consecutiveHot] ?? 0) + (tally[.intensifyingHot] ?? 0)
            m.element("p", [], "How places in \(scopeName) changed over \(e.steps) \(e.stepName)ly steps, \(e.firstStep) to \(e.lastStep): "
                      + "Gi* hot and cold spots of \(Format.fixed(e.cellSize, 0)) m cells in every \(e.stepName), and the Mann–Kendall trend of each cell's Gi* z, "
                      + "classed as ArcGIS Pro's emerging hot spot analysis does. \(Self.capitalised(Self.spelled(e.cells.count))) cells have a pattern; "
                      + (rising == 0 ? "none is a new, consecutive or intensifying hot spot."
                         : "\(Self.spelled(rising)) \(rising == 1 ? "is a new, consecutive or intensifying hot spot" : "are new, consecutive or intensifying hot spots"): where violence is gathering now."))
            m.open("div", [("class", "pair")])
            m.open("figure")
            let frame = placeMapFrame
            m.open("svg", [("viewBox", "0 0 \(Format.coordinate(frame.width)) \(Format.coordinate(frame.height))"),
                           ("width", Format.coordinate(frame.width)), ("role", "img"), ("aria-labelledby", "eh-title eh-desc")])
            m.element("title", [("id", "eh-title")], "Emerging hot spots, \(scopeName)")
            m.element("desc", [("id", "eh-desc")], "Map of grid cells coloured by emerging hot spot pattern over district boundaries: "
                      + present.map { "\($0.label.lowercased()): \(Self.spelled(tally[$0]!))" }.joined(separator: ", ") + ".")
            m.element("defs", []) { d in
                d.element("clipPath", [("id", "eh-clip")]) { $0.empty("rect", [("width", Format.coordinate(frame.width)), ("height", Format.coordinate(frame.height))]) }
            }
            m.open("g", [("clip-path", "url(#eh-clip)")])
            districtBackdrop(&m, frame)
            // Fading patterns first, so the rising ones are drawn on top.
            for c in e.cells.sorted(by: { (Self.pattern(labelled: $0.pattern)?.order ?? 0) > (Self.pattern(labelled: $1.pattern)?.order ?? 0) }) {
                guard let p = Self.pattern(labelled: c.pattern) else { continue }
                let x0 = frame.x(c.southWest.easting), x1 = frame.x(c.southWest.easting + c.cellSize)
                let y0 = frame.y(c.southWest.northing + c.cellSize), y1 = frame.y(c.southWest.northing)
                let side = max(x1 - x0, 1.5)
                m.empty("rect", [("x", Format.coordinate(x0)), ("y", Format.coordinate(y0)), ("width", Format.coordinate(side)),
                                 ("height", Format.coordinate(max(y1 - y0, 1.5))), ("fill", Self.emergingColour(p)),
                                 ("stroke", "#333"), ("stroke-width", "0.2")])
            }
            if let d = district {
                m.empty("path", [("d", frame.path(area.districts[d].polygons)), ("fill", "none"), ("stroke", "#222"), ("stroke-width", "2")])
            }
            m.close()
            m.close()
            m.element("figcaption", [], "Cells coloured by pattern (legend in the table beside the map). Grey: district boundaries"
                      + (district.map { "; dark line: \(input.districts[$0].name)." } ?? "."))
            m.close()
            m.open("div")
            table(&m, caption: "Cells by pattern", columns: [
                Column(header: "Pattern", numeric: false) { $0[0].display },
                Column(header: "Cells", numeric: true) { $0[1].display },
            ], rows: present.map { [.text($0.label), .text(Self.spelled(tally[$0]!))] })
            m.open("ul", [("class", "legend")])
            for p in present {
                m.open("li")
                // An element with a closing tag: HTML does not close a <span/>.
                m.element("span", [("class", "swatch"), ("style", "background:\(Self.emergingColour(p))")], "")
                m.text(p.label)
                m.close()
            }
            m.close()
            let newest = e.cells.filter { [.newHot, .consecutiveHot, .intensifyingHot].contains(Self.pattern(labelled: $0.pattern)) }.prefix(10)
            if !newest.isEmpty {
                table(&m, caption: "Rising hot spots (the first \(Self.spelled(newest.count)) listed by svd hotspots --method emerging)", columns: [
                    Column(header: "Where (OS grid reference)", numeric: false) { $0[0].display },
                    Column(header: "District", numeric: false) { $0[1].display },
                    Column(header: "Pattern", numeric: false) { $0[2].display },
                    Column(header: "Hot \(e.stepName)s", numeric: true) { $0[3].display },
                ], rows: newest.map { c in
                    [.text(OSGridReference.reference(BNGPoint(easting: c.southWest.easting + c.cellSize / 2, northing: c.southWest.northing + c.cellSize / 2),
                                                     precision: OSGridReference.precision(notFinerThan: c.cellSize)) ?? ""),
                     .text(c.district), .text(c.pattern), .text("\(Self.spelled(c.hotSteps)) of \(c.steps)")]
                })
            }
            m.close()
            m.close()
            for note in e.notes { m.element("p", [("class", "note")], note) }
        }
    }

    /// Partner tier only: the targeting list, its concentration curve and the back-test, as `svd hotspots --method cells` publishes them.
    func targetingSection(_ m: inout Markup) {
        guard let t = targeting else { return }
        section(&m, Self.targetingSectionID) { m in
            func column(_ table: PublishedTable, _ name: String) -> Int? { table.columns.firstIndex(of: name) }
            let c = t.concentration
            if let s = column(c, "statement") {
                let statements = c.rows.map { $0[s].display }.filter { !$0.isEmpty }
                if !statements.isEmpty { m.element("p", [("class", "lede")], statements.joined(separator: "; ") + ".") }
            }
            m.open("div", [("class", "pair")])
            m.open("figure")
            // Share of incidents in the top 1–50 % of places: horizontal bars, value at the end.
            if let l = column(c, "line"), let x = column(c, "incidents_pct") {
                let curve = c.rows.filter { $0[l].display.hasPrefix("top ") }
                let rowHeight = 22.0, labelWidth = 150.0, barWidth = 220.0
                let height = Double(curve.count) * rowHeight + 10
                m.open("svg", [("viewBox", "0 0 \(Format.coordinate(labelWidth + barWidth + 60)) \(Format.coordinate(height))"),
                               ("width", Format.coordinate(labelWidth + barWidth + 60)), ("role", "img"), ("aria-labelledby", "tc-title tc-desc")])
                m.element("title", [("id", "tc-title")], "Concentration of serious violence in places, \(scopeName)")
                m.element("desc", [("id", "tc-desc")], curve.map { "\($0[l].display): \($0[x].display) of incidents" }.joined(separator: "; ") + ".")
                for (i, row) in curve.enumerated() {
                    let share: Double = if case .percent(let p?, _) = row[x] { p } else { 0 }
                    let y = 5 + Double(i) * rowHeight
                    m.element("text", [("x", Format.coordinate(labelWidth - 6)), ("y", Format.coordinate(y + 14)), ("text-anchor", "end"), ("font-size", "12")], row[l].display)
                    m.empty("rect", [("x", Format.coordinate(labelWidth)), ("y", Format.coordinate(y + 3)), ("width", Format.coordinate(barWidth * min(max(share, 0), 100) / 100)),
                                     ("height", "14"), ("fill", Palette.barFill)])
                    m.element("text", [("x", Format.coordinate(labelWidth + barWidth * min(max(share, 0), 100) / 100 + 4)), ("y", Format.coordinate(y + 14)), ("font-size", "12")],
                              row[x].display)
                }
                m.close()
                m.element("figcaption", [], "Share of incidents in the busiest 1–50 % of places (\(c.title.lowercased().hasPrefix("concentration") ? "fixed cells" : "cells") ranked by incidents).")
            }
            m.close()
            m.open("div")
            if let b = t.backtest, let n = column(b, "n"), let hit = column(b, "hit_rate_pct"), let area = column(b, "area_share_pct"),
               let pai = column(b, "pai"), let stable = column(b, "stable") {
                table(&m, caption: "Back-test: last year's top cells against this year", columns: [
                    Column(header: "Top n cells", numeric: true) { $0[n].display },
                    Column(header: "This year's incidents in them", numeric: true) { $0[hit].display },
                    Column(header: "Share of places", numeric: true) { $0[area].display },
                    Column(header: "PAI", numeric: true) { $0[pai].display },
                    Column(header: "Still in the top n", numeric: true) { $0[stable].display },
                ], rows: b.rows, notes: Array(b.notes.prefix(1)))
            }
            m.close()
            m.close()
            let list = t.list
            let wanted = ["rank", "grid_ref", "place", "district", "incidents", "latest_12_months", "previous_12_months"]
            let headers = ["rank": "Rank", "grid_ref": "Where (OS grid reference)", "place": "Place", "district": "District", "incidents": "Incidents",
                           "latest_12_months": "Latest 12 months", "previous_12_months": "12 months before"]
            let shown = wanted.compactMap { name in column(list, name).map { (name, $0) } }
            table(&m, caption: list.title, columns: shown.map { name, i in
                Column(header: headers[name]!, numeric: !["grid_ref", "place", "district"].contains(name)) { $0[i].display }
            }, rows: Array(list.rows.prefix(maxHotspots)), notes: Array(list.notes.prefix(1)))
            m.element("p", [("class", "note")], "Partner tier (OFFICIAL-SENSITIVE): a ranked list of small places with their counts is for partners under the Information Sharing Agreement; the public report leaves this section out. The full list, the curve and the back-test: svd hotspots --method cells --tier partner.")
        }
    }
}
