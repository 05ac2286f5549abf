import SVDCore
import SVDMeasure

/// Hour × weekday heat map, monthly trend, age-band rates and strand mix.
extension NeedsAssessmentReport {
    /// Tick step for a count axis: 5, 10, 20, 25, 50 × a power of ten, never below 5, so an axis label
    /// can never be read as a small count.
    static func countStep(max: Double, ticks: Int = 5) -> Double {
        let raw = Swift.max(max / Double(ticks), 1)
        var scale = 1.0
        while true {
            for s in [5.0, 10, 20, 25, 50] where s * scale >= raw { return s * scale }
            scale *= 10
        }
    }

    /// Tick step for a rate axis (one or two decimals shown).
    static func rateStep(max: Double, ticks: Int = 5) -> Double {
        let raw = Swift.max(max / Double(ticks), 1e-6)
        var scale = 1e-3
        while true {
            for s in [1.0, 2, 2.5, 5] where s * scale >= raw { return s * scale }
            scale *= 10
        }
    }

    // MARK: Hour × weekday

    func hourWeekdaySection(_ m: inout Markup) {
        section(&m, "hour-weekday") { m in
            let rows = assessment.hourWeekday
            m.element("p", [], "When serious violence happens in \(scopeName), \(periodText): incidents by hour of day and day of the week. Darker is more.")
            let days = CivilDate.weekdayNames
            let grid: [[PublishedTable.Value]] = rows[0..<24].map { $0.byWeekday.map(\.cell) }      // [hour 0…23][weekday]
            let shownMax = rows[0..<24].flatMap { $0.byWeekday.compactMap(\.value) }.max() ?? 0
            if shownMax == 0 && !grid.joined().contains(where: \.isHidden) {
                m.element("p", [("class", "note")], "No incident in \(scopeName) has a known hour and weekday in these extracts (data.police.uk files give only the month), so there is no chart; the table shows the counts by what is known.")
                table(&m, caption: tables.hourWeekdayTitle, columns: [Self.cell(0, "Hour", numeric: false), Self.cell(1, "Day unknown"), Self.cell(2, "All")],
                      rows: rows.filter { $0.all.cell != .count(0) }.map { [.text($0.label), $0.weekdayUnknown.cell, $0.all.cell] }, notes: [suppressionNote])
                return
            }
            let cellW = 30.0, cellH = 24.0, left = 44.0, topPad = 22.0
            let width = left + 24 * cellW + 10, height = topPad + 7 * cellH + 64
            m.open("figure")
            m.open("svg", [("viewBox", "0 0 \(Format.coordinate(width)) \(Format.coordinate(height))"), ("width", Format.coordinate(width)),
                           ("role", "img"), ("aria-labelledby", "hw-title hw-desc")])
            m.element("title", [("id", "hw-title")], "Serious violence by hour and weekday, \(scopeName)")
            var busiest: (Int, Int)?
            for h in 0..<24 { for d in 0..<7 { if case .count(let c) = grid[h][d], c == shownMax, busiest == nil { busiest = (h, d) } } }
            let hidden = grid.joined().filter(\.isHidden).count
            var desc = "Heat map with hours across and weekdays down."
            if let b = busiest, shownMax > 0 {
                desc += " Busiest: \(days[b.1]) \(Format.hour(b.0)) with \(grid[b.0][b.1].display) incidents."
            }
            if hidden > 0 { desc += " Some cells are hidden to protect small numbers; they are grey." }
            desc += " The table beside the map gives every cell."
            m.element("desc", [("id", "hw-desc")], desc)
            for (d, name) in days.enumerated() {
                m.element("text", [("x", Format.coordinate(left - 6)), ("y", Format.coordinate(topPad + Double(d) * cellH + cellH * 0.68)),
                                   ("text-anchor", "end"), ("font-size", "11")], name)
            }
            for h in stride(from: 0, to: 24, by: 3) {
                m.element("text", [("x", Format.coordinate(left + Double(h) * cellW + 2)), ("y", "15"), ("font-size", "10")], Format.hour(h))
            }
            for h in 0..<24 {
                for d in 0..<7 {
                    let v = grid[h][d]
                    let x = left + Double(h) * cellW, y = topPad + Double(d) * cellH
                    let fill: String
                    switch v {
                    case .count(let c): fill = shownMax > 0 ? Palette.viridis(Double(c) / Double(shownMax)) : Palette.viridis(0)
                    default: fill = Palette.hidden
                    }
                    m.element("rect", [("x", Format.coordinate(x)), ("y", Format.coordinate(y)), ("width", Format.coordinate(cellW - 1)),
                                       ("height", Format.coordinate(cellH - 1)), ("fill", fill)]) {
                        $0.element("title", [], "\(days[d]) \(Format.hour(h)): \(v.display)")
                    }
                }
            }
            // Legend: a ramp from zero to the largest shown cell.
            let ly = topPad + 7 * cellH + 16
            m.element("text", [("x", Format.coordinate(left)), ("y", Format.coordinate(ly + 11)), ("font-size", "11")], "Incidents:")
            for i in 0..<10 {
                m.empty("rect", [("x", Format.coordinate(left + 70 + Double(i) * 22)), ("y", Format.coordinate(ly)), ("width", "22"), ("height", "14"),
                                 ("fill", Palette.viridis(Double(i) / 9))])
            }
            m.element("text", [("x", Format.coordinate(left + 70)), ("y", Format.coordinate(ly + 28)), ("font-size", "10")], "0")
            m.element("text", [("x", Format.coordinate(left + 70 + 220)), ("y", Format.coordinate(ly + 28)), ("font-size", "10"), ("text-anchor", "end")],
                      PublishedTable.Value.count(shownMax).display)
            m.empty("rect", [("x", Format.coordinate(left + 320)), ("y", Format.coordinate(ly)), ("width", "22"), ("height", "14"), ("fill", Palette.hidden)])
            m.element("text", [("x", Format.coordinate(left + 348)), ("y", Format.coordinate(ly + 11)), ("font-size", "11")], "hidden (small numbers)")
            m.close()
            m.element("figcaption", [], "Incidents with no known hour (\(rows[24].all.cell.display)) or weekday are left out of the map and shown in the table.")
            m.close()
            m.open("div", [("class", "scroll")])
            table(&m, caption: tables.hourWeekdayTitle, columns: [Self.cell(0, "Hour", numeric: false)]
                + (days + ["Day unknown", "All"]).enumerated().map { Self.cell($0 + 1, $1) },
                  rows: rows.map { [.text($0.label)] + ($0.byWeekday + [$0.weekdayUnknown, $0.all]).map(\.cell) }, className: "data compact", notes: [suppressionNote])
            m.close()
        }
    }

