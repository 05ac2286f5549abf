import SVDCore

/// A record as the linkage needs it: place in BNG metres and time to the hour. Nothing else is carried.
public struct LinkageRecord: Sendable, Hashable {
    public var location: BNGPoint
    /// Hours since 1970-01-01 00:00, i.e. `day * 24 + hour` with `day` as in `Incident.day`.
    public var hour: Int32

    @inlinable public init(location: BNGPoint, hour: Int32) {
        self.location = location
        self.hour = hour
    }

    /// The incident's place and hour; nil when its day or hour of day is unknown (it cannot be linked).
    public init?(_ incident: Incident) {
        guard incident.day != Incident.unknownDay, (0..<24).contains(incident.hour),
              let hour = Int32(exactly: Int64(incident.day) * 24 + Int64(incident.hour)) else { return nil }
        self.init(location: incident.location, hour: hour)
    }
}

/// How near in space and time a police record must be to count as a partner record's counterpart.
public struct OverlapParameters: Sendable, Equatable {
    /// Greatest distance, metres (inclusive: `dx² + dy² <= radius²`).
    public var radiusMetres: Double
    /// Greatest time difference either way, hours (inclusive).
    public var windowHours: Int
    /// Shifts of the police records' times used to estimate chance matches, in days. Whole weeks keep the
    /// weekday and hour, so the daily and weekly rhythm is kept and true pairs are broken. Each must move a
    /// pair out of the window (`24·|shift| > 2·windowHours`); at most 63.
    public var controlShiftsDays: [Int]

    public init(radiusMetres: Double = 250, windowHours: Int = 3, controlShiftsDays: [Int] = [-14, -7, 7, 14]) {
        self.radiusMetres = radiusMetres
        self.windowHours = windowHours
        self.controlShiftsDays = controlShiftsDays
    }

    func validate() throws {
        guard radiusMetres.isFinite, radiusMetres > 0 else {
            throw DetectError.invalidParameter(name: "radiusMetres", value: "\(radiusMetres)",
                                               reason: "must be a positive number of metres")
        }
        guard (0...1_000_000).contains(windowHours) else {
            throw DetectError.invalidParameter(name: "windowHours", value: "\(windowHours)",
                                               reason: "must be 0 to 1,000,000 hours")
        }
        guard (1...63).contains(controlShiftsDays.count) else {
            throw DetectError.invalidParameter(name: "controlShiftsDays", value: "\(controlShiftsDays)",
                                               reason: "needs 1 to 63 shifts")
        }
        for s in controlShiftsDays where !(s.magnitude <= 1_000_000 && 24 * Int(s.magnitude) > 2 * windowHours) {
            throw DetectError.invalidParameter(
                name: "controlShiftsDays", value: "\(s)",
                reason: "a shift must exceed twice the window (\(windowHours) h) so that no true pair survives it")
        }
    }
}

/// Overlap without identifiers: how many partner records (A&E, ambulance) have a police counterpart.
///
/// Method. A partner record is *matched* when at least one police record lies within `radius` metres and
/// `window` hours of it. Some matches are chance (busy town centres at night), so the chance-match rate is
/// estimated by repeating the matching against police times shifted by ±7 and ±14 days: same weekday and
/// hour, so the spatial and daily pattern is kept but true pairs are broken. A shift counts for a record only
/// when the shifted time falls inside the police records' time span (otherwise records near the ends of the
/// period would look falsely quiet); a record no shift fits uses all shifts. With p_obs the observed matched
/// share and p_c the mean chance-match share, the linked share is π = (p_obs − p_c)/(1 − p_c), since a record
/// matches if truly linked or, if not, by chance with probability p_c. This assumes linked and unlinked
/// records are equally exposed to chance matches, and counts as linked only counterparts within the radius
/// and window: a share under wider tolerances is the check on that.
///
/// Cost: police records bucketed in cells of side ≈ 2 × radius and sorted by hour within each cell; each
/// partner record reads the 2×2 cells nearest it with a binary search on the hour, once per time shift.
public enum SourceOverlap {
    /// For each partner record: does any police record lie within the radius and the window?
    public static func matches(partner: [LinkageRecord], police: [LinkageRecord],
                               parameters: OverlapParameters = OverlapParameters()) throws -> [Bool] {
        try run(partner: partner, police: police, parameters: parameters, observed: true, chance: false).matched
    }

