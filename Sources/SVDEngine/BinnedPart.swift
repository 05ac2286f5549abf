import Foundation
import SVDCore
import SVDIngest
import SVDBin

/// One input file binned alone, kept (as bytes) so that a later run over it and other files need not read it
/// again: its cubes per source, all its in-scope points (the window moves with the data), its linkage points, its
/// file summary and the ids it read. `BinningRun.run(parts:)` merges parts into exactly the result one pass over
/// all the files gives: codes renumbered in file order, ids repeated from earlier files rejected (such a file is
/// binned again against them), points cut to the run's window.
public struct BinnedPart {
    /// Raise with any change to the stored form or to what binning produces (a stored part of another version is
    /// binned again, never trusted).
    public static let formatVersion: UInt32 = 1
    static let magic = Array("SVDPART\n".utf8)

    var sourceNames: [String]
    var offenceNames: [String]
    var declaredSources: [String]
    var cubes: [(source: String, cube: IncidentCube)]
    var points: [IncidentPoint]
    var outsidePoints: [IncidentPoint]
    var linkage: [LinkagePoint]
    var summary: BinningRun.FileSummary
    var idHashes: [UInt64]
    /// The last day a row could be dated when it was binned: a part with implausible-date rejects holds only for
    /// that day (a later one may accept a row it refused as in the future).
    var latestDay: Int32

    var dateSensitive: Bool { summary.summary.rejected(.implausibleDate) > 0 }

    init(_ r: BinningRun.Result, latestDay: Int32) {
        sourceNames = r.sourceNames
        offenceNames = r.catalog.entries.map(\.name)
        declaredSources = r.declaredSources
        // The placeholder cube of a file without rows is no source's.
        cubes = r.sourceCubes.filter { !$0.cube.months.isEmpty || $0.cube.outsideSupportedMonths > 0 }
        points = r.points
        outsidePoints = r.outsidePoints
        linkage = r.linkage
        summary = r.summaries[0]
        idHashes = r.idHashes
        self.latestDay = latestDay
    }

    // MARK: Stored form: magic, version, fingerprint, SHA-256 of the body, body

    struct Meta: Codable {
        var sourceNames: [String]
        var offenceNames: [String]
        var declaredSources: [String]
        var cubeSources: [String]
        var pointStride: Int
        var linkageStride: Int
        var latestDay: Int32
        var file: String
        var format: String
        var source: String
        var partner: String?
        var statedPeriod: String?
        var months: [Int32]?
        var acceptedBySource: [String]
        var acceptedBySourceRows: [Int]
        var summaryFiles: [String]
        var summarySHA256: [String]
        var counts: [Int]
        var rejects: [String: Int]
    }

    /// The part as bytes, bound to `fingerprint` (what it was binned from and with).
    func encoded(fingerprint: String) throws -> Data {
        let s = summary.summary
        let meta = Meta(sourceNames: sourceNames, offenceNames: offenceNames, declaredSources: declaredSources, cubeSources: cubes.map(\.source),
                        pointStride: MemoryLayout<IncidentPoint>.stride, linkageStride: MemoryLayout<LinkagePoint>.stride,
                        latestDay: latestDay, file: summary.file, format: summary.format, source: summary.source, partner: summary.partner,
                        statedPeriod: summary.statedPeriod, months: summary.months.map { [$0.lowerBound.index, $0.upperBound.index] },
                        acceptedBySource: summary.acceptedBySource.map(\.source), acceptedBySourceRows: summary.acceptedBySource.map(\.rows),
                        summaryFiles: s.files, summarySHA256: s.sha256,
                        counts: [s.bytes, s.rowsRead, s.accepted, s.blankLines, s.acceptedUnknownVictimAge, s.acceptedUnknownHour,
                                 s.acceptedUnknownDay, s.acceptedUnknownLocationType, s.acceptedUnknownSuspectAge,
                                 s.acceptedUnknownVictimSex, s.acceptedUnknownSuspectSex],
                        rejects: Dictionary(uniqueKeysWithValues: s.rejectedByReason.map { ($0.key.rawValue, $0.value) }))
        var body = Data()
        func section(_ d: Data) {
            withUnsafeBytes(of: UInt64(d.count).littleEndian) { body.append(contentsOf: $0) }
            body.append(d)
        }
        section(try JSONEncoder().encode(meta))
        for c in cubes { section(Data(c.cube.encoded())) }
        section(points.withUnsafeBytes { Data($0) })
        section(outsidePoints.withUnsafeBytes { Data($0) })
        section(linkage.withUnsafeBytes { Data($0) })
        section(idHashes.withUnsafeBytes { Data($0) })
        var out = Data(Self.magic)
        withUnsafeBytes(of: Self.formatVersion.littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(fingerprint.utf8))
        out.append(Data(SHA256Hex.of(body).utf8))
        out.append(body)
        return out
    }