    /// The frame of a chart with one slot per label (months, hours): a value axis from 0 up to a whole step above
    /// `top`, in the report's standard width.
    struct SlotFrame {
        let left = 56.0, right = 14.0, topPad = 12.0, width = 860.0
        let plotHeight: Double, step: Double, yMax: Double, slot: Double

        init(top: Double, slots: Int, plotHeight: Double) {
            self.plotHeight = plotHeight
            step = NeedsAssessmentReport.countStep(max: top)
            yMax = max(step, (top / step).rounded(.up) * step)
            slot = (width - left - right) / Double(max(slots, 1))
        }

        func y(_ v: Double) -> Double { topPad + plotHeight - v / yMax * plotHeight }
    }

    /// Horizontal grid lines from 0 to `max` every `step`, labelled at the left.
    func yGrid(_ m: inout Markup, from left: Double, to right: Double, max yMax: Double, step: Double, y: (Double) -> Double,
               label: (Double) -> String) {
        var tick = 0.0
        while tick <= yMax + 1e-9 {
            m.empty("line", [("x1", Format.coordinate(left)), ("x2", Format.coordinate(right)), ("y1", Format.coordinate(y(tick))),
                             ("y2", Format.coordinate(y(tick))), ("stroke", "#e3e3e3")])
            m.element("text", [("x", Format.coordinate(left - 6)), ("y", Format.coordinate(y(tick) + 4)), ("text-anchor", "end"), ("font-size", "10")],
                      label(tick))
            tick += step
        }
    }

    // MARK: Monthly trend

