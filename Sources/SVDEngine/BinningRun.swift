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
    /// One file and how to read it.
    public struct Input: Sendable {
        public let url: URL
        /// nil: native or data.police.uk, detected from the header.
        public let format: IncidentFormat?
        /// The source of every row (a sources file's `source:`); nil: the file's own.
        public let source: String?
        /// Who supplied it.
        public let partner: String?
        /// The period the supplier says it covers, as written.
        public let statedPeriod: String?
        public init(url: URL, format: IncidentFormat? = nil, source: String? = nil, partner: String? = nil, statedPeriod: String? = nil) {
            self.url = url
            self.format = format
            self.source = source
            self.partner = partner
            self.statedPeriod = statedPeriod
        }
    }

    /// How one file was read.
    public struct FileSummary: Sendable {
        public let file: String
        public let format: String
        /// The source its rows belong to, and who supplied it.
        public let source: String
        public let partner: String?
        public let summary: IngestSummary
        /// Accepted rows by the source each row named (a native file's source column can name several).
        public let acceptedBySource: [(source: String, rows: Int)]
        /// The period the supplier says the file covers, and the months its accepted rows actually span.
        public let statedPeriod: String?
        public let months: ClosedRange<MonthKey>?
    }

    public struct Result {
        /// All sources together.
        public let cube: IncidentCube
        /// One cube per source seen, in source-code order; their sum is `cube` (the same object when there is one).
        public let sourceCubes: [(source: String, cube: IncidentCube)]
        /// In-scope incidents in a district as points, when the run was asked to collect them (for hotspots); in no
        /// particular order.
        public let points: [IncidentPoint]
        /// The same for incidents outside every district (few: hotspot runs only count them), kept apart so that a run
        /// using every point of `points` shares the array instead of copying it.
        public let outsidePoints: [IncidentPoint]
        public let catalog: OffenceCatalog
        /// Source names by code (`Incident.source`, `IncidentPoint.source`).
        public let sourceNames: [String]
        /// In-scope incidents with a known day and hour, for matching partner records to police ones: kept only when
        /// the files declare a police source and another one (see `collectsLinkage`).
        public let linkage: [LinkagePoint]
        public let summaries: [FileSummary]
        public let rejectsFile: URL?
        /// Each file's declared source (`IncidentReader.sourceLabel`): whether a merged run keeps linkage points.
        public var declaredSources: [String] = []
        /// The ids read, for a part of a larger run (`partOfLargerRun`, see `BinnedPart`).
        public var idHashes: [UInt64] = []
        /// The run's ids went to disk (`idSpillThreshold`); `passes` is 2 when some repeated, so the files were read again.
        public var idsSpilled = false
        public var passes = 1
    }

    public let inputs: [Input]
    public let area: Area
    public let definitions: Definitions
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

    /// Keep a cube per source; off, every row goes into one cube and `sourceCubes` holds only it, and no linkage points
    /// are kept.
    public var bySource = true

    /// For a part of a larger run (`BinnedPart`): keep linkage points whatever the files declare (the merged run
    /// decides), return the ids read, and count the ids of files before this run's as read already.
    var partOfLargerRun = false
    var seedIDs: [UInt64] = []

    /// Whether a source name is a police source, whose records partner records are matched against.
    public static func isPolice(_ source: String) -> Bool { source.lowercased().hasPrefix("police") }

    /// Every file read with one format (nil: detected per file).
    public init(inputs: [URL], area: Area, definitions: Definitions, format: IncidentFormat? = nil,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, rejectsFile: URL?, progress: IngestObserver? = nil) {
        self.init(files: inputs.map { Input(url: $0, format: format) }, area: area, definitions: definitions, workers: workers,
                  rejectsFile: rejectsFile, progress: progress)
    }

    /// Each file with its own format and source (several agencies' extracts in one run).
    public init(files: [Input], area: Area, definitions: Definitions,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, rejectsFile: URL?, progress: IngestObserver? = nil) {
        self.inputs = files
        self.area = area
        self.definitions = definitions
        // The reader runs at most 64 workers; every worker state must have a thread, or the months it owns would
        // wait in its mailbox until the end of the file.
        self.workers = min(64, max(1, workers))
        self.rejectsFile = rejectsFile
        self.progress = progress
    }

    /// All sources' incidents in one cube: the single source's own cube, or the sum of theirs.
    static func combined(_ cubes: [IncidentCube], shape: IncidentCube.Shape) -> IncidentCube {
        if cubes.count == 1 { return cubes[0] }
        let cube = IncidentCube(shape: shape, layout: .marginal)
        for c in cubes { cube.merge(c) }
        return cube
    }

    /// Ids a run may expect before they are spilled to disk instead of held (`DuplicateIDs.spillAbove`): the table
    /// holds 5.7 bytes an id (17 MB at 3M), the spill about 4 MB at any size but a second pass when an id repeats.
    public var idSpillThreshold = BinningRun.defaultIDSpillThreshold
    public static let defaultIDSpillThreshold = 3_000_000

    public func run() throws -> Result {
        // Spilling needs files it can read again (not a pipe) and no ids carried in or out (a portal part).
        var runBytes = 0
        var spillable = !partOfLargerRun && seedIDs.isEmpty
        for input in inputs {
            var info = stat()
            if stat(input.url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { runBytes += Int(info.st_size) } else { spillable = false }
        }
        let first = try pass {
            let ids = DuplicateIDs()
            ids.keepsHashes = partOfLargerRun
            if !seedIDs.isEmpty { ids.insert(seeds: seedIDs) }
            if spillable { (ids.spillAbove, ids.runBytes) = (idSpillThreshold, runBytes) }
            return ids
        }
        switch first {
        case .result(var result, let spilled):
            result.idsSpilled = spilled
            return result
        case .repeats(let repeats, let digests):
            // Some ids repeat: read the files again, rejecting each copy after the first, as the table would have.
            guard case .result(var result, _) = try pass(again: true, { DuplicateIDs(repeats: repeats) }) else {
                preconditionFailure("a pass with known repeats does not spill")
            }
            (result.idsSpilled, result.passes) = (true, 2)
            // The second pass decided what the first one found; a file that changed in between would mix the two.
            for (summary, digest) in zip(result.summaries, digests) where summary.summary.sha256 != digest {
                throw IngestError.cannotRead(file: summary.file, reason: "it changed while svd read it twice (its ids repeat); run again")
            }
            return result
        }
    }

    private enum Pass {
        /// With whether the ids were spilled.
        case result(Result, spilled: Bool)
        /// A spilled pass in which these id hashes repeat: its rows were all kept, so it does not stand.
        case repeats(Set<UInt64>, digests: [[String]])
    }

    private func pass(again: Bool = false, _ makeIDs: () -> DuplicateIDs) throws -> Pass {
        let catalog = OffenceCatalog(definitions: definitions)
        let locator = DistrictLocator(area: area)
        let shape = IncidentCube.Shape(districts: area.districts.count, definitions: definitions)
        let states = WorkerStates(count: workers, shape: shape, catalog: catalog, window: points, lastMonth: lastMonth.map { $0.index },
                                  outside: area.districts.count)
        if !bySource { for w in 0..<workers { states[w].oneCube = true } }
        let rejects = try rejectsFile.map { try RejectWriter(url: $0) } ?? RejectWriter.counting()
        let sources = SourceCatalog()
        // One set of ids for the whole run: a repeat in a later file is a duplicate too.
        var ids: DuplicateIDs? = makeIDs()
        var summaries: [FileSummary] = []
        let outside = area.districts.count
        // Every file's header against its format first: a file that does not match its mapping stops the run before
        // any row is read.
        let readers = try inputs.map { input in
            var reader = try IncidentReader(url: input.url, format: input.format, catalog: catalog, sources: sources, fixedSource: input.source)
            try reader.placeVenues(areaDistricts: area.districts.map(\.name), district: area.district(matching:))
            return reader
        }
        // Overlap needs every timed incident of both kinds; only a run that mixes police and partner files pays for it.
        let declared = readers.map(\.sourceLabel)
        let linkage = bySource && (partOfLargerRun || declared.contains(where: Self.isPolice) && declared.contains { !Self.isPolice($0) })
        if linkage { for w in 0..<workers { states[w].collectsLinkage = true } }
        for (input, opened) in zip(inputs, readers) {
            let url = input.url
            var reader = opened
            reader.disclosureKey = disclosureKey
            reader.plausibleDates = plausibleDates
            reader.duplicateIDs = ids
            progress?.begin(file: again ? url.lastPathComponent + " (again: some ids repeat)" : url.lastPathComponent)
            let summary = try reader.read(workers: workers, rejects: rejects, progress: { done, total in
                progress?.update(done: done, total: total)
            }) { worker, batch in
                let state = states[worker]
                let districts = state.districtBuffer(batch.count)
                for (k, incident) in batch.enumerated() {
                    if incident.placedDistrict > 0 {
                        districts[k] = Int32(incident.placedDistrict) - 1
                    } else {
                        let d = locator.district(at: incident.location)
                        districts[k] = d == DistrictLocator.outside ? Int32(outside) : d
                    }
                }
                // The cube cells of the row `ahead` on are prefetched before each row is binned (IncidentCube.prefetch).
                let n = batch.count
                for k in 0..<min(WorkerStates.ahead, n) { state.prefetch(batch[k], district: Int(districts[k])) }
                for k in 0..<n {
                    if k + WorkerStates.ahead < n { state.prefetch(batch[k + WorkerStates.ahead], district: Int(districts[k + WorkerStates.ahead])) }
                    state.bin(batch[k], district: Int(districts[k]))
                }
                // Cells of months another worker owns go to it; this worker bins what the others sent it.
                states.exchange(worker)
            }
            states.drainAll()
            progress?.end()
            var rowsBySource = [Int](repeating: 0, count: 256)
            var first = Int32.max, last = Int32.min
            for w in 0..<workers {
                for s in 0..<256 where states[w].fileRowsBySource[s] != 0 { rowsBySource[s] += states[w].fileRowsBySource[s]; states[w].fileRowsBySource[s] = 0 }
                (first, last) = (min(first, states[w].fileFirstMonth), max(last, states[w].fileLastMonth))
                (states[w].fileFirstMonth, states[w].fileLastMonth) = (.max, .min)
            }
            let names = sources.names
            summaries.append(FileSummary(file: url.lastPathComponent, format: reader.format.label, source: reader.sourceLabel,
                                         partner: input.partner, summary: summary,
                                         acceptedBySource: rowsBySource.indices.filter { rowsBySource[$0] > 0 }.map { (names[$0], rowsBySource[$0]) },
                                         statedPeriod: input.statedPeriod,
                                         months: first <= last ? MonthKey(index: first)...MonthKey(index: last) : nil))
        }
        try rejects.close()
        let spilled = ids?.isSpilled ?? false
        if let repeats = try ids?.repeatedHashes(), !repeats.isEmpty { return .repeats(repeats, digests: summaries.map(\.summary.sha256)) }
        // 8 bytes a row's id (105 MB at 10M rows): gone before the combined cube is made.
        let idHashes = partOfLargerRun ? ids?.hashes ?? [] : []
        ids = nil
        let names = sources.names
        let perSource = states.mergedCubes(shape: shape).map { (source: bySource ? names[Int($0.source)] : "all sources", cube: $0.cube) }
        let cube = Self.combined(perSource.map(\.cube), shape: shape)
        let end = lastMonth?.index ?? cube.months.last?.index ?? 0
        let window = points.months(endingAt: end)
        var result = Result(cube: cube, sourceCubes: perSource, points: states.mergedPoints(window: window, outside: false),
                      outsidePoints: states.mergedPoints(window: window, outside: true), catalog: catalog, sourceNames: names, linkage: states.mergedLinkage(), summaries: summaries, rejectsFile: rejectsFile)
        result.declaredSources = declared
        result.idHashes = idHashes
        return .result(result, spilled: spilled)
    }
}

