import SVDCore
import SVDBin
import SVDMeasure

// Measures (the board's KPIs, knife-enabled crime by age…), quarters, financial years by district and strand,
// groupings of districts and peak hours: typed here, computed once in `Assessment.init`, formatted elsewhere.

extension Assessment.Change {
    /// The verdict as published text: blank when a count is hidden, [c] when withheld.
    public var significanceText: PublishedTable.Value {
        if let t = test { return .text(t.verdict.rawValue) }
        return current.cell == .withheld ? .withheld : .empty
    }

    /// The exact test of the two released counts (equal periods); nil when either is hidden or withheld.
    public var test: ChangeSignificance? {
        guard let c = current.value, let p = previous.value else { return nil }
        let exposure = Double(window.current.upperBound.index - window.current.lowerBound.index + 1)
            / Double(window.previous.upperBound.index - window.previous.lowerBound.index + 1)
        return try? ChangeSignificance(current: c, previous: p, exposureRatio: exposure)
    }
}

extension Assessment {
    /// A calendar quarter: "2026 Q3 (Jul–Sep)".
    public struct Quarter: Sendable, Equatable {
        public let months: ClosedRange<MonthKey>
        public var label: String {
            let q = (months.lowerBound.month - 1) / 3 + 1
            let names = ["Jan–Mar", "Apr–Jun", "Jul–Sep", "Oct–Dec"]
            return "\(months.lowerBound.year) Q\(q) (\(names[q - 1]))"
        }
    }

    /// One measure of the definitions in the scope, with its changes, and by district (area-wide).
    public struct MeasureRow: Sendable {
        public let id: String
        public let label: String
        /// A KPI the headline reports.
        public let headline: Bool
        /// The period's total in the scope.
        public let incidents: Released
        /// 12 months against the 12 before; latest complete quarter against the same quarter a year before; the
        /// latest complete financial year against the one before. Nil where the data do not cover the windows.
        public let twelveMonths: Change?
        public let quarter: Change?
        public let financialYear: Change?
        /// 12-month change per district (area's district order), withheld below the minimum base.
        public let byDistrict: [Change?]
    }

    /// Counts of one complete calendar quarter: all serious violence and each strand, then each measure.
    public struct QuarterRow: Sendable {
        public let quarter: Quarter
        public let strands: [Released]
        public let measures: [Released]
    }

    /// A financial-year change of one district (area-wide, in district order) or strand.
    public struct FinancialYearRow: Sendable {
        public let id: String
        public let label: String
        public let change: Change
    }

    /// A group of districts set beside them and the area.
    public struct GroupingRow: Sendable {
        public let id: String
        public let label: String
        public let districtNames: [String]
        public let incidents: Released
        public let population: Int
        public let rate: RateEstimate?
        public let comparedWithArea: Comparison?
        public let change: Change?
    }

    /// Consecutive hours that stand out from their own part of the day: each hour's published count exceeds both the
    /// day's mean hour and the mean of the hours two and three either side of it by more than two Poisson standard
    /// deviations, so a bump of one to three hours shows even on an evening that rises as a whole.
    public struct PeakWindow: Sendable, Equatable {
        /// First and last hour (0–23) of the window; the window may run past midnight.
        public let from: Int
        public let to: Int
        public let incidents: Int
        /// Of incidents with a known hour.
        public let share: Double
        public var label: String {
            func h(_ x: Int) -> String { (x < 10 ? "0" : "") + "\(x):00" }
            return "\(h(from))–\(h((to + 1) % 24))"
        }
    }
}

extension Builder {
    /// Monthly series of each measure in a district slot, or summed over the given districts.
    func measureSeries(_ m: CubeMarginals, measure k: Int, districts ds: [Int]) -> [KeyedCount] {
        seriesMonths.map { month in ds.reduce(.zero) { $0 + (m.byMeasureMonth[k][$1][month] ?? .zero) } }
    }

    /// The latest complete calendar quarter at or before the period's end, and the same quarter a year before,
    /// when the series covers both.
    var quarterWindow: Assessment.Window? {
        var last = input.period.upperBound
        while last.month % 3 != 0 { last = last.adding(months: -1) }
        let current = last.adding(months: -2)...last
        let previous = current.lowerBound.adding(months: -12)...current.upperBound.adding(months: -12)
        guard let first = seriesMonths.first, previous.lowerBound >= first else { return nil }
        return Assessment.Window(current: current, previous: previous)
    }

