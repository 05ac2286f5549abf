import Foundation
import SVDCore
import SVDIngest
import SVDLocate
import SVDBin
import SVDPublish

/// What the user asked to read: files, area, definitions and period.
public struct IncidentRequest: Sendable {
    /// Each file with its mapping, source and supplier.
    public var inputs: [IncidentInput]
    public var area: String
    public var definitionsFile: URL?
    /// CSVs of area-level partner figures by district and month, shown as context (see `ContextFigures`).
    public var contextFiles: [URL] = []
    /// How close in place and time a partner record and a police record must be to count as the same assault.
    public var overlap = OverlapParameters()
    /// Keep a cube per source (by-source tables, `--source`, overlap); off, every source goes into one cube.
    public var bySource = true
    /// Place names for hotspot and cell rows; nil: the area directory's `places.json`, if any.
    public var gazetteerFile: URL?
    public var from: MonthKey?
    public var to: MonthKey?
    public var workers: Int
    /// The partnership's secret for record keys (see `KeyedCount`).
    public var disclosureKey: DisclosureKey = .testing
    /// The earliest month a row may be dated (`--earliest`); later than the run date is always refused.
    public var earliest = PlausibleDates.defaultEarliest
    /// Ids the files may be expected to hold before they are spilled to disk rather than held (`BinningRun`).
    public var idSpillThreshold = BinningRun.defaultIDSpillThreshold

    /// Every file read the same way: detected (native or data.police.uk), or with one mapping.
    public init(files: [URL], area: String = "kent-medway", definitionsFile: URL? = nil, mappingFile: URL? = nil,
                from: MonthKey? = nil, to: MonthKey? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.init(inputs: files.map { IncidentInput(url: $0, layout: mappingFile.map { .mappingFile($0) } ?? .detect) },
                  area: area, definitionsFile: definitionsFile, from: from, to: to, workers: workers)
    }

    public init(inputs: [IncidentInput], area: String = "kent-medway", definitionsFile: URL? = nil,
                from: MonthKey? = nil, to: MonthKey? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.inputs = inputs
        self.area = area
        self.definitionsFile = definitionsFile
        self.from = from
        self.to = to
        self.workers = workers
    }
}

public struct EngineError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Resolves areas and definitions: an embedded id, or a directory written by `svd geodata import`.
public enum AreaResolver {
    public static func area(_ spec: String) throws -> Area {
        if Area.embeddedIDs.contains(spec) { return try Area.embedded(id: spec) }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: spec, isDirectory: &isDir), isDir.boolValue {
            return try AreaFile.load(directory: URL(fileURLWithPath: spec))
        }
        throw EngineError("unknown area '\(spec)': not an embedded area (\(Area.embeddedIDs.joined(separator: ", "))) nor an area directory")
    }

    /// The place names a run uses: `file` when given, else the area directory's `places.json`; nil for an embedded
    /// area (none ships one) or a directory without one.
    public static func gazetteer(areaSpec: String, file: URL?) throws -> Gazetteer? {
        do {
            if let file { return try Gazetteer.read(file) }
            if Area.embeddedIDs.contains(areaSpec) { return nil }
            return try Gazetteer.load(areaDirectory: URL(fileURLWithPath: areaSpec))
        } catch let e as GeoJSONError {
            throw EngineError("\(e)")
        }
    }

    /// The run's definitions: the file given, else the area's own (embedded, or definitions.yaml in its directory).
    public static func definitions(for area: Area, areaSpec: String, file: URL?) throws -> Definitions {
        let (text, source) = try definitionsText(for: area, areaSpec: areaSpec, file: file)
        return try Definitions(yaml: text, source: source)
    }

    /// The definitions' YAML and where it came from (a path, or "<area>/definitions.yaml").
    public static func definitionsText(for area: Area, areaSpec: String, file: URL?) throws -> (text: String, source: String) {
        if let file {
            guard let data = FileManager.default.contents(atPath: file.path) else { throw EngineError("\(file.path): cannot read definitions file") }
            guard let text = String(data: data, encoding: .utf8) else { throw EngineError("\(file.path): definitions file is not UTF-8") }
            return (text, file.path)
        }
        let beside = URL(fileURLWithPath: areaSpec).appendingPathComponent("definitions.yaml").path
        guard let text = Area.embeddedDefinitionsYAML(id: area.id)
            ?? (FileManager.default.fileExists(atPath: beside) ? try? String(contentsOfFile: beside, encoding: .utf8) : nil)
        else { throw EngineError("area '\(area.id)' ships no definitions: give a definitions file") }
        return (text, "\(area.id)/definitions.yaml")
    }

    /// The bytes the area was read from: the embedded JSON, or the directory's area.json.
    public static func areaBytes(_ spec: String) -> Data? {
        if Area.embeddedIDs.contains(spec) { return Area.embeddedJSON(id: spec).map { Data($0.utf8) } }
        return FileManager.default.contents(atPath: URL(fileURLWithPath: spec).appendingPathComponent("area.json").path)
    }
}