    /// For each partner record: the mean over the control shifts (those inside the police records' time
    /// span) of "matched when every police time is shifted by s days", the record's chance-match probability.
    public static func chanceMatches(partner: [LinkageRecord], police: [LinkageRecord],
                                     parameters: OverlapParameters = OverlapParameters()) throws -> [Double] {
        try run(partner: partner, police: police, parameters: parameters, observed: false, chance: true).chance
    }

    /// Both at once, on one index of the police records.
    public static func link(partner: [LinkageRecord], police: [LinkageRecord],
                            parameters: OverlapParameters = OverlapParameters()) throws -> OverlapLinkage {
        try run(partner: partner, police: police, parameters: parameters, observed: true, chance: true)
    }

    private static func run(partner: [LinkageRecord], police: [LinkageRecord], parameters: OverlapParameters,
                            observed: Bool, chance: Bool) throws -> OverlapLinkage {
        try parameters.validate()
        try checkFinite(partner, "partner")
        try checkFinite(police, "police")
        guard police.count < Int(Int32.max), partner.count < Int(Int32.max) else {
            throw DetectError.invalidParameter(name: "records", value: "\(max(police.count, partner.count))",
                                               reason: "more than 2^31 records")
        }
        var matched = [Bool](repeating: false, count: observed ? partner.count : 0)
        var probability = [Double](repeating: 0, count: chance ? partner.count : 0)
        if !police.isEmpty && !partner.isEmpty {
            let index = try police.withUnsafeBufferPointer {
                try TimedPointIndex(records: $0, radius: parameters.radiusMetres)
            }
            partner.withUnsafeBufferPointer { p in
                matched.withUnsafeMutableBufferPointer { m in
                    probability.withUnsafeMutableBufferPointer { c in
                        index.query(partner: p, parameters: parameters, matched: observed ? m : nil,
                                    chance: chance ? c : nil)
                    }
                }
            }
        }
        return OverlapLinkage(matched: matched, chance: probability, controlShifts: parameters.controlShiftsDays.count)
    }

    private static func checkFinite(_ records: [LinkageRecord], _ what: String) throws {
        for (i, r) in records.enumerated() where !(r.location.easting.isFinite && r.location.northing.isFinite) {
            throw DetectError.invalidParameter(name: "\(what) record \(i)",
                                               value: "(\(r.location.easting), \(r.location.northing))",
                                               reason: "easting or northing is not finite")
        }
    }
}

/// Per partner record: matched or not, and its chance-match probability; empty arrays when not computed.
public struct OverlapLinkage: Sendable {
    public let matched: [Bool]
    public let chance: [Double]
    /// Number of control shifts each chance probability averages (for the estimate's interval).
    public let controlShifts: Int

    /// The estimate for the records at `indices` (a district, an hour band, an age band…).
    public func estimate(_ indices: some Sequence<Int>) throws -> OverlapEstimate {
        var records = 0, hits = 0, expected = 0.0
        for i in indices {
            records += 1
            if matched[i] { hits += 1 }
            expected += chance[i]
        }
        return try OverlapEstimate(records: records, matched: hits, expectedChance: expected, controlShifts: controlShifts)
    }

    /// The estimate for all partner records.
    public func estimate() throws -> OverlapEstimate { try estimate(matched.indices) }
}