    func measureRows() -> [Assessment.MeasureRow] {
        let measures = input.definitions.measures
        guard !measures.isEmpty, !seriesMonths.isEmpty else { return [] }
        let open = disclosure.allowsBreakdown(of: scopeTotal)
        let qw = quarterWindow
        return measures.enumerated().map { k, m in
            let series = measureSeries(scope, measure: k, districts: scopeDistricts)
            let inPeriod = zip(seriesMonths, series).filter { input.period.contains($0.0) }.map(\.1).sum()
            func ch(_ w: Assessment.Window?) -> Assessment.Change? {
                w.map { open ? change(series, $0) : .withheld($0) }
            }
            let byDistrict: [Assessment.Change?] = (0..<n).map { d in
                guard let w = twelve else { return nil }
                // A measure splits the district's serious violence: the district's total must reach the minimum base.
                guard disclosure.allowsBreakdown(of: area.byDistrict[0][d]) else { return .withheld(w) }
                return change(measureSeries(area, measure: k, districts: [d]), w)
            }
            return Assessment.MeasureRow(id: m.id, label: m.label, headline: m.headline,
                                         incidents: open ? release(inPeriod) : .withheld,
                                         twelveMonths: ch(twelve), quarter: ch(qw), financialYear: ch(financialYears?.window),
                                         byDistrict: byDistrict)
        }
    }

    /// Every complete calendar quarter inside the period.
    func quarterRows() -> [Assessment.QuarterRow] {
        let open = disclosure.allowsBreakdown(of: scopeTotal)
        var rows: [Assessment.QuarterRow] = []
        var start = input.period.lowerBound
        while (start.month - 1) % 3 != 0 { start = start.adding(months: 1) }
        while start.adding(months: 2) <= input.period.upperBound {
            let q = start...start.adding(months: 2)
            let months = (0..<3).map { start.adding(months: $0) }
            let strands = (0..<scope.shape.strandSlices).map { k -> Released in
                guard k == 0 || open else { return .withheld }
                return release(months.reduce(.zero) { $0 + (scope.byMonth[k][$1] ?? .zero) })
            }
            let measures = input.definitions.measures.indices.map { k -> Released in
                guard open else { return .withheld }
                return release(months.reduce(.zero) { sum, m in scopeDistricts.reduce(sum) { $0 + (scope.byMeasureMonth[k][$1][m] ?? .zero) } })
            }
            rows.append(Assessment.QuarterRow(quarter: Assessment.Quarter(months: q), strands: strands, measures: measures))
            start = start.adding(months: 3)
        }
        return rows
    }

    /// Financial-year change by district (area-wide) and by strand (the scope).
    func financialYearRows() -> (districts: [Assessment.FinancialYearRow], area: Assessment.FinancialYearRow?, strands: [Assessment.FinancialYearRow]) {
        guard let fy = financialYears else { return ([], nil, []) }
        let w = fy.window
        let districtsRows = (0..<n).map { d in
            Assessment.FinancialYearRow(id: districts[d].code, label: districts[d].name, change: change(districtCohortSeries[d][0], w))
        }
        let areaRow = Assessment.FinancialYearRow(id: "TOTAL", label: input.areaName, change: change(areaCohortSeries[0], w))
        let open = disclosure.allowsBreakdown(of: scopeTotal)
        let strandRows = (0..<scope.shape.strandSlices).map { k -> Assessment.FinancialYearRow in
            let id = k == 0 ? "all_serious_violence" : input.definitions.strands[k - 1].id
            let series = seriesMonths.map { scope.byMonth[k][$0] ?? .zero }
            return Assessment.FinancialYearRow(id: id, label: scope.shape.strandLabels[k], change: k == 0 || open ? change(series, w) : .withheld(w))
        }
        return (districtsRows, areaRow, strandRows)
    }

    func groupingRows(areaRate: RateEstimate?) -> [Assessment.GroupingRow] {
        let codes = Dictionary(uniqueKeysWithValues: districts.enumerated().map { ($0.element.code, $0.offset) })
        return input.definitions.groupings.compactMap { g -> Assessment.GroupingRow? in
            // Codes not in this area (definitions written for another area) are skipped, and said in the notes.
            let members = g.districts.compactMap { codes[$0] }
            guard !members.isEmpty else { return nil }
            let count = members.reduce(KeyedCount.zero) { $0 + area.byDistrict[0][$1] }
            let shown = release(count)
            let population = members.reduce(0) { $0 + districts[$1].population }
            let rate = Assessment.rate(shown, population: population, years: years)
            let series = seriesMonths.indices.map { i in members.reduce(KeyedCount.zero) { $0 + districtCohortSeries[$1][0][i] } }
            return Assessment.GroupingRow(id: g.id, label: g.label, districtNames: members.map { districts[$0].name }, incidents: shown,
                                          population: population, rate: rate,
                                          comparedWithArea: rate.flatMap { r in areaRate.map { r.compared(toBenchmarkRate: $0.rate) } },
                                          change: twelve.map { change(series, $0) })
        }
    }