/// Everything `svd assess` computes before writing: the merged cube and how every row was accounted for.
public struct BinnedIncidents {
    public let area: Area
    public let definitions: Definitions
    public let result: BinningRun.Result
    public let period: ClosedRange<MonthKey>
    /// Which in-scope incidents the pass kept as points.
    public let pointWindow: PointWindow
    /// The area, definitions and mapping the run read, with their hashes, for the run manifest.
    public let sources: RunSources
    /// Partner context figures, read and checked before the incidents.
    public let context: [AssessmentInput.ContextMeasure]
    /// Partner records matched to police ones, when the run read both with times.
    public let overlap: AssessmentInput.OverlapInput?
    /// Place names every hotspot path names its rows with (`--gazetteer`, else the area's own).
    public let places: Gazetteer?
    /// Seconds spent in each stage of `init`, in order (`SVD_TIMINGS=1` prints them).
    public private(set) var stageSeconds: [(stage: String, seconds: Double)] = []

    /// Reads, locates and bins the request's files; works out the analysis period from the data when not given.
    /// `points` says which in-scope incidents to keep for hotspots: none for tables only, `.latest(12)` for the
    /// report's and `assess --hotspots`'s window, so one pass serves tables and hotspots in bounded memory.
    /// `parts` (the portal): each input binned alone and kept, so a run bins only the inputs without a stored part
    /// that still holds, and merges the rest; the result is the one pass's (see `BinnedPart`).
    public init(request: IncidentRequest, rejectsFile: URL?, progress: IngestObserver? = nil, points: PointWindow = .none,
                parts: BinnedParts? = nil) throws {
        var clock = Date()
        var stages: [(stage: String, seconds: Double)] = []
        func mark(_ stage: String) {
            let now = Date()
            stages.append((stage, now.timeIntervalSince(clock)))
            clock = now
        }
        area = try AreaResolver.area(request.area)
        mark("area")
        let (definitionsText, definitionsSource) = try AreaResolver.definitionsText(for: area, areaSpec: request.area, file: request.definitionsFile)
        definitions = try Definitions(yaml: definitionsText, source: definitionsSource)
        let area = self.area
        places = try AreaResolver.gazetteer(areaSpec: request.area, file: request.gazetteerFile)
        context = try request.contextFiles.flatMap { try ContextFigures.load($0, area: area, key: request.disclosureKey) }
        // Every mapping is read and checked before any row is, so a bad one costs nothing and names its file.
        let (files, mappings) = try Self.inputs(request)
        sources = RunSources(area: area, areaSHA256: AreaResolver.areaBytes(request.area).map(SHA256Hex.of),
                             definitionsSource: definitionsSource, definitionsSHA256: SHA256Hex.of(Data(definitionsText.utf8)),
                             mappings: mappings)
        var run = BinningRun(files: files, area: area, definitions: definitions,
                             workers: request.workers, rejectsFile: rejectsFile, progress: progress)
        run.points = points
        pointWindow = points
        run.lastMonth = request.to
        run.bySource = request.bySource
        run.disclosureKey = request.disclosureKey
        run.plausibleDates = PlausibleDates(earliest: request.earliest)
        run.idSpillThreshold = request.idSpillThreshold
        mark("definitions, mappings")
        if let parts {
            guard parts.stored.count == request.inputs.count, parts.inputKeys.count == request.inputs.count else {
                throw EngineError("stored parts: \(parts.stored.count) for \(request.inputs.count) inputs")
            }
            parts.fingerprints = Self.partFingerprints(request, files: files, sources: sources, inputKeys: parts.inputKeys)
            result = try run.run(parts: parts)
        } else {
            result = try run.run()
        }
        mark("ingest, locate, bin")
        let months = result.cube.months
        guard let last = request.to ?? months.last else {
            throw EngineError("no incidents were accepted from \(request.inputs.map(\.url.lastPathComponent).joined(separator: ", ")); see the rejects file")
        }
        let first = request.from ?? max(last.adding(months: -(Self.defaultPeriodMonths - 1)), months.first ?? last)
        period = first...last
        overlap = try Self.link(result, period: first...last, districts: area.districts.count, parameters: request.overlap)
        mark("overlap")
        stageSeconds = stages
    }

