import Foundation
import SVDCore
import Synchronization
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams one incident CSV into `Incident` batches, in parallel, with bounded memory.
///
/// The calling thread reads the file in blocks and cuts each block after its last record end (found by a
/// quote-aware scan, so quoted line breaks are safe); worker threads parse whole chunks. Memory is a few
/// blocks per worker whatever the file size. Results do not depend on the number of workers or on where the
/// cuts fall; the reject file is written in file order.
public struct IncidentReader: Sendable {
    public let url: URL
    public let format: IncidentFormat
    /// Header names as they appear in the file.
    public let columns: [String]
    private(set) var plan: RowPlan
    let catalog: OffenceCatalog
    let sources: SourceCatalog
    let header: HeaderInfo
    /// Display name in summaries and the reject file.
    public var fileLabel: String { url.path }

    /// Block size for reads; tests shrink it to force many cuts.
    var blockSize = 1 << 20
    /// Longest record accepted; longer ones are rejected without being buffered whole.
    public var maxRecordBytes = 16 << 20
    /// The partnership's secret that record keys are made with (see `KeyedCount`).
    public var disclosureKey = DisclosureKey.testing
    /// Dates outside this window are rejected as `implausible_date` (default: 1990-01 to the run date).
    public var plausibleDates = PlausibleDates()
    /// Ids read so far in the run: a row whose id (with its source) is already there is rejected as `duplicate_id`.
    /// Share one across a run's readers (read one after another) so repeats across files are found; nil checks
    /// this file alone. Ignored by formats without an id column.
    public var duplicateIDs: DuplicateIDs?

    struct HeaderInfo: Sendable {
        var names: [String]
        /// Bytes up to and including the header's line end.
        var dataOffset: Int
        /// Physical line number of the first byte after the header.
        var firstDataLine: Int
        var blankLinesBefore: Int
        /// The file's size when it is a regular file; 0 for a pipe, FIFO or device (read as a stream).
        var fileSize: Int
        /// Old Mac line endings: the first line ends with a CR not followed by LF, so every CR is read as a line end.
        var crLineEnds: Bool
    }

    /// The open file and the bytes the header reader took from it: a pipe cannot be opened twice or rewound, so
    /// the body is read from the same descriptor, starting with the bytes read past the header.
    final class OpenInput: @unchecked Sendable {
        let fd: Int32
        /// Every byte read so far, as in the file (for the digest).
        let raw: [UInt8]
        /// The same bytes with CR line ends turned into LF when `crLineEnds`.
        let text: [UInt8]
        let header: HeaderInfo
        var consumed = false

        init(fd: Int32, raw: [UInt8], text: [UInt8], header: HeaderInfo) {
            (self.fd, self.raw, self.text, self.header) = (fd, raw, text, header)
        }

        deinit { _ = posixClose(fd) }
    }

    private let input: OpenInput

    /// Reads the header and settles the format (detected when `format` is nil).
    /// - Parameter sourceLabel: the source for rows without a `source` column (defaults: native "police",
    ///   data.police.uk "police.uk", mapped: the mapping's name).
    /// - Parameter fixedSource: the source of every row, whatever the file's own source column or mapping says
    ///   (a sources file's `source:`).
    public init(url: URL, format: IncidentFormat? = nil, catalog: OffenceCatalog, sources: SourceCatalog,
                sourceLabel: String? = nil, fixedSource: String? = nil) throws {
        self.url = url
        self.catalog = catalog
        self.sources = sources
        input = try Self.openAndReadHeader(url: url, limit: maxRecordBytes)
        header = input.header
        columns = header.names
        let index = HeaderIndex(file: url.path, names: header.names)
        let chosen = try format ?? RowPlan.detect(index)
        self.format = chosen
        var plan = try RowPlan.make(chosen, header: index, sourceLabel: sourceLabel)
        if let fixedSource {
            plan.source = TextRule(constant: fixedSource)
            plan.defaultSource = fixedSource
        }
        self.plan = plan
    }

    /// The source the file's rows belong to, as the data-quality table names it (a file with a source column may
    /// name others row by row; they are counted under their own names but the file's rows under this one).
    public var sourceLabel: String {
        plan.source.constant ?? plan.defaultSource
    }

