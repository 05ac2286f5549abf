import Foundation
import SVDCore

/// Output layouts of the demo generator.
public enum DemoFormat: String, Sendable, CaseIterable {
    /// The native incident schema (one row per incident, BNG metres, full detail).
    case native
    /// A data.police.uk street-level crime file: month only, WGS84 lon/lat, "Crime type" categories.
    case policeUK = "police-uk"
}

public struct DemoError: Error, CustomStringConvertible {
    public let description: String
}

/// Deterministic synthetic Kent & Medway incidents for demos, tests and benchmarks.
///
/// The same seed, row count, end month and format always give the same bytes: rows are made in fixed blocks,
/// each with its own generator seeded from (seed, block number), using our own xoshiro256**.
public struct DemoGenerator: Sendable {
    public static let nativeHeader = "id,datetime,offence,easting,northing,victim_age,victim_sex,suspect_age,suspect_sex,location_type,public_place,domestic,weapon,alcohol,drugs,source"
    public static let policeUKHeader = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
    /// The last complete month before November 2026, so the default window is November 2023 – October 2026.
    public static let defaultEndMonth = MonthKey(year: 2026, month: 10)
    static let blockRows = 16_384

    public let seed: UInt64
    public let rows: Int
    public let endMonth: MonthKey
    public let months: Int

    public init(seed: UInt64, rows: Int, endMonth: MonthKey = DemoGenerator.defaultEndMonth, months: Int = 36) {
        self.seed = seed
        self.rows = rows
        self.endMonth = endMonth
        self.months = months
    }

    /// Writes the file, replacing it. `progress` gets the number of rows written so far after each block.
    public func write(to url: URL, format: DemoFormat, progress: ((Int) -> Void)? = nil) throws {
        try DemoGenerator.writeFile(url) { sink in try write(format: format, progress: progress, to: sink) }
    }