    /// The request's files as the run reads them, and each mapping's label and SHA-256 by file name.
    static func inputs(_ request: IncidentRequest) throws -> ([BinningRun.Input], [String: (file: String, sha256: String)]) {
        var files: [BinningRun.Input] = []
        var mappings: [String: (file: String, sha256: String)] = [:]
        for input in request.inputs {
            let (format, mapping) = try input.format()
            files.append(BinningRun.Input(url: input.url, format: format, source: input.source, partner: input.partner, statedPeriod: input.period))
            if let mapping { mappings[input.url.lastPathComponent] = (mapping.label, SHA256Hex.of(mapping.bytes)) }
        }
        return (files, mappings)
    }

    /// What each input's part was binned from and with (`BinnedPart`): engine and stored-form versions, area,
    /// definitions, key (as a keyed hash, never the key), the input's name, content key, mapping, source and
    /// supplier, the earliest date and the by-source setting. A stored part with another fingerprint is binned again.
    public static func partFingerprints(request: IncidentRequest, inputKeys: [String]) throws -> [String] {
        let area = try AreaResolver.area(request.area)
        let (text, source) = try AreaResolver.definitionsText(for: area, areaSpec: request.area, file: request.definitionsFile)
        let (files, mappings) = try inputs(request)
        let sources = RunSources(area: area, areaSHA256: AreaResolver.areaBytes(request.area).map(SHA256Hex.of), definitionsSource: source,
                                 definitionsSHA256: SHA256Hex.of(Data(text.utf8)), mappings: mappings)
        return partFingerprints(request, files: files, sources: sources, inputKeys: inputKeys)
    }

    static func partFingerprints(_ request: IncidentRequest, files: [BinningRun.Input], sources: RunSources, inputKeys: [String]) -> [String] {
        let keyMAC = request.disclosureKey.hasher.hash(Array("svd binned part".utf8))
        return zip(files, inputKeys).map { file, inputKey in
            let name = file.url.lastPathComponent
            let versions: [String] = ["\(BinnedPart.formatVersion)", SVDVersion.number]
            let run: [String] = [sources.definitionsSHA256, sources.areaSHA256 ?? sources.areaID, String(keyMAC, radix: 16),
                                 "\(request.earliest.index)", "\(request.bySource)"]
            let input: [String] = [name, inputKey, sources.mappings[name]?.sha256 ?? "detect", file.source ?? "", file.partner ?? "",
                                   file.statedPeriod ?? ""]
            let fields = versions + run + input
            return SHA256Hex.of(Data(fields.joined(separator: "\u{1F}").utf8))
        }
    }

