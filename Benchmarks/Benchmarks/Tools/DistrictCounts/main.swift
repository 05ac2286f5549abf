import Foundation
import SVDBin
import SVDCore
import SVDIngest
import SVDLocate
import Synchronization

// Per-district and per-cell counts of a native CSV, from the Swift stages, in the layout the pandas+shapely peer
// (Benchmarks/peers/pipeline_peer.py) writes, so the two can be compared with `diff`.
//   DistrictCounts INCIDENTS.csv --out district_counts.csv [--cube-out cube_counts.csv]
// Not a benchmark: it lives outside Benchmarks/Benchmarks/<Name> so the benchmark plugin skips it.

struct Failure: Error, CustomStringConvertible { let description: String }

func run() throws {
    var args = Array(CommandLine.arguments.dropFirst())
    func option(_ name: String) throws -> String? {
        guard let i = args.firstIndex(of: name) else { return nil }
        guard i + 1 < args.count else { throw Failure(description: "\(name) needs a value") }
        defer { args.removeSubrange(i...(i + 1)) }
        return args[i + 1]
    }
    let out = try option("--out") ?? "swift_district_counts.csv"
    let cubeOut = try option("--cube-out")
    guard args.count == 1 else { throw Failure(description: "usage: DistrictCounts INCIDENTS.csv [--out CSV] [--cube-out CSV]") }

    let area = try Area.embedded(id: "kent-medway")
    guard let yaml = Area.embeddedDefinitionsYAML(id: "kent-medway") else { throw Failure(description: "no packaged definitions") }
    let definitions = try Definitions(yaml: yaml, source: "embedded kent-medway definitions")
    let locator = DistrictLocator(area: area)
    let catalog = OffenceCatalog(definitions: definitions)
    let shape = IncidentCube.Shape(districts: area.districts.count, definitions: definitions)
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let cubes = WorkerCubes(count: workers, shape: shape)
    let accepted = Mutex<[[Int]]>(Array(repeating: Array(repeating: 0, count: shape.districtSlots), count: workers))
    let reader = try IncidentReader(url: URL(fileURLWithPath: args[0]), format: .native, catalog: catalog, sources: SourceCatalog())
    let summary = try reader.read(workers: workers, rejects: .counting()) { worker, batch in
        let classifier = StrandClassifier(catalog: catalog)
        var counts = Array(repeating: 0, count: shape.districtSlots)
        for i in batch {
            let located = locator.district(at: i.location)
            let d = located == DistrictLocator.outside ? shape.districts : Int(located)
            counts[d] += 1
            let inScope = classifier.scope(i) == .seriousViolence
            cubes[worker].add(i, district: d, inScope: inScope, strandMask: inScope ? classifier.strandMask(i) : 0)
        }
        accepted.withLock { a in for k in counts.indices { a[worker][k] += counts[k] } }
    }
    let cube = cubes.merged()

    var seriousViolence = Array(repeating: 0, count: shape.districtSlots)
    var cells: [String] = []
    let codes = area.districts.map(\.code) + ["outside"]
    cube.forEachCell { c in
        guard c.strand == 0 else { return }
        seriousViolence[c.district] += c.count
        if cubeOut != nil {
            let month = String(format: "%04d-%02d", c.month.year, c.month.month)
            cells.append("\(codes[c.district]),\(shape.ageBands.label(of: c.ageBand)),\(c.hour),\(c.weekday),\(month),\(c.count)")
        }
    }
    let acceptedByDistrict = accepted.withLock { a in (0..<shape.districtSlots).map { k in a.reduce(0) { $0 + $1[k] } } }
    var csv = "district_code,district_name,accepted,serious_violence\n"
    for (k, d) in area.districts.enumerated() {
        csv += "\(d.code),\(d.name),\(acceptedByDistrict[k]),\(seriousViolence[k])\n"
    }
    csv += "outside,Outside the area,\(acceptedByDistrict[shape.districts]),\(seriousViolence[shape.districts])\n"
    try Data(csv.utf8).write(to: URL(fileURLWithPath: out))
    if let cubeOut {
        try Data(("district,band,hour,weekday,month,count\n" + cells.sorted().joined(separator: "\n") + "\n").utf8)
            .write(to: URL(fileURLWithPath: cubeOut))
    }
    print("rows read \(summary.rowsRead), accepted \(summary.accepted), serious violence \(seriousViolence.reduce(0, +))")
}

do { try run() } catch {
    FileHandle.standardError.write(Data("DistrictCounts: \(error)\n".utf8))
    exit(1)
}