/// Per-thread binning state: each worker index owns one, so no locks on the hot path.
final class WorkerStates: @unchecked Sendable {
    /// Its worker alone touches a state's vars between exchanges (which lock), so the per-row dynamic exclusivity
    /// checks are off for the ones `bin` writes (they cost about 170 instructions a row).
    final class State {
        let shape: IncidentCube.Shape
        /// One cube per source code, made when the source's first row arrives.
        @exclusivity(unchecked) var cubes = [IncidentCube?](repeating: nil, count: 256)
        let catalog: OffenceCatalog
        let classifier: StrandClassifier
        let window: PointWindow
        /// Months kept: from `earliest` (raised as later months arrive, when the end is not fixed) to `latest`.
        @exclusivity(unchecked) var earliest = Int32.min
        let latest: Int32
        /// With no fixed end, the latest month this worker has seen: no point before `newest - length + 1` can be
        /// in the window, whatever the other workers see.
        @exclusivity(unchecked) var newest = Int32.min
        let points = PointChunks(), outsidePoints = PointChunks()
        /// The district index of "outside every district".
        let outside: Int
        var collectsLinkage = false
        /// Every source into cube slot 0.
        var oneCube = false
        /// This worker's index and the number of workers: a worker's cubes hold only the months it owns
        /// (`owner(of:)`), so the workers' cubes together weigh one cube per source, not one per worker.
        let index: Int
        let workers: UInt32
        /// Cube additions for months other workers own, by owner, until the next `exchange`.
        @exclusivity(unchecked) var outgoing: [[DeferredAdd]]
        /// Accepted rows of the current file by source code (reset after each file).
        @exclusivity(unchecked) var fileRowsBySource = [Int](repeating: 0, count: 256)
        @exclusivity(unchecked) var fileFirstMonth = Int32.max
        @exclusivity(unchecked) var fileLastMonth = Int32.min
        @exclusivity(unchecked) var linkage: [LinkagePoint] = []
        /// The definitions have measures (most runs' hot path skips them otherwise).
        let measures: Bool

