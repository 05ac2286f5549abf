import Foundation
import Synchronization
import SVDCore
import SVDDemo
import SVDIngest
import XCTest

/// `svd demo --partners`: the partner extracts read cleanly with the shipped mappings, and the overlap truth holds
/// when checked against the files alone (parsed here, independently of the generator).
final class PartnerExtractsTests: XCTestCase {
    private static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svd-partners-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    override class func tearDown() {
        try? FileManager.default.removeItem(at: folder)
        super.tearDown()
    }

    /// Writes a demo with partner extracts into its own folder.
    private static func generate(_ name: String, seed: UInt64, rows: Int, mix: PartnerMix? = nil) throws -> PartnerSummary {
        let url = folder.appendingPathComponent(name).appendingPathComponent("demo.csv")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        return try DemoGenerator(seed: seed, rows: rows).write(to: url, partners: mix ?? PartnerMix(policeRows: rows))
    }

    /// 20,000 police rows with the default mix, shared by the tests.
    private static let standard = Result { try generate("standard", seed: 11, rows: 20_000) }
    /// A mix far from the defaults.
    private static let skewed = Result {
        try generate("skewed", seed: 3, rows: 3_000, mix: PartnerMix(policeRows: 3_000, aeRows: 501, ambulanceRows: 417,
                                                                     aePoliceOverlap: 0.9, ambulancePoliceOverlap: 0.1))
    }

    func testDefaultsFollowThePoliceRows() {
        let m = PartnerMix(policeRows: 100_000)
        XCTAssertEqual([m.aeRows, m.aeMatched, m.ambulanceRows, m.ambulanceNonViolence, m.ambulanceAssaults, m.ambulanceMatched],
                       [12_000, 4_200, 6_000, 300, 5_700, 2_850])
        let files = PartnerFiles(police: URL(fileURLWithPath: "/data/X.csv"))
        XCTAssertEqual(files.all.map(\.path), ["/data/X.csv", "/data/X-ae-istv.csv", "/data/X-ambulance.csv",
                                               "/data/X-overlap-truth.csv", "/data/X-sources.yaml"])
        XCTAssertEqual(PartnerFiles(police: URL(fileURLWithPath: "/data/extract")).ae.path, "/data/extract-ae-istv.csv")
    }

    // MARK: (a) every row reads with the shipped mapping

    func testPartnerFilesReadWithTheShippedMappingsAndNoRejects() throws {
        for summary in [try Self.standard.get(), try Self.skewed.get()] {
            let definitions = try kentDefinitions()
            let ae = try read(summary.files.ae, .aeISTV, definitions)
            XCTAssertEqual(ae.summary.rowsRead, summary.mix.aeRows)
            XCTAssertEqual(ae.summary.accepted, summary.mix.aeRows)
            XCTAssertEqual(ae.summary.rejected, 0, "\(ae.summary.rejectedByReason)")
            XCTAssertEqual(Set(ae.offences), ["assault"])
            XCTAssertEqual(Set(ae.sources), ["A&E"])
            // About 3% of arrival times are blank: the hour is unknown, the day still known.
            let blankShare = Double(ae.summary.acceptedUnknownHour) / Double(ae.summary.accepted)
            XCTAssertTrue((0.01...0.06).contains(blankShare), "\(blankShare)")
            XCTAssertEqual(ae.summary.acceptedUnknownDay, 0)

            let ambulance = try read(summary.files.ambulance, .ambulance, definitions)
            XCTAssertEqual(ambulance.summary.rowsRead, summary.mix.ambulanceRows)
            XCTAssertEqual(ambulance.summary.accepted, summary.mix.ambulanceRows)
            XCTAssertEqual(ambulance.summary.rejected, 0, "\(ambulance.summary.rejectedByReason)")
            XCTAssertEqual(ambulance.summary.acceptedUnknownHour, 0)
            XCTAssertEqual(Set(ambulance.sources), ["ambulance"])
            let violent: Set = ["assault", "violence with injury"]
            let counts = Dictionary(ambulance.offences.map { ($0, 1) }, uniquingKeysWith: +)
            XCTAssertEqual(counts.filter { !violent.contains($0.key) }.values.reduce(0, +), summary.mix.ambulanceNonViolence, "\(counts)")
            // The complaints that are not violence are accepted, keep their own names and are not serious violence.
            for name in counts.keys where !violent.contains(name) {
                XCTAssertTrue(["falls", "sick person", "unconscious fainting"].contains(name), name)
                XCTAssertNotEqual(definitions.scope(ofCategory: name), .seriousViolence, name)
            }
            if summary.mix.ambulanceRows > 400 { XCTAssertNotNil(counts["falls"]) }
        }
    }