    /// Creates or truncates `url` and hands `body` a sink that writes each buffer it gets straight to the file.
    static func writeFile(_ url: URL, _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let path = url.path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DemoError(description: "\(path): cannot create file (\(String(cString: strerror(errno))))") }
        var closed = false
        defer { if !closed { close(fd) } }
        try body { bytes in
            guard var p = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = Foundation.write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DemoError(description: "\(path): write failed (\(String(cString: strerror(errno))))")
                }
                p += n
                left -= n
            }
        }
        closed = true
        guard close(fd) == 0 else { throw DemoError(description: "\(path): close failed (\(String(cString: strerror(errno))))") }
    }

    /// Streams the file's bytes to `sink` in blocks of a few megabytes; memory stays bounded whatever `rows` is.
    public func write(format: DemoFormat, progress: ((Int) -> Void)? = nil,
                      to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try write(format: format, progress: progress, collecting: nil, to: sink)
    }

    /// As above; `collecting` (native format) also gets, block by block in row order, the rows a partner record
    /// may copy (`PoliceRecord.isMatchable`). It only observes: the bytes are the same with it or without.
    func write(format: DemoFormat, progress: ((Int) -> Void)?, collecting: ((UnsafeBufferPointer<PoliceRecord>) -> Void)?,
               to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard rows >= 0 else { throw DemoError(description: "demo: rows must be zero or more (got \(rows))") }
        guard (1...1200).contains(months) else { throw DemoError(description: "demo: months must be 1–1200 (got \(months))") }
        guard endMonth.year >= 1900 + months / 12 + 1, endMonth.year <= 9999 else {
            throw DemoError(description: "demo: end month \(endMonth) is out of range")
        }
        let model = IncidentModel(endMonth: endMonth, months: months)
        let text = FieldText(model: model)
        let rowBytes = format == .native ? 192 : 384
        // Blocks are independent, so a batch of them is generated on all cores and then written in order.
        let batch = 2 * max(1, min(16, ProcessInfo.processInfo.activeProcessorCount))
        let capacity = DemoGenerator.blockRows * rowBytes
        let buffers = (0..<batch).map { _ in UnsafeMutablePointer<UInt8>.allocate(capacity: capacity) }
        defer { buffers.forEach { $0.deallocate() } }
        let lengths = UnsafeMutableBufferPointer<Int>.allocate(capacity: batch)
        defer { lengths.deallocate() }
        // One list of matchable rows per buffer, when collecting.
        let matchable = UnsafeMutableBufferPointer<[PoliceRecord]>.allocate(capacity: collecting == nil ? 0 : batch)
        matchable.initialize(repeating: [])
        defer { matchable.deinitialize().deallocate() }

        let header = (format == .native ? DemoGenerator.nativeHeader : DemoGenerator.policeUKHeader) + "\n"
        try Array(header.utf8).withUnsafeBytes(sink)

        let blocks = (rows + DemoGenerator.blockRows - 1) / DemoGenerator.blockRows
        var firstBlock = 0
        while firstBlock < blocks {
            let count = min(batch, blocks - firstBlock)
            // Each worker writes only its own buffer and length slot.
            let shared = BatchBuffers(buffers: buffers, lengths: lengths, matchable: matchable), first = firstBlock, rows = rows
            DispatchQueue.concurrentPerform(iterations: count) { k in
                let block = first + k
                let start = block * DemoGenerator.blockRows
                shared.lengths[k] = generateBlock(block, rows: start..<min(rows, start + DemoGenerator.blockRows),
                                                  format: format, model: model, text: text, into: shared.buffers[k],
                                                  matchable: shared.matchable.isEmpty ? nil : shared.matchable.baseAddress! + k)
            }
            for k in 0..<count {
                if let collecting { matchable[k].withUnsafeBufferPointer(collecting) }
                try sink(UnsafeRawBufferPointer(start: buffers[k], count: lengths[k]))
                progress?(min(rows, (firstBlock + k + 1) * DemoGenerator.blockRows))
            }
            firstBlock += count
        }
    }

    /// One block of rows; its generator depends only on the seed and the block number.
    private func generateBlock(_ block: Int, rows: Range<Int>, format: DemoFormat, model: IncidentModel, text: FieldText,
                               into buffer: UnsafeMutablePointer<UInt8>, matchable: UnsafeMutablePointer<[PoliceRecord]>?) -> Int {
        var mixer = SplitMix64(seed: seed ^ (UInt64(block) &* 0xD1B5_4A32_D192_ED03))
        var rng = Xoshiro256(seed: mixer.next())
        var out = ByteWriter(buffer)
        var incident = SyntheticIncident()
        matchable?.pointee.removeAll(keepingCapacity: true)
        for r in rows {
            model.draw(&rng, into: &incident)
            switch format {
            case .native: text.writeNative(incident, id: r + 1, &out)
            case .policeUK: text.writePoliceUK(incident, rng: &rng, &out)
            }
            if let matchable, PoliceRecord.isMatchable(incident) {
                matchable.pointee.append(PoliceRecord(incident, id: r + 1, model: model))
            }
        }
        return out.count(from: buffer)
    }
}

private struct BatchBuffers: @unchecked Sendable {
    let buffers: [UnsafeMutablePointer<UInt8>]
    let lengths: UnsafeMutableBufferPointer<Int>
    /// Worker k appends only to element k.
    let matchable: UnsafeMutableBufferPointer<[PoliceRecord]>
}

/// Appends bytes to a pre-sized buffer. The caller guarantees room for one block.
struct ByteWriter {
    var p: UnsafeMutablePointer<UInt8>
    init(_ start: UnsafeMutablePointer<UInt8>) { p = start }

    func count(from start: UnsafeMutablePointer<UInt8>) -> Int { p - start }

    @inline(__always) mutating func byte(_ b: UInt8) { p.pointee = b; p += 1 }

    @inline(__always) mutating func bytes(_ s: UnsafeBufferPointer<UInt8>) {
        p.update(from: s.baseAddress!, count: s.count)
        p += s.count
    }

