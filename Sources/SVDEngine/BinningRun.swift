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
        let locator = try DistrictLocator(area: area)
        let shape = IncidentCube.Shape(districts: area.districts.count, definitions: definitions)
        let states = WorkerStates(count: workers, shape: shape, catalog: catalog)
        let rejects = try rejectsFile.map { try RejectWriter(url: $0) } ?? RejectWriter.counting()
        let sources = SourceCatalog()
        var summaries: [(String, String, IngestSummary)] = []
        let outside = area.districts.count
        for url in inputs {
            let reader = try IncidentReader(url: url, format: format, catalog: catalog, sources: sources)
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
        return Result(cube: cube, catalog: catalog, summaries: summaries, rejectsFile: rejectsFile)
    }
}

/// Per-thread binning state: each worker index owns one, so no locks on the hot path.
final class WorkerStates: @unchecked Sendable {
    final class State {
        let cube: IncidentCube
        let catalog: OffenceCatalog
        var classifier: StrandClassifier

        init(shape: IncidentCube.Shape, catalog: OffenceCatalog) {
            cube = IncidentCube(shape: shape)
            self.catalog = catalog
            classifier = StrandClassifier(catalog: catalog)
        }

        @inline(__always) func bin(_ i: Incident, district: Int) {
            if Int(i.offence) >= classifier.knownCodes {
                // A category first seen after this worker's snapshot: refresh it (rare).
                classifier = StrandClassifier(catalog: catalog)
            }
            let inScope = classifier.scope(i) == .seriousViolence
            cube.add(i, district: district, inScope: inScope, strandMask: inScope ? classifier.strandMask(i) : 0)
        }
    }

    private let states: [State]

    init(count: Int, shape: IncidentCube.Shape, catalog: OffenceCatalog) {
        states = (0..<count).map { _ in State(shape: shape, catalog: catalog) }
    }

    subscript(worker: Int) -> State { states[worker] }

    func mergedCube() -> IncidentCube {
        let first = states[0].cube
        for s in states.dropFirst() { first.merge(s.cube) }
        return first
    }
}
