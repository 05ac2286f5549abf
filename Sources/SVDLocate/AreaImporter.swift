import Foundation
import GEOS

/// What `AreaImporter.run` did, printable for the analyst.
public struct ImportReport: Sendable, CustomStringConvertible {
    public let area: Area
    public let outputDirectory: URL
    public let boundaryFile: String
    public let coordinateSystem: GeoJSONBoundaries.CoordinateSystem
    public let repairs: [BoundaryRepair]
    /// The population files read, joined with ", ".
    public let populationFile: String
    public let populationRows: Int
    public let populationRowsUsed: Int
    public let unusedPopulationRows: [PopulationTable.Unused]
    public let unusedSummary: [String]
    public let notes: [String]

    public var description: String {
        var s = "Imported area \(area.id) (\(area.name)) into \(outputDirectory.path)\n"
        s += "Boundaries: \(boundaryFile) (\(coordinateSystem.rawValue)) — \(area.districts.count) districts: "
        s += area.districts.map(\.code).joined(separator: ", ") + "\n"
        if repairs.isEmpty {
            s += "All boundaries valid; no repairs.\n"
        } else {
            s += "Repaired \(repairs.count) invalid boundar\(repairs.count == 1 ? "y" : "ies"):\n"
            s += repairs.map { "  - \($0)\n" }.joined()
        }
        s += "Population: \(populationFile) — \(populationRows) rows, \(populationRowsUsed) used, \(unusedPopulationRows.count) not used\n"
        s += unusedSummary.map { "  - \($0)\n" }.joined()
        let p = area.population
        if !p.allAges.isEmpty { s += "All-ages totals for \(p.years.map(String.init).joined(separator: ", "))\n" }
        if let single = p.singleYearOfAge { s += "Single years of age for \(single.year) (0…\(single.openAge)+): \(single.source)\n" }
        if let bySex = p.singleYearOfAgeBySex { s += "By sex (female, male) for \(bySex.year): \(bySex.source)\n" }
        s += notes.map { "Note: \($0)\n" }.joined()
        return s
    }
}

/// Builds a packaged area from an ONS district boundary GeoJSON and an ONS-style population CSV.
public enum AreaImporter {
    /// The statement the ONS boundary and population files require (Open Government Licence v3.0).
    public static let onsAttribution = """
        Source: Office for National Statistics licensed under the Open Government Licence v3.0. \
        Contains OS data © Crown copyright and database right 2020.
        Open Government Licence v3.0: https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/
        """

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads, validates and repairs the boundaries, attaches population, and writes the area to `outputDirectory`
    /// (`area.json`, `ATTRIBUTION.md`; other files there are left alone).
    @discardableResult
    public static func run(boundaries: URL, population: URL, id: String, name: String, outputDirectory: URL,
                           attribution: String = onsAttribution) throws -> ImportReport {
        try run(boundaries: boundaries, populations: [(population, nil)], id: id, name: name, outputDirectory: outputDirectory,
                attribution: attribution)
    }

    /// Several population files (e.g. an older persons file and a newer by-sex one), each with the source label for
    /// its rows that have no `source` column (nil: the file's name).
    @discardableResult
    public static func run(boundaries: URL, populations: [(url: URL, source: String?)], id: String, name: String, outputDirectory: URL,
                           attribution: String = onsAttribution) throws -> ImportReport {
        let (area, report) = try build(boundaries: boundaries, populations: populations, id: id, name: name,
                                       attribution: attribution, outputDirectory: outputDirectory)
        try AreaFile.save(area.area, provenance: area.provenance, to: outputDirectory)
        return report
    }

    /// Everything `run` does except writing.
    public static func build(boundaries: URL, population: URL, id: String, name: String, attribution: String = onsAttribution,
                             outputDirectory: URL) throws -> (area: (area: Area, provenance: AreaFile.Provenance), report: ImportReport) {
        try build(boundaries: boundaries, populations: [(population, nil)], id: id, name: name, attribution: attribution,
                  outputDirectory: outputDirectory)
    }

    public static func build(boundaries: URL, populations: [(url: URL, source: String?)], id: String, name: String,
                             attribution: String = onsAttribution,
                             outputDirectory: URL) throws -> (area: (area: Area, provenance: AreaFile.Provenance), report: ImportReport) {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw Failure(description: "area id \"\(id)\" must be letters, digits, '-' or '_'")
        }
        guard !populations.isEmpty else { throw Failure(description: "no population file given") }
        let (features, crs) = try GeoJSONBoundaries.read(boundaries)
        let (districts, repairs) = try BoundaryValidation.validate(features)
        let table = try PopulationTable.read(populations, districtCodes: districts.map(\.code))
        let population = populations.map(\.url)
        let area = Area(id: id, name: name, attribution: attribution, districts: districts, population: table.population)
        var notes = table.notes
        if table.population.allAges.isEmpty { notes.append("no complete all-ages totals: rates will have no denominators") }
        if table.population.singleYearOfAge == nil { notes.append("no single-year-of-age table: age-band denominators unavailable") }
        let populationFiles = population.map(\.lastPathComponent).joined(separator: ", ")
        let provenance = AreaFile.Provenance(boundaries: boundaries.lastPathComponent, population: populationFiles,
                                             notes: repairs.map(\.description) + notes)
        let report = ImportReport(area: area, outputDirectory: outputDirectory, boundaryFile: boundaries.lastPathComponent,
                                  coordinateSystem: crs, repairs: repairs, populationFile: populationFiles,
                                  populationRows: table.rows, populationRowsUsed: table.used,
                                  unusedPopulationRows: table.unused, unusedSummary: table.unusedSummary, notes: notes)
        return ((area, provenance), report)
    }
}
