import SVDCore

/// The by-source panel: each agency's serious violence side by side (counts and change, the monthly trend, the hour
/// profile, district rates), from the assessment's per-source figures. Only when the run read several sources.
extension NeedsAssessmentReport {
    static let sourcesSectionID = "sources"
    /// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
    static let sourceColours = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000"]

    func sourceColour(_ i: Int) -> String { Self.sourceColours[i % Self.sourceColours.count] }

    func sourcesSection(_ m: inout Markup) {
        let sources = assessment.bySource
        guard !sources.isEmpty else { return }
        section(&m, Self.sourcesSectionID) { m in
            m.element("p", [], "What each agency's data shows for \(scopeName). Each source counts its own records: an assault seen by both the police and an emergency department is in both, so the sources do not add up to distinct incidents.")
            let summary = tables.sourceSummary()
            table(&m, caption: summary.title, columns: [Self.cell(0, "Source", numeric: false), Self.cell(1, "Supplied by", numeric: false),
                                                        Self.cell(6, "Incidents"), Self.cell(7, "Last 12 months"), Self.cell(8, "Previous 12"),
                                                        Self.cell(10, "Change"), Self.cell(11, "Significance", numeric: false),
                                                        Self.cell(12, "Hour unknown"), Self.cell(13, "Victim age unknown")],
                  rows: summary.rows)
            legend(&m, sources.map(\.name))
            lineChart(&m, id: "src-trend", title: "Serious violence per month by source, \(scopeName)",
                      description: "Line chart: one line per source (\(sources.map(\.name).joined(separator: ", "))), incidents per month; months with small numbers are gaps.",
                      labels: sources.first?.assessment.monthlyTrend.map(\.month.description) ?? [],
                      series: sources.map { s in s.assessment.monthlyTrend.map { $0.byStrand[0].value.map(Double.init) } },
                      every: 3, format: { groupedThousands(Int($0)) })
            let hourShares: [[Double?]] = sources.map { s in
                Array(zip(s.assessment.hourWeekday, AssessmentTables.knownHourShares(s.assessment.hourWeekday)).filter { $0.0.hour < 24 }.map(\.1))
            }
            lineChart(&m, id: "src-hour", title: "Share of each source's incidents by hour of day, \(scopeName)",
                      description: "Line chart: per cent of each source's incidents with a known hour, by hour 00:00 to 23:00; A&E arrivals and ambulance calls follow the assault by minutes to hours.",
                      labels: (0..<24).map(Format.hour), series: hourShares, every: 3, format: { Format.fixed($0, 0) + "%" })
            // District rates per source, side by side.
            let byDistrict = sources.map { $0.assessment.districtsByIndex }
            let districtRows: [[PublishedTable.Value]] = (0..<n).map { d in
                [.text(input.districts[d].name)] + byDistrict.map { rows in
                    rows[d].rate.map { .number($0.rate, decimals: 2) } ?? rows[d].incidents.cell
                }
            }
            if let overlap = tables.sourceOverlap() {
                m.element("p", [], "How much of the violence A&E and the ambulance service see has no police record nearby in place and time (the Cardiff Model's question):")
                let shown = overlap.rows.filter { $0[1] == .text("all") || $0[1] == .text("hour") }
                table(&m, caption: overlap.title, columns: [Self.cell(0, "Source", numeric: false), Self.cell(2, "Group", numeric: false),
                                                            Self.cell(3, "Records"), Self.cell(4, "Matched"), Self.cell(5, "Chance matches"),
                                                            Self.cell(7, "Without a police record"), Self.cell(8, "Lower 95%"), Self.cell(9, "Upper 95%")],
                      rows: shown, className: "data compact", notes: Array(overlap.notes.prefix(5)) + ["By district and victim age band: source_overlap in the partner tier's tables."])
            }
            m.open("div", [("class", "scroll")])
            table(&m, caption: "Rate per 1,000 residents per year by source and district, \(periodText)",
                  columns: [Self.cell(0, "District", numeric: false)] + sources.enumerated().map { Self.cell($0 + 1, $1.name) },
                  rows: districtRows, className: "data compact",
                  notes: ["Each source's rate with its 95% confidence interval and its comparison with the same source's area rate is in source_by_district; counts by month and hour are in source_by_month and source_by_hour."])
            m.close()
        }
    }

    static let contextSectionID = "context"

    /// Partner context figures for the scope and the area, labelled as not incidents.
    func contextSection(_ m: inout Markup) {
        guard let t = tables.contextByDistrict() else { return }
        section(&m, Self.contextSectionID) { m in
            m.element("p", [], "Figures partners supply by district and month, shown beside the incident measures as context: they are not incidents and are not counted in any other table.")
            m.open("div", [("class", "scroll")])
            table(&m, caption: t.title, columns: [Self.cell(0, "Measure", numeric: false), Self.cell(1, "Supplied by", numeric: false),
                                                  Self.cell(3, "District", numeric: false), Self.cell(4, "Last 12 months"),
                                                  Self.cell(5, "Previous 12"), Self.cell(7, "Change"), Self.cell(8, "Per 1,000 residents")],
                  rows: t.rows, className: "data compact", notes: t.notes)
            m.close()
        }
    }

    private func legend(_ m: inout Markup, _ names: [String]) {
        m.open("p", [("class", "legend")])
        for (i, name) in names.enumerated() {
            m.element("span", [("style", "display:inline-block;width:14px;height:4px;margin:0 4px 3px 12px;background:\(sourceColour(i))"), ("aria-hidden", "true")], "")
            m.text(name)
        }
        m.close()
    }

    /// A line per series over shared labels; nil values are gaps.
    private func lineChart(_ m: inout Markup, id: String, title: String, description: String, labels: [String], series: [[Double?]],
                           every: Int, format: (Double) -> String) {
        let f = SlotFrame(top: series.flatMap { $0.compactMap { $0 } }.max() ?? 0, slots: labels.count, plotHeight: 200)
        let (left, right, topPad, plotH, width, slot, yMax, step) = (f.left, f.right, f.topPad, f.plotHeight, f.width, f.slot, f.yMax, f.step)
        func y(_ v: Double) -> Double { f.y(v) }
        m.open("figure")
        m.element("figcaption", [], title)
        m.open("svg", [("viewBox", "0 0 \(Format.coordinate(width)) \(Format.coordinate(topPad + plotH + 30))"), ("width", Format.coordinate(width)),
                       ("role", "img"), ("aria-labelledby", "\(id)-title \(id)-desc")])
        m.element("title", [("id", "\(id)-title")], title)
        m.element("desc", [("id", "\(id)-desc")], description)
        yGrid(&m, from: left, to: width - right, max: yMax, step: step, y: y, label: format)
        for (i, label) in labels.enumerated() where labels.count <= 12 || i % every == 0 {
            m.element("text", [("x", Format.coordinate(left + (Double(i) + 0.5) * slot)), ("y", Format.coordinate(topPad + plotH + 14)),
                               ("text-anchor", "middle"), ("font-size", "9.5")], label)
        }
        for (k, values) in series.enumerated() {
            var path = "", pen = false
            for (i, v) in values.enumerated() {
                guard let v else { pen = false; continue }
                path += (pen ? "L" : "M") + Format.coordinate(left + (Double(i) + 0.5) * slot) + " " + Format.coordinate(y(v))
                pen = true
            }
            if !path.isEmpty { m.empty("path", [("d", path), ("fill", "none"), ("stroke", sourceColour(k)), ("stroke-width", "2.5")]) }
        }
        m.close()
        m.close()
    }
}
