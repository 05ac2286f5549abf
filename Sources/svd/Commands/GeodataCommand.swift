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
        Example (rebuilds the embedded default):
          svd geodata import --boundaries ../shared/geodata/kent-medway-lad20.geojson \\
            --population ../shared/geodata/kent-medway-population.csv --id kent-medway --name "Kent & Medway" \\
            --out geodata/kent-medway --embed geodata/KentMedway.generated.swift
        """)

    @Option(help: ArgumentHelp("District boundaries: GeoJSON FeatureCollection (WGS84 or EPSG:27700).", valueName: "file"))
    var boundaries: String

    @Option(help: ArgumentHelp("Population CSV (ONS mid-year estimates: all ages and single year of age).", valueName: "file"))
    var population: String

    @Option(help: "Area id, e.g. kent-medway.")
    var id: String

    @Option(help: "Area name as printed in tables.")
    var name: String

    @Option(help: ArgumentHelp("Output directory (area.json, ATTRIBUTION.md).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Also regenerate the Swift source that embeds this area in the binary.", valueName: "swift-file"))
    var embed: String?

    func run() throws {
        try runReportingErrors {
            let outDir = URL(fileURLWithPath: out)
            let report = try AreaImporter.run(boundaries: URL(fileURLWithPath: boundaries), population: URL(fileURLWithPath: population),
                                              id: id, name: name, outputDirectory: outDir)
            print(report)
            if let embed {
                try EmbeddedAreaSource.write(areaDirectory: outDir, swiftName: swiftName(for: id), to: URL(fileURLWithPath: embed))
                print("Embedded source written to \(embed); rebuild svd to use it.")
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
            print("\(a.name) (\(a.id)): \(a.districts.count) districts")
            let year = a.population.singleYearOfAge?.year
            for (i, d) in a.districts.enumerated() {
                print("  \(d.code)  \(d.name.padding(toLength: 24, withPad: " ", startingAt: 0))  population \(a.population(district: i, year: year) ?? 0)")
            }
            print(a.attribution)
        }
    }
}

/// "kent-medway" → "kentMedway", the name the embedded source uses.
func swiftName(for id: String) -> String {
    let parts = id.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
    return parts.enumerated().map { $0.offset == 0 ? $0.element.lowercased() : $0.element.capitalized }.joined()
}