    /// Reads `encoded`'s bytes; nil (bin it again) for another version or fingerprint, throws for damaged bytes.
    static func decode(_ data: Data, fingerprint: String, shape: IncidentCube.Shape) throws -> BinnedPart? {
        let head = magic.count + 4
        let fp = Data(fingerprint.utf8)
        guard data.count >= head + fp.count + 64, data.prefix(magic.count).elementsEqual(magic) else { throw EngineError("stored part: not a binned part") }
        let version = data.dropFirst(magic.count).prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        guard version == formatVersion, data.dropFirst(head).prefix(fp.count).elementsEqual(fp) else { return nil }
        let body = data.dropFirst(head + fp.count + 64)
        guard data.dropFirst(head + fp.count).prefix(64).elementsEqual(Data(SHA256Hex.of(Data(body)).utf8)) else {
            throw EngineError("stored part: its checksum does not match (damaged)")
        }
        var at = body.startIndex
        func section() throws -> Data {
            guard body.endIndex - at >= 8 else { throw EngineError("stored part: truncated") }
            let n = body[at..<at + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            at += 8
            guard UInt64(body.endIndex - at) >= n else { throw EngineError("stored part: truncated") }
            defer { at += Int(n) }
            return body[at..<at + Int(n)]
        }
        func array<T>(_: T.Type, _ d: Data) throws -> [T] {
            guard d.count % MemoryLayout<T>.stride == 0 else { throw EngineError("stored part: a section has a partial record") }
            return [T](unsafeUninitializedCapacity: d.count / MemoryLayout<T>.stride) { buffer, count in
                d.withUnsafeBytes { raw in UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw) }
                count = d.count / MemoryLayout<T>.stride
            }
        }
        let meta = try JSONDecoder().decode(Meta.self, from: try section())
        guard meta.pointStride == MemoryLayout<IncidentPoint>.stride, meta.linkageStride == MemoryLayout<LinkagePoint>.stride,
              meta.counts.count == 11, meta.acceptedBySource.count == meta.acceptedBySourceRows.count else { return nil }
        var cubes: [(source: String, cube: IncidentCube)] = []
        for name in meta.cubeSources {
            let bytes = try section()
            cubes.append((name, try bytes.withUnsafeBytes { try IncidentCube(shape: shape, decoding: $0) }))
        }
        let points = try array(IncidentPoint.self, try section()), outside = try array(IncidentPoint.self, try section())
        let linkage = try array(LinkagePoint.self, try section()), ids = try array(UInt64.self, try section())
        guard at == body.endIndex else { throw EngineError("stored part: bytes after the last section") }
        var rejects: [RejectReason: Int] = [:]
        for (k, v) in meta.rejects {
            guard let r = RejectReason(rawValue: k) else { return nil }
            rejects[r] = v
        }
        let c = meta.counts
        var s = IngestSummary(files: meta.summaryFiles, bytes: c[0], rowsRead: c[1], accepted: c[2], rejectedByReason: rejects, blankLines: c[3],
                              acceptedUnknownVictimAge: c[4], acceptedUnknownHour: c[5], acceptedUnknownDay: c[6],
                              acceptedUnknownLocationType: c[7], acceptedUnknownSuspectAge: c[8], acceptedUnknownVictimSex: c[9],
                              acceptedUnknownSuspectSex: c[10])
        s.sha256 = meta.summarySHA256
        let summary = BinningRun.FileSummary(file: meta.file, format: meta.format, source: meta.source, partner: meta.partner, summary: s,
                                             acceptedBySource: Array(zip(meta.acceptedBySource, meta.acceptedBySourceRows)).map { (source: $0.0, rows: $0.1) },
                                             statedPeriod: meta.statedPeriod,
                                             months: meta.months.flatMap { $0.count == 2 ? MonthKey(index: $0[0])...MonthKey(index: $0[1]) : nil })
        return BinnedPart(sourceNames: meta.sourceNames, offenceNames: meta.offenceNames, declaredSources: meta.declaredSources, cubes: cubes,
                          points: points, outsidePoints: outside, linkage: linkage, summary: summary, idHashes: ids, latestDay: meta.latestDay)
    }

