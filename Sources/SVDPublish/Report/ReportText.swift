import SVDCore
import SVDBin
import SVDMeasure

/// Headline figures, data quality, and methods.
extension NeedsAssessmentReport {
    struct HeadlineRow {
        let label: String
        /// Last 12 months, previous 12 months, % change — each already protected.
        let current: PublishedTable.Value
        let previous: PublishedTable.Value
        let change: PublishedTable.Value
    }

    /// 12 months to the period's end against the 12 before, for a monthly series of the given tables.
    func headlineRow(_ label: String, tables: AssessmentTables, monthly: @escaping (MonthKey) -> KeyedCount) -> HeadlineRow? {
        guard let series = tables.series(monthly),
              let ch = try? PeriodChange.rolling12(endingAt: input.period.upperBound, in: series) else { return nil }
        let cells = tables.changeCells(current: tables.release(tables.total(monthly, over: ch.current)),
                                       previous: tables.release(tables.total(monthly, over: ch.previous)))
        return HeadlineRow(label: label, current: cells[0], previous: cells[1], change: cells[3])
    }

    /// All serious violence, each cohort, then each strand (the knife/weapon strand among them).
    func headlineRows(_ tables: AssessmentTables) -> [HeadlineRow?] {
        // Cohorts and strands break the scope down, so they follow the minimum base like every other breakdown.
        let open = tables.disclosure.allowsBreakdown(of: tables.scopeTotal)
        func row(_ label: String, breakdown: Bool, _ monthly: @escaping (MonthKey) -> KeyedCount) -> HeadlineRow? {
            guard let r = headlineRow(label, tables: tables, monthly: monthly) else { return nil }
            return breakdown && !open ? HeadlineRow(label: label, current: .withheld, previous: .withheld, change: .withheld) : r
        }
        var rows: [HeadlineRow?] = tables.cohortRows.enumerated().map { i, c in
            row(c.label, breakdown: i > 0, tables.cohortMonthly(district: nil, under: c.under))
        }
        for (k, strand) in input.definitions.strands.enumerated() {
            let byMonth = tables.marginals.byMonth[k + 1]
            rows.append(row(strand.label, breakdown: true) { byMonth[$0] ?? .zero })
        }
        return rows
    }

    func changeSpan(_ m: inout Markup, _ v: PublishedTable.Value) {
        guard case .change(let p?, _) = v, p.isFinite else {
            m.element("span", [("class", "chg flat")], "change not shown")
            return
        }
        let rounded = Headline.percentText(p)
        let (cls, arrow, word) = rounded == "0%" ? ("flat", "\u{25B6}", "no change") : p > 0 ? ("up", "\u{25B2}", "up") : ("down", "\u{25BC}", "down")
        m.element("span", [("class", "chg " + cls), ("aria-label", "\(word) \(rounded)")], "\(arrow) \(rounded)")
    }

    func headlineSection(_ m: inout Markup) {
        section(&m, "headline") { m in
            let end = input.period.upperBound
            m.element("p", [], "Incidents in the 12 months \(end.adding(months: -11)) to \(end), with the change on the 12 months before. Rises are orange (\u{25B2}), falls blue (\u{25BC}).")
            let rows = headlineRows(scoped)
            let areaRows = district == nil ? [] : headlineRows(areaTables)
            guard rows.contains(where: { $0 != nil }) else {
                m.element("p", [("class", "note")], "Not computable: change needs 24 months of data ending \(end).")
                return
            }
            m.open("div", [("class", "cards")])
            for (i, row) in rows.enumerated() {
                guard let row else { continue }
                m.open("div", [("class", "card")])
                m.element("div", [("class", "label")], row.label)
                m.element("span", [("class", "big")], row.current.display)
                changeSpan(&m, row.change)
                m.element("div", [("class", "sub")]) { s in
                    s.text("previous 12 months: ")
                    s.element("span", [("class", "n")], row.previous.display)
                }
                if i < areaRows.count, let a = areaRows[i] {
                    m.element("div", [("class", "sub")]) { s in
                        s.text("\(input.areaName): ")
                        changeSpan(&s, a.change)
                    }
                }
                m.close()
            }
            m.close()
            if district == nil, let line = areaTables.headline() {
                m.element("p", [("class", "lede")], line)
            }
            if let d = district { packComparison(&m, d) }
            m.element("p", [("class", "note")], "A percentage is left out when either count is hidden, since it would give that count away. " + suppressionNote)
        }
    }

    /// The pack's district against the area: rate, interval and the significance call.
    func packComparison(_ m: inout Markup, _ d: Int) {
        let t = areaTables.districtSummary()
        let code = input.districts[d].code
        guard let row = t.rows.first(where: { value(t, $0, "district_code") == .text(code) }),
              let total = t.rows.first(where: { value(t, $0, "district_code") == .text("TOTAL") }) else { return }
        let rate = value(t, row, "rate_per_1000_per_year"), areaRate = value(t, total, "rate_per_1000_per_year")
        m.open("p", [("class", "lede")])
        guard case .number = rate, case .number = areaRate else {
            m.text("\(scopeName)'s rate is not shown: its count is hidden.")
            m.close()
            return
        }
        let compared = value(t, row, "compared_with_area").plain
        let phrase = compared == "higher" ? "significantly higher than" : compared == "lower" ? "significantly lower than" : "similar to"
        m.text("\(scopeName): \(rate.display) serious violence incidents per 1,000 residents a year (95% CI \(value(t, row, "lower_95").display)\u{2013}\(value(t, row, "upper_95").display)), \(phrase) \(input.areaName) (\(areaRate.display)).")
        m.close()
    }

