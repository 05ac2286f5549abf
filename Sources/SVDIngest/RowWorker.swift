import SVDCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A rejected row waiting for its chunk's first line number to be known.
struct PendingReject {
    /// LFs between the chunk start and the record start.
    var relativeLine: Int
    var reason: RejectReason
    var detail: String
    /// The first `RejectWriter.recordPreviewBytes + 1` bytes of the record (one extra marks truncation).
    var record: [UInt8]
}

/// Per-worker map from raw field bytes to a code, so interning a category costs a hash and a memcmp.
/// Raw memory, owned by one worker, so the row path touches no reference counts.
struct ByteCodeCache {
    struct Slot {
        var offset: Int32
        var length: Int32
        var code: UInt16
        var used: Bool
    }

    static let slotCount = 512, maxEntries = 256, maxKey = 256
    private let keys = UnsafeMutablePointer<UInt8>.allocate(capacity: maxEntries * maxKey)
    private let slots = UnsafeMutablePointer<Slot>.allocate(capacity: slotCount)
    private var used = 0
    private var keyBytes = 0

    init() { slots.initialize(repeating: Slot(offset: 0, length: 0, code: 0, used: false), count: Self.slotCount) }

    func deallocate() {
        keys.deallocate()
        slots.deallocate()
    }

    @inline(__always) func find(_ b: Bytes, _ s: Int, _ e: Int) -> (code: UInt16?, hash: Int) {
        let n = e - s
        let h = Self.hash(b + s, n)
        var i = h & (Self.slotCount - 1)
        while slots[i].used {
            let slot = slots[i]
            if Int(slot.length) == n && memcmp(keys + Int(slot.offset), b + s, n) == 0 { return (slot.code, h) }
            i = (i + 1) & (Self.slotCount - 1)
        }
        return (nil, h)
    }