    /// Resolves the district names a venue lookup uses with `district` (the area's own matching: code or name, any
    /// case). A name that is not a district of the area is an error naming the lookup file.
    public mutating func placeVenues(areaDistricts names: [String], district: (String) -> Int?) throws {
        guard let venues = plan.venues else { return }
        var index: [String: UInt8] = [:]
        for name in venues.districtNames.sorted() {
            guard let i = district(name), i < 255 else {
                throw IngestError.invalidMapping(file: venues.file, reason: "district '\(name)' is not a district of the area (\(names.joined(separator: ", ")))")
            }
            index[name] = UInt8(i + 1)
        }
        plan.venueDistricts = index
    }

    /// Calls `body` concurrently from up to `workers` threads with batches of accepted incidents; `worker` is in
    /// 0..<workers so callers can keep per-thread state without locks. The batch is valid only during the call.
    /// `progress` is called on the calling thread with (bytes read, file size).
    public func read(workers: Int, rejects: RejectWriter, progress: ((Int, Int) -> Void)? = nil,
                     _ body: @escaping @Sendable (_ worker: Int, _ batch: UnsafeBufferPointer<Incident>) -> Void) throws -> IngestSummary {
        let workerCount = max(1, min(workers, 64))
        // A second read of the same reader opens the file again (a pipe cannot be read twice).
        let input: OpenInput
        if self.input.consumed {
            guard header.fileSize > 0 else { throw IngestError.cannotRead(file: url.path, reason: "a pipe or stream can be read only once") }
            input = try Self.openAndReadHeader(url: url, limit: maxRecordBytes)
        } else {
            input = self.input
        }
        input.consumed = true
        let fd = input.fd

        let pool = BlockingQueue<ChunkBuffer>()
        for _ in 0..<(workerCount + 2) { pool.push(ChunkBuffer(capacity: blockSize)) }
        let jobs = BlockingQueue<Job?>()
        let sink = OrderedRejects(file: fileLabel, firstLine: header.firstDataLine, writer: rejects)
        let tallies = TallyBox()
        let group = DispatchGroup()
        let (plan, catalog, sources, maxRecord, key, dates) = (self.plan, self.catalog, self.sources, maxRecordBytes, disclosureKey, plausibleDates)
        let ids = duplicateIDs ?? DuplicateIDs()
        ids.beginFile(bytes: Int(clamping: header.fileSize))
        for w in 0..<workerCount {
            group.enter()
            let thread = Thread {
                let worker = RowWorker(plan: plan, catalog: catalog, sources: sources, maxRecordBytes: maxRecord, disclosureKey: key, dates: dates,
                                       checksDuplicates: true)
                while let job = jobs.pop() {
                    switch job {
                    case .records(let seq, let buffer, let count):
                        let lines = worker.process(UnsafePointer(buffer.bytes), count: count, worker: w, body: body)
                        worker.commit(ids, seq: seq, UnsafePointer(buffer.bytes), count: count, worker: w, body: body)
                        pool.push(buffer)
                        sink.submit(seq: seq, lineFeeds: lines, rejects: worker.rejects)
                    case .oversized(let seq, let preview, let lineFeeds, let unterminated):
                        ids.commit(seq: seq) { _ in }
                        worker.rejectOversized(preview: preview, unterminated: unterminated)
                        sink.submit(seq: seq, lineFeeds: lineFeeds, rejects: worker.rejects)
                    }
                }
                let t = worker.tally
                tallies.add(t)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }

        var failure: Error?
        // The file's hash comes free with the reading thread's pass (it overlaps the workers' parsing).
        let digest = FileDigest()
        var bytesRead = 0
        do {
            input.raw.withUnsafeBufferPointer { digest.update(UnsafeMutablePointer(mutating: $0.baseAddress!), count: $0.count) }
            bytesRead = try cutIntoChunks(fd: fd, input: input, pool: pool, jobs: jobs, digest: digest, progress: progress)
        } catch {
            failure = error
        }
        for _ in 0..<workerCount { jobs.push(nil) }
        group.wait()
        if let failure { throw failure }
        rejects.flush()
        var total = tallies.total
        total.blankLines += header.blankLinesBefore
        var summary = total.summary(file: fileLabel, bytes: bytesRead)
        summary.sha256 = [digest.hex]
        return summary
    }

    enum Job: @unchecked Sendable {
        case records(seq: Int, buffer: ChunkBuffer, count: Int)
        case oversized(seq: Int, preview: [UInt8], lineFeeds: Int, unterminated: Bool)
    }

    /// The reading side: fills buffers, cuts them after their last whole record and queues the chunks.
    /// Returns the bytes read in all (header included).
    private func cutIntoChunks(fd: Int32, input: OpenInput, pool: BlockingQueue<ChunkBuffer>, jobs: BlockingQueue<Job?>, digest: FileDigest,
                               progress: ((Int, Int) -> Void)?) throws -> Int {
        var seq = 0
        var buffer = pool.pop()
        var length = 0
        var scanned = 0
        var lastEnd = 0
        var scanner = BoundaryScanner()
        var done = input.raw.count
        let total = header.fileSize
        let crLineEnds = header.crLineEnds
        // The bytes the header reader read past the header start the first chunk (not yet scanned).
        let carried = input.text.count - header.dataOffset
        if carried > 0 {
            if buffer.capacity < carried + blockSize { buffer.grow(to: carried + blockSize) }
            input.text.withUnsafeBufferPointer { _ = memcpy(buffer.bytes, $0.baseAddress! + header.dataOffset, carried) }
            length = carried
        }
        func readFully(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ count: Int, _ digest: FileDigest) throws -> Int {
            let n = try self.readFully(fd, p, count, digest)
            if crLineEnds { translateCR(p, n) }
            return n
        }
        /// Queues the buffer's whole records and carries the partial last record into a fresh buffer.
        func handOffWholeRecords() {
            let next = pool.pop()
            let carry = length - lastEnd
            if next.capacity < carry + blockSize { next.grow(to: carry + blockSize) }
            if carry > 0 { memcpy(next.bytes, buffer.bytes + lastEnd, carry) }
            jobs.push(.records(seq: seq, buffer: buffer, count: lastEnd))
            seq += 1
            buffer = next
            length = carry
            scanned = carry
            lastEnd = 0
        }
        progress?(done, total)
        while true {
            if buffer.capacity - length < max(blockSize / 2, 1) { buffer.grow(to: length + blockSize) }
            let n = try readFully(fd, buffer.bytes + length, min(buffer.capacity - length, blockSize), digest)
            done += n
            if n > 0 { progress?(done, total) }
            if n == 0 {
                if length > 0 { jobs.push(.records(seq: seq, buffer: buffer, count: length)) } else { pool.push(buffer) }
                return done
            }
            if let end = scanner.lastRecordEnd(buffer.bytes, scanned, length + n) { lastEnd = end }
            length += n
            scanned = length
            if lastEnd > 0 {
                handOffWholeRecords()
            } else if length > maxRecordBytes + 1 {
                // One record bigger than the limit: keep its start for the reject file, skip to its end unbuffered.
                let previewLimit = RejectWriter.recordPreviewBytes + 1
                var preview = Array(UnsafeBufferPointer(start: buffer.bytes, count: min(length, previewLimit)))
                var lineFeeds = 0
                var p = UnsafeRawPointer(buffer.bytes)
                let stop = UnsafeRawPointer(buffer.bytes + length)
                while let hit = memchr(p, Int32(lfByte), stop - p) { lineFeeds += 1; p = UnsafeRawPointer(hit) + 1 }
                while true {
                    let m = try readFully(fd, buffer.bytes, min(buffer.capacity, blockSize), digest)
                    done += m
                    if m > 0 { progress?(done, total) }
                    let (end, lfs) = scanner.firstRecordEnd(buffer.bytes, 0, m)
                    lineFeeds += lfs
                    let contentInBlock = end.map { $0 - 1 } ?? m
                    if preview.count < previewLimit {
                        preview += UnsafeBufferPointer(start: buffer.bytes, count: min(previewLimit - preview.count, contentInBlock))
                        // Same preview as a record read whole: without the CR of a CR LF ending.
                        if preview.count < previewLimit && (end != nil || m == 0) && preview.last == crByte { preview.removeLast() }
                    }
                    if m == 0 {
                        jobs.push(.oversized(seq: seq, preview: preview, lineFeeds: lineFeeds, unterminated: scanner.insideQuotes))
                        pool.push(buffer)
                        return done
                    }
                    if let end {
                        jobs.push(.oversized(seq: seq, preview: preview, lineFeeds: lineFeeds, unterminated: false))
                        seq += 1
                        length = m - end
                        if length > 0 { memmove(buffer.bytes, buffer.bytes + end, length) }
                        // The remainder has not been scanned for record ends yet.
                        if let e = scanner.lastRecordEnd(buffer.bytes, 0, length) { lastEnd = e }
                        scanned = length
                        break
                    }
                }
                if lastEnd > 0 { handOffWholeRecords() }
            }
        }
    }

    private func readFully(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ count: Int, _ digest: FileDigest) throws -> Int {
        var got = 0
        while got < count {
            let n = Foundation.read(fd, p + got, count - got)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw IngestError.cannotRead(file: url.path, reason: String(cString: strerror(errno)))
            }
            got += n
        }
        digest.update(p, count: got)
        return got
    }