    private init(sourceNames: [String], offenceNames: [String], declaredSources: [String], cubes: [(source: String, cube: IncidentCube)],
                 points: [IncidentPoint], outsidePoints: [IncidentPoint], linkage: [LinkagePoint], summary: BinningRun.FileSummary,
                 idHashes: [UInt64], latestDay: Int32) {
        self.sourceNames = sourceNames
        self.offenceNames = offenceNames
        self.declaredSources = declaredSources
        self.cubes = cubes
        self.points = points
        self.outsidePoints = outsidePoints
        self.linkage = linkage
        self.summary = summary
        self.idHashes = idHashes
        self.latestDay = latestDay
    }
}

/// The parts a run may reuse and the ones it binned: the portal keeps one per upload (`upload_parts`).
/// Unchecked: filled by the one run it is given to, read by the caller after that run has returned.
public final class BinnedParts: @unchecked Sendable {
    /// Per input, in the request's order: its stored part's bytes, if any.
    public let stored: [Data?]
    /// Per input: what identifies its content to the caller (the portal: the upload's SHA-256), in the fingerprint.
    public let inputKeys: [String]
    /// Per input: the fingerprint its part must carry (set by the run).
    public internal(set) var fingerprints: [String] = []
    /// Parts binned by this run that stand on their own, encoded for storing, by input index.
    public internal(set) var fresh: [Int: Data] = [:]
    /// Inputs whose stored part was used as it was.
    public internal(set) var reused: [Int] = []

    /// A part had to be binned (none stored, or it no longer holds) but its input's file was not given.
    public struct FileNeeded: Error, CustomStringConvertible {
        public let input: Int
        public var description: String { "input \(input + 1)'s file is needed to bin it again" }
    }

    public init(stored: [Data?], inputKeys: [String]) {
        self.stored = stored
        self.inputKeys = inputKeys
    }
}

extension BinningRun {
    /// Input `i` binned alone, with every in-scope point and its linkage points, counting `seeds` (ids of the files
    /// before it) as read already.
    func part(_ i: Int, seeds: [UInt64]) throws -> BinnedPart {
        // The caller left out the file of an input it had a part for: it must supply it and run again.
        guard FileManager.default.fileExists(atPath: inputs[i].url.path) else { throw BinnedParts.FileNeeded(input: i) }
        var run = BinningRun(files: [inputs[i]], area: area, definitions: definitions, workers: workers, rejectsFile: nil, progress: nil)
        run.points = .all
        run.disclosureKey = disclosureKey
        run.plausibleDates = plausibleDates
        run.bySource = bySource
        run.partOfLargerRun = true
        run.seedIDs = seeds
        return BinnedPart(try run.run(), latestDay: plausibleDates.latestDay)
    }