    /// Matches every partner record of the period in the area against all police records with a time.
    static func link(_ result: BinningRun.Result, period: ClosedRange<MonthKey>, districts: Int,
                     parameters: OverlapParameters) throws -> AssessmentInput.OverlapInput? {
        let names = result.sourceNames
        let isPolice = names.map(BinningRun.isPolice)
        let police = result.linkage.filter { isPolice[Int($0.source)] }
        let months = period.lowerBound.index...period.upperBound.index
        let partner = result.linkage.filter { !isPolice[Int($0.source)] && Int($0.district) < districts && months.contains($0.month) }
        guard !police.isEmpty, !partner.isEmpty else { return nil }
        var partnerSources: [String] = []
        var slot: [UInt8: Int] = [:]
        for p in partner where slot[p.source] == nil {
            slot[p.source] = partnerSources.count
            partnerSources.append(names[Int(p.source)])
        }
        let order = partnerSources.indices.sorted { partnerSources[$0] < partnerSources[$1] }
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let linkage = try SourceOverlap.link(partner: partner.map { LinkageRecord(location: $0.location, hour: $0.hour) },
                                             police: police.map { LinkageRecord(location: $0.location, hour: $0.hour) },
                                             parameters: parameters)
        let records = partner.map { p in
            AssessmentInput.OverlapInput.Record(source: rank[slot[p.source]!]!, district: Int(p.district), hour: Int(p.hour % 24),
                                                victimAge: p.victimAge, key: p.recordKey)
        }
        let policeNames = Set(police.map { names[Int($0.source)] }).sorted()
        return AssessmentInput.OverlapInput(parameters: parameters, policeSources: policeNames, partnerSources: order.map { partnerSources[$0] },
                                            policeRecords: police.count, records: records, linkage: linkage)
    }

    /// What every table says about its denominators: the year, the source, and which other years were not used.
    public static func populationNote(_ p: Population) -> String {
        guard let single = p.singleYearOfAge else {
            return "Population: no single-year-of-age estimates in the area, so no age-specific rates; all-ages totals: "
                + (p.allAges.last.map { "mid-\($0.year) (\($0.source))" } ?? "none") + "."
        }
        let bySex = p.singleYearOfAgeBySex?.year == single.year
        var note = "Population: mid-\(single.year) estimates by single year of age\(bySex ? " and sex" : "") — \(single.source) — "
            + "the latest with single years of age, for every rate."
        let others = p.years.filter { $0 != single.year }
        if !others.isEmpty {
            note += " Totals for \(others.map { "mid-\($0)" }.joined(separator: ", ")) are not used: estimates of different years can rest on "
                + "different census bases, so their differences are partly rebasing, not growth."
        }
        return note
    }

    /// Three years by default: the span a strategic needs assessment covers.
    public static let defaultPeriodMonths = 36

    /// The latest `months` months of the analysis period: the window hotspots for patrols look at.
    public func latestMonths(_ months: Int) -> ClosedRange<MonthKey> {
        max(period.lowerBound, period.upperBound.adding(months: -(months - 1)))...period.upperBound
    }

    /// The months of the analysis period whose points the pass kept (nil: none kept).
    public var pointMonths: ClosedRange<MonthKey>? {
        switch pointWindow {
        case .none: nil
        case .latest(let n): latestMonths(n)
        case .all: period
        }
    }

    public func assessmentInput(disclosure: DisclosurePolicy) -> AssessmentInput {
        let bands = definitions.ageBands
        // One population year for every denominator, so crude and age-specific rates agree.
        let year = area.population.singleYearOfAge?.year
        let byBand = area.bandDenominators(bands)
        let female = area.bandDenominators(bands, sex: .female), male = area.bandDenominators(bands, sex: .male)
        let profiles = area.districts.indices.map { i in
            DistrictProfile(code: area.districts[i].code, name: area.districts[i].name,
                            population: area.population(district: i, year: year) ?? 0,
                            populationByAgeBand: byBand?[i] ?? Array(repeating: 0, count: bands.lowerBounds.count),
                            femaleByAgeBand: female?[i], maleByAgeBand: male?[i],
                            populationBySingleYearOfAge: area.population.singleYearOfAge?.counts[i] ?? [])
        }
        let note = Self.populationNote(area.population)
        let entries = result.catalog.entries
        var input = AssessmentInput(areaName: area.name, districts: profiles, populationNote: note,
                                    definitions: definitions, offenceNames: entries.map(\.name), offenceScopes: entries.map(\.scope),
                                    cube: result.cube, period: period, dataQuality: dataQuality(result.summaries, cube: result.cube),
                                    disclosure: disclosure)
        input.context = context
        input.overlap = overlap
        // A by-source panel only when there is more than one source: with one, it would repeat the run.
        input.sources = result.sourceCubes.count < 2 ? [] : result.sourceCubes.map { s in
            let files = result.summaries.filter { $0.source.lowercased() == s.source.lowercased() }
            return AssessmentInput.SourceSlice(name: s.source, partners: files.compactMap(\.partner).reduce(into: []) { if !$0.contains($1) { $0.append($1) } },
                                               cube: s.cube, dataQuality: dataQuality(result.summaries, cube: s.cube, source: s.source))
        }
        return input
    }