/// The share of a group of partner records that has no police counterpart, corrected for chance matches.
///
/// Interval: a score (Wilson-type) interval for π. With n records, q̂ = 1 − p_obs and u = 1 − π the unlinked
/// share, the expected unmatched share is (1 − p_c)·u, and the 95% interval is every u with
///   ((1 − p_c)u − q̂)² ≤ z²/n · [ (1 − p_c)u · (1 − (1 − p_c)u)  +  u² · p_c(1 − p_c)/K ].
/// The first term is the binomial variance of the matched share at that u: alone, the interval is exactly the
/// Wilson interval of p_obs pushed through π = (p_obs − p_c)/(1 − p_c). The second adds the sampling error of
/// p_c, taking its K control shifts as independent replicates of the chance matching (variance
/// p_c(1 − p_c)/(nK) at most), scaled by ∂π/∂p_c = −u/(1 − p_c). Both sides are quadratic in u, so the bounds
/// are the roots of a quadratic, clamped to [0, 1]. Records are taken as independent draws; a source that
/// duplicates records (an ambulance call-out and the A&E attendance it led to) makes the interval too narrow.
/// By simulation (`detect-bench overlap-coverage`: groups of 50–5,000 records, p_c 0.14–0.47, π 0.1–0.7,
/// 10,000 groups each) it covers the truth 94.6–96.6% of the time; with p_c taken as known, 93.8–95.6%.
///
/// When every record is expected to match by chance (p_c = 1) the data say nothing: the shares are NaN and
/// the interval is [0, 1].
public struct OverlapEstimate: Sendable, Equatable {
    public let records: Int
    /// Records with a police record within the radius and window.
    public let matched: Int
    /// Sum of the records' chance-match probabilities: the matches expected by chance alone.
    public let expectedChance: Double
    /// Control shifts behind `expectedChance` (K above).
    public let controlShifts: Int
    /// p_obs = matched / records.
    public let observedShare: Double
    /// p_c = expectedChance / records.
    public let chanceShare: Double
    /// Share of records with a police counterpart, corrected for chance: (p_obs − p_c)/(1 − p_c) in [0, 1].
    public let estimatedLinkedShare: Double
    /// 1 − estimatedLinkedShare: the share never seen by the police.
    public let estimatedUnlinkedShare: Double
    /// 95% interval for the unlinked share.
    public let lower95: Double
    public let upper95: Double

    public init(records: Int, matched: Int, expectedChance: Double, controlShifts: Int = 4) throws {
        guard records > 0 else { throw DetectError.emptyInput(what: "partner records in the group") }
        guard (0...records).contains(matched) else {
            throw DetectError.invalidParameter(name: "matched", value: "\(matched)", reason: "must lie in 0…\(records)")
        }
        guard expectedChance.isFinite, expectedChance >= 0, expectedChance <= Double(records) * (1 + 1e-12) else {
            throw DetectError.invalidParameter(name: "expectedChance", value: "\(expectedChance)",
                                               reason: "must lie in 0…\(records)")
        }
        guard controlShifts >= 1 else {
            throw DetectError.invalidParameter(name: "controlShifts", value: "\(controlShifts)", reason: "must be at least 1")
        }
        self.records = records
        self.matched = matched
        self.expectedChance = expectedChance
        self.controlShifts = controlShifts
        let n = Double(records)
        observedShare = Double(matched) / n
        chanceShare = min(1, expectedChance / n)
        let linked = chanceShare < 1 ? min(1, max(0, (observedShare - chanceShare) / (1 - chanceShare))) : .nan
        estimatedLinkedShare = linked
        estimatedUnlinkedShare = 1 - linked
        (lower95, upper95) = Self.unlinkedInterval(records: records, matched: matched, chanceShare: chanceShare,
                                                   inverseReplicates: 1 / Double(controlShifts))
    }

    static let z95 = 1.959963984540054

    /// The interval above; `inverseReplicates` 1/K, and 0 treats p_c as known (the transformed Wilson interval).
    static func unlinkedInterval(records: Int, matched: Int, chanceShare c: Double, inverseReplicates: Double,
                                 z: Double = z95) -> (lower: Double, upper: Double) {
        let a = 1 - c
        guard a > 0 else { return (0, 1) }
        let n = Double(records)
        let q = Double(records - matched) / n
        let k = z * z / n
        // A u² − B u + C ≤ 0, divided through by a.
        let A = a * (1 + k) - k * c * inverseReplicates
        let B = 2 * q + k
        let C = q * q / a
        let root = max(0, B * B - 4 * A * C).squareRoot()
        // Stable forms: the lower root never cancels, and for A ≤ 0 the set is unbounded above.
        let lower = 2 * C / (B + root)
        let upper = A > 0 ? (B + root) / (2 * A) : .infinity
        return (min(1, max(0, lower)), min(1, max(0, upper)))
    }
}

/// Police records in square cells of side just over twice the radius, cell by cell and by hour within a cell.
struct TimedPointIndex {
    let minX: Double, minY: Double, maxX: Double, maxY: Double
    let radius: Double
    let side: Double
    let inverse: Double
    let columns: Int
    /// Occupied cell keys `row * columns + column`, ascending; a two-cell empty margin surrounds the points.
    let cellKeys: [Int]
    /// Records of occupied cell `c` are `cellStart[c] ..< cellStart[c + 1]`.
    let cellStart: [Int32]
    let xs: [Double]
    let ys: [Double]
    let hours: [Int32]
    let firstHour: Int64
    let lastHour: Int64