        init(shape: IncidentCube.Shape, catalog: OffenceCatalog, window: PointWindow, lastMonth: Int32?, outside: Int, index: Int, workers: Int) {
            self.shape = shape
            self.outside = outside
            self.index = index
            self.workers = UInt32(workers)
            outgoing = Array(repeating: [], count: workers)
            self.catalog = catalog
            self.window = window
            latest = lastMonth ?? Int32.max
            if let lastMonth, case .latest(let n) = window { earliest = lastMonth - Int32(n) + 1 }
            classifier = StrandClassifier(catalog: catalog)
            measures = !catalog.definitions.measures.isEmpty
        }

        /// A month later than any seen moves the window on; the points it leaves go at the next compaction.
        @inline(__always) func keep(month: Int32) -> Bool {
            guard case .latest(let n) = window else { return window == .all && month <= latest }
            if month > newest && latest == Int32.max {
                newest = month
                earliest = max(earliest, month - Int32(n) + 1)
            }
            return month >= earliest && month <= latest
        }

        func append(_ p: IncidentPoint) {
            let store = Int(p.district) == outside ? outsidePoints : points
            // Only a window whose end moves with the data leaves points behind.
            store.append(p, floor: latest == Int32.max ? earliest : Int32.min)
        }

        @exclusivity(unchecked) private var districts = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
        @exclusivity(unchecked) private var districtCapacity = 0