    func trendSection(_ m: inout Markup) {
        section(&m, "trend") { m in
            let trend = assessment.monthlyTrend
            m.element("p", [], "Serious violence in \(scopeName) month by month (bars), with the rolling 12-month total shown as a monthly average (line), so that the trend is not hidden by the season.")
            let monthly = trend.map { $0.byStrand[0].cell }
            let months = trend.map(\.month.description)
            let counts = trend.map { $0.byStrand[0].value.map(Double.init) }
            let averages = trend.map { $0.rolling12?.value.map { Double($0) / 12 } }
            let top = max(counts.compactMap { $0 }.max() ?? 0, averages.compactMap { $0 }.max() ?? 0)
            let f = SlotFrame(top: top, slots: months.count, plotHeight: 240)
            let (left, right, topPad, plotH, width, slot, yMax, step) = (f.left, f.right, f.topPad, f.plotHeight, f.width, f.slot, f.yMax, f.step)
            func y(_ v: Double) -> Double { f.y(v) }
            m.open("figure")
            m.open("svg", [("viewBox", "0 0 \(Format.coordinate(width)) \(Format.coordinate(topPad + plotH + 74))"),
                           ("width", Format.coordinate(width)), ("role", "img"), ("aria-labelledby", "tr-title tr-desc")])
            m.element("title", [("id", "tr-title")], "Monthly serious violence with rolling 12-month average, \(scopeName)")
            var desc = "Bar chart of monthly incidents from \(months.first ?? "") to \(months.last ?? "")."
            if let firstAvg = averages.firstIndex(where: { $0 != nil }), let lastAvg = averages.lastIndex(where: { $0 != nil }) {
                desc += " Rolling 12-month average per month: \(Format.fixed(averages[firstAvg]!, 1)) in \(months[firstAvg]), \(Format.fixed(averages[lastAvg]!, 1)) in \(months[lastAvg])."
            }
            if monthly.contains(where: \.isHidden) { desc += " Hidden months (small numbers) have no bar." }
            m.element("desc", [("id", "tr-desc")], desc)
            yGrid(&m, from: left, to: width - right, max: yMax, step: step, y: y) { groupedThousands(Int($0)) }
            for (i, c) in counts.enumerated() {
                let x = left + Double(i) * slot
                if let c {
                    m.element("rect", [("x", Format.coordinate(x + slot * 0.12)), ("y", Format.coordinate(y(c))), ("width", Format.coordinate(slot * 0.76)),
                                       ("height", Format.coordinate(max(0, y(0) - y(c)))), ("fill", Palette.barFill)]) {
                        $0.element("title", [], "\(months[i]): \(monthly[i].display)")
                    }
                } else {
                    m.element("rect", [("x", Format.coordinate(x + slot * 0.12)), ("y", Format.coordinate(y(0) - 6)), ("width", Format.coordinate(slot * 0.76)),
                                       ("height", "6"), ("fill", Palette.hidden)]) {
                        $0.element("title", [], "\(months[i]): \(monthly[i].display)")
                    }
                }
                if months.count <= 12 || i % 3 == 0 {
                    m.element("text", [("x", Format.coordinate(x + slot / 2)), ("y", Format.coordinate(topPad + plotH + 14)), ("text-anchor", "middle"),
                                       ("font-size", "9.5")], months[i])
                }
            }
            var line = ""
            for (i, a) in averages.enumerated() {
                guard let a else { continue }
                line += (line.isEmpty ? "M" : "L") + Format.coordinate(left + (Double(i) + 0.5) * slot) + " " + Format.coordinate(y(a))
            }
            if !line.isEmpty {
                m.empty("path", [("d", line), ("fill", "none"), ("stroke", Palette.lineStroke), ("stroke-width", "3")])
            }
            let ly = topPad + plotH + 36
            m.empty("rect", [("x", Format.coordinate(left)), ("y", Format.coordinate(ly)), ("width", "16"), ("height", "12"), ("fill", Palette.barFill)])
            m.element("text", [("x", Format.coordinate(left + 22)), ("y", Format.coordinate(ly + 10)), ("font-size", "11")], "Incidents in the month")
            m.empty("line", [("x1", Format.coordinate(left + 190)), ("x2", Format.coordinate(left + 214)), ("y1", Format.coordinate(ly + 6)),
                             ("y2", Format.coordinate(ly + 6)), ("stroke", Palette.lineStroke), ("stroke-width", "3")])
            m.element("text", [("x", Format.coordinate(left + 220)), ("y", Format.coordinate(ly + 10)), ("font-size", "11")],
                      "Rolling 12-month total \u{F7} 12 (from the 12th month of data)")
            m.close()
            m.close()
            m.open("div", [("class", "scroll")])
            table(&m, caption: tables.monthlyTrendTitle, columns: [Self.cell(0, "Month", numeric: false), Self.cell(1, "All serious violence"),
                                                                  Self.cell(2, "Rolling 12 months")]
                + input.definitions.strands.enumerated().map { Self.cell($0 + 3, $1.label) },
                  rows: trend.map { [.text($0.month.description), $0.byStrand[0].cell, $0.rolling12?.cell ?? .empty] + $0.byStrand.dropFirst().map(\.cell) },
                  className: "data compact", notes: tables.monthlyTrendNotes)
            m.close()
        }
    }