    /// Requires a non-empty buffer of finite records and a positive finite radius.
    init(records: UnsafeBufferPointer<LinkageRecord>, radius: Double) throws {
        let n = records.count
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        var firstHour = Int32.max, lastHour = Int32.min
        for r in records {
            minX = min(minX, r.location.easting); maxX = max(maxX, r.location.easting)
            minY = min(minY, r.location.northing); maxY = max(maxY, r.location.northing)
            firstHour = min(firstHour, r.hour); lastHour = max(lastHour, r.hour)
        }
        // Just over twice the radius: a disc of that radius then always fits in a 2×2 block of cells, even
        // after rounding, so each query searches four cells' hours rather than nine.
        let side = 2 * radius * (1 + 1e-4)
        let inverse = 1 / side
        let columnsD = ((maxX - minX) * inverse).rounded(.down) + 5
        let rowsD = ((maxY - minY) * inverse).rounded(.down) + 5
        let span = Int64(lastHour) - Int64(firstHour) + 1
        // One sort key, cell * span + hour, must fit in 63 bits: only an absurdly small radius against a
        // country-wide extent over decades fails here.
        guard columnsD * rowsD * Double(span) < 9.0e18 else {
            throw DetectError.invalidParameter(name: "radiusMetres", value: "\(radius)",
                                               reason: "too small for the extent and time span of the police records")
        }
        let columns = Int(columnsD)
        @inline(__always) func cellOf(_ p: BNGPoint) -> Int {
            (Int((p.northing - minY) * inverse) + 2) * columns + Int((p.easting - minX) * inverse) + 2
        }

        var keys = [UInt64](repeating: 0, count: n)
        var order = [Int32](repeating: 0, count: n)
        var maxKey: UInt64 = 0
        keys.withUnsafeMutableBufferPointer { k in
            order.withUnsafeMutableBufferPointer { o in
                for i in 0..<n {
                    k[i] = UInt64(cellOf(records[i].location)) &* UInt64(span) &+ UInt64(Int64(records[i].hour) - Int64(firstHour))
                    maxKey = max(maxKey, k[i])
                    o[i] = Int32(truncatingIfNeeded: i)
                }
            }
        }
        // Cell by cell, each in hour order.
        radixSort(keys: &keys, payload: &order, maxKey: maxKey)
        keys = []

        var xs = [Double](repeating: 0, count: n)
        var ys = [Double](repeating: 0, count: n)
        var hours = [Int32](repeating: 0, count: n)
        var cellKeys: [Int] = []
        var cellStart: [Int32] = []
        xs.withUnsafeMutableBufferPointer { xb in
            ys.withUnsafeMutableBufferPointer { yb in
                hours.withUnsafeMutableBufferPointer { hb in
                    var previous = -1
                    for s in 0..<n {
                        let r = records[Int(order[s])]
                        xb[s] = r.location.easting
                        yb[s] = r.location.northing
                        hb[s] = r.hour
                        let cell = cellOf(r.location)
                        if cell != previous {
                            cellKeys.append(cell)
                            cellStart.append(Int32(s))
                            previous = cell
                        }
                    }
                }
            }
        }
        cellStart.append(Int32(n))

        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
        self.radius = radius
        self.side = side
        self.inverse = inverse
        self.columns = columns
        self.cellKeys = cellKeys
        self.cellStart = cellStart
        self.xs = xs
        self.ys = ys
        self.hours = hours
        self.firstHour = Int64(firstHour)
        self.lastHour = Int64(lastHour)
    }

    /// Key of the lower-left cell of the 2×2 block that holds every point within the radius of `p`, or -1
    /// when `p` lies too far outside the records' extent to be near any of them.
    @inline(__always) func blockKey(_ p: BNGPoint) -> Int {
        let reach = 0.75 * side
        guard p.easting >= minX - reach, p.easting <= maxX + reach,
              p.northing >= minY - reach, p.northing <= maxY + reach else { return -1 }
        // At least 1.25 before truncation, so truncation is floor. The disc spans less than half a cell either
        // way, so it lies in this cell and the neighbour on the side of the half the point is in.
        let fx = (p.easting - minX) * inverse + 2, fy = (p.northing - minY) * inverse + 2
        let cx = Int(fx), cy = Int(fy)
        let column = fx - Double(cx) < 0.5 ? cx - 1 : cx
        let row = fy - Double(cy) < 0.5 ? cy - 1 : cy
        return row * columns + column
    }

