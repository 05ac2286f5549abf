import Foundation
import SVDCore

/// One file given to the audit (directly or inside a folder), read once.
final class Doc {
    enum Kind: Equatable { case csv, json, md, manifest, headline, geojson, html, xlsx, other }

    let index: Int
    /// As printed in findings.
    let path: String
    let url: URL
    /// The folder it was found in (or the file itself), an index into `Inputs.groups`.
    let group: Int
    let kind: Kind
    var semantics = Semantics.exact
    /// The analysis period of the run that wrote it.
    var period: Span?
    /// The report's or pack's scope; tables of `svd assess` are area-wide.
    var scope: Scope = .area
    var areaName: String?
    var tables: [ParsedTable] = []
    var html: HTMLDocument?
    var geojson: [String: Any]?
    /// Marking lines (CSV `#`, Markdown `>`, JSON `header`, HTML marking paragraphs, a workbook's Notes sheet rows).
    var header: [String] = []
    /// Where a workbook's marking sits ("sheet Notes row 1").
    var markingPlace: String?
    /// The disclosure settings the file itself carries (HTML meta, GeoJSON member, manifest).
    var disclosure: [String: Any]?
    var text: String = ""
    /// Rejects or input records: reported, never modelled.
    var skip = false

    init(index: Int, path: String, url: URL, group: Int, kind: Kind) {
        self.index = index
        self.path = path
        self.url = url
        self.group = group
        self.kind = kind
    }

    /// Preference when naming a cell published in several files: CSV first.
    var formatRank: Int {
        switch kind {
        case .csv: 0
        case .json: 1
        case .md: 2
        case .xlsx: 3
        case .html: 4
        default: 5
        }
    }

    var stem: String { url.deletingPathExtension().lastPathComponent }
}

struct Group {
    let path: String
    let isFolder: Bool
    /// A `.restricted` folder: reported once as a whole, with its rejects.
    var restricted = false
    var manifest: [String: Any]?
    var manifestError: String?
    var docs: [Int] = []
}

/// Everything given on the command line, found and read.
struct Inputs {
    var docs: [Doc] = []
    var groups: [Group] = []
    var findings: [Finding] = []
    var notes: [String] = []

    /// Table ids `svd assess` and `svd hotspots` write.
    static let knownTables: Set<String> = [
        "district_summary", "cohort_summary", "district_change", "strand_by_district", "victim_age_sex_by_district",
        "suspect_age_sex_by_district", "hour_by_weekday", "location_type", "monthly_trend", "strand_summary", "offence_mix",
        "data_quality", "hotspots_dbscan", "hotspots_by_district", "district_hotspots", "hotspots_gistar", "hotspots_kde",
        "hotspots_emerging",
    ]