    // MARK: Age-band rates and strands

    func ageStrandSection(_ m: inout Markup) {
        section(&m, "age-strands") { m in
            let bands = assessment.victimAges
            let known = bands.filter { $0.population != nil }
            var rows: [[PublishedTable.Value]] = bands.map { b in
                [.text(b.label), b.incidents.cell, b.population.flatMap { $0 > 0 ? .count($0) : nil } ?? .empty,
                 b.rate.map { .number($0.rate, decimals: 2) } ?? .empty, b.rate.map { .number($0.lower, decimals: 2) } ?? .empty,
                 b.rate.map { .number($0.upper, decimals: 2) } ?? .empty]
            }
            rows.append([.text("all ages"), assessment.victimAgeTotal.cell, .count(assessment.victimAgePopulation), .empty, .empty, .empty])
            m.element("p", [], "Victims by age: incidents per 1,000 residents of that age a year in \(scopeName), \(periodText), with 95% confidence intervals (whiskers); and the share of serious violence in each strand.")
            m.open("div", [("class", "pair even")])
            m.open("div")
            if !assessment.victimAgeKnown {
                m.element("p", [("class", "note")], "No victim age is known in these extracts, so there are no age-specific rates.")
            } else {
                rateBars(&m, labels: known.map(\.label), estimates: known.map(\.rate))
            }
            table(&m, caption: "Victim age band rates", columns: [
                Column(header: "Victim age", numeric: false) { $0[0].display }, Column(header: "Incidents", numeric: true) { $0[1].display },
                Column(header: "Population", numeric: true) { $0[2].display }, Column(header: "Rate per 1,000 a year", numeric: true) { $0[3].display },
                Column(header: "95% CI", numeric: true) { $0[4] == .empty ? "" : "\($0[4].display)\u{2013}\($0[5].display)" },
            ], rows: rows, notes: ["Incidents counted by the first recorded victim; unknown age has no population, so no rate."])
            m.close()
            m.open("div")
            strandBars(&m)
            m.close()
            m.close()
        }
    }

    func rateBars(_ m: inout Markup, labels: [String], estimates: [RateEstimate?]) {
        let left = 64.0, right = 20.0, rowH = 26.0, width = 520.0, topPad = 8.0
        let plotW = width - left - right
        let top = estimates.compactMap { $0?.upper }.max() ?? 0
        let step = Self.rateStep(max: top)
        let xMax = max(step, (top / step).rounded(.up) * step)
        func x(_ v: Double) -> Double { left + v / xMax * plotW }
        let height = topPad + Double(labels.count) * rowH + 40
        m.open("figure")
        m.open("svg", [("viewBox", "0 0 \(Format.coordinate(width)) \(Format.coordinate(height))"), ("width", Format.coordinate(width)),
                       ("role", "img"), ("aria-labelledby", "ag-title ag-desc")])
        m.element("title", [("id", "ag-title")], "Victim rate per 1,000 a year by age band, \(scopeName)")
        m.element("desc", [("id", "ag-desc")], "Horizontal bars with 95% intervals: " + zip(labels, estimates).map { l, e in
            e.map { "\(l) \(Format.fixed($0.rate, 2)) (\(Format.fixed($0.lower, 2))\u{2013}\(Format.fixed($0.upper, 2)))" } ?? "\(l) hidden"
        }.joined(separator: "; ") + ".")
        var tick = 0.0
        let decimals = step < 0.1 ? 2 : 1
        let axisY = topPad + Double(labels.count) * rowH
        while tick <= xMax + 1e-9 {
            m.empty("line", [("x1", Format.coordinate(x(tick))), ("x2", Format.coordinate(x(tick))), ("y1", Format.coordinate(topPad)),
                             ("y2", Format.coordinate(axisY)), ("stroke", "#e3e3e3")])
            m.element("text", [("x", Format.coordinate(x(tick))), ("y", Format.coordinate(axisY + 14)), ("text-anchor", "middle"), ("font-size", "10")],
                      Format.fixed(tick, decimals))
            tick += step
        }
        for (i, e) in estimates.enumerated() {
            let y = topPad + Double(i) * rowH
            m.element("text", [("x", Format.coordinate(left - 6)), ("y", Format.coordinate(y + rowH * 0.62)), ("text-anchor", "end"), ("font-size", "11")], labels[i])
            guard let e else {
                m.element("text", [("x", Format.coordinate(left + 4)), ("y", Format.coordinate(y + rowH * 0.62)), ("font-size", "10"), ("fill", "#666")], "hidden")
                continue
            }
            m.element("rect", [("x", Format.coordinate(left)), ("y", Format.coordinate(y + 4)), ("width", Format.coordinate(max(0, x(e.rate) - left))),
                               ("height", Format.coordinate(rowH - 8)), ("fill", Palette.barFill)]) {
                $0.element("title", [], "\(labels[i]): \(Format.fixed(e.rate, 2)) per 1,000 a year")
            }
            let cy = y + rowH / 2
            m.empty("line", [("x1", Format.coordinate(x(e.lower))), ("x2", Format.coordinate(x(e.upper))), ("y1", Format.coordinate(cy)),
                             ("y2", Format.coordinate(cy)), ("stroke", Palette.lineStroke), ("stroke-width", "2")])
            for v in [e.lower, e.upper] {
                m.empty("line", [("x1", Format.coordinate(x(v))), ("x2", Format.coordinate(x(v))), ("y1", Format.coordinate(cy - 5)),
                                 ("y2", Format.coordinate(cy + 5)), ("stroke", Palette.lineStroke), ("stroke-width", "2")])
            }
        }
        m.element("text", [("x", Format.coordinate(left + plotW / 2)), ("y", Format.coordinate(axisY + 30)), ("text-anchor", "middle"), ("font-size", "11")],
                  "Victims per 1,000 residents of that age a year")
        m.close()
        m.close()
    }

