import SVDCore
import SVDMeasure

/// Headline figures, data quality, and methods.
extension NeedsAssessmentReport {
    /// A change's per cent with its arrow; "change not shown" when a count is hidden or there is no base.
    func changeSpan(_ m: inout Markup, _ change: Assessment.Change) {
        guard let p = change.percent, p.isFinite else {
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
            let findings = assessment.keyFindings
            if !findings.isEmpty {
                m.element("h3", [], "Key findings")
                m.open("ul", [("class", "findings")])
                for f in findings { m.element("li", [], f) }
                m.close()
            }
            kpiCards(&m)
            m.element("p", [], "Incidents in the 12 months \(end.adding(months: -11)) to \(end), with the change on the 12 months before. Rises are orange (\u{25B2}), falls blue (\u{25BC}).")
            let rows = assessment.headlineCards
            let areaRows = assessment.areaHeadlineCards
            guard !rows.isEmpty else {
                m.element("p", [("class", "note")], "Not computable: change needs 24 months of data ending \(end).")
                return
            }
            m.open("div", [("class", "cards")])
            for (i, row) in rows.enumerated() {
                m.open("div", [("class", "card")])
                m.element("div", [("class", "label")], row.label)
                m.element("span", [("class", "big")], row.change.current.cell.display)
                changeSpan(&m, row.change)
                m.element("div", [("class", "sub")]) { s in
                    s.text("previous 12 months: ")
                    s.element("span", [("class", "n")], row.change.previous.cell.display)
                }
                if i < areaRows.count {
                    let a = areaRows[i]
                    m.element("div", [("class", "sub")]) { s in
                        s.text("\(input.areaName): ")
                        changeSpan(&s, a.change)
                    }
                }
                m.close()
            }
            m.close()
            if district == nil, let line = assessment.headline {
                m.element("p", [("class", "lede")], line)
            }
            if let d = district { packComparison(&m, d) }
            m.element("p", [("class", "note")], "A percentage is left out when either count is hidden, since it would give that count away. " + suppressionNote)
        }
    }

    /// The board's KPIs and the other measures (knife-enabled crime by age…): 12-month change with its test.
    func kpiCards(_ m: inout Markup) {
        let kpis = assessment.measures.filter(\.headline)
        if !kpis.isEmpty, assessment.twelveMonths != nil {
            m.element("h3", [], "KPIs")
            m.open("div", [("class", "cards")])
            for k in kpis {
                guard let ch = k.twelveMonths else { continue }
                m.open("div", [("class", "card")])
                m.element("div", [("class", "label")], k.label)
                m.element("span", [("class", "big")], ch.current.cell.display)
                changeSpan(&m, ch)
                m.element("div", [("class", "sub")], "previous 12 months: \(ch.previous.cell.display)")
                m.element("div", [("class", "sub sig")], ch.test.map { $0.verdict.rawValue } ?? "no test: a count is hidden")
                m.close()
            }
            m.close()
        }
        let rows = assessment.measures
        guard !rows.isEmpty, assessment.twelveMonths != nil else { return }
        table(&m, caption: "KPIs and measures: 12 months to \(input.period.upperBound), same quarter last year and financial year",
              columns: (0..<8).map { i in
                  Self.cell(i, ["Measure", "Last 12 months", "Previous 12", "Change", "Significance", "Quarter vs a year before", "Financial year change", "FY significance"][i], numeric: [1, 2, 3, 5, 6].contains(i))
              },
              rows: rows.map { r in
                  let q = r.quarter.map { "\($0.current.cell.display) vs \($0.previous.cell.display) (\($0.percent.map { Headline.percentText($0) } ?? "–"), \($0.test?.verdict.rawValue ?? "no test"))" } ?? ""
                  return [.text(r.label), r.twelveMonths?.current.cell ?? .empty, r.twelveMonths?.previous.cell ?? .empty,
                          .change(r.twelveMonths?.percent, decimals: 1), r.twelveMonths?.significanceText ?? .empty, .text(q),
                          .change(r.financialYear?.percent, decimals: 1), r.financialYear?.significanceText ?? .empty]
              },
              notes: ["Measures as defined in “\(input.definitions.name)”; they overlap and do not split the other tables. Significance: the exact test for two Poisson counts at the 5% level, on the published counts."])
    }

    /// The pack's district against the area: rate, interval and the significance call.
    func packComparison(_ m: inout Markup, _ d: Int) {
        guard let row = assessment.scopeRow else { return }
        m.open("p", [("class", "lede")])
        guard let rate = row.rate, let areaRate = assessment.areaRow.rate else {
            m.text("\(scopeName)'s rate is not shown: its count is hidden.")
            m.close()
            return
        }
        let phrase = (row.comparedWithArea ?? .similar).phrase(benchmarkName: input.areaName)
        m.text("\(scopeName): \(Self.rateText(rate.rate)) serious violence incidents per 1,000 residents a year (95% CI \(Self.rateText(rate.lower))\u{2013}\(Self.rateText(rate.upper))), \(phrase) (\(Self.rateText(areaRate.rate))).")
        m.close()
    }

    // MARK: Data quality

    func dataQualitySection(_ m: inout Markup) {
        section(&m, "data-quality") { m in
            let lines = tables.dataQualityLines()
            m.element("p", [], "How every row of the extracts was accounted for, and how complete the fields the analysis relies on are\(district == nil ? "" : " (shares for \(scopeName))").")
            // Row accounting counts records in the extracts (not people) and is exact, as in the assessment tables.
            table(&m, caption: tables.dataQualityTitle, columns: [Self.cell(0, "Measure", numeric: false), Self.cell(1, "Value"), Self.cell(2, "Per cent")],
                  rows: lines.map { [.text($0.measure), $0.value, $0.percent] }, rowClass: { lines[$0].records ? "records" : nil },
                  notes: tables.dataQualityNotes(rejectsFile: false)
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