    /// Word-at-a-time hash: category names run to 20–30 bytes and this runs once per row.
    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= n {
            h = (h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        if i < n && n >= 8 {
            // The last 1–7 bytes as one load of the field's last eight (inside it, since n ≥ 8), shifted down:
            // the same value as packing them byte by byte.
            tail = UnsafeRawPointer(p + (n - 8)).loadUnaligned(as: UInt64.self) &>> UInt64(8 * (8 - (n - i)))
        } else {
            var shift: UInt64 = 0
            while i < n { tail |= UInt64(p[i]) &<< shift; shift &+= 8; i &+= 1 }
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// Forgets every entry.
    mutating func reset() {
        guard used > 0 else { return }
        for i in 0..<Self.slotCount { slots[i].used = false }
        used = 0
        keyBytes = 0
    }

    mutating func insert(_ b: Bytes, _ s: Int, _ e: Int, hash: Int, code: UInt16) {
        guard e - s <= Self.maxKey else { return }
        // Only distinct spellings land here; a corrupt file with hundreds starts the cache afresh.
        if used >= Self.maxEntries {
            for i in 0..<Self.slotCount { slots[i].used = false }
            used = 0
            keyBytes = 0
        }
        var i = hash & (Self.slotCount - 1)
        while slots[i].used { i = (i + 1) & (Self.slotCount - 1) }
        slots[i] = Slot(offset: Int32(keyBytes), length: Int32(e - s), code: code, used: true)
        (keys + keyBytes).update(from: b + s, count: e - s)
        keyBytes += e - s
        used += 1
    }
}

/// Small direct-mapped cache for WGS84 → BNG: data.police.uk snaps crimes to a limited set of map points.
struct ProjectionCache {
    struct Entry {
        var lon: UInt64
        var lat: UInt64
        var point: BNGPoint
    }

    private let entries = UnsafeMutablePointer<Entry>.allocate(capacity: 4096)

    init() { entries.initialize(repeating: Entry(lon: 0, lat: 0, point: BNGPoint(easting: .nan, northing: .nan)), count: 4096) }

    func deallocate() { entries.deallocate() }

    func project(longitude: Double, latitude: Double) -> BNGPoint {
        let a = longitude.bitPattern, b = latitude.bitPattern
        let slot = Int(truncatingIfNeeded: ((a &* 0x9E3779B97F4A7C15) ^ (b &* 0xC2B2AE3D27D4EB4F)) >> 52) & 4095
        let e = entries[slot]
        if e.lon == a && e.lat == b && !e.point.easting.isNaN { return e.point }
        let p = BritishNationalGrid.fromWGS84(longitude: longitude, latitude: latitude)
        entries[slot] = Entry(lon: a, lat: b, point: p)
        return p
    }
}

/// Column positions and rules as plain values, so the row path touches no reference counts.
struct HotPlan {
    var columnCount = 0
    var id = -1
    var idMayBeBlank = false
    /// 0 native datetime, 1 year-month, 2 patterns.
    var dateKind = 0
    var dateColumn = -1
    var offenceColumn = -1
    var easting = -1, northing = -1, longitude = -1, latitude = -1
    var victimAge = -1, suspectAge = -1
    var sourceColumn = -1
    var venue = -1
}

struct CategoricalSlot {
    var column: Int
    /// -1 when absent.
    var constant: Int16
    var fallback: Int16
    var table: FastTable
}

/// Turns records into incidents on one thread. Holds only per-worker state, so no locks in the row path.
final class RowWorker {
    let plan: RowPlan
    let catalog: OffenceCatalog
    let sources: SourceCatalog
    let maxRecordBytes: Int
    let disclosureKey: DisclosureKey
    private let earliestMonth: Int32
    private let latestDay: Int32
    private let latestMonth: Int32
    private let dates: PlausibleDates
    private let tokenizer: RecordTokenizer
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 4096
    private var offenceCache = ByteCodeCache()
    private var sourceCache = ByteCodeCache()
    private let projection = ProjectionCache()
    private let hot: HotPlan
    private let categorical: UnsafeMutablePointer<CategoricalSlot>
    private let offenceConstant: UInt16?
    private let sourceConstant: UInt8?
    private let defaultSource: UInt8?
    // Unchecked exclusivity: one worker thread owns these, and dynamic checks cost ~2% of a run once they are vars.
    @exclusivity(unchecked) private(set) var batchCapacity = 8192
    @exclusivity(unchecked) private var batch: UnsafeMutablePointer<Incident>
    /// Checking ids for repeats: the chunk's incidents are held until `commit` (chunks in file order).
    let checksDuplicates: Bool
    /// Per held incident (same index as `batch`): its id's hash (0 when the row has no id), and its line and record
    /// bounds in the chunk for a duplicate's reject.
    @exclusivity(unchecked) private var heldHashes: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var heldPlaces: UnsafeMutablePointer<(line: Int, start: Int, end: Int)>
    /// The id hash of the row `evaluate` just accepted (0 when it has none).
    @exclusivity(unchecked) private var lastIDHash: UInt64 = 0
    /// Per source code: a hash of its name mixed into id hashes, so equal ids from different sources differ.
    private var sourceSalts = [UInt64?](repeating: nil, count: 256)
    /// The salt (times the mixing constant) of `saltedSource`, the last source an id was hashed for.
    @exclusivity(unchecked) private var salt: UInt64 = 0
    @exclusivity(unchecked) private var saltedSource: UInt8 = 0
    @exclusivity(unchecked) private var hasSaltedSource = false
    private var batchCount = 0
    /// Offence names this chunk met that the catalogue did not have, in order of first appearance: they get codes
    /// in `commit`, chunk by chunk in file order, so which names a full catalogue refuses never depends on timing.
    private var newNames: [String] = []
    private var newNameIndex: [String: Int32] = [:]
    /// Raw field bytes → index in `newNames` (this chunk only).
    private var newNameCache = ByteCodeCache()
    /// Accepted rows whose offence is a new name: batch index, name index, and line and record bounds for a reject.
    private var pendingRows: [(index: Int, name: Int32, line: Int, start: Int, end: Int)] = []
    /// The new-name index of the row `evaluate` just accepted, or -1.
    @exclusivity(unchecked) private var rowNewName: Int32 = -1
    /// Source labels the same way: the catalogue gives codes in `commit`, in file order, so which labels a full
    /// catalogue refuses, and the order of the sources in every table, never depend on timing.
    private var newSources: [(label: String, salt: UInt64)] = []
    private var newSourceIndex: [String: Int32] = [:]
    private var pendingSourceRows: [(index: Int, source: Int32, line: Int, start: Int, end: Int)] = []
    @exclusivity(unchecked) private var rowNewSource: Int32 = -1
    var tally = Tally()
    private(set) var rejects: [PendingReject] = []

    init(plan: RowPlan, catalog: OffenceCatalog, sources: SourceCatalog, maxRecordBytes: Int, disclosureKey: DisclosureKey,
         dates: PlausibleDates = PlausibleDates(), checksDuplicates: Bool = false) {
        self.plan = plan
        self.checksDuplicates = checksDuplicates && plan.id >= 0
        self.dates = dates
        earliestMonth = dates.earliest.index
        latestDay = dates.latestDay
        latestMonth = dates.latestMonth
        self.disclosureKey = disclosureKey
        self.catalog = catalog
        self.sources = sources
        self.maxRecordBytes = maxRecordBytes
        tokenizer = RecordTokenizer(capacity: plan.columnCount + 1)
        scratch = .allocate(capacity: scratchCapacity)
        batch = .allocate(capacity: batchCapacity)
        heldHashes = .allocate(capacity: batchCapacity)
        heldPlaces = .allocate(capacity: batchCapacity)
        offenceConstant = plan.offence.constant.flatMap { catalog.code(for: plan.offence.map[normaliseCategory($0)] ?? $0) }
        sourceConstant = plan.source.constant.flatMap { sources.code(for: $0) }
        defaultSource = sources.code(for: plan.defaultSource)
        var h = HotPlan()
        h.columnCount = plan.columnCount
        h.id = plan.id
        h.idMayBeBlank = plan.idMayBeBlank
        switch plan.date {
        case .native(let c): h.dateKind = 0; h.dateColumn = c
        case .yearMonth(let c): h.dateKind = 1; h.dateColumn = c
        case .patterns(let c, _, _, _): h.dateKind = 2; h.dateColumn = c
        }
        h.offenceColumn = plan.offence.column
        (h.easting, h.northing, h.longitude, h.latitude) = (plan.easting, plan.northing, plan.longitude, plan.latitude)
        (h.victimAge, h.suspectAge) = (plan.victimAge, plan.suspectAge)
        h.sourceColumn = plan.source.column
        h.venue = plan.venue
        hot = h
        categorical = .allocate(capacity: plan.categorical.count)
        for (k, rule) in plan.categorical.enumerated() {
            (categorical + k).initialize(to: CategoricalSlot(column: rule.column, constant: rule.constant.map { Int16($0) } ?? -1,
                                                             fallback: rule.fallback.map { Int16($0) } ?? -1, table: rule.table.makeFast()))
        }
    }

    deinit {
        tokenizer.deallocate()
        scratch.deallocate()
        batch.deallocate()
        heldHashes.deallocate()
        heldPlaces.deallocate()
        offenceCache.deallocate()
        newNameCache.deallocate()
        sourceCache.deallocate()
        projection.deallocate()
        for k in 0..<CategoricalField.allCases.count { categorical[k].table.deallocate() }
        categorical.deallocate()
    }

    /// Reads every record in b[0..<count]; returns the LFs it spanned. Rejects collect in `rejects` (cleared first).
    func process(_ b: UnsafePointer<UInt8>, count: Int, worker: Int,
                 body: (Int, UnsafeBufferPointer<Incident>) -> Void) -> Int {
        rejects.removeAll(keepingCapacity: true)
        var p = 0
        var line = 0
        while p < count {
            let r = tokenizer.next(b, p, count)
            let recordLine = line
            line += r.lineFeeds
            p = r.next
            if !r.unterminatedQuote && r.contentEnd - r.start <= maxRecordBytes && isBlankRecord(b, r.start, r.contentEnd) {
                tally.blankLines += 1
                continue
            }
            tally.rowsRead += 1
            if let reason = evaluate(b, r) {
                reject(reason.0, reason.1, b, r, line: recordLine)
            } else {
                tally.accepted += 1
                // `evaluate` has stored the incident at batchCount - 1.
                if rowNewName >= 0 { pendingRows.append((batchCount - 1, rowNewName, recordLine, r.start, r.contentEnd)) }
                if rowNewSource >= 0 { pendingSourceRows.append((batchCount - 1, rowNewSource, recordLine, r.start, r.contentEnd)) }
                if checksDuplicates {
                    heldHashes[batchCount - 1] = lastIDHash
                    heldPlaces[batchCount - 1] = (recordLine, r.start, r.contentEnd)
                }
                if batchCount == batchCapacity {
                    // Rows waiting for `commit` (ids to check, or new offence names) keep the chunk's batch whole.
                    if checksDuplicates || !pendingRows.isEmpty || !pendingSourceRows.isEmpty { growBatch() } else { flush(worker: worker, body: body) }
                }
            }
        }
        if !checksDuplicates && pendingRows.isEmpty && pendingSourceRows.isEmpty { flush(worker: worker, body: body) }
        return line
    }

    private func growBatch() {
        let bigger = UnsafeMutablePointer<Incident>.allocate(capacity: batchCapacity * 2)
        bigger.moveInitialize(from: batch, count: batchCount)
        batch.deallocate()
        batch = bigger
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: batchCapacity * 2)
        hashes.moveInitialize(from: heldHashes, count: batchCount)
        heldHashes.deallocate()
        heldHashes = hashes
        let places = UnsafeMutablePointer<(line: Int, start: Int, end: Int)>.allocate(capacity: batchCapacity * 2)
        places.moveInitialize(from: heldPlaces, count: batchCount)
        heldPlaces.deallocate()
        heldPlaces = places
        batchCapacity *= 2
    }

    /// After `process`: waits for the chunk's turn (`seq`, file order), gives the chunk's new offence names and
    /// source labels codes (the first 65,535 distinct names and 255 labels in file order get one, whatever the
    /// workers), then rejects rows whose name or label was refused (`catalog_full`) or whose id was read before, and
    /// hands the others to `body`. `b` is the chunk `process` read (still valid).
    func commit(_ ids: DuplicateIDs, seq: Int, _ b: UnsafePointer<UInt8>, count chunkBytes: Int = 0, worker: Int,
                body: (Int, UnsafeBufferPointer<Incident>) -> Void) {
        var codes: [UInt16?] = []
        var sourceCodes: [UInt8?] = []
        var duplicate: [Int] = []
        ids.commit(seq: seq) { ids in
            guard checksDuplicates || !newNames.isEmpty || !newSources.isEmpty else { return }
            codes = newNames.map { catalog.code(normalised: $0) }
            sourceCodes = newSources.map { sources.code(for: $0.label) }
            guard checksDuplicates else { return }
            // A refused row is rejected before its id is read, as any other reject.
            for r in pendingRows where codes[Int(r.name)] == nil { heldHashes[r.index] = 0 }
            for r in pendingSourceRows where sourceCodes[Int(r.source)] == nil { heldHashes[r.index] = 0 }
            ids.insert(UnsafeBufferPointer(start: heldHashes, count: batchCount), chunkBytes: chunkBytes, duplicates: &duplicate)
        }
        // Refused rows in batch order (a row refused for both its name and its label is rejected once, for its name).
        var refusedNames: [(index: Int, line: Int, start: Int, end: Int, detail: String)] = []
        for r in pendingRows {
            if let code = codes[Int(r.name)] { batch[r.index].offence = code }
            else { refusedNames.append((r.index, r.line, r.start, r.end, "more than 65,535 distinct offence names")) }
        }
        var refusedLabels: [(index: Int, line: Int, start: Int, end: Int, detail: String)] = []
        for r in pendingSourceRows {
            if let code = sourceCodes[Int(r.source)] { batch[r.index].source = code }
            else { refusedLabels.append((r.index, r.line, r.start, r.end, "more than 255 distinct sources")) }
        }
        var refused: [(index: Int, line: Int, start: Int, end: Int, detail: String)] = []
        refused.reserveCapacity(refusedNames.count + refusedLabels.count)
        var x = 0, y = 0
        while x < refusedNames.count || y < refusedLabels.count {
            if y == refusedLabels.count || (x < refusedNames.count && refusedNames[x].index <= refusedLabels[y].index) {
                if y < refusedLabels.count && refusedLabels[y].index == refusedNames[x].index { y += 1 }
                refused.append(refusedNames[x]); x += 1
            } else {
                refused.append(refusedLabels[y]); y += 1
            }
        }
        newNames.removeAll(keepingCapacity: true)
        newNameIndex.removeAll(keepingCapacity: true)
        newNameCache.reset()
        pendingRows.removeAll(keepingCapacity: true)
        newSources.removeAll(keepingCapacity: true)
        newSourceIndex.removeAll(keepingCapacity: true)
        pendingSourceRows.removeAll(keepingCapacity: true)
        guard !refused.isEmpty || !duplicate.isEmpty else {
            flush(worker: worker, body: body)
            return
        }
        var extra: [PendingReject] = []
        var kept = 0, d = 0, f = 0
        for k in 0..<batchCount {
            let isRefused = f < refused.count && refused[f].index == k
            let isDuplicate = d < duplicate.count && duplicate[d] == k
            guard isRefused || isDuplicate else {
                batch[kept] = batch[k]
                kept += 1
                continue
            }
            let i = batch[k]
            tally.accepted -= 1
            untally(i)
            if isRefused {
                let r = refused[f]
                f += 1
                tally.rejects[RejectReason.catalogFull.index] += 1
                let n = min(r.end - r.start, RejectWriter.recordPreviewBytes + 1)
                extra.append(PendingReject(relativeLine: r.line, reason: .catalogFull, detail: r.detail,
                                           record: Array(UnsafeBufferPointer(start: b + r.start, count: n))))
            } else {
                d += 1
                let h = heldPlaces[k]
                tally.rejects[RejectReason.duplicateID.index] += 1
                let (p, s, e) = field(b, hot.id, in: h.start, h.end)
                let n = min(h.end - h.start, RejectWriter.recordPreviewBytes + 1)
                extra.append(PendingReject(relativeLine: h.line, reason: .duplicateID,
                                           detail: "id \(quoted(p, s, e)) (source \(sources.name(i.source))) was read earlier in this run",
                                           record: Array(UnsafeBufferPointer(start: b + h.start, count: n))))
            }
        }
        batchCount = kept
        flush(worker: worker, body: body)
        // Into line order with the chunk's other rejects (both lists are in line order).
        var merged: [PendingReject] = []
        merged.reserveCapacity(rejects.count + extra.count)
        var i = 0, j = 0
        while i < rejects.count || j < extra.count {
            if j == extra.count || (i < rejects.count && rejects[i].relativeLine <= extra[j].relativeLine) {
                merged.append(rejects[i]); i += 1
            } else {
                merged.append(extra[j]); j += 1
            }
        }
        rejects = merged
    }

    /// The id field of the record b[start..<end] (tokenized again: the tokenizer has moved on).
    private func field(_ b: UnsafePointer<UInt8>, _ column: Int, in start: Int, _ end: Int) -> (Bytes, Int, Int) {
        let r = tokenizer.next(b, start, end)
        guard column < r.fieldCount else { return (b, start, start) }
        return field(b, column)
    }

    private func untally(_ i: Incident) {
        if i.victimAge < 0 { tally.unknownVictimAge -= 1 }
        if i.hour < 0 { tally.unknownHour -= 1 }
        if i.day == Incident.unknownDay { tally.unknownDay -= 1 }
        if i.locationType == .unknown { tally.unknownLocationType -= 1 }
        if i.suspectAge < 0 { tally.unknownSuspectAge -= 1 }
        if i.victimSex == .unknown { tally.unknownVictimSex -= 1 }
        if i.suspectSex == .unknown { tally.unknownSuspectSex -= 1 }
    }

    @inline(never) private func sourceSalt(_ code: UInt8) -> UInt64 {
        if let s = sourceSalts[Int(code)] { return s }
        let salt = labelSalt(SourceCatalog.key(sources.name(code)))
        sourceSalts[Int(code)] = salt
        return salt
    }

    /// A source's salt from its compared form, so a label waiting for its code salts as it will once it has one.
    private func labelSalt(_ key: String) -> UInt64 {
        let name = Array(key.utf8)
        return name.withUnsafeBufferPointer { disclosureKey.fullHash($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: $0.count, domain: 3) }
    }

    func flush(worker: Int, body: (Int, UnsafeBufferPointer<Incident>) -> Void) {
        guard batchCount > 0 else { return }
        body(worker, UnsafeBufferPointer(start: batch, count: batchCount))
        batchCount = 0
    }

    /// A record the reader skipped because it outgrew the limit.
    func rejectOversized(preview: [UInt8], unterminated: Bool) {
        rejects.removeAll(keepingCapacity: true)
        tally.rowsRead += 1
        let reason: RejectReason = unterminated ? .unterminatedQuote : .recordTooLong
        tally.rejects[reason.index] += 1
        rejects.append(PendingReject(relativeLine: 0, reason: reason, detail: detail(reason), record: preview))
    }

    private func detail(_ reason: RejectReason) -> String {
        reason == .unterminatedQuote ? "quoted field still open at end of file" : "record longer than the \(maxRecordBytes)-byte limit"
    }

    private func reject(_ reason: RejectReason, _ detail: String, _ b: UnsafePointer<UInt8>, _ r: RecordScan, line: Int) {
        tally.rejects[reason.index] += 1
        let n = min(r.contentEnd - r.start, RejectWriter.recordPreviewBytes + 1)
        rejects.append(PendingReject(relativeLine: line, reason: reason, detail: detail,
                                     record: Array(UnsafeBufferPointer(start: b + r.start, count: n))))
    }

    // MARK: Field access

    /// The field's bytes, trimmed, unescaped into scratch when quoted with escapes.
    @inline(__always) private func field(_ b: UnsafePointer<UInt8>, _ column: Int) -> (Bytes, Int, Int) {
        let f = tokenizer.fields[column]
        if f.plain {
            let (s, e) = trim(b, f.start, f.end)
            return (b, s, e)
        }
        return unescaped(b, f)
    }

    @inline(never) private func unescaped(_ b: UnsafePointer<UInt8>, _ f: FieldRef) -> (Bytes, Int, Int) {
        let need = f.end - f.start
        if need > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(need, scratchCapacity * 2)
            scratch = .allocate(capacity: scratchCapacity)
        }
        let n = unescapeField(b, f.start, f.end, into: scratch)
        let (s, e) = trim(UnsafePointer(scratch), 0, n)
        return (UnsafePointer(scratch), s, e)
    }

    @inline(never) private func quoted(_ p: Bytes, _ s: Int, _ e: Int) -> String {
        let n = min(e - s, 60)
        var text = String(decoding: UnsafeBufferPointer(start: p + s, count: n), as: UTF8.self)
        if e - s > n { text += "…" }
        return "'\(text)'"
    }

    // MARK: Row evaluation

    /// Fills the next batch slot; returns the reject reason and detail if the row is refused.
    @inline(__always) private func evaluate(_ b: UnsafePointer<UInt8>, _ r: RecordScan) -> (RejectReason, String)? {
        rowNewName = -1
        rowNewSource = -1
        if r.unterminatedQuote { return (.unterminatedQuote, detail(.unterminatedQuote)) }
        if r.contentEnd - r.start > maxRecordBytes { return (.recordTooLong, detail(.recordTooLong)) }
        let h = hot
        if r.fieldCount != h.columnCount {
            return (.raggedRow, "\(r.fieldCount) fields, header has \(h.columnCount)")
        }
        if h.id >= 0 && !h.idMayBeBlank {
            let (_, s, e) = field(b, h.id)
            if s == e { return (.missingID, "column \(plan.name(h.id)) is blank") }
        }

        // Date
        var when: When
        if h.dateKind < 2 {
            let c = h.dateColumn
            let (p, s, e) = field(b, c)
            if s == e { return (.missingDate, "column \(plan.name(c)) is blank") }
            guard let parsed = h.dateKind == 0 ? parseNativeDateTime(p, s, e) : parseYearMonth(p, s, e) else {
                return textFailure(p, s, e, column: c, otherwise: .unparseableDate)
            }
            when = parsed
        } else {
            switch mappedDate(b) {
            case .success(let w): when = w
            case .failure(let f): return (f.reason, f.detail)
            }
        }

        // A real date, but not a plausible one for this run: before the floor or after the run date.
        // A day's grace after the run date: extracts are dated in UK time, the run date in UTC.
        let late = when.day != Incident.unknownDay ? when.day > latestDay &+ 1 : when.month > latestMonth
        if when.month < earliestMonth || late {
            return implausible(when)
        }

        // Offence
        let offence: UInt16
        if let k = offenceConstant {
            offence = k
        } else {
            let c = h.offenceColumn
            let (p, s, e) = field(b, c)
            if s == e { return (.missingOffence, "column \(plan.name(c)) is blank") }
            let hit = offenceCache.find(p, s, e)
            if let code = hit.code {
                offence = code
            } else {
                switch offenceCode(p, s, e, column: c, hash: hit.hash) {
                case .success(let code): offence = code
                case .failure(let f): return (f.reason, f.detail)
                }
            }
        }

        // Location: grid pair first, else longitude/latitude.
        let location: BNGPoint
        var placedDistrict: UInt8 = 0
        var gridGiven = (false, false), lonLatGiven = (false, false)
        if h.easting >= 0 {
            let (_, es, ee) = field(b, h.easting)
            let (_, ns, ne) = field(b, h.northing)
            gridGiven = (es < ee, ns < ne)
        }
        if h.longitude >= 0 {
            let (_, xs, xe) = field(b, h.longitude)
            let (_, ys, ye) = field(b, h.latitude)
            lonLatGiven = (xs < xe, ys < ye)
        }
        if gridGiven.0 && gridGiven.1 {
            let (ep, es, ee) = field(b, h.easting)
            guard let east = parseDecimal(ep, es, ee) else { return coordinateFailure(ep, es, ee, h.easting) }
            let (np, ns, ne) = field(b, h.northing)
            guard let north = parseDecimal(np, ns, ne) else { return coordinateFailure(np, ns, ne, h.northing) }
            let point = BNGPoint(easting: east, northing: north)
            guard BritishNationalGrid.isOnGrid(point) else {
                return (.offGrid, "easting \(east), northing \(north) outside the British National Grid")
            }
            location = point
        } else if lonLatGiven.0 && lonLatGiven.1 {
            let (xp, xs, xe) = field(b, h.longitude)
            guard let lon = parseDecimal(xp, xs, xe) else { return coordinateFailure(xp, xs, xe, h.longitude) }
            let (yp, ys, ye) = field(b, h.latitude)
            guard let lat = parseDecimal(yp, ys, ye) else { return coordinateFailure(yp, ys, ye, h.latitude) }
            guard BritishNationalGrid.validLongitudes.contains(lon), BritishNationalGrid.validLatitudes.contains(lat) else {
                return (.offGrid, "longitude \(lon), latitude \(lat) outside Great Britain")
            }
            let point = projection.project(longitude: lon, latitude: lat)
            guard BritishNationalGrid.isOnGrid(point) else { return (.offGrid, "longitude \(lon), latitude \(lat) off the grid") }
            location = point
        } else if gridGiven.0 || gridGiven.1 {
            return (.missingLocation, gridGiven.0 ? "easting given without northing" : "northing given without easting")
        } else if lonLatGiven.0 || lonLatGiven.1 {
            return (.missingLocation, lonLatGiven.0 ? "longitude given without latitude" : "latitude given without longitude")
        } else if h.venue >= 0, let venues = plan.venues {
            let (vp, vs, ve) = field(b, h.venue)
            guard vs < ve else { return (.unplacedLocation, "no coordinates and a blank \(plan.name(h.venue))") }
            let name = String(decoding: UnsafeBufferPointer(start: vp + vs, count: ve - vs), as: UTF8.self)
            switch venues.place(of: name) {
            case .point(let p)?:
                location = p
            case .district(let d)?:
                location = BNGPoint(easting: .nan, northing: .nan)
                placedDistrict = plan.venueDistricts[d] ?? 0
            case nil:
                return (.unplacedLocation, "no coordinates, and venue \(quoted(vp, vs, ve)) is not in \(venues.fileName)")
            }
        } else {
            return (.missingLocation, plan.format == "data.police.uk" ? "no location (blank Longitude and Latitude)" : "no coordinates")
        }

        // Ages
        var victimAge = Incident.unknownAge, suspectAge = Incident.unknownAge
        if h.victimAge >= 0 {
            switch age(b, h.victimAge) {
            case .success(let a): victimAge = a
            case .failure(let f): return (f.reason, f.detail)
            }
        }
        if h.suspectAge >= 0 {
            switch age(b, h.suspectAge) {
            case .success(let a): suspectAge = a
            case .failure(let f): return (f.reason, f.detail)
            }
        }

        // Categorical columns, in CategoricalField order, a byte each (a SIMD8 set at a variable lane went
        // through the stack and stalled on the reload: a fifth of this function's time).
        var codes: UInt64 = 0
        for k in 0..<8 {
            let rule = categorical[k]
            var v: UInt8 = 0
            if rule.constant >= 0 {
                v = UInt8(rule.constant)
            } else if rule.column >= 0 {
                let (p, s, e) = field(b, rule.column)
                if s < e {
                    if let hit = rule.table.lookup(p, s, e) { v = hit }
                    else if rule.fallback >= 0 { v = UInt8(rule.fallback) }
                    else { return textFailure(p, s, e, column: rule.column, otherwise: .unrecognisedValue, what: "not a recognised value") }
                }
            }
            codes |= UInt64(v) << UInt64(8 * k)
        }
        @inline(__always) func code(_ k: Int) -> UInt8 { UInt8(truncatingIfNeeded: codes >> UInt64(8 * k)) }

        // Source
        var source = sourceConstant ?? defaultSource ?? 0
        if sourceConstant == nil && h.sourceColumn >= 0 {
            let c = h.sourceColumn
            let (p, s, e) = field(b, c)
            if s < e {
                let hit = sourceCache.find(p, s, e)
                if let code = hit.code {
                    source = UInt8(code)
                } else {
                    switch internSource(p, s, e, column: c) {
                    case .success(let code): source = UInt8(code)
                    case .failure(let f): return (f.reason, f.detail)
                    }
                    // A label waiting for its code is not cached: its rows go through `internSource` until `commit`.
                    if rowNewSource < 0 { sourceCache.insert(p, s, e, hash: hit.hash, code: UInt16(source)) }
                }
            }
        }

        // Record key: from the id when the row has one (stable across extracts), else from the whole record.
        let recordKey: UInt32
        if h.id >= 0, case let (p, s, e) = field(b, h.id), s < e {
            let full = disclosureKey.fullHash(p + s, count: e - s, domain: 1)
            recordKey = DisclosureKey.recordKey(fromHash: full)
            if checksDuplicates {
                if rowNewSource >= 0 {
                    // A label waiting for its code (source is a placeholder): salted by its own name.
                    lastIDHash = full ^ (newSources[Int(rowNewSource)].salt &* 0x9E37_79B9_7F4A_7C15)
                } else {
                    // The last source's salt is kept at hand: files rarely switch source row by row.
                    if source != saltedSource || !hasSaltedSource {
                        salt = sourceSalt(source) &* 0x9E37_79B9_7F4A_7C15
                        saltedSource = source
                        hasSaltedSource = true
                    }
                    lastIDHash = full ^ salt
                }
            }
        } else {
            recordKey = disclosureKey.recordKey(b + r.start, count: r.contentEnd - r.start, domain: 2)
            lastIDHash = 0
        }
        var incident = Incident(location: location, month: when.month, day: when.day, hour: when.hour, offence: offence,
                                victimAge: victimAge, victimSex: Sex(rawValue: code(0)) ?? .unknown,
                                suspectAge: suspectAge, suspectSex: Sex(rawValue: code(1)) ?? .unknown,
                                locationType: LocationType(rawValue: code(2)) ?? .unknown,
                                publicPlace: Flag(rawValue: code(3)) ?? .unknown, domestic: Flag(rawValue: code(4)) ?? .unknown,
                                weapon: Weapon(rawValue: code(7)) ?? .unknown, alcohol: Flag(rawValue: code(5)) ?? .unknown,
                                drugs: Flag(rawValue: code(6)) ?? .unknown, source: source, recordKey: recordKey)
        incident.placedDistrict = placedDistrict
        batch[batchCount] = incident
        batchCount += 1
        if incident.victimAge < 0 { tally.unknownVictimAge += 1 }
        if incident.hour < 0 { tally.unknownHour += 1 }
        if incident.day == Incident.unknownDay { tally.unknownDay += 1 }
        if incident.locationType == .unknown { tally.unknownLocationType += 1 }
        if incident.suspectAge < 0 { tally.unknownSuspectAge += 1 }
        if incident.victimSex == .unknown { tally.unknownVictimSex += 1 }
        if incident.suspectSex == .unknown { tally.unknownSuspectSex += 1 }
        return nil
    }

    /// Mapped extracts: date column by its patterns, then the optional time column.
    @inline(never) private func mappedDate(_ b: UnsafePointer<UInt8>) -> Result<When, Failure> {
        guard case .patterns(let dc, let datePatterns, let tc, let timePatterns) = plan.date else { preconditionFailure() }
        let (p, s, e) = field(b, dc)
        if s == e { return .failure(Failure(reason: .missingDate, detail: "column \(plan.name(dc)) is blank")) }
        var found: When?
        for pattern in datePatterns {
            if let m = pattern.match(p, s, e), let y = m.year, let mo = m.month,
               let w = makeWhen(year: y, month: mo, day: m.day, hour: m.hour) { found = w; break }
        }
        guard var when = found else {
            let (r, d) = textFailure(p, s, e, column: dc, otherwise: .unparseableDate)
            return .failure(Failure(reason: r, detail: d))
        }
        if tc >= 0 {
            let (tp, ts, te) = field(b, tc)
            if ts < te && when.day != Incident.unknownDay {
                guard let hour = timePatterns.lazy.compactMap({ $0.match(tp, ts, te)?.hour }).first else {
                    let (r, d) = textFailure(tp, ts, te, column: tc, otherwise: .unparseableDate)
                    return .failure(Failure(reason: r, detail: d))
                }
                when.hour = Int8(hour)
            }
        }
        return .success(when)
    }

    @inline(__always) private func age(_ b: UnsafePointer<UInt8>, _ c: Int) -> Result<Int8, Failure> {
        let (p, s, e) = field(b, c)
        guard s < e else { return .success(Incident.unknownAge) }
        guard let a = parseUnsigned(p, s, e), a <= 120 else {
            let (r, d) = textFailure(p, s, e, column: c, otherwise: .invalidAge, what: "not a whole number of years in 0–120")
            return .failure(Failure(reason: r, detail: d))
        }
        return .success(Int8(a))
    }

    struct Failure: Error {
        let reason: RejectReason
        let detail: String
    }

    /// An offence the worker's cache missed: its code if the catalogue has the name, else a placeholder and the row
    /// marked (`rowNewName`) for `commit` to fill in once the chunk's turn comes.
    @inline(never) private func offenceCode(_ p: Bytes, _ s: Int, _ e: Int, column: Int, hash: Int) -> Result<UInt16, Failure> {
        let waiting = newNameCache.find(p, s, e)
        if let index = waiting.code {
            rowNewName = Int32(index)
            return .success(0)
        }
        guard isValidUTF8(p, s, e) else {
            return .failure(Failure(reason: .invalidUTF8, detail: "column \(plan.name(column)) is not valid UTF-8"))
        }
        if hasControlByte(p, s, e) {
            return .failure(Failure(reason: .controlCharacter, detail: "column \(plan.name(column)) holds a control byte"))
        }
        let raw = String(decoding: UnsafeBufferPointer(start: p + s, count: e - s), as: UTF8.self)
        let name = normaliseCategory(plan.offence.map.isEmpty ? raw : plan.offence.map[normaliseCategory(raw)] ?? raw)
        if let code = catalog.existingCode(normalised: name) {
            offenceCache.insert(p, s, e, hash: hash, code: code)
            return .success(code)
        }
        let index: Int32
        if let known = newNameIndex[name] {
            index = known
        } else {
            index = Int32(newNames.count)
            newNames.append(name)
            newNameIndex[name] = index
        }
        if index < Int32(UInt16.max) { newNameCache.insert(p, s, e, hash: waiting.hash, code: UInt16(index)) }
        rowNewName = index
        return .success(0)
    }

    /// Interns source text on a cache miss (with `offenceCode`, the only places a row makes a String).
    @inline(never) private func internSource(_ p: Bytes, _ s: Int, _ e: Int, column: Int) -> Result<UInt16, Failure> {
        guard isValidUTF8(p, s, e) else {
            return .failure(Failure(reason: .invalidUTF8, detail: "column \(plan.name(column)) is not valid UTF-8"))
        }
        if hasControlByte(p, s, e) {
            return .failure(Failure(reason: .controlCharacter, detail: "column \(plan.name(column)) holds a control byte"))
        }
        let raw = String(decoding: UnsafeBufferPointer(start: p + s, count: e - s), as: UTF8.self)
        let text = plan.source.map.isEmpty ? raw : plan.source.map[normaliseCategory(raw)] ?? raw
        if let c = sources.existingCode(for: text) { return .success(UInt16(c)) }
        let key = SourceCatalog.key(text)
        if let known = newSourceIndex[key] {
            rowNewSource = known
        } else {
            rowNewSource = Int32(newSources.count)
            newSources.append((text, labelSalt(key)))
            newSourceIndex[key] = rowNewSource
        }
        return .success(0)
    }

    @inline(never) private func implausible(_ when: When) -> (RejectReason, String) {
        let m = MonthKey(index: when.month)
        var text = m.description
        if when.day != Incident.unknownDay {
            let c = CivilDate.civil(daysSinceEpoch: Int(when.day))
            text += c.day < 10 ? "-0\(c.day)" : "-\(c.day)"
        }
        if when.month < earliestMonth { return (.implausibleDate, "\(text) is before \(dates.earliest), the earliest month read (--earliest)") }
        return (.implausibleDate, "\(text) is after the run date \(dates.latestText)")
    }

    @inline(never) private func coordinateFailure(_ p: Bytes, _ s: Int, _ e: Int, _ column: Int) -> (RejectReason, String) {
        textFailure(p, s, e, column: column, otherwise: .unparseableCoordinate, what: "not a number")
    }

    /// A field that failed to parse: invalid UTF-8 takes precedence over the field's own reason.
    @inline(never) private func textFailure(_ p: Bytes, _ s: Int, _ e: Int, column: Int, otherwise: RejectReason,
                                            what: String = "not a recognised date") -> (RejectReason, String) {
        if !isValidUTF8(p, s, e) { return (.invalidUTF8, "column \(plan.name(column)) is not valid UTF-8") }
        return (otherwise, "column \(plan.name(column)): \(quoted(p, s, e)) \(what)")
    }
}