    init(paths: [String]) throws {
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw AuditInputError("\(p): no such file or folder") }
            if isDir.boolValue {
                try addFolder(p)
            } else {
                let g = groups.count
                groups.append(Group(path: p, isFolder: false))
                try addFile(p, group: g)
            }
        }
        nameWorkbookTables()
        for g in groups.indices where groups[g].isFolder { checkFolder(g) }
        for d in docs { resolve(d) }
    }

    private mutating func addFolder(_ p: String) throws {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: p) else { throw AuditInputError("\(p): cannot read the folder") }
        let g = groups.count
        groups.append(Group(path: p, isFolder: true))
        let base = p.hasSuffix("/") ? String(p.dropLast()) : p
        if (base as NSString).lastPathComponent.hasSuffix(".restricted") {
            groups[g].restricted = true
            findings.append(Finding(file: p, location: "folder", message: "a restricted folder (rejects: whole input records, OFFICIAL-SENSITIVE): never publish it", route: .fitness))
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let full = base + "/" + name
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: full, isDirectory: &isDir)
            if isDir.boolValue {
                try addFolder(full)
            } else if name == "manifest.json" {
                guard let data = fm.contents(atPath: full) else { throw AuditInputError("\(full): cannot read the file") }
                if let m = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
                    groups[g].manifest = m
                } else {
                    groups[g].manifestError = "manifest.json is not a JSON object"
                }
                try addFile(full, group: g)
            } else {
                try addFile(full, group: g)
            }
        }
    }

    private mutating func addFile(_ p: String, group g: Int) throws {
        let url = URL(fileURLWithPath: p)
        guard let data = FileManager.default.contents(atPath: p) else { throw AuditInputError("\(p): cannot read the file") }
        let ext = url.pathExtension.lowercased()
        let name = url.lastPathComponent
        let kind: Doc.Kind = switch ext {
        case "csv": .csv
        case "md": name == "cohort_headline.md" ? .headline : .md
        case "json": name == "manifest.json" ? .manifest : .json
        case "geojson": .geojson
        case "html", "htm": .html
        case "xlsx": .xlsx
        default: .other
        }
        let doc = Doc(index: docs.count, path: p, url: url, group: g, kind: kind)
        docs.append(doc)
        groups[g].docs.append(doc.index)
        let text = String(decoding: data, as: UTF8.self)
        doc.text = kind == .html || kind == .geojson || kind == .xlsx ? "" : text
        let stem = doc.stem
        func fit(_ location: String, _ message: String) { findings.append(Finding(file: p, location: location, message: message, route: .fitness)) }

        if name.lowercased() == "rejects.csv" || name.lowercased().hasPrefix("rejects") && ext == "csv" {
            fit("file", "a rejects file: whole input records with line numbers (OFFICIAL-SENSITIVE); it belongs in the restricted folder beside the run, never among files to publish")
            doc.skip = true
            return
        }
        switch kind {
        case .csv:
            let (header, table) = CSV.table(id: stem, text: text)
            doc.header = header
            if let cols = table?.columns, Self.holdsRecords(cols) {
                fit("line \(header.count + 1)", "holds input records (columns \(cols.prefix(6).joined(separator: ", "))…): incident-level data, never publishable")
                doc.skip = true
                return
            }
            if let table { doc.tables = [table] }
        case .md:
            let (header, table) = MarkdownTable.read(id: stem, text: text)
            doc.header = header
            if let table { doc.tables = [table] }
        case .headline:
            doc.header = MarkdownTable.read(id: stem, text: text).header
        case .json:
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                if (try? JSONSerialization.jsonObject(with: data)) is [Any] {
                    fit("file", "a JSON array with no marking: not an svd table (cannot be checked)")
                } else {
                    fit("file", "not valid JSON: cannot be checked")
                }
                return
            }
            let (header, table) = JSONTable.read(id: stem, object: object)
            doc.header = header ?? []
            if let table { doc.tables = [table] }
        case .manifest:
            break
        case .geojson:
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                fit("file", "not valid GeoJSON: cannot be checked")
                return
            }
            doc.geojson = object
            doc.disclosure = object["svd_disclosure"] as? [String: Any]
        case .html:
            guard let html = HTMLDocument.parse(data) else {
                fit("file", "not an svd report (does not parse as XHTML): its contents cannot be checked")
                return
            }
            doc.html = html
            if let json = html.meta["svd-disclosure"], let d = json.data(using: .utf8) {
                doc.disclosure = (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
            }
            doc.header = html.markingLines
        case .xlsx:
            addWorkbook(doc, data)
        case .other:
            if groups[g].restricted { doc.skip = true; return }
            fit("file", "not an svd output (.\(ext.isEmpty ? "?" : ext)): it carries no protective marking the audit can check")
        }
    }

    /// A workbook's tables, its marking (the Notes sheet's rows) and each sheet's own marking rows.
    private mutating func addWorkbook(_ doc: Doc, _ data: Data) {
        func fit(_ location: String, _ message: String) { findings.append(Finding(file: doc.path, location: location, message: message, route: .fitness)) }
        let wb: XLSXWorkbook
        do {
            wb = try XLSXWorkbook.read(data)
        } catch {
            fit("file", "not a readable workbook: \(error); its contents cannot be checked")
            return
        }
        let read = WorkbookTables(wb)
        doc.header = read.header
        doc.markingPlace = "sheet \(read.notesSheet ?? read.tables.first?.sheet ?? wb.sheets[0].name) row 1"
        for p in read.problems { fit(p.location, p.message) }
        if read.tables.isEmpty && read.problems.isEmpty { fit("file", "a workbook with no table sheet: nothing the audit can check") }
        for t in read.tables {
            let sheet = t.sheet ?? t.id
            let headerRow = (t.lines.first ?? 2) - 1
            if Self.holdsRecords(t.columns) {
                fit("sheet '\(sheet)' row \(headerRow)", "holds input records (columns \(t.columns.prefix(6).joined(separator: ", "))…): incident-level data, never publishable")
                continue
            }
            let marking = read.markings[sheet] ?? []
            if marking.isEmpty {
                fit("sheet '\(sheet)' row 1", "no protective marking in the sheet's first rows (svd writes the marking above every table, as the CSV's '#' line)")
            } else if !doc.header.isEmpty && marking != doc.header {
                fit("sheet '\(sheet)' row 1", "marking rows ('\(marking[0])') differ from the workbook's ('\(doc.header[0])'): the sheet was not written with the rest of the workbook")
            }
            doc.tables.append(t)
        }
        // The Notes sheet states the tier and marking in words too: they must agree with its marking row.
        if let own = doc.header.first.flatMap(Self.semantics(headerLine:)) {
            let notes = "sheet \(read.notesSheet ?? "Notes")"
            if let tier = read.facts["Disclosure tier"], tier != own.tier.rawValue {
                fit(notes, "Disclosure tier '\(tier)' disagrees with the marking row (\(own.tier.rawValue) tier): the workbook was edited")
            }
            let expected = own.tier == .partner ? "OFFICIAL-SENSITIVE" : "OFFICIAL"
            if let m = read.facts["Marking"], m != expected {
                fit(notes, "Marking '\(m)' disagrees with the marking row (\(expected)): the workbook was edited")
            }
        }
        if let p = read.facts["Period"].flatMap(Self.period(in:)) { doc.period = p }
    }

    /// A workbook's sheets are named by table id, cut to Excel's 31 characters and made unique: each is mapped back to
    /// the id of the same table in the folder's CSV, Markdown and JSON files (or an id svd writes), by name, then title.
    private mutating func nameWorkbookTables() {
        func folder(_ d: Doc) -> String { d.url.deletingLastPathComponent().standardizedFileURL.path }
        for doc in docs where doc.kind == .xlsx && !doc.skip && !doc.tables.isEmpty {
            var titles: [String: String?] = [:]
            for id in Self.knownTables { titles[id] = .some(nil) }
            for other in docs where other.index != doc.index && !other.skip && [.csv, .md, .json].contains(other.kind) && folder(other) == folder(doc) {
                for t in other.tables where titles[t.id] == nil || titles[t.id]! == nil { titles[t.id] = other.kind == .csv ? .some(nil) : t.title }
            }
            let candidates = titles.sorted { $0.key < $1.key }.map { (id: $0.key, title: $0.value) }
            for i in doc.tables.indices {
                let sheet = doc.tables[i].sheet ?? doc.tables[i].id
                if let id = WorkbookTables.tableId(sheet: sheet, title: doc.tables[i].title, candidates: candidates) {
                    doc.tables[i].id = id
                } else if sheet.utf16.count == 31 || sheet.range(of: #"~\d+$"#, options: .regularExpression) != nil {
                    notes.append("\(doc.path): sheet '\(sheet)' (a cut or uniquified name) matches no table of its folder: read as table '\(sheet)'")
                }
            }
        }
    }

    /// Column sets of incident records: the native schema, data.police.uk, or a rejects file.
    static func holdsRecords(_ columns: [String]) -> Bool {
        let c = Set(columns.map { $0.lowercased().trimmingCharacters(in: .whitespaces) })
        if c.isSuperset(of: ["file", "line", "reason", "record"]) { return true }
        if c.contains("crime id") && (c.contains("longitude") || c.contains("latitude")) { return true }
        let located = c.isSuperset(of: ["easting", "northing"]) || c.isSuperset(of: ["longitude", "latitude"])
        return located && (c.contains("id") || c.contains("datetime") || c.contains("offence") || c.contains("date"))
    }

    // MARK: Folders

    private mutating func checkFolder(_ g: Int) {
        let group = groups[g]
        let hasPublishable = group.docs.contains { docs[$0].kind != .html }
        guard hasPublishable, !group.restricted else { return }
        guard let manifest = group.manifest else {
            findings.append(Finding(file: group.path, location: "folder", message: group.manifestError
                                    ?? "no manifest.json: an incomplete run (svd writes it last) or files not written by svd", route: .fitness))
            return
        }
        let listed = Set((manifest["files"] as? [String]) ?? [])
        let present = Set(group.docs.map { docs[$0].url.lastPathComponent })
        for name in listed.subtracting(present).sorted() {
            findings.append(Finding(file: group.path + "/" + name, location: "file", message: "listed in manifest.json but missing: an incomplete run", route: .fitness))
        }
        for d in group.docs where docs[d].kind != .manifest {
            let name = docs[d].url.lastPathComponent
            if !listed.contains(name) && name.lowercased() != "rejects.csv" {
                findings.append(Finding(file: docs[d].path, location: "file", message: "not listed in the folder's manifest.json: not written by this run (its marking and settings cannot be trusted)", route: .fitness))
            }
        }
        if manifest["disclosure"] == nil {
            findings.append(Finding(file: group.path + "/manifest.json", location: "disclosure", message: "manifest carries no disclosure settings: the files' protection cannot be established", route: .fitness))
        }
    }

    // MARK: Semantics

    /// Reads disclosure settings in the manifest's form.
    static func semantics(_ d: [String: Any]) -> Semantics {
        let tier = Semantics.Tier(rawValue: (d["tier"] as? String) ?? "") ?? ((d["marking"] as? String) == "OFFICIAL-SENSITIVE" ? .partner : .unknown)
        var noise = 0
        if let p = d["perturbation"] as? [String: Any] { noise = (p["max_abs_noise"] as? Int) ?? Int((p["max_abs_noise"] as? Double) ?? 0) }
        let threshold = d["threshold"] as? Int
        return Semantics(tier: tier, maxNoise: tier == .public ? noise : 0, threshold: threshold)
    }

    /// Reads the marking line `svd` writes at the top of every file.
    static func semantics(headerLine h: String) -> Semantics? {
        if h.hasPrefix("OFFICIAL-SENSITIVE") { return Semantics(tier: .partner, maxNoise: 0, threshold: nil) }
        if h.hasPrefix("NOT SAFE TO PUBLISH") { return Semantics(tier: .public, maxNoise: 0, threshold: nil) }
        if h.hasPrefix("OFFICIAL") {
            var noise = 0, threshold: Int?
            if let r = h.range(of: #"±(\d+)"#, options: .regularExpression) { noise = Int(h[r].dropFirst()) ?? 0 }
            if let r = h.range(of: #"below (\d+)"#, options: .regularExpression) { threshold = Int(h[r].dropFirst(6)) }
            return Semantics(tier: .public, maxNoise: noise, threshold: threshold)
        }
        return nil
    }

    /// Settles each file's semantics, period and scope, and checks its marking.
    private mutating func resolve(_ doc: Doc) {
        let group = groups[doc.group]
        let manifestDisclosure = group.manifest?["disclosure"] as? [String: Any]
        func fit(_ location: String, _ message: String) { findings.append(Finding(file: doc.path, location: location, message: message, route: .fitness)) }
        if doc.skip { return }
        // The file's own statement of its protection.
        var own: Semantics?
        var markingLine: String?
        switch doc.kind {
        case .csv, .md, .json, .headline:
            markingLine = doc.header.first
            own = markingLine.flatMap(Self.semantics(headerLine:))
            if own == nil {
                fit(doc.kind == .json ? "header" : "line 1", doc.kind == .json ? "no protective marking (no \"header\" member starting OFFICIAL)"
                    : "no protective marking (expected a first line '\(doc.kind == .csv ? "# " : "> ")OFFICIAL …' as svd writes)")
            }
        case .xlsx:
            markingLine = doc.header.first
            own = markingLine.flatMap(Self.semantics(headerLine:))
            if own == nil && doc.markingPlace != nil {
                fit(doc.markingPlace!, "no protective marking (expected 'OFFICIAL …' in the first row of the Notes sheet and of every table sheet, as svd writes)")
            }
        case .manifest:
            if let d = manifestDisclosure {
                own = Self.semantics(d)
                markingLine = d["marking"] as? String
            }
        case .geojson, .html:
            if let d = doc.disclosure {
                own = Self.semantics(d)
                if doc.kind == .geojson, doc.geojson?["marking"] == nil && d["marking"] == nil { fit("svd_disclosure", "no protective marking") }
            } else {
                fit(doc.kind == .html ? "head" : "svd_disclosure",
                    doc.kind == .html ? "no protective marking (no <meta name=\"svd-marking\"> / \"svd-disclosure\")" : "no protective marking (no svd_disclosure member)")
            }
            if doc.kind == .html, doc.html?.meta["svd-marking"] == nil, doc.disclosure != nil { fit("head", "no <meta name=\"svd-marking\">") }
            if doc.kind == .html, let h = doc.html?.markingLines.first(where: { $0.hasPrefix("NOT SAFE") }) { markingLine = h }
        case .other:
            return
        }
        var s = own ?? .exact
        if let m = manifestDisclosure {
            let ms = Self.semantics(m)
            if let own, (own.tier != ms.tier || own.maxNoise != ms.maxNoise) && doc.kind != .manifest {
                fit("marking", "marking disagrees with the folder's manifest (file: \(own.tier.rawValue) tier, ±\(own.maxNoise); manifest: \(ms.tier.rawValue) tier, ±\(ms.maxNoise)): the file was not written by this run")
            }
            // The stricter reading: trust the manifest's noise bound only where the file does not claim less.
            s = Semantics(tier: own?.tier ?? ms.tier, maxNoise: min(own?.maxNoise ?? ms.maxNoise, ms.maxNoise), threshold: own?.threshold ?? ms.threshold)
        }
        doc.semantics = s
        let where_ = doc.kind == .html ? "head" : doc.kind == .geojson ? "svd_disclosure" : doc.kind == .manifest ? "disclosure"
            : doc.markingPlace ?? (doc.kind == .xlsx ? "file" : "line 1")
        switch s.tier {
        case .partner:
            fit(where_, "partner tier (OFFICIAL-SENSITIVE): true counts including small ones, for partners under the Information Sharing Agreement only; never publish")
        case .public where s.maxNoise == 0:
            fit(where_, "perturbation is off (\(markingLine.map { $0.hasPrefix("NOT SAFE") ? "NOT SAFE TO PUBLISH" : "no max_abs_noise" } ?? "no max_abs_noise")): small counts can be recovered from linked tables")
        case .unknown:
            if own != nil || manifestDisclosure != nil { fit(where_, "tier not stated: the file's protection cannot be established") }
        default: break
        }
        // Period and scope.
        if let p = group.manifest?["period"] as? [String: Any], let f = (p["from"] as? String).flatMap({ MonthKey(parsing: Substring($0)) }),
           let t = (p["to"] as? String).flatMap({ MonthKey(parsing: Substring($0)) }) {
            doc.period = Span(f, t)
        }
        if doc.kind == .html, let html = doc.html {
            if let p = Self.period(in: html.title) { doc.period = p }
        }
        if doc.period == nil, let t = doc.tables.first, let p = Self.period(in: t.title) { doc.period = p }
    }

    /// "…, 2023-11 to 2026-10" in a title.
    static func period(in title: String) -> Span? {
        guard let r = title.range(of: #"\d{4}-\d{2} to \d{4}-\d{2}"#, options: .regularExpression) else { return nil }
        let parts = title[r].components(separatedBy: " to ")
        guard parts.count == 2, let a = MonthKey(parsing: Substring(parts[0])), let b = MonthKey(parsing: Substring(parts[1])) else { return nil }
        return Span(a, b)
    }
}