    func strandBars(_ m: inout Markup) {
        // The definitions' strands (row 0 is all serious violence).
        let strands = Array(assessment.strands.dropFirst())
        let shares = strands.map(\.share)
        let left = 210.0, right = 60.0, rowH = 30.0, width = 520.0, topPad = 8.0
        let plotW = width - left - right
        let height = topPad + Double(strands.count) * rowH + 24
        m.open("figure")
        m.open("svg", [("viewBox", "0 0 \(Format.coordinate(width)) \(Format.coordinate(height))"), ("width", Format.coordinate(width)),
                       ("role", "img"), ("aria-labelledby", "st-title st-desc")])
        m.element("title", [("id", "st-title")], "Share of serious violence in each strand, \(scopeName)")
        m.element("desc", [("id", "st-desc")], "Horizontal bars, per cent of all serious violence (strands overlap): " + strands.indices.map { k in
            "\(strands[k].label) \(shares[k].map { Format.fixed($0, 1) + "%" } ?? "hidden")"
        }.joined(separator: "; ") + ".")
        for (k, s) in strands.enumerated() {
            let y = topPad + Double(k) * rowH
            m.element("text", [("x", Format.coordinate(left - 6)), ("y", Format.coordinate(y + rowH * 0.6)), ("text-anchor", "end"), ("font-size", "11")], s.label)
            if let share = shares[k] {
                let w = share / 100 * plotW
                m.empty("rect", [("x", Format.coordinate(left)), ("y", Format.coordinate(y + 5)), ("width", Format.coordinate(w)),
                                 ("height", Format.coordinate(rowH - 10)), ("fill", Palette.barFill)])
                m.element("text", [("x", Format.coordinate(left + w + 4)), ("y", Format.coordinate(y + rowH * 0.6)), ("font-size", "11")], Format.fixed(share, 1) + "%")
            } else {
                m.element("text", [("x", Format.coordinate(left + 4)), ("y", Format.coordinate(y + rowH * 0.6)), ("font-size", "10"), ("fill", "#666")], "hidden")
            }
        }
        m.element("text", [("x", Format.coordinate(left)), ("y", Format.coordinate(height - 6)), ("font-size", "10"), ("fill", "#555")], "Per cent of all serious violence (strands overlap)")
        m.close()
        m.close()
        let rows: [[PublishedTable.Value]] = strands.map { s in
            [.text(s.label), s.incidents.cell, .percent(s.share, decimals: 1)]
        } + [[.text("All serious violence"), assessment.scopeIncidents.cell, .empty]]
        table(&m, caption: "Strand mix", columns: [
            Column(header: "Strand", numeric: false) { $0[0].display }, Column(header: "Incidents", numeric: true) { $0[1].display },
            Column(header: "Share", numeric: true) { $0[2] == .empty ? "" : $0[2].display },
        ], rows: rows, notes: ["An incident can belong to several strands, so shares add to more than 100%."])
    }
}
