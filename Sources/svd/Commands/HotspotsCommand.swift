import ArgumentParser
import Foundation
import struct SVDCore.MonthKey
import func SVDCore.normaliseCategory
import SVDEngine
import SVDPublish
import SVDWorkbook

struct HotspotsCommand: ParsableCommand, TableOutputDefaults {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "Hotspots of serious violence: DBSCAN clusters with profiles, Gi* hot and cold cells (and their change), kernel density, or emerging hot spots.",
        discussion: """
        Writes a ranked table (CSV and Markdown) and a GeoJSON map in WGS84 into --out: \
        hotspots_dbscan.csv/.md/.geojson (+ hotspots_dbscan_convex.geojson), hotspots_gistar.*, hotspots_kde.*, hotspots_emerging.*, micro_places.*, micro_places_concentration.* and micro_places_backtest.* (+ micro_places.geojson) or repeat_locations.* and repeat_locations_by_type.* (+ repeat_locations.geojson); \
        --format xlsx adds hotspots.xlsx (a Notes sheet, then the table). \
        Maps hold generalised outlines or grid cells only, never incident points or ids. Public tier (the default): \
        outlines are built from 50 m grid squares (every vertex on the grid), a hotspot or cell must rest on at least \
        5 distinct squares, domestic abuse, sexual offences and incidents at dwellings are left out, --cell under 100 m \
        and --bandwidth under 200 m are refused, Gi* shows classes (no z, p or q) and KDE density bands; small counts \
        are hidden: clusters under the threshold are not published and cell counts read "<5". \
        The partner tier keeps statistics and sensitive places, on a 10 m grid.
        Exit codes: 0 success; 64 bad arguments; 2 unreadable or unusable input.
        """)

    static let defaultOutputDirectory = "hotspots"
    static let workbookFile = "hotspots.xlsx"

    @OptionGroup var area: AreaOptions
    @OptionGroup var input: IncidentInputOptions
    @OptionGroup var period: PeriodOptions
    @OptionGroup var disclosure: DisclosureOptions

    @Option(help: ArgumentHelp("dbscan (clusters), gistar (Getis–Ord Gi* cells), kde (kernel density) emerging (Gi* per --step with Mann–Kendall trends: new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating and historical hot and cold spots) cells (the micro-place targeting list: fixed cells ranked by incidents, concentration curve, back-test of last year's top cells with PAI) or repeats (repeat locations: incidents at the same snapped location and type, by location type).", valueName: "method"))
    var method: HotspotMethod = .dbscan

    @Option(help: ArgumentHelp("Emerging hot spots: the time step of the space-time cube (default month).", valueName: "month|quarter"))
    var step: EmergingStep?

    @Option(help: ArgumentHelp("DBSCAN neighbourhood radius in metres.", valueName: "metres"))
    var eps: Double = HotspotParameters.defaultEps

    @Option(help: ArgumentHelp("DBSCAN: incidents (the point itself included) within eps that make a core point (default: density-aware, 75 times what the area's mean density puts within eps, at least 10).", valueName: "n"))
    var minPoints: Int?

    @Option(help: ArgumentHelp("Space-time DBSCAN: neighbours must also lie within this many days (needs day-level dates).", valueName: "days"))
    var epsDays: Int?

    @Option(help: ArgumentHelp("Grid cell side in metres for gistar, kde, emerging and cells, or 'auto' (shorter side of the incidents' extent / 50). Default: auto for gistar and emerging, 100 for kde, 150 for cells.", valueName: "metres|auto"),
            transform: CellSize.parsing)
    var cell: CellSize?

    @Option(help: ArgumentHelp("Gi* distance band in metres between cell centres (default: √2 cells, the eight neighbours).", valueName: "metres"))
    var band: Double?

    @Flag(help: "Gi* over occupied cells only (default: every cell of the grid, empty ones as zero).")
    var occupiedOnly = false

    @Flag(help: "Gi* and KDE over every cell of the bounding rectangle, sea and land outside the area included as zeros (default: only cells that intersect the area's districts, or the district's with --district).")
    var wholeRectangle = false

    @Option(help: ArgumentHelp("KDE radius in metres (default: ArcGIS's rule from the incidents' spread).", valueName: "metres"))
    var bandwidth: Double?

    @Option(help: ArgumentHelp("Only incidents in this strand (an id from the definitions, e.g. knife_weapon).", valueName: "id"))
    var strand: String?

    @Option(help: ArgumentHelp("Only incidents in this district: its code or name (e.g. E07000110 or Maidstone).", valueName: "code|name"))
    var district: String?

    @Option(help: ArgumentHelp("Gi* change: first month of the comparison period.", valueName: "YYYY-MM"), transform: MonthKey.parsing)
    var compareFrom: MonthKey?

    @Option(help: ArgumentHelp("Gi* change: last month of the comparison period.", valueName: "YYYY-MM"), transform: MonthKey.parsing)
    var compareTo: MonthKey?

    @Flag(help: "Gi* change against the equal-length period just before the analysis period.")
    var previous = false

    @Option(help: ArgumentHelp("Side in metres of the grid published outlines are built from (public tier: at least and by default 50; partner: 10).", valueName: "metres"))
    var generalise: Double?

    @Option(help: ArgumentHelp("A hotspot or cell is published only if it rests on at least this many distinct grid squares (public tier: default 5, at least 3; partner: 1).", valueName: "n"))
    var minPlaces: Int?

    @Option(help: ArgumentHelp("Domestic abuse, sexual offences and incidents at dwellings: exclude (public tier default) or include (partner default).", valueName: "exclude|include"))
    var sensitivePlaces: SensitivePlaces?

    @OptionGroup var tableOutput: TableOutputOptions<HotspotsCommand>

    @Option(help: ArgumentHelp("Micro places (--method cells), partner tier: rank cells by harm, the sum of offence weights from this CSV (offence,weight; offences not listed weigh 1).", valueName: "file"))
    var weights: String?

    @Option(help: ArgumentHelp("Repeat locations (--method repeats): side in metres of the National Grid squares incidents are snapped to (default 10).", valueName: "metres"))
    var snap: Double?

    @Option(help: ArgumentHelp("Rows in the ranked table (the map carries every published hotspot).", valueName: "n"))
    var top: Int = 20

    /// Every option but --strand and --district, which name things of the area and its definitions (checked in `run()`).
    func validate() throws {
        _ = try parameters()
        // A ranked list of 150 m places with their yearly counts is a patrol-planning tool; the public tier's place
        // outputs are the maps, whose linked counts the places attacker models.
        if method == .cells && disclosure.tier == .public {
            throw ValidationError("--method cells (a targeting list of small places) is for partners under the Information Sharing Agreement: add --tier partner; public maps: --method dbscan, gistar, kde or emerging")
        }
        // A list of premises-sized locations with their counts names the premises: partners only, as the cell list.
        if method == .repeats && disclosure.tier == .public {
            throw ValidationError("--method repeats (a list of premises-sized locations) is for partners under the Information Sharing Agreement: add --tier partner; public maps: --method dbscan, gistar, kde or emerging")
        }
    }

    /// Parameters from the options; every message is one line naming the option (exit 64). `strand` and `district`
    /// are the definitions' strand id and the area's district code that --strand and --district were found to be.
    func parameters(strand: String? = nil, district: String? = nil) throws -> HotspotParameters {
        var p = HotspotParameters(method: method)
        p.eps = eps
        p.minPoints = minPoints
        p.epsDays = epsDays
        if let cell { p.cellSize = cell.metres }
        p.band = band
        p.bandwidth = bandwidth
        p.occupiedCellsOnly = occupiedOnly
        p.landOnly = !wholeRectangle
        p.strand = strand
        p.district = district
        p.top = top
        p.generalisation = generalise
        p.minPlaces = minPlaces
        p.includeSensitivePlaces = sensitivePlaces.map { $0 == .include }
        if let weights { p.weights = try Self.readWeights(weights) }
        if let snap {
            guard method == .repeats else { throw ValidationError("--snap applies to --method repeats only") }
            p.snap = snap
        }
        if let step {
            guard method == .emerging else { throw ValidationError("--step applies to --method emerging only") }
            p.step = step
        }
        switch (compareFrom, compareTo, previous) {
        case (nil, nil, false): p.comparison = .none
        case (nil, nil, true): p.comparison = .previousPeriod
        case (let f?, let t?, false):
            guard f <= t else { throw ValidationError("--compare-from \(f) is after --compare-to \(t)") }
            p.comparison = .period(f...t)
        case (_, _, true): throw ValidationError("give either --previous or --compare-from/--compare-to, not both")
        default: throw ValidationError("--compare-from and --compare-to go together")
        }
        // The tier's floors on places: --cell, --bandwidth, --generalise, --min-places.
        do {
            try p.validate(policy: disclosure.policy)
        } catch let e as ParameterError {
            throw ValidationError(e.option)
        }
        return p
    }

    func run() throws {
        try runReportingErrors {
            // An unknown --strand or --district is an argument error (exit 64), found before the files are read.
            var strandID: String?, districtCode: String?
            if strand != nil || district != nil {
                let a = try area.load()
                if let district { districtCode = a.districts[try AreaOptions.district(district, in: a)].code }
                if let strand { strandID = try IncidentInputOptions.strand(strand, in: try input.loadDefinitions(for: a, area)) }
            }
            var parameters = try self.parameters(strand: strandID, district: districtCode)
            let out = tableOutput.out
            let progress = input.quiet ? nil : ProgressReporter()
            let policy = disclosure.policy
            let key = try disclosure.key()
            try withOutputFolder(out) { folder in
                var request = try input.request(area: area, period: period, key: key)
                // Hotspots publish no by-source tables, so one cube serves (a cube per source costs ~65 MB at 3 years).
                request.bySource = false
                // SVD_TIMINGS=1: reading and analysis times on stderr (for the README's benchmarks).
                let timings = ProcessInfo.processInfo.environment["SVD_TIMINGS"] == "1"
                let started = Date()
                let binned = try BinnedIncidents(request: request, rejectsFile: folder.restrictedStaging.appendingPathComponent("rejects.csv"),
                                                 progress: progress, points: parameters.pointWindow(for: request))
                // DBSCAN looks at the latest 12 months unless --from says otherwise: over three years of dense data,
                // clusters merge whole town centres (README, "Hotspots: defaults").
                if method == .dbscan && period.from == nil {
                    parameters.period = binned.latestMonths(HotspotAnalysis.patrolWindowMonths)
                }
                let read = Date()
                parameters.places = binned.places
                let analysis = try HotspotAnalysis(binned: binned, parameters: parameters, disclosure: policy)
                let analysed = Date()
                let output = analysis.publish()
                if timings {
                    FileHandle.standardError.write(Data(String(format: "timing: read %.3f s, analysis %.3f s, publish %.3f s\n", read.timeIntervalSince(started),
                                                               analysed.timeIntervalSince(read), Date().timeIntervalSince(analysed)).utf8))
                }
                var publication = try Publication(directory: folder.staging, policy: policy)
                var details: [(label: String, value: String)] = [("Method", method.rawValue)]
                if let strandID { details.append(("Strand", strandID)) }
                if let districtCode { details.append(("District", districtCode)) }
                try tableOutput.write(output.tables, to: &publication, cover: WorkbookCover(
                    title: "Serious violence hotspots: \(binned.area.name)", definitions: binned.definitions.name,
                    period: "\(binned.period.lowerBound) to \(binned.period.upperBound)", area: binned.area.name, details: details))
                for map in output.maps { try publication.write(name: map.name, text: map.text) }
                var run = runManifest(command: "hotspots", binned: binned, key: key, policy: policy)
                run.extra["places"] = analysis.spatial.manifest
                try publication.finish(run: run.json)
                try folder.commit()
                for line in output.summary { say(line) }
                say("Written to \(out)/: \(publication.files.joined(separator: ", ")) (\(policy.tier.rawValue) tier, \(policy.tier.marking)).")
            }
            for line in policy.headerLines where !(policy.protects && policy.perturb) { say("WARNING: \(line)") }
        }
    }
}

extension HotspotsCommand {
    /// A weights CSV: `offence,weight` per line (a header line whose weight is not a number is skipped).
    static func readWeights(_ path: String) throws -> [String: Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("--weights \(path): cannot read the file") }
        var weights: [String: Double] = [:]
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !(fields.count == 1 && fields[0].isEmpty) else { continue }
            guard fields.count == 2 else { throw ValidationError("--weights \(path): line \(n + 1): expected offence,weight") }
            guard let w = Double(fields[1]) else {
                if n == 0 { continue }
                throw ValidationError("--weights \(path): line \(n + 1): weight '\(fields[1])' is not a number")
            }
            guard w.isFinite, w >= 0 else { throw ValidationError("--weights \(path): line \(n + 1): weight must be zero or more") }
            weights[normaliseCategory(fields[0])] = w
        }
        guard !weights.isEmpty else { throw ValidationError("--weights \(path): no offence,weight lines") }
        return weights
    }
}

extension EmergingStep: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// Whether maps show domestic abuse, sexual offences and incidents at dwellings.
enum SensitivePlaces: String, ExpressibleByArgument, CaseIterable {
    case exclude, include
}
