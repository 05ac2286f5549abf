import Foundation
import SVDCore

/// Names shared across files: strands by id and label, cohorts, districts by code and name, age bands.
struct Vocabulary {
    var strandByLabel: [String: String] = [:]
    var cohortByLabel: [String: Int] = [:]
    var districtCodes: [String] = []
    var codeByName: [String: String] = [:]
    var areaNames: Set<String> = []
    var bands: [String] = []

    mutating func addBand(_ b: String) { if !bands.contains(b) && !b.isEmpty { bands.append(b) } }

    /// A strand key: its id when the id is known, else its label.
    func strand(_ idOrLabel: String) -> String { strandByLabel[idOrLabel] ?? idOrLabel }

    func cohort(label: String) -> Filter? {
        if label == "All serious violence" || label == "all_ages" { return .all }
        if let n = cohortByLabel[label] { return .cohort(n) }
        if let r = label.range(of: #"^[Uu]nder[-_ ]?(\d+)"#, options: .regularExpression) {
            let digits = label[r].filter(\.isNumber)
            if let n = Int(digits) { return .cohort(n) }
        }
        return nil
    }

    func district(_ nameOrCode: String) -> Scope? {
        if areaNames.contains(nameOrCode) || nameOrCode == "TOTAL" { return .area }
        if nameOrCode == "OUTSIDE" { return .outside }
        if districtCodes.contains(nameOrCode) { return .district(nameOrCode) }
        if let c = codeByName[nameOrCode] { return .district(c) }
        return nil
    }

    /// Lower bound of an age band label ("18-24" → 18, "65+" → 65), nil for "unknown".
    static func bandLower(_ b: String) -> Int? {
        Int(b.prefix { $0.isNumber })
    }
}

/// Turns every published table into cells with intervals and the identities between them.
struct TableModel {
    let inputs: Inputs
    var vocabulary = Vocabulary()
    let model = Model()
    /// Per district code: population (for rates) from district_summary.
    var population: [Scope: Int] = [:]
    var cells = 0
    var tables = 0

    init(inputs: Inputs, area: AuditArea?) {
        self.inputs = inputs
        learnVocabulary(area: area)
        for doc in inputs.docs where !doc.skip { add(doc) }
        addFamilies()
        model.close()
    }

    // MARK: Vocabulary