    // MARK: (b) the truth holds, checked from the files

    func testTruthMatchesTheChosenOverlapAndEveryPairIsCloseInPlaceAndTime() throws {
        for summary in [try Self.standard.get(), try Self.skewed.get()] {
            try checkTruth(summary)
        }
    }

    private func checkTruth(_ summary: PartnerSummary, file: StaticString = #filePath, line: UInt = #line) throws {
        let mix = summary.mix
        let police = try PoliceFile(summary.files.police)
        let truth = try table(summary.files.truth)
        XCTAssertEqual(truth.header, ["source", "record_id", "police_id"])
        XCTAssertEqual(truth.rows.count, mix.aeRows + mix.ambulanceRows)
        let ae = try table(summary.files.ae), ambulance = try table(summary.files.ambulance)
        XCTAssertEqual(ae.header.joined(separator: ","), DemoGenerator.aeHeader)
        XCTAssertEqual(ambulance.header.joined(separator: ","), DemoGenerator.ambulanceHeader)
        // The truth lists every record once, A&E then ambulance, in file order.
        XCTAssertEqual(truth.rows.map { [$0[0], $0[1]] }, ae.rows.map { ["A&E", $0[0]] } + ambulance.rows.map { ["ambulance", $0[0]] })
        let policeFor = Dictionary(uniqueKeysWithValues: truth.rows.map { ("\($0[0])|\($0[1])", $0[2]) })

        // A&E: AttendanceRef, Attendance Date, Arrival Time, Patient Age, Patient Sex, Assault Location Code, Weapon Code,
        // Alcohol Consumed, Incident Easting, Incident Northing, Assailant Relationship.
        var aeMatched: [String] = []
        for r in ae.rows {
            guard let id = policeFor["A&E|\(r[0])"], !id.isEmpty else { continue }
            aeMatched.append(id)
            let p = try XCTUnwrap(police.rows[id], "A&E \(r[0]) copies \(id), not in the police file")
            XCTAssertTrue(p.isMatchable, "A&E \(r[0]) copies \(id): \(p)")
            let distance = hypot(try number(r[8]) - p.easting, try number(r[9]) - p.northing)
            XCTAssertLessThanOrEqual(distance, 200, "A&E \(r[0]) is \(distance) m from \(id)")
            let day = try dayNumber(dmy: r[1])
            if r[2].isEmpty {
                // No arrival time: the day is the incident's, or the next when 3 hours later is past midnight.
                XCTAssertTrue(day == p.day || (day == p.day + 1 && p.minute! + 180 >= 1440), "A&E \(r[0]) date vs \(id)")
            } else {
                let delay = (day - p.day) * 1440 + (try minutes(r[2])) - p.minute!
                XCTAssertTrue((20...180).contains(delay), "A&E \(r[0]) arrives \(delay) min after \(id)")
            }
            if p.victimAge == nil { XCTAssertEqual(r[3], "") } else { XCTAssertLessThanOrEqual(abs(Int(r[3])! - p.victimAge!), 1) }
            XCTAssertEqual(["1": "M", "2": "F", "9": ""][r[4]], p.victimSex)
        }
        // A few realistic blanks, not many: alcohol, relationship not stated.
        let blankAlcohol = ae.rows.filter { $0[7].isEmpty }.count, notStated = ae.rows.filter { $0[10] == "Not stated" }.count
        XCTAssertLessThan(Double(blankAlcohol), 0.1 * Double(mix.aeRows))
        XCTAssertLessThan(Double(notStated), 0.1 * Double(mix.aeRows))
        XCTAssertGreaterThan(notStated, 0)
        XCTAssertEqual(Set(aeMatched).count, aeMatched.count, "an A&E extract copies each police record once")
        XCTAssertLessThanOrEqual(abs(Double(aeMatched.count) - mix.aePoliceOverlap * Double(mix.aeRows)), 0.5)
        XCTAssertEqual(aeMatched.count, mix.aeMatched)

        // Ambulance: Incident Number, Call Date Time, Chief Complaint, Mechanism, Patient Age, Patient Gender,
        // Incident Longitude, Incident Latitude, Location Category.
        var ambulanceMatched: [String] = []
        var assaults = 0
        var formats: Set<String> = []
        for r in ambulance.rows {
            let violent = ["Assault / Sexual Assault", "Stab / Gunshot / Penetrating Trauma"].contains(r[2])
            if violent { assaults += 1 }
            let id = try XCTUnwrap(policeFor["ambulance|\(r[0])"])
            let (day, second, format) = try callTime(r[1])
            formats.insert(format)
            guard !id.isEmpty else { continue }
            XCTAssertTrue(violent, "ambulance \(r[0]) copies \(id) but its complaint is \(r[2])")
            ambulanceMatched.append(id)
            let p = try XCTUnwrap(police.rows[id], "ambulance \(r[0]) copies \(id), not in the police file")
            XCTAssertTrue(p.isMatchable, "ambulance \(r[0]) copies \(id): \(p)")
            let grid = BritishNationalGrid.fromWGS84(longitude: try number(r[6]), latitude: try number(r[7]))
            let distance = hypot(grid.easting - p.easting, grid.northing - p.northing)
            XCTAssertLessThanOrEqual(distance, 200, "ambulance \(r[0]) is \(distance) m from \(id)")
            let delay = (day - p.day) * 86_400 + second - p.minute! * 60
            XCTAssertTrue((0...1_800).contains(delay), "ambulance \(r[0]) called \(delay) s after \(id)")
            XCTAssertEqual(r[4], p.victimAge.map(String.init) ?? "")
            XCTAssertEqual(["Male": "M", "Female": "F", "Unknown": ""][r[5]], p.victimSex)
        }
        if mix.ambulanceRows > 100 { XCTAssertEqual(formats, ["dd/MM/yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss"]) }
        XCTAssertEqual(assaults, mix.ambulanceAssaults)
        XCTAssertEqual(Set(ambulanceMatched).count, ambulanceMatched.count, "an ambulance extract copies each police record once")
        XCTAssertLessThanOrEqual(abs(Double(ambulanceMatched.count) - mix.ambulancePoliceOverlap * Double(assaults)), 0.5)
        XCTAssertEqual(ambulanceMatched.count, mix.ambulanceMatched)
    }