    // MARK: Header

    /// Opens the file and reads its header; the descriptor stays open for `read`.
    static func openAndReadHeader(url: URL, limit: Int) throws -> OpenInput {
        let path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IngestError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        do {
            let (header, raw, text) = try readHeader(fd: fd, path: path, limit: limit)
            return OpenInput(fd: fd, raw: raw, text: text, header: header)
        } catch {
            _ = posixClose(fd)
            throw error
        }
    }

    /// Reads from `fd` until the header record is whole. Returns the header, the bytes read (as in the file) and
    /// the same bytes as the tokenizer reads them (CR line ends turned into LF).
    static func readHeader(fd: Int32, path: String, limit: Int) throws -> (HeaderInfo, [UInt8], [UInt8]) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IngestError.cannotRead(file: path, reason: String(cString: strerror(errno))) }
        // Only a regular file's size means anything; pipes, FIFOs and devices are read as streams.
        let fileSize = (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0

        var raw = [UInt8]()
        var eof = false
        func readMore() throws {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { return }
                throw IngestError.cannotRead(file: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { eof = true } else { raw.append(contentsOf: chunk[0..<n]) }
        }
        // Line endings: the first CR or LF in the file decides. A CR not followed by LF means old Mac line ends,
        // and every CR in the file is then read as LF (a CR-only file otherwise reads as one long header).
        var crLineEnds = false
        while true {
            try readMore()
            if let i = raw.firstIndex(where: { $0 == crByte || $0 == lfByte }) {
                if raw[i] == lfByte { break }
                if i + 1 < raw.count { crLineEnds = raw[i + 1] != lfByte; break }
            }
            if eof { break }
            if raw.count > limit { break }
        }
        guard !raw.isEmpty else { throw IngestError.emptyFile(file: path) }
        var data = crLineEnds ? raw.map { $0 == crByte ? lfByte : $0 } : raw
        func more() throws {
            let before = raw.count
            try readMore()
            if crLineEnds { data += raw[before...].map { $0 == crByte ? lfByte : $0 } } else { data += raw[before...] }
        }
        var start = data.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var blanks = 0
        var scanner = BoundaryScanner()
        var scanned = start
        while true {
            let (end, lfs) = data.withUnsafeBufferPointer { scanner.firstRecordEnd($0.baseAddress!, scanned, data.count) }
            if end == nil && !eof {
                scanned = data.count
                if data.count - start > limit { throw IngestError.headerTooLong(file: path, limit: limit) }
                try more()
                continue
            }
            _ = lfs
            let recordEnd = end ?? data.count
            let names: [String]? = data.withUnsafeBufferPointer { p -> [String]? in
                let b = p.baseAddress!
                var contentEnd = end.map { $0 - 1 } ?? data.count
                if contentEnd > start && b[contentEnd - 1] == crByte { contentEnd -= 1 }
                if isBlankRecord(b, start, contentEnd) { return nil }
                let width = 1 + (start..<contentEnd).reduce(0) { $1 < data.count && b[$1] == commaByte ? $0 + 1 : $0 }
                let tokenizer = RecordTokenizer(capacity: width + 1)
                defer { tokenizer.deallocate() }
                let r = tokenizer.next(b, start, recordEnd)
                return (0..<min(r.fieldCount, width + 1)).map { i in
                    let f = tokenizer.fields[i]
                    if f.plain { return String(decoding: UnsafeBufferPointer(start: b + f.start, count: f.end - f.start), as: UTF8.self).trimmedBlanks }
                    var tmp = [UInt8](repeating: 0, count: f.end - f.start)
                    let n = tmp.withUnsafeMutableBufferPointer { unescapeField(b, f.start, f.end, into: $0.baseAddress!) }
                    return String(decoding: tmp[0..<n], as: UTF8.self).trimmedBlanks
                }
            }
            let lineFeedsInRecord = data[start..<recordEnd].reduce(0) { $1 == lfByte ? $0 + 1 : $0 }
            if let names {
                return (HeaderInfo(names: names, dataOffset: recordEnd, firstDataLine: line + lineFeedsInRecord,
                                   blankLinesBefore: blanks, fileSize: fileSize, crLineEnds: crLineEnds), raw, data)
            }
            blanks += 1
            line += lineFeedsInRecord
            if end == nil { throw IngestError.emptyFile(file: path) }
            start = recordEnd
            scanned = start
            scanner = BoundaryScanner()
        }
    }
}