        deinit { districts.deallocate() }

        /// Room for a batch's district indexes (reused batch to batch).
        func districtBuffer(_ n: Int) -> UnsafeMutablePointer<Int32> {
            if n > districtCapacity {
                districts.deallocate()
                districtCapacity = max(n, 2 * districtCapacity)
                districts = .allocate(capacity: districtCapacity)
            }
            return districts
        }

        /// Prefetches the cube cells `bin` will write for an in-scope incident of a month this worker owns.
        @inline(__always) func prefetch(_ i: Incident, district: Int) {
            // A code the classifier has not learnt yet (`bin` catches up) is skipped.
            guard UInt32(bitPattern: i.month) % workers == UInt32(index), Int(i.offence) < classifier.knownCodes,
                  classifier.scope(i) == .seriousViolence,
                  let cube = cubes[Int(oneCube ? 0 : i.source)] else { return }
            cube.prefetch(i, district: district)
        }

        /// The same for a handed-over addition.
        @inline(__always) func prefetch(_ d: DeferredAdd) {
            guard d.inScope, let cube = cubes[Int(d.slot)] else { return }
            cube.prefetch(d.incident, district: Int(d.district))
        }

        @inline(__always) func bin(_ i: Incident, district: Int) {
            if Int(i.offence) >= classifier.knownCodes {
                // A category first seen after this worker's snapshot: learn the new codes only.
                classifier.catchUp(with: catalog)
            }
            let inScope = classifier.scope(i) == .seriousViolence
            let masks = inScope ? classifier.masks(i) : 0
            let mask = UInt8(truncatingIfNeeded: masks & classifier.strandBits)
            fileRowsBySource[Int(i.source)] &+= 1
            if i.month < fileFirstMonth { fileFirstMonth = i.month }
            if i.month > fileLastMonth { fileLastMonth = i.month }
            let slot = oneCube ? 0 : i.source
            let measureMask = UInt16(truncatingIfNeeded: masks >> UInt32(classifier.strands))
            let owner = Int(UInt32(bitPattern: i.month) % workers)
            if owner == index {
                let cube = cubes[Int(slot)] ?? newCube(slot)
                cube.add(i, district: district, inScope: inScope, strandMask: mask, measureMask: measureMask)
            } else {
                outgoing[owner].append(DeferredAdd(incident: i, district: Int32(district), slot: slot, inScope: inScope, strandMask: mask,
                                                   measureMask: measureMask))
            }
            if inScope && collectsLinkage && i.placedDistrict == 0 && i.hour >= 0 && i.day != Incident.unknownDay {
                linkage.append(LinkagePoint(i, district: district))
            }
            // An incident placed only in a district (a venue lookup without a point) has no place on a map.
            if inScope && window != .none && i.placedDistrict == 0 && keep(month: i.month) {
                append(IncidentPoint(i, district: district, strandMask: mask))
            }
        }