    // MARK: (c) same seed, same bytes; (d) the police file does not change

    func testSameSeedGivesTheSameBytesInEveryFile() throws {
        let a = try Self.generate("again-a", seed: 11, rows: 20_000), b = try Self.generate("again-b", seed: 11, rows: 20_000)
        let standard = try Self.standard.get()
        for (x, y, z) in zip(a.files.all, b.files.all).enumerated().map({ ($0.element.0, $0.element.1, standard.files.all[$0.offset]) }) {
            XCTAssertEqual(try Data(contentsOf: x), try Data(contentsOf: y), x.lastPathComponent)
            XCTAssertEqual(try Data(contentsOf: x), try Data(contentsOf: z), x.lastPathComponent)
        }
        let other = try Self.generate("other-seed", seed: 12, rows: 20_000)
        for (x, y) in zip(a.files.all, other.files.all) where x.pathExtension == "csv" {
            XCTAssertNotEqual(try Data(contentsOf: x), try Data(contentsOf: y), x.lastPathComponent)
        }
    }

    func testPoliceFileIsUnchangedByPartners() throws {
        for (summary, seed, rows) in [(try Self.standard.get(), UInt64(11), 20_000), (try Self.skewed.get(), UInt64(3), 3_000)] {
            var plain: [UInt8] = []
            try DemoGenerator(seed: seed, rows: rows).write(format: .native) { plain.append(contentsOf: $0) }
            XCTAssertEqual(try Data(contentsOf: summary.files.police), Data(plain))
        }
    }

    // MARK: The sources file and errors