    /// Non-negative integer, at least `width` digits.
    @inline(__always) mutating func digits(_ v: Int, width: Int = 1) {
        var length = 1, t = v
        while t >= 10 { t /= 10; length += 1 }
        let n = Swift.max(length, width)
        var q = v, i = n - 1
        while i >= 0 { p[i] = UInt8(truncatingIfNeeded: 48 + q % 10); q /= 10; i -= 1 }
        p += n
    }

    /// Fixed-point decimal: `scaled` is the value times 10^places, already rounded.
    @inline(__always) mutating func fixed(_ scaled: Int, places: Int) {
        var v = scaled
        if v < 0 { byte(UInt8(ascii: "-")); v = -v }
        var unit = 1
        for _ in 0..<places { unit *= 10 }
        digits(v / unit)
        byte(UInt8(ascii: "."))
        digits(v % unit, width: places)
    }
}

/// Every fixed piece of output text, laid out once in one contiguous array so the row loop only copies bytes.
final class FieldText: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<UInt8>
    private let spans: [UnsafeBufferPointer<UInt8>]
    private let offenceBase, placeBase, weaponBase, flagBase, sexBase, sourceBase, crimeTypeBase, ukLocationBase, outcomeBase, extraTypeBase, hexBase, forceBase: Int
    private let model: IncidentModel

    /// data.police.uk categories that are not violence, mixed into that format's files as real ones are.
    static let extraCrimeTypes: [(String, Double)] = [("Anti-social behaviour", 50), ("Criminal damage and arson", 15),
                                                      ("Shoplifting", 12), ("Other theft", 10), ("Burglary", 8), ("Vehicle crime", 5)]
    private let extraTypeTable: AliasTable
    private let outcomeTable: AliasTable

    init(model: IncidentModel) {
        self.model = model
        extraTypeTable = model.arena.table(weights: FieldText.extraCrimeTypes.map(\.1))
        outcomeTable = model.arena.table(weights: [30, 40, 20, 10])
        var texts: [String] = []
        func add(_ list: [String]) -> Int { defer { texts += list }; return texts.count }
        offenceBase = add(Offence.allCases.map(\.name))
        placeBase = add(locationLabels)
        weaponBase = add(weaponLabels)
        flagBase = add(["", "no", "yes"])
        sexBase = add(["", "F", "M"])
        sourceBase = add(["police", "A&E"])
        crimeTypeBase = add(Offence.allCases.map {
            switch $0 {
            case .robbery: "Robbery"
            case .possessionOfWeapons: "Possession of weapons"
            case .drugTrafficking: "Drugs"
            case .publicOrder: "Public order"
            default: "Violence and sexual offences"
            }
        })
        ukLocationBase = add(["On or near Parking Area", "On or near High Street", "On or near Bus/Coach Station", "On or near Park/Open Space",
                              "On or near Nightclub", "On or near Residential Road", "On or near Further/Higher Educational Building",
                              "On or near Shopping Area", "On or near Sports/Recreation Area"])
        outcomeBase = add(["Under investigation", "Investigation complete; no suspect identified", "Unable to prosecute suspect",
                           "Local resolution"])
        extraTypeBase = add(FieldText.extraCrimeTypes.map(\.0))
        hexBase = add(["0123456789abcdef"])
        forceBase = add(["Kent Police"])
        let all = texts.map { Array($0.utf8) }
        storage = .allocate(capacity: max(1, all.reduce(0) { $0 + $1.count }))
        var at = 0, spans: [UnsafeBufferPointer<UInt8>] = []
        for t in all {
            _ = UnsafeMutableBufferPointer(rebasing: storage[at..<at + t.count]).initialize(from: t)
            spans.append(UnsafeBufferPointer(rebasing: storage[at..<at + t.count]))
            at += t.count
        }
        self.spans = spans
    }

    deinit { storage.deallocate() }

    @inline(__always) private func date(_ x: SyntheticIncident, _ out: inout ByteWriter, withDay: Bool) {
        let m = MonthKey(index: model.firstMonth.index + Int32(x.month))
        out.digits(m.year, width: 4)
        out.byte(UInt8(ascii: "-"))
        out.digits(m.month, width: 2)
        if withDay {
            out.byte(UInt8(ascii: "-"))
            out.digits(x.day, width: 2)
        }
    }

    @inline(__always) private func age(_ a: Int, _ out: inout ByteWriter) { if a >= 0 { out.digits(a) } }

    @inline(__always) func writeNative(_ x: SyntheticIncident, id: Int, _ out: inout ByteWriter) {
        let comma = UInt8(ascii: ",")
        out.byte(UInt8(ascii: "S")); out.byte(UInt8(ascii: "Y")); out.byte(UInt8(ascii: "N"))
        out.digits(id, width: 9); out.byte(comma)
        date(x, &out, withDay: true)
        if x.hour >= 0 {  // a date alone means the time was not recorded
            out.byte(UInt8(ascii: "T")); out.digits(x.hour, width: 2)
            out.byte(UInt8(ascii: ":")); out.digits(x.minute, width: 2)
        }
        out.byte(comma)
        out.bytes(spans[offenceBase + x.offence]); out.byte(comma)
        out.fixed(Int((x.easting * 10).rounded()), places: 1); out.byte(comma)
        out.fixed(Int((x.northing * 10).rounded()), places: 1); out.byte(comma)
        age(x.victimAge, &out); out.byte(comma)
        out.bytes(spans[sexBase + Int(x.victimSex)]); out.byte(comma)
        age(x.suspectAge, &out); out.byte(comma)
        out.bytes(spans[sexBase + Int(x.suspectSex)]); out.byte(comma)
        out.bytes(spans[placeBase + x.place]); out.byte(comma)
        out.bytes(spans[flagBase + Int(x.publicPlace)]); out.byte(comma)
        out.bytes(spans[flagBase + Int(x.domestic)]); out.byte(comma)
        out.bytes(spans[weaponBase + x.weapon]); out.byte(comma)
        out.bytes(spans[flagBase + Int(x.alcohol)]); out.byte(comma)
        out.bytes(spans[flagBase + Int(x.drugs)]); out.byte(comma)
        out.bytes(spans[sourceBase + (x.fromAandE ? 1 : 0)])
        out.byte(UInt8(ascii: "\n"))
    }

    /// data.police.uk layout. A share of rows become the non-violent categories those files also hold; ASB has no
    /// crime id or outcome, as in the real files. LSOA columns are left blank (the pipeline locates by coordinates).
    func writePoliceUK(_ x: SyntheticIncident, rng: inout Xoshiro256, _ out: inout ByteWriter) {
        let comma = UInt8(ascii: ",")
        let extra = rng.chance(0.35) ? extraTypeTable.draw(&rng) : -1
        let isASB = extra == 0
        if !isASB {
            let hex = spans[hexBase]
            for _ in 0..<4 {
                var r = rng.next()
                for _ in 0..<16 { out.byte(hex[Int(r & 15)]); r >>= 4 }
            }
        }
        out.byte(comma)
        date(x, &out, withDay: false); out.byte(comma)
        for _ in 0..<2 {
            out.bytes(spans[forceBase]); out.byte(comma)
        }
        let ll = BritishNationalGrid.toWGS84(BNGPoint(easting: x.easting, northing: x.northing))
        out.fixed(Int((ll.longitude * 1e6).rounded()), places: 6); out.byte(comma)
        out.fixed(Int((ll.latitude * 1e6).rounded()), places: 6); out.byte(comma)
        out.bytes(spans[ukLocationBase + x.place]); out.byte(comma)
        out.byte(comma)  // LSOA code
        out.byte(comma)  // LSOA name
        out.bytes(spans[extra >= 0 ? extraTypeBase + extra : crimeTypeBase + x.offence]); out.byte(comma)
        if !isASB { out.bytes(spans[outcomeBase + outcomeTable.draw(&rng)]) }
        out.byte(comma)
        out.byte(UInt8(ascii: "\n"))
    }
}