        /// Bins another worker's addition for a month this worker owns.
        func add(_ d: DeferredAdd) {
            let cube = cubes[Int(d.slot)] ?? newCube(d.slot)
            cube.add(d.incident, district: Int(d.district), inScope: d.inScope, strandMask: d.strandMask, measureMask: d.measureMask)
        }

        @inline(never) func newCube(_ source: UInt8) -> IncidentCube {
            // The tables need only the main counts' projections: an eighth of the memory of the joint block.
            let c = IncidentCube(shape: shape, layout: .marginal)
            cubes[Int(source)] = c
            return c
        }
    }

    /// A cube addition handed from the worker that read the row to the worker that owns its month.
    struct DeferredAdd {
        var incident: Incident
        var district: Int32
        var slot: UInt8
        var inScope: Bool
        var strandMask: UInt8
        var measureMask: UInt16
    }

    /// What other workers handed worker w, under its lock.
    final class Mailbox {
        let lock = NSLock()
        var items: [DeferredAdd] = []
    }

    private let states: [State]
    private let mailboxes: [Mailbox]
    /// How many rows ahead cube cells are prefetched (`State.prefetch`): enough to cover an L3 hit's latency.
    static let ahead = 4

    init(count: Int, shape: IncidentCube.Shape, catalog: OffenceCatalog, window: PointWindow, lastMonth: Int32?, outside: Int) {
        states = (0..<count).map { State(shape: shape, catalog: catalog, window: window, lastMonth: lastMonth, outside: outside, index: $0, workers: count) }
        mailboxes = (0..<count).map { _ in Mailbox() }
    }