    func testSourcesFileListsTheThreeExtracts() throws {
        let summary = try Self.standard.get()
        XCTAssertEqual(summary.period, "2023-11 to 2026-10")
        XCTAssertEqual(try String(contentsOf: summary.files.sources, encoding: .utf8), """
            # Sources for one assessment: each extract, how to read it, and who supplied it.
            sources:
              - file: demo.csv
                source: police
                partner: Kent Police (synthetic)
                period: 2023-11 to 2026-10
              - file: demo-ae-istv.csv
                mapping: ae-istv          # a shipped mapping's name, or a path to a YAML file
                source: A&E
                partner: Emergency departments (synthetic ISTV)
                period: 2023-11 to 2026-10
              - file: demo-ambulance.csv
                mapping: ambulance
                source: ambulance
                partner: Ambulance trust (synthetic)
                period: 2023-11 to 2026-10

            """)
        // It is YAML, and its mappings are shipped ones.
        let yaml = try XCTUnwrap(try SafeYAML.load(yaml: try String(contentsOf: summary.files.sources, encoding: .utf8)) as? [String: Any])
        let sources = try XCTUnwrap(yaml["sources"] as? [[String: Any]])
        XCTAssertEqual(sources.compactMap { $0["mapping"] as? String }.compactMap(ShippedMapping.init(rawValue:)), [.aeISTV, .ambulance])
        XCTAssertEqual(sources.map { $0["source"] as? String }, ["police", "A&E", "ambulance"])
    }

    func testAnOddPoliceFileNameIsQuotedInTheSourcesFile() throws {
        let url = Self.folder.appendingPathComponent("odd").appendingPathComponent("null")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let summary = try DemoGenerator(seed: 1, rows: 500).write(to: url, partners: PartnerMix(policeRows: 500))
        let text = try String(contentsOf: summary.files.sources, encoding: .utf8)
        XCTAssertTrue(text.contains("  - file: \"null\"\n"), text)
        XCTAssertTrue(text.contains("  - file: null-ae-istv.csv\n"), text)
    }

    func testTooFewMatchablePoliceRowsIsAParameterErrorAndWritesNothing() throws {
        let folder = Self.folder.appendingPathComponent("too-few")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("too-few.csv")
        XCTAssertThrowsError(try DemoGenerator(seed: 1, rows: 100).write(to: url, partners: PartnerMix(policeRows: 100, aeRows: 200,
                                                                                                       aePoliceOverlap: 1))) { e in
            guard let p = e as? ParameterError else { return XCTFail("\(e)") }
            XCTAssertEqual(p.parameter, "ae-police-overlap")
            XCTAssertTrue(p.reason.contains("asks for 200 A&E records"), p.reason)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "a failed run leaves no file, partial or whole")
        XCTAssertThrowsError(try DemoGenerator(seed: 1, rows: 100).write(to: url, partners: PartnerMix(policeRows: 100, aePoliceOverlap: 1.5))) {
            XCTAssertEqual(($0 as? ParameterError)?.parameter, "ae-police-overlap")
        }
        // No partner records at all is allowed: header-only extracts.
        let none = try DemoGenerator(seed: 1, rows: 100).write(to: url, partners: PartnerMix(policeRows: 100, aeRows: 0, ambulanceRows: 0))
        XCTAssertEqual(try String(contentsOf: none.files.ae, encoding: .utf8), DemoGenerator.aeHeader + "\n")
        XCTAssertEqual(try String(contentsOf: none.files.truth, encoding: .utf8), DemoGenerator.truthHeader + "\n")
    }
}

// MARK: Reading, independently of the generator

private struct PoliceRow: CustomStringConvertible {
    var day: Int
    var minute: Int?
    var easting, northing: Double
    var offence: String
    var victimAge: Int?
    var victimSex: String
    var place, publicPlace: String

    /// What a partner record may copy: violence with injury or attempted murder, with a time, in a public place or a dwelling.
    var isMatchable: Bool {
        ["violence with injury", "attempted murder"].contains(offence) && minute != nil && (publicPlace == "yes" || place == "dwelling")
    }

    var description: String { "\(offence) day \(day) minute \(minute ?? -1) at \(place) (public \(publicPlace))" }
}

private struct PoliceFile {
    var rows: [String: PoliceRow] = [:]

