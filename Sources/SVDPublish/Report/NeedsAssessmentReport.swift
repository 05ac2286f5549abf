import Foundation
import SVDCore
import SVDMeasure
import SVDLocate

/// The needs assessment as one self-contained HTML file: inline SVG and CSS, nothing fetched, printable on A4.
///
/// Every number shown comes from a published (suppressed) value: the report never writes a raw count.
/// The output is well-formed XML as well as HTML.
public struct NeedsAssessmentReport {
    /// Section ids, in document order.
    public static let sectionIDs = ["headline", "district-map", "hotspots", "emerging", "hour-weekday", "trend", "age-strands",
                                    "people-places", "data-quality", "methods"]

    let input: AssessmentInput
    let area: Area
    let hotspots: ReportHotspots?
    /// The district of a local pack, or nil for the whole area.
    let district: Int?
    let maxHotspots: Int
    /// Every figure the report shows: the districts area-wide, the rest for the report's scope (the pack's district
    /// or the area); `tables` formats it as `svd assess` does, for the captions and notes the two share.
    let assessment: Assessment
    let tables: AssessmentTables
    /// Emerging hot spots over the report's period (nil: not computed), and the partner tier's targeting list.
    public var emerging: ReportEmerging?
    public var targeting: ReportTargeting?
    /// The run manifest in prose (version, command, inputs with SHA-256, area and definitions hashes), for the methods section.
    public var runLines: [String] = []

    /// `district` (an index into `area.districts`) makes a community safety partnership's pack: that district
    /// against the area, with its own hotspots and profiles. `hotspots` must then be that district's.
    public init(input: AssessmentInput, area: Area, hotspots: ReportHotspots?, district: Int? = nil, maxHotspots: Int = 10) {
        self.input = input
        self.area = area
        self.hotspots = hotspots
        self.district = district
        self.maxHotspots = maxHotspots
        assessment = Assessment(input: input, district: district)
        tables = AssessmentTables(assessment)
    }

    /// The report's tables as `svd assess` formats them, for its scope (the workbook of a pack): the figures the
    /// page shows, from the same assessment.
    public var workbookTables: [PublishedTable] { tables.all() }
    /// What a workbook's Notes sheet says the tables are: the page's title, definitions, period and area.
    public var cover: (title: String, definitions: String, period: String, area: String) {
        (title, input.definitions.name, periodText, input.areaName)
    }

    var disclosure: Disclosure { assessment.disclosure }
    var threshold: Int { input.disclosure.threshold }
    var n: Int { input.districts.count }
    var scopeName: String { district.map { input.districts[$0].name } ?? input.areaName }
    var periodText: String { "\(input.period.lowerBound) to \(input.period.upperBound)" }

    public func html() -> String {
        var m = Markup()
        m.raw("<!DOCTYPE html>\n")
        m.open("html", [("lang", "en-GB")])
        m.open("head")
        m.empty("meta", [("charset", "utf-8")])
        m.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
        m.element("title", [], title)
        // The marking and disclosure settings, machine-readable, for `svd audit` and anyone checking a file.
        m.empty("meta", [("name", "svd-marking"), ("content", input.disclosure.tier.marking)])
        m.empty("meta", [("name", "svd-disclosure"), ("content", disclosureMeta)])
        m.element("style", []) { $0.raw(Self.css) }
        m.close()
        m.open("body")
        header(&m)
        m.open("main")
        headlineSection(&m)
        districtMapSection(&m)
        hotspotSection(&m)
        emergingSection(&m)
        targetingSection(&m)
        hourWeekdaySection(&m)
        trendSection(&m)
        ageStrandSection(&m)
        peoplePlacesSection(&m)
        sourcesSection(&m)
        contextSection(&m)
        dataQualitySection(&m)
        methodsSection(&m)
        m.close()
        m.element("footer", []) { f in
            f.element("p", [], "\(area.attribution)")
        }
        m.close()
        m.close()
        precondition(m.isBalanced)
        return m.out + "\n"
    }

    public var title: String {
        district == nil ? "Serious violence needs assessment: \(input.areaName), \(periodText)"
            : "Serious violence local pack: \(scopeName) (\(input.areaName)), \(periodText)"
    }

