import ArgumentParser
import Foundation
import SVDLocate
import SVDEngine

struct GeodataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geodata",
        abstract: "Build and inspect packaged areas (district boundaries plus population).",
        subcommands: [GeodataImportCommand.self, GeodataShowCommand.self])
}

struct GeodataImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Build an area directory from ONS boundary GeoJSON and a population CSV; reports every repair and unused row.",
        discussion: """
        --population may be given several times (e.g. an older persons file and a newer by-sex one): every year's \
        all-ages totals are kept, and the latest complete single-year-of-age table (with its female and male tables \
        when given) serves every denominator. --population-source labels, in order, the rows of each file that have \
        no source column (default: the file's name; an empty label keeps the default).

        Example (rebuilds the embedded default):
          svd geodata import --boundaries ../shared/geodata/kent-medway-lad20.geojson \\
            --population ../shared/geodata/kent-medway-population.csv \\
            --population ../shared/geodata/kent-medway-population-sex-2022.csv \\
            --population-source "" --population-source "ONS mid-2022 estimates, Census 2021 based (mye22final.xlsx, MYEB1 and MYE2)" \\
            --id kent-medway --name "Kent & Medway" \\
            --out geodata/kent-medway --embed geodata/KentMedway.generated.swift
        """)

    @Option(help: ArgumentHelp("District boundaries: GeoJSON FeatureCollection (WGS84 or EPSG:27700).", valueName: "file"))
    var boundaries: String

    @Option(help: ArgumentHelp("Population CSV (ONS mid-year estimates: all ages, single year of age, optionally by sex); repeat for several files.",
                               valueName: "file"))
    var population: [String]

    @Option(help: ArgumentHelp("Source label for the rows of the n-th --population file that have no source column; repeat in file order.",
                               valueName: "label"))
    var populationSource: [String] = []

    @Option(help: "Area id, e.g. kent-medway.")
    var id: String

    @Option(help: "Area name as printed in tables.")
    var name: String

    @Option(help: ArgumentHelp("Output directory (area.json, ATTRIBUTION.md).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Place names for hotspots and cells (GeoJSON points or polygons with a name, WGS84 or EPSG:27700), written into the area directory as places.json.", valueName: "file"))
    var places: String?

    @Option(help: ArgumentHelp("The --places property holding the name (default: an ONS xxNNnm field, name, NAME1, placename, …).", valueName: "property"))
    var placesNameField: String?

    @Option(help: ArgumentHelp("Source and licence of the --places names, carried into places.json and every output's notes (default: the file's name).", valueName: "text"))
    var placesSource: String?

    @Option(help: ArgumentHelp("Also regenerate the Swift source that embeds this area in the binary.", valueName: "swift-file"))
    var embed: String?

    func validate() throws {
        guard !population.isEmpty else { throw ValidationError("give at least one --population file") }
        guard populationSource.count <= population.count else {
            throw ValidationError("--population-source given \(populationSource.count) times for \(population.count) --population files")
        }
    }

    func run() throws {
        try runReportingErrors {
            let outDir = URL(fileURLWithPath: out)
            let files = population.enumerated().map { i, path in
                (url: URL(fileURLWithPath: path), source: i < populationSource.count && !populationSource[i].isEmpty ? populationSource[i] : nil)
            }
            let report = try AreaImporter.run(boundaries: URL(fileURLWithPath: boundaries), populations: files,
                                              id: id, name: name, outputDirectory: outDir)
            say("\(report)")
            if let places {
                let gazetteer = try Gazetteer.read(URL(fileURLWithPath: places), nameField: placesNameField, source: placesSource)
                try gazetteer.save(to: outDir)
                let points = gazetteer.places.filter { $0.point != nil }.count
                say("Places: \(places) — \(gazetteer.places.count) names (\(points) points, \(gazetteer.places.count - points) polygons) written to \(outDir.appendingPathComponent(Gazetteer.fileName).path)")
            }
            if let embed {
                try EmbeddedAreaSource.write(areaDirectory: outDir, swiftName: swiftName(for: id), to: URL(fileURLWithPath: embed))
                say("Embedded source written to \(embed); rebuild svd to use it.")
            }
        }
    }
}

struct GeodataShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "List an area's districts and populations.")

    @OptionGroup var area: AreaOptions

    func run() throws {
        try runReportingErrors {
            let a = try area.load()
            say("\(a.name) (\(a.id)): \(a.districts.count) districts")
            let year = a.population.singleYearOfAge?.year
            let bySex = a.population.singleYearOfAgeBySex
            say("Population: mid-\(year.map(String.init) ?? "?")\(bySex != nil ? ", with female and male" : "")")
            for (i, d) in a.districts.enumerated() {
                var line = "  \(d.code)  \(d.name.padding(toLength: 24, withPad: " ", startingAt: 0))  population \(a.population(district: i, year: year) ?? 0)"
                if let bySex { line += " (female \(bySex.female[i].reduce(0, +)), male \(bySex.male[i].reduce(0, +)))" }
                say(line)
            }
            say(a.attribution)
        }
    }
}

/// "kent-medway" → "kentMedway", the name the embedded source uses.
func swiftName(for id: String) -> String {
    let parts = id.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
    return parts.enumerated().map { $0.offset == 0 ? $0.element.lowercased() : $0.element.capitalized }.joined()
}