/// Turns every CR in p[0..<n] into LF (files with old Mac line endings).
func translateCR(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) {
    var i = 0
    while i < n {
        if p[i] == crByte { p[i] = lfByte }
        i += 1
    }
}

/// SHA-256 of a file, fed by the reading thread only.
final class FileDigest {
    private var hasher = SHA256()

    func update(_ p: UnsafeMutablePointer<UInt8>, count: Int) {
        guard count > 0 else { return }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: p, count: count))
    }

    var hex: String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}

final class ChunkBuffer: @unchecked Sendable {
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        bytes = .allocate(capacity: self.capacity)
    }

    /// Grows, keeping the first `capacity` bytes.
    func grow(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        fresh.update(from: bytes, count: capacity)
        bytes.deallocate()
        bytes = fresh
        capacity = newCapacity
    }

    deinit { bytes.deallocate() }
}

/// Unbounded FIFO with blocking pop; bounded in practice by the buffer pool.
final class BlockingQueue<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []
    private var head = 0

    func push(_ item: T) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func pop() -> T {
        condition.lock()
        while head == items.count { condition.wait() }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.unlock()
        return item
    }
}

/// Puts chunk results back in file order so reject lines get absolute numbers and the reject file is ordered.
final class OrderedRejects: @unchecked Sendable {
    private struct State {
        var next = 0
        var line: Int
        var pending: [Int: (Int, [PendingReject])] = [:]
    }

    private let state: Mutex<State>
    private let file: String
    private let writer: RejectWriter

    init(file: String, firstLine: Int, writer: RejectWriter) {
        self.file = file
        self.writer = writer
        state = Mutex(State(line: firstLine))
    }

    func submit(seq: Int, lineFeeds: Int, rejects: [PendingReject]) {
        state.withLock { s in
            s.pending[seq] = (lineFeeds, rejects)
            while let (lfs, list) = s.pending.removeValue(forKey: s.next) {
                for r in list {
                    r.record.withUnsafeBufferPointer {
                        writer.write(file: file, line: s.line + r.relativeLine, reason: r.reason, detail: r.detail, record: $0)
                    }
                }
                s.line += lfs
                s.next += 1
            }
        }
    }
}

final class TallyBox: Sendable {
    private let state = Mutex(Tally())
    func add(_ t: Tally) { state.withLock { $0.add(t) } }
    var total: Tally { state.withLock { $0 } }
}