    func header(_ m: inout Markup) {
        m.open("header")
        m.element("h1", [], title)
        m.element("p", [("class", "lede")], district == nil
            ? "Where, when and to whom serious violence happens across \(input.areaName), as the Serious Violence Duty's strategic needs assessment asks."
            : "The community safety partnership's own figures for \(scopeName), set against \(input.areaName).")
        m.element("p", [("class", "meta")], "Definitions: \(input.definitions.name). Period: \(periodText).")
        for line in input.disclosure.headerLines {
            m.element("p", input.disclosure.protects && input.disclosure.perturb ? [("class", "marking")] : [("class", "warning"), ("role", "alert")], line)
        }
        m.element("nav", [("aria-label", "Contents")]) { nav in
            nav.open("ol")
            for (id, label) in sections {
                nav.element("li", []) { $0.element("a", [("href", "#" + id)], label) }
            }
            nav.close()
        }
        m.close()
    }

    /// The sections present, in document order: the by-source panel only when the run read several sources.
    var sections: [(id: String, title: String)] {
        var s = Array(zip(Self.sectionIDs, sectionTitles)).map { (id: $0.0, title: $0.1) }
        if targeting != nil {
            s.insert((Self.targetingSectionID, "Places to target"), at: s.firstIndex { $0.id == Self.emergingSectionID }! + 1)
        }
        if !assessment.bySource.isEmpty {
            s.insert((Self.sourcesSectionID, "By source"), at: s.firstIndex { $0.id == "data-quality" }!)
        }
        if !assessment.context.isEmpty {
            s.insert((Self.contextSectionID, "Context from partners"), at: s.firstIndex { $0.id == "data-quality" }!)
        }
        return s
    }

    var sectionTitles: [String] {
        ["Headline figures", "Rates by district", "Hotspots", "Emerging hot spots", "Hour of day and weekday", "Monthly trend",
         "Victim age and strands", "People and places", "Data quality", "Methods and sources"]
    }

    func section(_ m: inout Markup, _ id: String, _ body: (inout Markup) -> Void) {
        m.open("section", [("id", id)])
        m.element("h2", [], sections.first { $0.id == id }!.title)
        body(&m)
        m.close()
    }

    // MARK: Tables

    struct Column {
        let header: String
        let numeric: Bool
        let value: ([PublishedTable.Value]) -> String
    }

    /// A rate per 1,000 as the tables show it (two decimals).
    static func rateText(_ x: Double) -> String { PublishedTable.Value.number(x, decimals: 2).display }

    /// The `i`th cell of rows the report built itself from the assessment, in display form.
    static func cell(_ i: Int, _ header: String, numeric: Bool = true) -> Column {
        Column(header: header, numeric: numeric) { $0[i].display }
    }

    /// A table from published values; `rowClass` tags rows by index (e.g. exact record accounting).
    func table(_ m: inout Markup, caption: String, columns: [Column], rows: [[PublishedTable.Value]],
               className: String = "data", rowClass: ((Int) -> String?)? = nil, notes: [String] = []) {
        m.open("table", [("class", className)])
        m.element("caption", [], caption)
        m.open("thead")
        m.open("tr")
        for c in columns { m.element("th", c.numeric ? [("scope", "col"), ("class", "num")] : [("scope", "col")], c.header) }
        m.close()
        m.close()
        m.open("tbody")
        for (i, row) in rows.enumerated() {
            if let cls = rowClass?(i) { m.open("tr", [("class", cls)]) } else { m.open("tr") }
            for c in columns {
                let text = c.value(row)
                m.element("td", c.numeric ? [("class", "num")] : [], text)
            }
            m.close()
        }
        m.close()
        m.close()
        for note in notes { m.element("p", [("class", "note")], note) }
    }