    /// Fills `matched` (observed times) and `chance` (control shifts) for each partner record.
    func query(partner: UnsafeBufferPointer<LinkageRecord>, parameters: OverlapParameters,
               matched: UnsafeMutableBufferPointer<Bool>?, chance: UnsafeMutableBufferPointer<Double>?) {
        let n = partner.count
        // Partner records in block order, so neighbouring queries read the same cells.
        var keys = [UInt64](repeating: 0, count: n)
        var order = [Int32](repeating: 0, count: n)
        var maxKey: UInt64 = 0
        for i in 0..<n {
            let key = blockKey(partner[i].location)
            keys[i] = UInt64(key + 1)
            maxKey = max(maxKey, keys[i])
            order[i] = Int32(i)
        }
        radixSort(keys: &keys, payload: &order, maxKey: maxKey)
        let qx = order.map { partner[Int($0)].location.easting }
        let qy = order.map { partner[Int($0)].location.northing }
        let qt = order.map { partner[Int($0)].hour }

        let shifts = parameters.controlShiftsDays.map { Int64($0) * 24 }
        let window = Int64(parameters.windowHours)
        let r2 = radius * radius
        let firstHour = firstHour, lastHour = lastHour, columns = columns
        xs.withUnsafeBufferPointer { xs in
        ys.withUnsafeBufferPointer { ys in
        hours.withUnsafeBufferPointer { hours in
        cellKeys.withUnsafeBufferPointer { cellKeys in
        cellStart.withUnsafeBufferPointer { cellStart in
        keys.withUnsafeBufferPointer { keys in
        order.withUnsafeBufferPointer { order in
        shifts.withUnsafeBufferPointer { shifts in
        qx.withUnsafeBufferPointer { qx in
        qy.withUnsafeBufferPointer { qy in
        qt.withUnsafeBufferPointer { qt in
            parallelChunks(n, minimumChunk: 1024) { range in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 8) { runs in
                    var runCount = 0
                    var lastKey = -2

                    func hit(_ x: Double, _ y: Double, _ t: Int64) -> Bool {
                        let lo = t - window, hi = t + window
                        var r = 0
                        while r < runCount {
                            let end = runs[2 * r + 1]
                            var a = runs[2 * r], b = end
                            while a < b {
                                let m = (a + b) >> 1
                                if Int64(hours[m]) < lo { a = m + 1 } else { b = m }
                            }
                            while a < end && Int64(hours[a]) <= hi {
                                let dx = xs[a] - x, dy = ys[a] - y
                                if dx * dx + dy * dy <= r2 { return true }
                                a += 1
                            }
                            r += 1
                        }
                        return false
                    }

                    for s in range {
                        let i = Int(order[s])
                        let key = Int(keys[s]) - 1
                        if key < 0 { continue }   // outputs are already false / 0
                        if key != lastKey {
                            lastKey = key
                            runCount = 0
                            for row in 0...1 {
                                let low = key + row * columns
                                // First occupied cell with key >= low; the block's row is keys low and low + 1.
                                var a = 0, b = cellKeys.count
                                while a < b {
                                    let m = (a + b) >> 1
                                    if cellKeys[m] < low { a = m + 1 } else { b = m }
                                }
                                while a < cellKeys.count && cellKeys[a] <= low + 1 {
                                    runs[2 * runCount] = Int(cellStart[a])
                                    runs[2 * runCount + 1] = Int(cellStart[a + 1])
                                    runCount += 1
                                    a += 1
                                }
                            }
                        }
                        if runCount == 0 { continue }
                        let x = qx[s], y = qy[s], t = Int64(qt[s])
                        if let matched { matched[i] = hit(x, y, t) }
                        if let chance {
                            var hitsInSpan = 0, inSpan = 0, hitsAll = 0
                            for shift in shifts {
                                let shifted = t - shift
                                let h = hit(x, y, shifted)
                                if h { hitsAll += 1 }
                                if shifted >= firstHour && shifted <= lastHour {
                                    inSpan += 1
                                    if h { hitsInSpan += 1 }
                                }
                            }
                            chance[i] = inSpan > 0 ? Double(hitsInSpan) / Double(inSpan)
                                                   : Double(hitsAll) / Double(shifts.count)
                        }
                    }
                }
            }
        }}}}}}}}}}}
    }
}