    /// "Kent & Medway, 12 months to 2026-10: public-place serious youth violence, … −9% (significant decrease); …".
    func kpiHeadline(_ rows: [Assessment.MeasureRow]) -> String? {
        let parts = rows.filter(\.headline).compactMap { r -> String? in
            guard let ch = r.twelveMonths, let pct = ch.percent, let t = ch.test else { return nil }
            let label = r.label.prefix(1).lowercased() + r.label.dropFirst()
            return "\(label) \(Headline.percentText(pct)) (\(t.verdict.rawValue))"
        }
        guard !parts.isEmpty else { return nil }
        return "\(scopeName), 12 months to \(input.period.upperBound): " + parts.joined(separator: "; ") + "."
    }

    /// Hours that stand out, from the published hour totals of the scope.
    func peakWindows(_ rows: [Assessment.HourWeekdayRow]) -> [Assessment.PeakWindow] {
        let hours = rows.prefix(24).map { $0.all.value }
        guard hours.allSatisfy({ $0 != nil }) else { return [] }
        let counts = hours.map { $0! }
        let total = counts.reduce(0, +)
        guard total > 0 else { return [] }
        let mean = Double(total) / 24
        let high = (0..<24).map { h -> Bool in
            let around = [-3, -2, 2, 3].map { Double(counts[(h + $0 + 24) % 24]) }
            let baseline = around.reduce(0, +) / 4
            let c = Double(counts[h])
            return c > mean && c > baseline + 2 * baseline.squareRoot()
        }
        guard high.contains(true), high.contains(false) else { return [] }
        // Runs of high hours round the clock, starting after a quiet hour so a run over midnight stays whole.
        let start = (high.firstIndex(of: false)! + 1) % 24
        var windows: [Assessment.PeakWindow] = []
        var runStart: Int?
        for step in 0...24 {
            let h = (start + step) % 24
            if step < 24 && high[h] {
                if runStart == nil { runStart = h }
            } else if let s = runStart {
                let last = (h + 23) % 24
                var sum = 0, x = s
                while true { sum += counts[x]; if x == last { break }; x = (x + 1) % 24 }
                windows.append(Assessment.PeakWindow(from: s, to: last, incidents: sum, share: Double(sum) / Double(total) * 100))
                runStart = nil
            }
        }
        return windows.sorted { $0.from < $1.from }
    }
}

extension Assessment {
    /// Plain-English findings for the area or the pack, each generated from a published figure and its test:
    /// the KPIs, districts and groups that differ significantly from the area, measures that changed
    /// significantly, and the peak hours.
    public var keyFindings: [String] {
        var out: [String] = []
        let end = period.upperBound
        /// "A", "A and B", "A, B and C".
        func list(_ names: [String]) -> String { names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last! }
        /// "fell 6% in the 12 months to 2026-10 (9,541 against 10,141): a significant decrease".
        func moved(_ ch: Change) -> String? {
            guard let p = ch.percent, let t = ch.test else { return nil }
            let size = Headline.percentText(abs(p)).replacingOccurrences(of: "+", with: "")
            let verb = size == "0%" ? "was level" : "\(p > 0 ? "rose" : "fell") \(size)"
            return "\(verb) in the 12 months to \(end) (\(ch.current.cell.display) against \(ch.previous.cell.display)): "
                + (t.verdict == .noSignificantChange ? "not a significant change" : "a \(t.verdict.rawValue)")
        }
        for m in measures where m.headline {
            if let ch = m.twelveMonths, let text = moved(ch) { out.append("\(m.label) \(text).") }
        }
        if let row = scopeRow, let c = row.comparedWithArea, let r = row.rate {
            out.append("\(scopeName)'s rate of serious violence (\(String(format: "%.2f", r.rate)) per 1,000 a year) is \(c.phrase(benchmarkName: areaName))'s.")
        } else if scopeDistrict == nil {
            for c in [Comparison.higher, .lower] {
                let names = districts.filter { $0.comparedWithArea == c }.map(\.name)
                guard !names.isEmpty else { continue }
                out.append("\(list(names)) \(names.count == 1 ? "has a rate" : "have rates") of serious violence \(c.phrase(benchmarkName: areaName))'s.")
            }
            for g in groupings where g.comparedWithArea == .higher || g.comparedWithArea == .lower {
                out.append("\(g.label): a rate \(g.comparedWithArea!.phrase(benchmarkName: areaName))'s.")
            }
        }
        for m in measures where !m.headline {
            guard let ch = m.twelveMonths, let t = ch.test, t.verdict != .noSignificantChange, let text = moved(ch) else { continue }
            out.append("\(m.label) \(text).")
        }
        if !peakHours.isEmpty {
            out.append("Serious violence in \(scopeName) peaks at \(list(peakHours.map(\.label))).")
        }
        return out
    }
}
