import Foundation
import SVDCore
import SVDIngest
import SVDLocate
import SVDBin

/// Told how ingest is going (the CLI draws it on stderr); called from the reading thread, at most once per block.
public protocol IngestObserver: AnyObject, Sendable {
    func begin(file: String)
    func update(done: Int, total: Int)
    func end()
}

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
    public let progress: IngestObserver?
    /// Which in-scope incidents to keep as points (hotspots need them); the cube alone needs no per-row memory.
    public var points = PointWindow.none
    /// The last month of the analysis, when the request fixes it; otherwise the last month with data.
    public var lastMonth: MonthKey?
    /// The partnership's secret for record keys; the CLI loads it from the key file.
    public var disclosureKey = DisclosureKey.testing
    /// Dates a row may carry; others are rejected as `implausible_date` (default 1990-01 to the run date).
    public var plausibleDates = PlausibleDates()

    public init(inputs: [URL], area: Area, definitions: Definitions, format: IncidentFormat? = nil,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, rejectsFile: URL?, progress: IngestObserver? = nil) {
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
        let states = WorkerStates(count: workers, shape: shape, catalog: catalog, window: points, lastMonth: lastMonth.map { $0.index })
        let rejects = try rejectsFile.map { try RejectWriter(url: $0) } ?? RejectWriter.counting()
        let sources = SourceCatalog()
        // One set of ids for the whole run: a repeat in a later file is a duplicate too.
        let ids = DuplicateIDs()
        var summaries: [(String, String, IngestSummary)] = []
        let outside = area.districts.count
        for url in inputs {
            var reader = try IncidentReader(url: url, format: format, catalog: catalog, sources: sources)
            reader.disclosureKey = disclosureKey
            reader.plausibleDates = plausibleDates
            reader.duplicateIDs = ids
            progress?.begin(file: url.lastPathComponent)
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
        let end = lastMonth?.index ?? cube.months.last?.index ?? 0
        return Result(cube: cube, points: states.mergedPoints(window: points.months(endingAt: end)), catalog: catalog,
                      summaries: summaries, rejectsFile: rejectsFile)
    }
}

/// Per-thread binning state: each worker index owns one, so no locks on the hot path.
final class WorkerStates: @unchecked Sendable {
    final class State {
        let cube: IncidentCube
        let catalog: OffenceCatalog
        let classifier: StrandClassifier
        let window: PointWindow
        /// Months kept: from `earliest` (raised as later months arrive, when the end is not fixed) to `latest`.
        var earliest = Int32.min
        let latest: Int32
        /// With no fixed end, the latest month this worker has seen: no point before `newest - length + 1` can be
        /// in the window, whatever the other workers see.
        var newest = Int32.min
        var points: [IncidentPoint] = []
        /// The definitions have measures (most runs' hot path skips them otherwise).
        let measures: Bool

        init(shape: IncidentCube.Shape, catalog: OffenceCatalog, window: PointWindow, lastMonth: Int32?) {
            cube = IncidentCube(shape: shape)
            self.catalog = catalog
            self.window = window
            latest = lastMonth ?? Int32.max
            if let lastMonth, case .latest(let n) = window { earliest = lastMonth - Int32(n) + 1 }
            classifier = StrandClassifier(catalog: catalog)
            measures = !catalog.definitions.measures.isEmpty
        }

        /// A month later than any seen moves the window on; the points it leaves go once the buffer would grow.
        @inline(__always) func keep(month: Int32) -> Bool {
            guard case .latest(let n) = window else { return window == .all && month <= latest }
            if month > newest && latest == Int32.max {
                newest = month
                earliest = max(earliest, month - Int32(n) + 1)
            }
            return month >= earliest && month <= latest
        }

        func append(_ p: IncidentPoint) {
            if points.count == points.capacity && points.count >= 4096 {
                let floor = earliest
                points.removeAll { $0.month < floor }
                // Keep the buffer at least half free, so compaction costs O(1) per point.
                if points.count * 2 > points.capacity { points.reserveCapacity(points.capacity * 2) }
            }
            points.append(p)
        }

        @inline(__always) func bin(_ i: Incident, district: Int) {
            if Int(i.offence) >= classifier.knownCodes {
                // A category first seen after this worker's snapshot: learn the new codes only.
                classifier.catchUp(with: catalog)
            }
            let inScope = classifier.scope(i) == .seriousViolence
            let masks = inScope ? classifier.masks(i) : 0
            let mask = UInt8(truncatingIfNeeded: masks & classifier.strandBits)
            cube.add(i, district: district, inScope: inScope, strandMask: mask, measureMask: UInt16(truncatingIfNeeded: masks >> UInt32(classifier.strands)))
            if inScope && window != .none && keep(month: i.month) { append(IncidentPoint(i, district: district, strandMask: mask)) }
        }
    }

    private let states: [State]

    init(count: Int, shape: IncidentCube.Shape, catalog: OffenceCatalog, window: PointWindow, lastMonth: Int32?) {
        states = (0..<count).map { _ in State(shape: shape, catalog: catalog, window: window, lastMonth: lastMonth) }
    }

    /// Every worker's points in `months` (all when nil).
    func mergedPoints(window months: ClosedRange<Int32>?) -> [IncidentPoint] {
        let months = months ?? Int32.min...Int32.max
        var all: [IncidentPoint] = []
        all.reserveCapacity(states.reduce(0) { $0 + $1.points.count })
        for s in states {
            for p in s.points where months.contains(p.month) { all.append(p) }
            s.points = []
        }
        return all
    }

    subscript(worker: Int) -> State { states[worker] }

    func mergedCube() -> IncidentCube {
        let first = states[0].cube
        for s in states.dropFirst() { first.merge(s.cube) }
        return first
    }
}

/// Which in-scope incidents a binning pass keeps as points for hotspot detection.
public enum PointWindow: Sendable, Equatable {
    /// None: the cube needs no per-incident memory.
    case none
    /// The latest `n` months ending with the analysis period's last month (the report's and `assess --hotspots`'s
    /// 12 months, or the period itself): memory is bounded by the window, not the extract.
    case latest(Int)
    /// Every in-scope incident (a Gi* comparison with an earlier period needs them).
    case all

    /// The months kept, as month indices, once the last month is known; nil keeps everything.
    func months(endingAt end: Int32) -> ClosedRange<Int32>? {
        switch self {
        case .none, .all: nil
        case .latest(let n): (end - Int32(n) + 1)...end
        }
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