    /// Worker w, between batches: posts its additions for other workers' months, then bins what was posted to it.
    func exchange(_ w: Int) {
        post(w)
        receive(w)
    }

    private func post(_ w: Int) {
        let s = states[w]
        for dest in s.outgoing.indices where dest != w && !s.outgoing[dest].isEmpty {
            let box = mailboxes[dest]
            box.lock.lock()
            box.items.append(contentsOf: s.outgoing[dest])
            box.lock.unlock()
            s.outgoing[dest].removeAll(keepingCapacity: true)
        }
    }

    private func receive(_ w: Int) {
        let box = mailboxes[w]
        box.lock.lock()
        let mine = box.items
        box.items = []
        box.lock.unlock()
        let s = states[w]
        let n = mine.count
        for k in 0..<min(Self.ahead, n) { s.prefetch(mine[k]) }
        for k in 0..<n {
            if k + Self.ahead < n { s.prefetch(mine[k + Self.ahead]) }
            s.add(mine[k])
        }
    }

    /// After a file is read (no worker running): every posted addition binned by its owner.
    func drainAll() {
        for w in states.indices { post(w) }
        for w in states.indices { receive(w) }
    }

    /// Every worker's points in `months` (all when nil), in districts or outside them, in one array of exactly their
    /// number; each chunk is freed once copied, so the merge holds one copy of the points, not two.
    func mergedPoints(window months: ClosedRange<Int32>?, outside: Bool) -> [IncidentPoint] {
        let months = months ?? Int32.min...Int32.max
        let stores = states.map { outside ? $0.outsidePoints : $0.points }
        let total = stores.reduce(0) { $0 + $1.count(in: months) }
        return [IncidentPoint](unsafeUninitializedCapacity: total) { buffer, count in
            count = 0
            for store in stores {
                store.drain { chunk in
                    for p in chunk where months.contains(p.month) {
                        (buffer.baseAddress! + count).initialize(to: p)
                        count += 1
                    }
                }
            }
        }
    }

    subscript(worker: Int) -> State { states[worker] }

    func mergedLinkage() -> [LinkagePoint] {
        var all: [LinkagePoint] = []
        all.reserveCapacity(states.reduce(0) { $0 + $1.linkage.count })
        for s in states { all += s.linkage; s.linkage = [] }
        // Worker order depends on thread timing; the linkage's outputs do not, but sort so the array does not either.
        all.sort { ($0.hour, $0.recordKey, $0.location.easting) < ($1.hour, $1.recordKey, $1.location.easting) }
        return all
    }

    /// Per source code seen, the workers' cubes merged (into the first worker's).
    func mergedCubes(shape: IncidentCube.Shape) -> [(source: UInt8, cube: IncidentCube)] {
        var out: [(source: UInt8, cube: IncidentCube)] = []
        for code in 0..<256 {
            let cubes = states.compactMap { $0.cubes[code] }
            guard let first = cubes.first else { continue }
            // Workers own disjoint months, so their blocks move into the first cube without a copy.
            for c in cubes.dropFirst() { first.absorb(c) }
            out.append((UInt8(code), first))
            for s in states { s.cubes[code] = nil }
        }
        if out.isEmpty { out.append((0, IncidentCube(shape: shape, layout: .marginal))) }
        return out
    }
}

/// One worker's points in chunks of fixed size: appending never copies what is kept (a doubling array held up to
/// twice its points at 10M rows, and the merge a copy beside that), and the points a moving window leaves are
/// dropped chunk by chunk.
final class PointChunks {
    static let chunkSize = 1 << 15
    private var chunks: [[IncidentPoint]] = []
    private(set) var count = 0
    /// Points kept at the last compaction: the next comes when the store has doubled since, so it costs O(1) a point.
    private var keptAtCompaction = PointChunks.chunkSize