    /// The sources the run read rows of (one name or more), as `--source` takes them.
    public var sourceNames: [String] { result.sourceCubes.map(\.source) }

    /// The assessment of one source only (`--source A&E`): its incidents and its files; nil when the run has no such
    /// source (names compare case-insensitively).
    public func assessmentInput(disclosure: DisclosurePolicy, source: String) -> AssessmentInput? {
        let all = assessmentInput(disclosure: disclosure)
        if all.sources.isEmpty {
            // One source: it is the whole run.
            return result.sourceCubes.first?.source.lowercased() == source.lowercased() ? all : nil
        }
        return all.sources.first { $0.name.lowercased() == source.lowercased() }.map(all.restricted(to:))
    }

    /// Row accounting of the files, or of one source's rows in them: a file's accepted rows count under the source each
    /// row names, its rejected rows (whose source may be what is broken) under the file's own source.
    private func dataQuality(_ summaries: [BinningRun.FileSummary], cube: IncidentCube, source: String? = nil) -> DataQualityInput {
        func same(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }
        var reasons: [String: Int] = [:]
        for s in summaries where source.map({ same($0, s.source) }) ?? true {
            for (r, n) in s.summary.rejectedByReason { reasons[r.label, default: 0] += n }
        }
        let chosen = summaries.filter { f in source.map { s in same(f.source, s) || f.acceptedBySource.contains { same($0.source, s) } } ?? true }
        let files = chosen.map { f in
            let s = f.summary
            let accepted = source.map { s in f.acceptedBySource.filter { same($0.source, s) }.reduce(0) { $0 + $1.rows } } ?? s.accepted
            let rejected = source.map { same($0, f.source) ? s.rejected : 0 } ?? s.rejected
            // A field unknown on every accepted row of the file is unknown on every row of each of its sources.
            func unknown(_ n: Int) -> Int { source == nil ? n : (n == s.accepted ? accepted : 0) }
            // What "not recorded by this source" rests on: a field unknown on every accepted row of a file.
            let unknownCounts: [IncidentField: Int] = [
                .victimAge: unknown(s.acceptedUnknownVictimAge), .suspectAge: unknown(s.acceptedUnknownSuspectAge),
                .victimSex: unknown(s.acceptedUnknownVictimSex), .suspectSex: unknown(s.acceptedUnknownSuspectSex),
                .hour: unknown(s.acceptedUnknownHour), .weekday: unknown(s.acceptedUnknownDay),
                .locationType: unknown(s.acceptedUnknownLocationType),
            ]
            var file = DataQualityInput.File(name: f.file, format: f.format, source: source ?? f.source, partner: f.partner,
                                             rowsRead: accepted + rejected, accepted: accepted, rejected: rejected, unknown: unknownCounts)
            if source == nil { file.otherSources = f.acceptedBySource.filter { !same($0.source, f.source) } }
            file.statedPeriod = f.statedPeriod
            file.months = f.months.map { "\($0.lowerBound) to \($0.upperBound)" }
            return file
        }
        var outsidePeriod = KeyedCount.zero
        cube.forEachOffenceCell { c in if !period.contains(c.month) { outsidePeriod = outsidePeriod + c.keyed } }
        return DataQualityInput(files: files, rejectedByReason: reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) },
                                outsidePeriod: outsidePeriod, rejectsFile: result.rejectsFile?.path)
    }
}
