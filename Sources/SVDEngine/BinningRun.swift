import Foundation
import SVDCore
import SVDIngest
import SVDLocate
import SVDBin

/// One pass over the incident files: ingest → locate → bin, on `workers` threads, each with its own cube;
/// the cubes are merged at the end (the cube is mergeable, so the split changes nothing).
public struct BinningRun {
    public struct Result {
        public let cube: IncidentCube
        /// In-scope incidents as points, when the run was asked to collect them (for hotspots); in no particular order.
        public let points: [IncidentPoint]
        public let catalog: OffenceCatalog
        public let summaries: [(file: String, format: String, summary: IngestSummary)]
        public let rejectsFile: URL?
    }

    public let inputs: [URL]
    public let area: Area
    public let definitions: Definitions
    public let format: IncidentFormat?
    public let workers: Int
    public let rejectsFile: URL?
    public let progress: ProgressReporter?
    /// Keep every in-scope incident as a point (hotspots need them); the cube alone needs no per-row memory.
    public var collectPoints = false
    /// With `collectPoints`, keep only incidents in these months (bounds memory on long extracts).
    public var pointMonths: ClosedRange<MonthKey>?
    /// The partnership's secret for record keys; the CLI loads it from the key file.
    public var disclosureKey = DisclosureKey.testing

    public init(inputs: [URL], area: Area, definitions: Definitions, format: IncidentFormat? = nil,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, rejectsFile: URL?, progress: ProgressReporter? = nil) {
        self.inputs = inputs
        self.area = area
        self.definitions = definitions
        self.format = format
        self.workers = max(1, workers)
        self.rejectsFile = rejectsFile
        self.progress = progress
    }

    public func run() throws -> Result {
        let catalog = OffenceCatalog(definitions: definitions)
        let locator = DistrictLocator(area: area)
        let shape = IncidentCube.Shape(districts: area.districts.count, definitions: definitions)
        let states = WorkerStates(count: workers, shape: shape, catalog: catalog, collectPoints: collectPoints,
                                  pointMonths: pointMonths.map { $0.lowerBound.index...$0.upperBound.index })
        let rejects = try rejectsFile.map { try RejectWriter(url: $0) } ?? RejectWriter.counting()
        let sources = SourceCatalog()
        var summaries: [(String, String, IngestSummary)] = []
        let outside = area.districts.count
        for url in inputs {
            var reader = try IncidentReader(url: url, format: format, catalog: catalog, sources: sources)
            reader.disclosureKey = disclosureKey
            progress?.begin(url.lastPathComponent)
            let summary = try reader.read(workers: workers, rejects: rejects, progress: { done, total in
                progress?.update(done: done, total: total)
            }) { worker, batch in
                let state = states[worker]
                for incident in batch {
                    let d = Int(locator.district(at: incident.location))
                    let district = d == DistrictLocator.outside ? outside : d
                    state.bin(incident, district: district)
                }
            }
            progress?.end()
            summaries.append((url.lastPathComponent, reader.format.label, summary))
        }
        try rejects.close()
        let cube = states.mergedCube()
        return Result(cube: cube, points: states.mergedPoints(), catalog: catalog, summaries: summaries, rejectsFile: rejectsFile)
    }
}

/// Per-thread binning state: each worker index owns one, so no locks on the hot path.
final class WorkerStates: @unchecked Sendable {
    final class State {
        let cube: IncidentCube
        let catalog: OffenceCatalog
        var classifier: StrandClassifier
        let collectPoints: Bool
        let pointMonths: ClosedRange<Int32>
        var points: [IncidentPoint] = []

        init(shape: IncidentCube.Shape, catalog: OffenceCatalog, collectPoints: Bool, pointMonths: ClosedRange<Int32>?) {
            self.pointMonths = pointMonths ?? Int32.min...Int32.max
            cube = IncidentCube(shape: shape)
            self.catalog = catalog
            self.collectPoints = collectPoints
            classifier = StrandClassifier(catalog: catalog)
        }

        @inline(__always) func bin(_ i: Incident, district: Int) {
            if Int(i.offence) >= classifier.knownCodes {
                // A category first seen after this worker's snapshot: refresh it (rare).
                classifier = StrandClassifier(catalog: catalog)
            }
            let inScope = classifier.scope(i) == .seriousViolence
            let mask = inScope ? classifier.strandMask(i) : 0
            cube.add(i, district: district, inScope: inScope, strandMask: mask)
            if collectPoints && inScope && pointMonths.contains(i.month) { points.append(IncidentPoint(i, district: district, strandMask: mask)) }
        }
    }

    private let states: [State]

    init(count: Int, shape: IncidentCube.Shape, catalog: OffenceCatalog, collectPoints: Bool, pointMonths: ClosedRange<Int32>?) {
        states = (0..<count).map { _ in State(shape: shape, catalog: catalog, collectPoints: collectPoints, pointMonths: pointMonths) }
    }

    func mergedPoints() -> [IncidentPoint] {
        var all: [IncidentPoint] = []
        all.reserveCapacity(states.reduce(0) { $0 + $1.points.count })
        for s in states { all += s.points; s.points = [] }
        return all
    }

    subscript(worker: Int) -> State { states[worker] }

    func mergedCube() -> IncidentCube {
        let first = states[0].cube
        for s in states.dropFirst() { first.merge(s.cube) }
        return first
    }
}

/// An in-scope incident reduced to what hotspot detection and profiling need: no id, no free text.
public struct IncidentPoint: Sendable {
    public var location: BNGPoint
    /// Days since 1970-01-01, or `Incident.unknownDay`.
    public var day: Int32
    public var month: Int32
    public var hour: Int8
    public var victimAge: Int8
    public var suspectAge: Int8
    public var weapon: Weapon
    /// District index, or the area's district count for outside.
    public var district: Int16
    /// Bit k = strand k of the run's definitions.
    public var strandMask: UInt8
    /// Domestic flag, place type and public-place flag: the public tier leaves domestic abuse and incidents at
    /// dwellings out of place-based outputs (maps, hotspots).
    public var domestic: Flag
    public var locationType: LocationType
    public var publicPlace: Flag
    /// The record key (see `KeyedCount`): counts of points are published through it.
    public var recordKey: UInt32

    public init(_ i: Incident, district: Int, strandMask: UInt8) {
        location = i.location
        day = i.day
        month = i.month
        hour = i.hour
        victimAge = i.victimAge
        suspectAge = i.suspectAge
        weapon = i.weapon
        self.district = Int16(district)
        self.strandMask = strandMask
        domestic = i.domestic
        locationType = i.locationType
        publicPlace = i.publicPlace
        recordKey = i.recordKey
    }
}