    // MARK: Data quality

    func dataQualitySection(_ m: inout Markup) {
        section(&m, "data-quality") { m in
            let t = scoped.dataQuality()
            m.element("p", [], "How every row of the extracts was accounted for, and how complete the fields the analysis relies on are\(district == nil ? "" : " (shares for \(scopeName))").")
            // Row accounting counts records in the extracts (not people) and is exact, as in the assessment tables.
            let recordLabels = ["file ", "rows read", "rows accepted", "rejected: "]
            table(&m, caption: t.title, columns: [column(t, "measure", "Measure", numeric: false), column(t, "value", "Value"),
                                                   column(t, "percent", "Per cent")],
                  rows: t.rows, rowClass: { row in
                      guard case .text(let label) = row[0] else { return nil }
                      return recordLabels.contains { label.hasPrefix($0) } ? "records" : nil
                  }, notes: t.notes.filter { !$0.hasPrefix("Rejected rows") }
                      + ["Shares of unknown age, hour and location type are of serious violence incidents in the period."])
        }
    }

    // MARK: Methods

    func methodsSection(_ m: inout Markup) {
        section(&m, "methods") { m in
            let defs = input.definitions
            m.open("dl", [("class", "methods")])
            m.element("dt", [], "Definitions")
            m.element("dd", [], "Serious violence as defined in “\(defs.name)”: \(defs.seriousViolence.sorted().joined(separator: ", ")).")
            m.element("dd", [], "Strands (an incident can belong to several): " + defs.strands.map(\.label).joined(separator: "; ") + ".")
            m.element("dd", [], "Cohorts by victim age: " + defs.cohorts.map { "\($0.label) (under \($0.under))" }.joined(separator: "; ") + ". Age bands: " + defs.ageBands.labels.joined(separator: ", ") + ".")
            m.element("dt", [], "Period and change")
            m.element("dd", [], "Analysis period \(periodText). Change compares the 12 months to \(input.period.upperBound) with the 12 months before.")
            m.element("dt", [], "Rates and confidence intervals")
            m.element("dd", [], "Rate per 1,000 residents per year = incidents \u{F7} years in the period (\(Format.fixed(input.years, 2))) \u{F7} population \u{D7} 1,000. Age-specific rates use the population of that age band.")
            m.element("dd", [], "95% confidence intervals as in the public-health indicator methods: Byar's method for counts of \(ConfidenceMethod.byarMinimumCount) or more, the exact Poisson interval below \(ConfidenceMethod.byarMinimumCount).")
            m.element("dd", [], "A district is significantly higher (lower) than \(input.areaName) when its interval lies wholly above (below) the area's rate; otherwise similar.")
            m.element("dd", [], input.populationNote)
            m.element("dt", [], "Hotspots")
            if let h = hotspots {
                m.element("dd", [], "DBSCAN on incident locations in British National Grid metres: a core incident has at least \(h.minPoints) incidents (itself included) within \(Format.fixed(h.eps, 0)) m; clusters join core incidents within that distance, and nearby incidents join the nearest cluster. Outlines are generalised to grid squares (see the notes under the map); area is the outline's in hectares.")
                m.element("dd", [], "Hotspots cover the latest 12 months (\(h.window.lowerBound) to \(h.window.upperBound)) and are the rows `svd hotspots --from \(h.window.lowerBound) --to \(h.window.upperBound)` publishes, numbered H1, H2… by incidents over the whole area; a local pack lists the area's hotspots that lie in its district, with the same numbers. Shares and peaks are withheld for a hotspot under \(input.disclosure.minimumBase) published incidents.")
            } else {
                m.element("dd", [], "Not computed for this report.")
            }
            m.element("dt", [], "Disclosure control")
            m.element("dd", [], disclosureMethod)
            m.element("dt", [], "Maps")
            m.element("dd", [], "District boundaries are drawn simplified (to less than a pixel) from the area's boundaries; analysis used the full boundaries. Colours are viridis (sequential) and blue/orange (change), readable with colour-blindness; every chart has its numbers in a table beside it.")
            m.element("dt", [], "Sources and licence")
            m.element("dd", [], area.attribution)
            m.element("dd", [], "Incident extracts: " + input.dataQuality.files.map { "\($0.name) (\($0.format))" }.joined(separator: "; ") + ".")
            if !runLines.isEmpty {
                m.element("dt", [], "This run")
                for line in runLines { m.element("dd", [("class", "run")], line) }
            }
            m.close()
        }
    }
}