    init(_ url: URL) throws {
        let t = try table(url)
        XCTAssertEqual(t.header.joined(separator: ","), DemoGenerator.nativeHeader)
        for f in t.rows {
            let dt = f[1]
            let day = try dayNumber(ymd: String(dt.prefix(10)))
            let minute = dt.count == 16 ? try minutes(String(dt.suffix(5))) : nil
            rows[f[0]] = PoliceRow(day: day, minute: minute, easting: try number(f[3]), northing: try number(f[4]), offence: f[2],
                                   victimAge: Int(f[5]), victimSex: f[6], place: f[9], publicPlace: f[10])
        }
    }
}

private struct Table {
    var header: [String]
    var rows: [[String]]
}

private struct Malformed: Error, CustomStringConvertible { let description: String }

/// A CSV without quoting (none of these files quotes): the header and the rows, every row as wide as the header.
private func table(_ url: URL) throws -> Table {
    let text = try String(contentsOf: url, encoding: .utf8)
    guard text.hasSuffix("\n"), !text.contains("\""), !text.contains("\r") else { throw Malformed(description: "\(url.lastPathComponent): framing") }
    let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    let header = lines[0]
    for (n, l) in lines.enumerated() where l.count != header.count {
        throw Malformed(description: "\(url.lastPathComponent) line \(n + 1): \(l.count) fields")
    }
    return Table(header: header, rows: Array(lines.dropFirst()))
}

private func number(_ s: String) throws -> Double {
    guard let v = Double(s) else { throw Malformed(description: "not a number: '\(s)'") }
    return v
}

private func ints(_ s: String, _ separator: Character, count: Int) throws -> [Int] {
    let parts = s.split(separator: separator, omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == count, parts.allSatisfy({ $0 != nil }) else { throw Malformed(description: "bad field '\(s)'") }
    return parts.map { $0! }
}

/// "2024-03-02" → days since 1970-01-01.
private func dayNumber(ymd s: String) throws -> Int {
    let p = try ints(s, "-", count: 3)
    return CivilDate.daysSinceEpoch(year: p[0], month: p[1], day: p[2])
}

/// "02/03/2024" → days since 1970-01-01.
private func dayNumber(dmy s: String) throws -> Int {
    let p = try ints(s, "/", count: 3)
    return CivilDate.daysSinceEpoch(year: p[2], month: p[1], day: p[0])
}

/// "23:40" → minutes after midnight.
private func minutes(_ s: String) throws -> Int {
    let p = try ints(s, ":", count: 2)
    guard (0...23).contains(p[0]), (0...59).contains(p[1]) else { throw Malformed(description: "bad time '\(s)'") }
    return p[0] * 60 + p[1]
}

/// An ambulance call time in either accepted format → (day, second of the day, format).
private func callTime(_ s: String) throws -> (Int, Int, String) {
    let parts = s.split(separator: " ")
    guard parts.count == 2 else { throw Malformed(description: "bad call time '\(s)'") }
    let t = try ints(String(parts[1]), ":", count: 3)
    let second = t[0] * 3600 + t[1] * 60 + t[2]
    if parts[0].contains("/") { return (try dayNumber(dmy: String(parts[0])), second, "dd/MM/yyyy HH:mm:ss") }
    return (try dayNumber(ymd: String(parts[0])), second, "yyyy-MM-dd HH:mm:ss")
}

private func kentDefinitions() throws -> Definitions {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("geodata/kent-medway/definitions.yaml")
    return try Definitions(yaml: try String(contentsOf: url, encoding: .utf8), source: url.path)
}

private final class Collector: Sendable {
    private let state = Mutex<[Incident]>([])
    func add(_ b: UnsafeBufferPointer<Incident>) { state.withLock { $0.append(contentsOf: b) } }
    var incidents: [Incident] { state.withLock { $0 } }
}

/// Reads a partner file with a shipped mapping, as `svd assess` would.
private func read(_ url: URL, _ mapping: ShippedMapping, _ definitions: Definitions) throws
    -> (summary: IngestSummary, offences: [String], sources: [String]) {
    let catalog = OffenceCatalog(definitions: definitions), sources = SourceCatalog()
    let reader = try IncidentReader(url: url, format: .mapped(try mapping.mapping()), catalog: catalog, sources: sources)
    let collector = Collector()
    let summary = try reader.read(workers: 2, rejects: RejectWriter.counting()) { _, batch in collector.add(batch) }
    let incidents = collector.incidents
    return (summary, incidents.map { catalog.entry($0.offence).name }, incidents.map { sources.name($0.source) })
}