    private mutating func learnVocabulary(area: AuditArea?) {
        var codes: [String] = []
        for doc in inputs.docs where !doc.skip {
            for t in doc.tables {
                switch t.id {
                case "strand_summary":
                    for (r, row) in t.rows.enumerated() where row.count >= 2 {
                        guard let id = t.value(r, "strand"), let label = t.value(r, "label"), id != "all_serious_violence" else { continue }
                        vocabulary.strandByLabel[label] = id
                    }
                case "cohort_summary":
                    for (r, _) in t.rows.enumerated() {
                        guard let id = t.value(r, "cohort"), let label = t.value(r, "label") else { continue }
                        if let f = vocabulary.cohort(label: id), case .cohort(let n) = f { vocabulary.cohortByLabel[label] = n }
                    }
                case "district_summary":
                    for (r, _) in t.rows.enumerated() {
                        guard let code = t.value(r, "district_code"), let name = t.value(r, "district") else { continue }
                        if code == "TOTAL" { vocabulary.areaNames.insert(name); continue }
                        if code == "OUTSIDE" || code.isEmpty { continue }
                        if !codes.contains(code) { codes.append(code) }
                        vocabulary.codeByName[name] = code
                    }
                case "victim_age_sex_by_district", "suspect_age_sex_by_district":
                    let col = t.id.hasPrefix("victim") ? "victim_age_band" : "suspect_age_band"
                    for r in t.rows.indices { if let b = t.value(r, col) { vocabulary.addBand(b) } }
                default: break
                }
            }
            if let html = doc.html {
                if let (areaName, _) = Self.reportScope(html.title) { vocabulary.areaNames.insert(areaName) }
                for m in html.methods where m.hasPrefix("Cohorts by victim age:") {
                    let ns = m as NSString
                    let re = try! NSRegularExpression(pattern: #"([^:;]+?) \(under (\d+)\)"#)
                    for match in re.matches(in: m, range: NSRange(location: 0, length: ns.length)) {
                        let label = ns.substring(with: match.range(at: 1)).trimmingCharacters(in: .whitespaces)
                        if let n = Int(ns.substring(with: match.range(at: 2))) { vocabulary.cohortByLabel[label] = n }
                    }
                }
                for t in html.tables where t.title == "Victim age band rates" {
                    for row in t.rows { if let b = row.first, b != "all ages" { vocabulary.addBand(b) } }
                }
            }
        }
        if let area {
            vocabulary.areaNames.insert(area.name)
            for d in area.districts where vocabulary.codeByName[d.name] == nil { vocabulary.codeByName[d.name] = d.code }
            if codes.isEmpty { codes = area.districts.map(\.code) }
        }
        vocabulary.districtCodes = codes
    }

    /// The area name and, for a pack, the district name, from a report's title.
    static func reportScope(_ title: String) -> (area: String, district: String?)? {
        if title.hasPrefix("Serious violence needs assessment: "), let comma = title.range(of: ", ", options: .backwards) {
            return (String(title[title.index(title.startIndex, offsetBy: 35)..<comma.lowerBound]), nil)
        }
        if title.hasPrefix("Serious violence local pack: "), let open = title.range(of: " ("), let close = title.range(of: "), ", options: .backwards) {
            let district = String(title[title.index(title.startIndex, offsetBy: 29)..<open.lowerBound])
            return (String(title[open.upperBound..<close.lowerBound]), district)
        }
        return nil
    }

    // MARK: Cells

    private mutating func observe(_ doc: Doc, _ t: ParsedTable, _ r: Int, _ column: String, _ key: CountKey, row label: String? = nil) {
        guard let raw = t.value(r, column) else { return }
        let cell = CellText(raw)
        guard let interval = doc.semantics.interval(cell) else { return }
        let rowLabel = label ?? t.rows[r].first ?? "\(r + 1)"
        model.observe(key, interval, ref: CellRef(doc: doc.index, table: t.title, row: rowLabel, column: column, line: t.lines[r], raw: raw, sheet: t.sheet))
        cells += 1
    }

    private func ref(_ doc: Doc, _ t: ParsedTable, _ r: Int, _ column: String, row label: String? = nil) -> CellRef {
        CellRef(doc: doc.index, table: t.title, row: label ?? t.rows[r].first ?? "\(r + 1)", column: column, line: t.lines[r], raw: t.value(r, column) ?? "",
                sheet: t.sheet)
    }

    /// A hidden count whose published value a derived figure gives away (within its rounding).
    private mutating func derive(_ doc: Doc, _ t: ParsedTable, _ r: Int, countColumn: String, key: CountKey,
                                 figureColumn: String, published: (Double, Double) -> (Double, Double)?, what: String, row label: String? = nil) {
        guard let raw = t.value(r, countColumn), case .small(let threshold) = CellText(raw),
              let figText = t.value(r, figureColumn), let x = CellText.number(figText) else { return }
        let half = 0.5 * pow(10, -Double(CellText.decimals(figText)))
        guard let (a, b) = published(x - half, x + half) else { return }
        let lo = max(1, Int(a.rounded(.up))), hi = min(threshold - 1, Int(b.rounded(.down)))
        guard lo <= hi else { return }
        let interval = doc.semantics.interval(publishedFrom: lo, to: hi)
        model.derived(key, interval, ref: ref(doc, t, r, figureColumn, row: label),
                      label: "\(doc.path) row \(label ?? t.rows[r].first ?? "") \(figureColumn) \(figText) is \(what), so the published \(countColumn) is \(lo == hi ? "\(lo)" : "\(lo)–\(hi)")")
    }

    private mutating func add(_ doc: Doc) {
        for t in doc.tables { addTable(doc, t) }
        if let html = doc.html { addReport(doc, html) }
    }

    private mutating func addTable(_ doc: Doc, _ t: ParsedTable) {
        // A file with no manifest or title to date it: the folder's tables share a stand-in period, far from any real
        // month, so they link to each other but to nothing else; 12-month totals get their own stand-in months,
        // since the period could be shorter than a year.
        let base = Int32(-100_000 - 1_000 * doc.group)
        let period = doc.period ?? Span(lo: base, hi: base + 35)
        let end = doc.period?.hi ?? (base + 500)
        let L12 = Span.last12(end), P12 = Span.previous12(end)
        let years = Double(period.months) / 12
        let scope = doc.scope
        tables += 1
        switch t.id {
        case "district_summary":
            for r in t.rows.indices {
                guard let code = t.value(r, "district_code"), let s = vocabulary.district(code) ?? (code.isEmpty ? nil : .district(code)) else { continue }
                observe(doc, t, r, "incidents", CountKey(sf: ScopeFilter(scope: s, filter: .all), span: period), row: code)
                observe(doc, t, r, "last_12_months", CountKey(sf: ScopeFilter(scope: s, filter: .all), span: L12), row: code)
                observe(doc, t, r, "previous_12_months", CountKey(sf: ScopeFilter(scope: s, filter: .all), span: P12), row: code)
                if let pop = t.value(r, "population").flatMap({ Int($0.replacingOccurrences(of: ",", with: "")) }) {
                    population[s] = pop
                    derive(doc, t, r, countColumn: "incidents", key: CountKey(sf: ScopeFilter(scope: s, filter: .all), span: period),
                           figureColumn: "rate_per_1000_per_year", published: { ($0 * Double(pop) * years / 1000, $1 * Double(pop) * years / 1000) },
                           what: "a rate of it", row: code)
                }
                deriveDifference(doc, t, r, current: "last_12_months", previous: "previous_12_months", difference: "difference",
                                 keys: (CountKey(sf: ScopeFilter(scope: s, filter: .all), span: L12), CountKey(sf: ScopeFilter(scope: s, filter: .all), span: P12)), row: code)
            }
        case "cohort_summary":
            for r in t.rows.indices {
                guard let id = t.value(r, "cohort"), let f = vocabulary.cohort(label: id) else { continue }
                let sf = ScopeFilter(scope: .area, filter: f)
                observe(doc, t, r, "last_12_months", CountKey(sf: sf, span: L12))
                observe(doc, t, r, "previous_12_months", CountKey(sf: sf, span: P12))
                deriveDifference(doc, t, r, current: "last_12_months", previous: "previous_12_months", difference: "difference",
                                 keys: (CountKey(sf: sf, span: L12), CountKey(sf: sf, span: P12)), row: id)
                if let fy = t.value(r, "financial_year"), let (now, before) = Self.financialYears(fy) {
                    observe(doc, t, r, "fy_count", CountKey(sf: sf, span: now))
                    observe(doc, t, r, "previous_fy_count", CountKey(sf: sf, span: before))
                }
            }
        case "district_change":
            let cohorts = t.columns.compactMap { c -> String? in c.hasSuffix("_last_12") ? String(c.dropLast(8)) : nil }
            for r in t.rows.indices {
                guard let code = t.value(r, "district_code"), let s = vocabulary.district(code) ?? (code.isEmpty ? nil : .district(code)) else { continue }
                for c in cohorts {
                    guard let f = vocabulary.cohort(label: c) else { continue }
                    let sf = ScopeFilter(scope: s, filter: f)
                    observe(doc, t, r, "\(c)_last_12", CountKey(sf: sf, span: L12), row: code)
                    observe(doc, t, r, "\(c)_previous_12", CountKey(sf: sf, span: P12), row: code)
                    deriveDifference(doc, t, r, current: "\(c)_last_12", previous: "\(c)_previous_12", difference: "\(c)_difference",
                                     keys: (CountKey(sf: sf, span: L12), CountKey(sf: sf, span: P12)), row: code)
                }
            }
        case "strand_by_district":
            let strands = t.columns.filter { $0 != "district_code" && $0 != "district" && !$0.hasSuffix("_rate_per_1000_per_year") }
            for r in t.rows.indices {
                guard let code = t.value(r, "district_code"), let s = vocabulary.district(code) ?? (code.isEmpty ? nil : .district(code)) else { continue }
                for id in strands {
                    let key = CountKey(sf: ScopeFilter(scope: s, filter: .strand(vocabulary.strand(id))), span: period)
                    observe(doc, t, r, id, key, row: code)
                    if let pop = population[s] {
                        derive(doc, t, r, countColumn: id, key: key, figureColumn: "\(id)_rate_per_1000_per_year",
                               published: { ($0 * Double(pop) * years / 1000, $1 * Double(pop) * years / 1000) }, what: "a rate of it", row: code)
                    }
                }
            }
        case "victim_age_sex_by_district", "suspect_age_sex_by_district":
            let role = t.id.hasPrefix("victim") ? "victim" : "suspect"
            for r in t.rows.indices {
                guard let code = t.value(r, "district_code"), let band = t.value(r, "\(role)_age_band"),
                      let s = vocabulary.district(code) ?? (code.isEmpty ? nil : .district(code)) else { continue }
                let label = "\(code) \(band)"
                for sex in ["female", "male", "sex_unknown"] {
                    observe(doc, t, r, sex, CountKey(sf: ScopeFilter(scope: s, filter: .bandSex(role: role, band: band, sex: sex)), span: period), row: label)
                }
                let key = CountKey(sf: ScopeFilter(scope: s, filter: .band(role: role, band: band)), span: period)
                observe(doc, t, r, "all", key, row: label)
                if let pop = t.value(r, "band_population").flatMap({ Int($0.replacingOccurrences(of: ",", with: "")) }) {
                    derive(doc, t, r, countColumn: "all", key: key, figureColumn: "rate_per_1000_per_year",
                           published: { ($0 * Double(pop) * years / 1000, $1 * Double(pop) * years / 1000) }, what: "a rate of it", row: label)
                }
            }
        case "hour_by_weekday":
            addHourWeekday(doc, t, scope: scope, period: period, dayColumns: CivilDate.weekdayNames + ["weekday_unknown"], all: "all")
        case "location_type":
            let whole = t.rows.firstIndex { $0.first == "all" }.flatMap { t.value($0, "incidents") }.flatMap { raw -> Int? in
                if case .count(let n) = CellText(raw) { return n } else { return nil } }
            for r in t.rows.indices {
                guard let type = t.rows[r].first else { continue }
                let key = CountKey(sf: ScopeFilter(scope: scope, filter: type == "all" ? .all : .place(type)), span: period)
                observe(doc, t, r, "incidents", key)
                if let w = whole, type != "all" {
                    derive(doc, t, r, countColumn: "incidents", key: key, figureColumn: "share_percent",
                           published: { ($0 * Double(w) / 100, $1 * Double(w) / 100) }, what: "its share of \(w)")
                }
            }
        case "monthly_trend":
            for r in t.rows.indices {
                guard let m = t.rows[r].first.flatMap({ MonthKey(parsing: Substring($0)) }) else { continue }
                let month = Span(m, m)
                for c in t.columns.dropFirst() {
                    switch c {
                    case "all_serious_violence": observe(doc, t, r, c, CountKey(sf: ScopeFilter(scope: scope, filter: .all), span: month))
                    case "all_rolling_12_months": observe(doc, t, r, c, CountKey(sf: ScopeFilter(scope: scope, filter: .all), span: Span(lo: m.index - 11, hi: m.index)))
                    default: observe(doc, t, r, c, CountKey(sf: ScopeFilter(scope: scope, filter: .strand(vocabulary.strand(c))), span: month))
                    }
                }
            }
        case "strand_summary":
            for r in t.rows.indices {
                guard let id = t.value(r, "strand") else { continue }
                let f: Filter = id == "all_serious_violence" ? .all : .strand(vocabulary.strand(id))
                observe(doc, t, r, "incidents", CountKey(sf: ScopeFilter(scope: scope, filter: f), span: period))
            }
        case "offence_mix":
            addOffenceMix(doc, t, scope: scope, period: period)
        case "data_quality":
            addDataQuality(doc, t, scope: scope, period: period, measure: "measure", value: "value")
        default:
            tables -= 1
        }
    }

    private mutating func deriveDifference(_ doc: Doc, _ t: ParsedTable, _ r: Int, current: String, previous: String, difference: String,
                                           keys: (CountKey, CountKey), row: String) {
        guard let dText = t.value(r, difference), case .count(let d) = CellText(dText),
              let c = t.value(r, current).map(CellText.init), let p = t.value(r, previous).map(CellText.init) else { return }
        switch (c, p) {
        case (.small, .count(let pv)):
            derive(doc, t, r, countColumn: current, key: keys.0, figureColumn: difference, published: { _, _ in (Double(pv + d), Double(pv + d)) },
                   what: "\(current) − \(previous) (\(pv))", row: row)
        case (.count(let cv), .small):
            derive(doc, t, r, countColumn: previous, key: keys.1, figureColumn: difference, published: { _, _ in (Double(cv - d), Double(cv - d)) },
                   what: "\(current) (\(cv)) − \(previous)", row: row)
        default: break
        }
    }

    private mutating func addHourWeekday(_ doc: Doc, _ t: ParsedTable, scope: Scope, period: Span, dayColumns: [String], all: String) {
        for r in t.rows.indices {
            guard let hour = t.rows[r].first else { continue }
            for d in dayColumns where t.column(d) != nil {
                observe(doc, t, r, d, CountKey(sf: ScopeFilter(scope: scope, filter: .hourDay(hour: hour, day: d)), span: period))
            }
            observe(doc, t, r, all, CountKey(sf: ScopeFilter(scope: scope, filter: .hourDay(hour: hour, day: "*")), span: period))
        }
    }

    private mutating func addOffenceMix(_ doc: Doc, _ t: ParsedTable, scope: Scope, period: Span) {
        var byScope: [String: [ScopeFilter]] = [:]
        for r in t.rows.indices {
            guard let name = t.value(r, "offence_category"), let sc = t.value(r, "scope") else { continue }
            if name == "all \(sc)" {
                let f: Filter = sc == "serious violence" ? .all : .offenceScope(sc)
                observe(doc, t, r, "incidents", CountKey(sf: ScopeFilter(scope: scope, filter: f), span: period))
            } else {
                let sf = ScopeFilter(scope: scope, filter: .offence(name))
                observe(doc, t, r, "incidents", CountKey(sf: sf, span: period))
                byScope[sc, default: []].append(sf)
            }
        }
        // Categories not listed had no incident: each scope's total is the sum of its listed categories.
        for (sc, parts) in byScope {
            let parent = ScopeFilter(scope: scope, filter: sc == "serious violence" ? .all : .offenceScope(sc))
            model.addFamily(Family(parent: parent, children: parts, relation: .sum, route: .rowColumnTotals,
                                   label: "\(doc.path): all \(sc) = the sum of its offence categories", fixedSpan: period))
        }
    }

    private mutating func addDataQuality(_ doc: Doc, _ t: ParsedTable, scope: Scope, period: Span, measure: String, value: String) {
        for r in t.rows.indices {
            guard let m = t.value(r, measure) else { continue }
            let f: ScopeFilter?
            switch m {
            case "serious violence with unknown victim age": f = ScopeFilter(scope: scope, filter: .band(role: "victim", band: "unknown"))
            case "serious violence with unknown hour": f = ScopeFilter(scope: scope, filter: .hourDay(hour: "unknown", day: "*"))
            case "serious violence with unknown location type": f = ScopeFilter(scope: scope, filter: .place("unknown"))
            case "serious violence located outside every district": f = scope == .area ? ScopeFilter(scope: .outside, filter: .all) : nil
            default: f = nil
            }
            if let f { observe(doc, t, r, value, CountKey(sf: f, span: period)) }
        }
    }

    /// "2025/26 vs 2024/25" → April 2025–March 2026 and the year before.
    static func financialYears(_ text: String) -> (Span, Span)? {
        guard let r = text.range(of: #"^\d{4}/\d{2}"#, options: .regularExpression), let y = Int(text[r].prefix(4)) else { return nil }
        let now = Span(MonthKey(year: y, month: 4), MonthKey(year: y + 1, month: 3))
        let before = Span(MonthKey(year: y - 1, month: 4), MonthKey(year: y, month: 3))
        return (now, before)
    }

    // MARK: Reports and packs

    private mutating func addReport(_ doc: Doc, _ html: HTMLDocument) {
        guard let period = doc.period else { return }
        if let (area, district) = Self.reportScope(html.title) {
            doc.areaName = area
            if let district { doc.scope = vocabulary.district(district) ?? .district(district) }
        }
        let scope = doc.scope
        let end = period.hi
        for t in html.tables {
            tables += 1
            switch t.title {
            case "Rate by district, highest first":
                for r in t.rows.indices {
                    guard let name = t.rows[r].first else { continue }
                    let s = vocabulary.district(name) ?? .district(name)
                    observe(doc, t, r, "Incidents", CountKey(sf: ScopeFilter(scope: s, filter: .all), span: period))
                }
            case _ where t.title.hasPrefix("Hour of day by weekday"):
                var renamed = t
                renamed.columns = t.columns.map { $0 == "Hour" ? "hour" : $0 == "Day unknown" ? "weekday_unknown" : $0 == "All" ? "all" : $0 }
                addHourWeekday(doc, renamed, scope: scope, period: period, dayColumns: CivilDate.weekdayNames + ["weekday_unknown"], all: "all")
            case _ where t.title.hasPrefix("Monthly trend by strand"):
                for r in t.rows.indices {
                    guard let m = t.rows[r].first.flatMap({ MonthKey(parsing: Substring($0)) }) else { continue }
                    for c in t.columns.dropFirst() {
                        switch c {
                        case "All serious violence": observe(doc, t, r, c, CountKey(sf: ScopeFilter(scope: scope, filter: .all), span: Span(m, m)))
                        case "Rolling 12 months": observe(doc, t, r, c, CountKey(sf: ScopeFilter(scope: scope, filter: .all), span: Span(lo: m.index - 11, hi: m.index)))
                        default: observe(doc, t, r, c, CountKey(sf: ScopeFilter(scope: scope, filter: .strand(vocabulary.strand(c))), span: Span(m, m)))
                        }
                    }
                }
            case "Victim age band rates":
                for r in t.rows.indices {
                    guard let band = t.rows[r].first else { continue }
                    let f: Filter = band == "all ages" ? .all : .band(role: "victim", band: band)
                    observe(doc, t, r, "Incidents", CountKey(sf: ScopeFilter(scope: scope, filter: f), span: period))
                }
            case "Strand mix":
                let whole = t.rows.first { $0.first == "All serious violence" }.flatMap { $0.count > 1 ? $0[1] : nil }.flatMap { raw -> Int? in
                    if case .count(let n) = CellText(raw) { return n } else { return nil } }
                for r in t.rows.indices {
                    guard let label = t.rows[r].first else { continue }
                    let f: Filter = label == "All serious violence" ? .all : .strand(vocabulary.strand(label))
                    let key = CountKey(sf: ScopeFilter(scope: scope, filter: f), span: period)
                    observe(doc, t, r, "Incidents", key)
                    if let w = whole, f != .all {
                        derive(doc, t, r, countColumn: "Incidents", key: key, figureColumn: "Share",
                               published: { ($0 * Double(w) / 100, $1 * Double(w) / 100) }, what: "its share of \(w)")
                    }
                }
            case "Data quality":
                addDataQuality(doc, t, scope: scope, period: period, measure: "Measure", value: "Value")
            default:
                tables -= 1
            }
        }
        // Headline cards: the last 12 months and the 12 before, for the report's scope.
        if !html.cards.isEmpty {
            var t = ParsedTable(id: "headline", title: "Headline figures", columns: ["label", "last 12 months", "previous 12 months"], rows: [], lines: [])
            for (i, c) in html.cards.enumerated() {
                t.rows.append([c.label, c.current, c.previous ?? ""])
                t.lines.append(i + 1)
            }
            for r in t.rows.indices {
                let label = t.rows[r][0]
                let f: Filter = vocabulary.cohort(label: label) ?? .strand(vocabulary.strand(label))
                observe(doc, t, r, "last 12 months", CountKey(sf: ScopeFilter(scope: scope, filter: f), span: Span.last12(end)))
                observe(doc, t, r, "previous 12 months", CountKey(sf: ScopeFilter(scope: scope, filter: f), span: Span.previous12(end)))
            }
        }
    }

    // MARK: Identities

    private mutating func addFamilies() {
        // Scopes and filters seen, so identities are stated only where something is published.
        var scopes = Set<Scope>([.area])
        var filters = Set<Filter>()
        var districtFilters = Set<Filter>()
        for k in model.keys {
            scopes.insert(k.sf.scope)
            filters.insert(k.sf.filter)
            if case .district = k.sf.scope { districtFilters.insert(k.sf.filter) }
        }
        let strands = Set(filters.compactMap { f -> String? in if case .strand(let s) = f { return s } else { return nil } }).sorted()
        let cohorts = Set(filters.compactMap { f -> Int? in if case .cohort(let n) = f { return n } else { return nil } }).sorted()
        let bands = vocabulary.bands
        let hours = (0..<24).map { ($0 < 10 ? "0" : "") + "\($0):00" } + ["unknown"]
        let days = CivilDate.weekdayNames + ["weekday_unknown"]
        let places = LocationType.allCases.map(\.label)
        func sf(_ s: Scope, _ f: Filter) -> ScopeFilter { ScopeFilter(scope: s, filter: f) }

        for s in scopes where s != .outside {
            let name = s == .area ? "the area" : "district \(s)"
            let all = sf(s, .all)
            func family(_ parent: ScopeFilter, _ children: [ScopeFilter], _ route: Finding.Route, _ label: String, _ relation: Family.Relation = .sum,
                        triggers: [ScopeFilter]? = nil) {
                model.addFamily(Family(parent: parent, children: children, relation: relation, route: route, label: label, fixedSpan: nil, triggers: triggers))
            }
            if !bands.isEmpty {
                for role in ["victim", "suspect"] {
                    family(all, bands.map { sf(s, .band(role: role, band: $0)) }, .linkedTables, "\(name): all serious violence = the sum of \(role) age bands")
                    for b in bands {
                        family(sf(s, .band(role: role, band: b)), ["female", "male", "sex_unknown"].map { sf(s, .bandSex(role: role, band: b, sex: $0)) },
                               .rowColumnTotals, "\(name): \(role) age \(b) = female + male + sex unknown")
                    }
                }
                for n in cohorts {
                    // Cohorts are by victim age band: under N = the bands below N, when N is a band boundary.
                    guard bands.contains(where: { Vocabulary.bandLower($0) == n }) else { continue }
                    let below = bands.filter { (Vocabulary.bandLower($0) ?? Int.max) < n }
                    family(sf(s, .cohort(n)), below.map { sf(s, .band(role: "victim", band: $0)) }, .linkedTables,
                           "\(name): victims under \(n) = the victim age bands below \(n)")
                }
            }
            family(all, hours.map { sf(s, .hourDay(hour: $0, day: "*")) }, .rowColumnTotals, "\(name): all serious violence = the sum of the hour rows")
            for h in hours {
                family(sf(s, .hourDay(hour: h, day: "*")), days.map { sf(s, .hourDay(hour: h, day: $0)) }, .rowColumnTotals, "\(name): hour \(h) = the sum of its weekday cells")
            }
            // Column totals are not published; stating them still tightens the propagation.
            let rows = hours.map { sf(s, .hourDay(hour: $0, day: "*")) }
            for d in days {
                family(sf(s, .hourDay(hour: "*", day: d)), hours.map { sf(s, .hourDay(hour: $0, day: d)) }, .rowColumnTotals, "\(name): \(d) = the sum of its hour cells")
            }
            family(all, days.map { sf(s, .hourDay(hour: "*", day: $0)) }, .rowColumnTotals, "\(name): all serious violence = the sum of the weekday columns", triggers: rows)
            family(all, places.map { sf(s, .place($0)) }, .rowColumnTotals, "\(name): all serious violence = the sum of location types")
            for st in strands { family(all, [sf(s, .strand(st))], .linkedTables, "\(name): strand \(st) ≤ all serious violence", .atLeast) }
            for (i, n) in cohorts.enumerated() {
                family(all, [sf(s, .cohort(n))], .linkedTables, "\(name): victims under \(n) ≤ all serious violence", .atLeast)
                if i > 0 { family(sf(s, .cohort(n)), [sf(s, .cohort(cohorts[i - 1]))], .linkedTables, "\(name): under \(cohorts[i - 1]) ≤ under \(n)", .atLeast) }
            }
        }
        // The area is the sum of its districts, for everything published by district (tables, packs).
        let codes = vocabulary.districtCodes
        if !codes.isEmpty {
            for f in districtFilters {
                model.addFamily(Family(parent: sf(.area, f), children: codes.map { sf(.district($0), f) }, relation: .sum,
                                       route: .districtArea, label: "the area = the sum of its \(codes.count) districts (\(f))", fixedSpan: nil))
            }
        }
    }
}
