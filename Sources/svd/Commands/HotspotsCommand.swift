import ArgumentParser
import Foundation
import struct SVDCore.MonthKey
import SVDEngine
import SVDPublish

struct HotspotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "Hotspots of serious violence: DBSCAN clusters with profiles, Gi* hot and cold cells (and their change), or kernel density.",
        discussion: """
        Writes a ranked table (CSV and Markdown) and a GeoJSON map in WGS84 into --out: \
        hotspots_dbscan.csv/.md/.geojson (+ hotspots_dbscan_convex.geojson), hotspots_gistar.*, or hotspots_kde.*. \
        Maps hold generalised outlines or grid cells only, never incident points or ids. Public tier (the default): \
        outlines are built from 50 m grid squares (every vertex on the grid), a hotspot or cell must rest on at least \
        5 distinct squares, domestic abuse, sexual offences and incidents at dwellings are left out, --cell under 100 m \
        and --bandwidth under 200 m are refused, Gi* shows classes (no z, p or q) and KDE density bands; small counts \
        are hidden: clusters under the threshold are not published and cell counts read "<5". \
        The partner tier keeps statistics and sensitive places, on a 10 m grid.
        Exit codes: 0 success; 64 bad arguments; 2 unreadable or unusable input.
        """)

    @OptionGroup var input: IncidentInputOptions
    @OptionGroup var disclosure: DisclosureOptions

    @Option(help: ArgumentHelp("dbscan (clusters), gistar (Getis–Ord Gi* cells) or kde (kernel density).", valueName: "method"))
    var method: String = "dbscan"

    @Option(help: ArgumentHelp("DBSCAN neighbourhood radius in metres.", valueName: "metres"))
    var eps: Double = 150

    @Option(help: ArgumentHelp("DBSCAN: incidents (the point itself included) within eps that make a core point.", valueName: "n"))
    var minPoints: Int = 10

    @Option(help: ArgumentHelp("Space-time DBSCAN: neighbours must also lie within this many days (needs day-level dates).", valueName: "days"))
    var epsDays: Int?

    @Option(help: ArgumentHelp("Grid cell side in metres for gistar and kde, or 'auto' (shorter side of the incidents' extent / 50). Default: auto for gistar, 100 for kde.", valueName: "metres|auto"))
    var cell: String?

    @Option(help: ArgumentHelp("Gi* distance band in metres between cell centres (default: √2 cells, the eight neighbours).", valueName: "metres"))
    var band: Double?

    @Flag(help: "Gi* over occupied cells only (default: every cell of the grid, empty ones as zero).")
    var occupiedOnly = false

    @Option(help: ArgumentHelp("KDE radius in metres (default: ArcGIS's rule from the incidents' spread).", valueName: "metres"))
    var bandwidth: Double?

    @Option(help: ArgumentHelp("Only incidents in this strand (an id from the definitions, e.g. knife_weapon).", valueName: "id"))
    var strand: String?

    @Option(help: ArgumentHelp("Only incidents in this district (code, e.g. E07000110).", valueName: "code"))
    var district: String?

    @Option(help: ArgumentHelp("Gi* change: first month of the comparison period.", valueName: "YYYY-MM"))
    var compareFrom: String?

    @Option(help: ArgumentHelp("Gi* change: last month of the comparison period.", valueName: "YYYY-MM"))
    var compareTo: String?

    @Flag(help: "Gi* change against the equal-length period just before the analysis period.")
    var previous = false

    @Option(help: ArgumentHelp("Side in metres of the grid published outlines are built from (public tier: at least and by default 50; partner: 10).", valueName: "metres"))
    var generalise: Double?

    @Option(help: ArgumentHelp("A hotspot or cell is published only if it rests on at least this many distinct grid squares (public tier: default 5, at least 3; partner: 1).", valueName: "n"))
    var minPlaces: Int?

    @Option(help: ArgumentHelp("Domestic abuse, sexual offences and incidents at dwellings: exclude (public tier default) or include (partner default).", valueName: "exclude|include"))
    var sensitivePlaces: SensitivePlaces?

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var out: String = "hotspots"

    @Option(help: ArgumentHelp("Rows in the ranked table (the map carries every published hotspot).", valueName: "n"))
    var top: Int = 20

    @Option(help: ArgumentHelp("Comma-separated table formats: csv, md, json.", valueName: "formats"))
    var format: String = "csv,md"

    func validate() throws {
        for f in format.split(separator: ",") where TableFormat(rawValue: String(f)) == nil {
            throw ValidationError("unknown format '\(f)': use csv, md or json")
        }
    }

    /// Parameters from the options; every message is one line naming the option.
    func parameters() throws -> HotspotParameters {
        guard let m = HotspotMethod(rawValue: method.lowercased()) else {
            throw EngineError("--method '\(method)' is not one of dbscan, gistar, kde")
        }
        var p = HotspotParameters(method: m)
        p.eps = eps
        p.minPoints = minPoints
        p.epsDays = epsDays
        if let cell, cell.lowercased() == "auto" {
            p.cellSize = nil
        } else if let cell {
            guard let size = Double(cell) else { throw EngineError("--cell '\(cell)' is not a number of metres or 'auto'") }
            p.cellSize = size
        }
        p.band = band
        p.bandwidth = bandwidth
        p.occupiedCellsOnly = occupiedOnly
        p.strand = strand
        p.district = district
        p.top = top
        p.generalisation = generalise
        p.minPlaces = minPlaces
        p.includeSensitivePlaces = sensitivePlaces.map { $0 == .include }
        let from = try compareFrom.map { try month($0, "--compare-from") }
        let to = try compareTo.map { try month($0, "--compare-to") }
        switch (from, to, previous) {
        case (nil, nil, false): p.comparison = .none
        case (nil, nil, true): p.comparison = .previousPeriod
        case (let f?, let t?, false):
            guard f <= t else { throw EngineError("--compare-from \(f) is after --compare-to \(t)") }
            p.comparison = .period(f...t)
        case (_, _, true): throw EngineError("give either --previous or --compare-from/--compare-to, not both")
        default: throw EngineError("--compare-from and --compare-to go together")
        }
        // The tier's floors on places: --cell, --bandwidth, --generalise, --min-places.
        try p.validate(policy: disclosure.policy)
        return p
    }

    private func month(_ text: String, _ option: String) throws -> MonthKey {
        guard let m = MonthKey(parsing: Substring(text)) else { throw EngineError("\(option) '\(text)' is not a month like 2024-03") }
        return m
    }

    func run() throws {
        let parameters: HotspotParameters
        do {
            parameters = try self.parameters()
        } catch {
            FileHandle.standardError.write(Data("svd: error: \(error)\n".utf8))
            throw ExitCode(64)
        }
        try runReportingErrors {
            let outDir = URL(fileURLWithPath: out)
            let progress = input.quiet ? nil : ProgressReporter()
            let formats = format.split(separator: ",").compactMap { TableFormat(rawValue: String($0)) }
            let policy = disclosure.policy
            let key = try disclosure.key()
            let restricted = try Publication.prepareRestrictedDirectory(for: outDir)
            let request = input.request(key: key)
            let binned = try BinnedIncidents(request: request, rejectsFile: restricted.appendingPathComponent("rejects.csv"),
                                             progress: progress, points: parameters.pointWindow(for: request))
            let analysis = try HotspotAnalysis(binned: binned, parameters: parameters, disclosure: policy)
            let output = analysis.publish()
            var publication = try Publication(directory: outDir, policy: policy)
            for table in output.tables { try publication.write(table, formats: formats) }
            for map in output.maps { try publication.write(name: map.name, text: map.text) }
            var run = runManifest(command: "hotspots", binned: binned, key: key)
            run["places"] = analysis.spatial.manifest
            try publication.finish(run: run)
            for line in output.summary { print(line) }
            print("Written to \(out)/: \(publication.files.joined(separator: ", ")) (\(policy.tier.rawValue) tier, \(policy.tier.marking)).")
            for line in policy.headerLines where !(policy.protects && policy.perturb) { print("WARNING: \(line)") }
        }
    }
}

/// Whether maps show domestic abuse, sexual offences and incidents at dwellings.
enum SensitivePlaces: String, ExpressibleByArgument, CaseIterable {
    case exclude, include
}