    /// The result of `run()` over all the inputs, from one part per input: each stored part that still holds
    /// (same fingerprint, same day when dates were refused as future ones), the others binned now. A file repeating
    /// ids of earlier files is binned again against them, as one pass over all the files would reject the repeats.
    func run(parts: BinnedParts) throws -> Result {
        guard rejectsFile == nil else { throw EngineError("a run from stored parts writes no rejects file") }
        let shape = IncidentCube.Shape(districts: area.districts.count, definitions: definitions)
        var merged: [BinnedPart] = []
        var earlierIDs = Set<UInt64>()
        for i in inputs.indices {
            var part: BinnedPart
            if let bytes = parts.stored[i], let p = try? BinnedPart.decode(bytes, fingerprint: parts.fingerprints[i], shape: shape),
               !p.dateSensitive || p.latestDay == plausibleDates.latestDay {
                part = p
                parts.reused.append(i)
            } else {
                part = try self.part(i, seeds: [])
                parts.fresh[i] = try part.encoded(fingerprint: parts.fingerprints[i])
            }
            if !part.idHashes.isEmpty {
                if !earlierIDs.isDisjoint(with: part.idHashes) { part = try self.part(i, seeds: earlierIDs.sorted()) }
                earlierIDs.formUnion(part.idHashes)
            }
            merged.append(part)
        }
        return try Self.merge(merged, shape: shape, definitions: definitions, window: points, lastMonth: lastMonth, bySource: bySource)
    }

    /// Parts put in one run's codes (sources and offence names numbered in file order, as one pass numbers them).
    static func merge(_ parts: [BinnedPart], shape: IncidentCube.Shape, definitions: Definitions, window: PointWindow,
                      lastMonth: MonthKey?, bySource: Bool) throws -> Result {
        let sources = SourceCatalog(), catalog = OffenceCatalog(definitions: definitions)
        var byCode: [UInt8: IncidentCube] = [:]
        var sourceMaps: [[UInt8]] = [], offenceMaps: [[UInt16]] = []
        for part in parts {
            let sourceMap = try part.sourceNames.map { n in
                guard let c = sources.code(for: n) else { throw EngineError("more than 255 sources") }
                return c
            }
            let offenceMap = try part.offenceNames.map { n in
                guard let c = catalog.code(normalised: n) else { throw EngineError("more than 65,535 offence names") }
                return c
            }
            sourceMaps.append(sourceMap)
            offenceMaps.append(offenceMap)
            for (name, cube) in part.cubes {
                cube.remapOffences(offenceMap)
                let code = bySource ? sources.code(for: name)! : 0
                if let existing = byCode[code] { existing.merge(cube) } else { byCode[code] = cube }
            }
        }
        let names = sources.names
        var perSource = byCode.keys.sorted().map { (source: bySource ? names[Int($0)] : "all sources", cube: byCode[$0]!) }
        if perSource.isEmpty { perSource = [(source: bySource ? names.first ?? "" : "all sources", cube: IncidentCube(shape: shape, layout: .marginal))] }
        let cube = BinningRun.combined(perSource.map(\.cube), shape: shape)
        let end = lastMonth?.index ?? cube.months.last?.index ?? 0
        let months = window.months(endingAt: end) ?? Int32.min...Int32.max
        func points(_ outside: Bool) -> [IncidentPoint] {
            guard window != .none else { return [] }
            var out: [IncidentPoint] = []
            for (k, part) in parts.enumerated() {
                for var p in outside ? part.outsidePoints : part.points where months.contains(p.month) && (lastMonth == nil || p.month <= lastMonth!.index) {
                    p.source = sourceMaps[k][Int(p.source)]
                    p.offence = offenceMaps[k][Int(p.offence)]
                    out.append(p)
                }
            }
            return out
        }
        let declared = parts.flatMap(\.declaredSources)
        var linkage: [LinkagePoint] = []
        if bySource && declared.contains(where: isPolice) && declared.contains(where: { !isPolice($0) }) {
            for (k, part) in parts.enumerated() {
                for var l in part.linkage {
                    l.source = sourceMaps[k][Int(l.source)]
                    linkage.append(l)
                }
            }
            // As `mergedLinkage` orders them.
            linkage.sort { ($0.hour, $0.recordKey, $0.location.easting) < ($1.hour, $1.recordKey, $1.location.easting) }
        }
        var result = Result(cube: cube, sourceCubes: perSource, points: points(false), outsidePoints: points(true), catalog: catalog,
                            sourceNames: names, linkage: linkage, summaries: parts.map(\.summary), rejectsFile: nil)
        result.declaredSources = declared
        return result
    }
}