    /// The disclosure policy as JSON, with the hotspot outlines' generalisation as the maps declare it.
    var disclosureMeta: String {
        var d = input.disclosure.manifest
        if let places = hotspots?.places { d["generalisation"] = places.manifest }
        let data = (try? JSONSerialization.data(withJSONObject: d, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    var suppressionNote: String {
        input.disclosure.protects
            ? "“<\(threshold)”: a published count above zero and below \(threshold). “[c]”: withheld, because the district's total is below \(input.disclosure.minimumBase)."
                + (input.disclosure.perturb ? " Counts are perturbed slightly (at most \(input.disclosure.maxAbsNoise)), so parts need not add up to totals." : "")
            : "Partner tier: true counts."
    }

    var disclosureMethod: String {
        let p = input.disclosure
        guard p.protects else { return "Partner tier (\(p.tier.marking)): true counts, small ones included. Share only under the Information Sharing Agreement." }
        return "Public tier (\(p.tier.marking)). "
            + (p.perturb ? "Every count is perturbed by the cell key method (by at most \(p.maxAbsNoise); the same incidents always give the same value, in every table, pack and monthly run), so totals need not equal the sum of their parts. " : "")
            + "Published values below \(threshold) are shown as “<\(threshold)”; breakdowns of a district or hotspot with fewer than \(p.minimumBase) incidents are withheld (“[c]”). Rates, intervals, changes, shares and ranks are computed from the published counts. Record accounting in the data-quality table (rows read, accepted, rejected) counts records in the extracts, not people, and is exact."
    }
}

extension NeedsAssessmentReport {
    static let css = """
    :root{--ink:#1b1b1b;--muted:#555;--rule:#c8c8c8;--rise:#e66100;--fall:#1f5fa8}
    *{box-sizing:border-box}
    body{margin:0;font:14px/1.45 "DejaVu Sans","Segoe UI",Arial,sans-serif;color:var(--ink);background:#fff}
    header,main,footer{max-width:1180px;margin:0 auto;padding:0 24px}
    header{padding-top:18px;border-bottom:3px solid #440154}
    h1{font-size:24px;margin:6px 0 4px}
    h2{font-size:19px;margin:0 0 10px;padding-top:14px;border-top:1px solid var(--rule)}
    h3{font-size:15px;margin:12px 0 6px}
    .lede{font-size:15px;margin:4px 0}
    .meta,.note{color:var(--muted);font-size:12px;margin:4px 0}
    .warning{background:#fff1e6;border:2px solid var(--rise);padding:6px 10px;font-weight:bold}
    nav ol{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;padding:0;margin:6px 0 10px;font-size:13px}
    nav a{color:#2c3e7b}
    section{margin:18px 0 8px}
    .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(148px,1fr));gap:10px;margin:10px 0}
    .card{border:1px solid var(--rule);border-radius:6px;padding:8px 10px;break-inside:avoid}
    .card .label{font-size:12px;color:var(--muted);min-height:32px}
    .card .big{font-size:24px;font-weight:bold;display:block}
    .card .sub{font-size:11.5px;color:var(--muted)}
    .chg{font-weight:bold;font-size:13px}
    .chg.up{color:var(--rise)} .chg.down{color:var(--fall)} .chg.flat{color:var(--muted)}
    .pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:18px;align-items:start}
    .pair.even{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}
    figure{margin:0;break-inside:avoid}
    figcaption{font-size:12px;color:var(--muted);margin-top:4px}
    svg{max-width:100%;height:auto;display:block}
    svg text{font-family:"DejaVu Sans",Arial,sans-serif}
    .halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
    table.data{border-collapse:collapse;font-size:11.5px;margin:6px 0;width:100%}
    table.data caption{text-align:left;font-weight:bold;font-size:13px;padding:2px 0 4px}
    table.data th,table.data td{border-bottom:1px solid #e2e2e2;padding:2px 6px;text-align:left;vertical-align:top}
    table.data th{background:#f3f3f3}
    table.data .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    table.data th.num{white-space:normal}
    table.compact{font-size:10.5px}
    table.compact th,table.compact td{padding:1px 4px}
    tr.records td{color:#333}
    tr.selected td{background:#fff1e6;font-weight:bold}
    .scroll{max-height:420px;overflow:auto;border:1px solid #eee}
    .legend{font-size:12px}
    ul.legend{list-style:none;padding:0;columns:2}
    .swatch{display:inline-block;width:11px;height:11px;margin-right:6px;border:1px solid #888;vertical-align:-1px}
    dl.methods dt{font-weight:bold;margin-top:8px}
    dl.methods dd{margin:2px 0 0 0}
    footer{border-top:1px solid var(--rule);margin-top:20px;padding-bottom:24px;font-size:11.5px;color:var(--muted);white-space:pre-line}
    @page{size:A4 portrait;margin:12mm}
    @media print{
    body{font-size:9.5pt}
    header,main,footer{max-width:none;padding:0}
    nav{display:none}
    section{break-before:page;margin:0}
    section#headline{break-before:auto}
    .pair,.pair.even{display:block}
    figure svg{max-height:112mm;margin:0 auto}
    .scroll{max-height:none;overflow:visible;border:0}
    table.data{font-size:8pt}
    table.compact{font-size:7pt}
    tr,figure,.card,table.data caption{break-inside:avoid}
    h2{border-top:0}
    }
    """
}