    /// Appends `p`; when a new chunk is due, first drops points before `floor` if the store has doubled since last time.
    @inline(__always) func append(_ p: IncidentPoint, floor: Int32) {
        if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkSize {
            if floor > Int32.min && count >= 2 * keptAtCompaction { compact(floor: floor) }
            if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkSize {
                var chunk: [IncidentPoint] = []
                chunk.reserveCapacity(Self.chunkSize)
                chunks.append(chunk)
            }
        }
        chunks[chunks.count - 1].append(p)
        count += 1
    }

    /// Rewrites the store without points before `floor`, freeing each old chunk once read.
    private func compact(floor: Int32) {
        var kept: [[IncidentPoint]] = []
        var current: [IncidentPoint] = []
        current.reserveCapacity(Self.chunkSize)
        chunks.reverse()
        while let chunk = chunks.popLast() {
            for p in chunk where p.month >= floor {
                if current.count == Self.chunkSize {
                    kept.append(current)
                    current = []
                    current.reserveCapacity(Self.chunkSize)
                }
                current.append(p)
            }
        }
        if !current.isEmpty { kept.append(current) }
        chunks = kept
        count = kept.reduce(0) { $0 + $1.count }
        keptAtCompaction = max(count, Self.chunkSize)
    }

    func count(in months: ClosedRange<Int32>) -> Int {
        chunks.reduce(0) { n, c in n + c.reduce(0) { $0 + (months.contains($1.month) ? 1 : 0) } }
    }

    /// Hands every chunk to `body` in order and frees it; the store is empty after.
    func drain(_ body: ([IncidentPoint]) -> Void) {
        chunks.reverse()
        while let chunk = chunks.popLast() { body(chunk) }
        count = 0
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

/// An in-scope incident reduced to what matching partner records to police records needs.
public struct LinkagePoint: Sendable {
    public var location: BNGPoint
    /// Hours since 1970-01-01 00:00.
    public var hour: Int32
    public var month: Int32
    public var district: Int16
    public var victimAge: Int8
    public var source: UInt8
    public var recordKey: UInt32

    public init(_ i: Incident, district: Int) {
        location = i.location
        hour = i.day * 24 + Int32(i.hour)
        month = i.month
        self.district = Int16(district)
        victimAge = i.victimAge
        source = i.source
        recordKey = i.recordKey
    }
}

/// An in-scope incident reduced to what hotspot detection and profiling need: no id, no free text.
/// Fields are ordered by size and the month is kept in 16 bits, so a point takes 40 bytes, not 48 (hotspot runs
/// hold millions).
public struct IncidentPoint: Sendable {
    public var location: BNGPoint
    /// Days since 1970-01-01, or `Incident.unknownDay`.
    public var day: Int32
    /// The record key (see `KeyedCount`): counts of points are published through it.
    public var recordKey: UInt32
    /// District index, or the area's district count for outside.
    public var district: Int16
    /// Index into the run's `OffenceCatalog` (for harm weights).
    public var offence: UInt16
    /// `month` in 16 bits: plausible dates (1990 to the run date) have month indices far below 32,767.
    private var monthIndex: Int16
    public var hour: Int8
    public var victimAge: Int8
    public var suspectAge: Int8
    public var weapon: Weapon
    /// Bit k = strand k of the run's definitions.
    public var strandMask: UInt8
    /// Domestic flag, place type and public-place flag: the public tier leaves domestic abuse and incidents at
    /// dwellings out of place-based outputs (maps, hotspots).
    public var domestic: Flag
    public var locationType: LocationType
    public var publicPlace: Flag
    /// Index into the run's source names.
    public var source: UInt8

    /// Month index (`MonthKey.index`).
    public var month: Int32 {
        get { Int32(monthIndex) }
        set { monthIndex = Int16(clamping: newValue) }
    }

    public init(_ i: Incident, district: Int, strandMask: UInt8) {
        location = i.location
        day = i.day
        monthIndex = Int16(clamping: i.month)
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
        offence = i.offence
        source = i.source
    }
}
