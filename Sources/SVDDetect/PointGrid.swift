import SVDCore

/// Points bucketed into square cells and stored cell by cell, so every neighbourhood query reads a few
/// contiguous runs of memory instead of chasing a tree.
///
/// Cells are keyed `row * columns + column` with a two-cell margin, so the five cells centred on any
/// cell in any row are five consecutive keys and hence one contiguous run of points.
struct PointGrid {
    /// Coordinates in cell order.
    let xs: [Double]
    let ys: [Double]
    /// Input index of each point in cell order.
    let order: [Int32]
    /// Points of cell `c` are `cellStart[c] ..< cellStart[c + 1]`; only occupied cells are stored.
    let cellStart: [Int32]
    /// For cell `c` and row offset `dy` in -2...2: the occupied cells with column offset -2...2 are the
    /// cell indices `neighbourRuns[10c + 2(dy+2)] ..< neighbourRuns[10c + 2(dy+2) + 1]`.
    let neighbourRuns: [Int32]
    /// Each cell is cut into `subdivisions`² sub-cells and its points are stored sub-row by sub-row, sub-cell by
    /// sub-cell: `sub[s]` is the point's sub-cell (row × subdivisions + column), so a run of whole sub-cells in a
    /// sub-row is a run of points, counted without distance tests (DBSCAN's core marking at large core sizes).
    let sub: [UInt8]
    static let subdivisions = 8
    /// Where cell `c` lies: its column and row (with the two-cell margin) and the grid's origin and side.
    let cellKeys: [UInt64]
    let columns: Int
    let minX: Double, minY: Double, side: Double

    var cellCount: Int { cellStart.count - 1 }

    /// Requires a non-empty buffer of finite points and a positive finite side.
    init(points: UnsafeBufferPointer<BNGPoint>, side: Double, parameterName: String) throws {
        let n = points.count
        var minX = Double.infinity, minY = Double.infinity
        var maxX = -Double.infinity, maxY = -Double.infinity
        for p in points {
            minX = min(minX, p.easting); maxX = max(maxX, p.easting)
            minY = min(minY, p.northing); maxY = max(maxY, p.northing)
        }
        let inverse = 1 / side
        let columnsD = ((maxX - minX) * inverse).rounded(.down) + 5
        let rowsD = ((maxY - minY) * inverse).rounded(.down) + 5
        // Keys (cell, then 6 bits of sub-cell) must fit in 62 bits; only an absurdly small radius against a country-wide
        // extent fails here.
        guard columnsD * rowsD < 6.0e16 else {
            throw DetectError.invalidParameter(name: parameterName, value: "\(side)",
                                               reason: "too small for the extent of the points")
        }
        let columns = Int(columnsD)

        var keys = [UInt64](repeating: 0, count: n)
        var index = [Int32](repeating: 0, count: n)
        var maxKey: UInt64 = 0
        keys.withUnsafeMutableBufferPointer { k in
            index.withUnsafeMutableBufferPointer { ix in
                for i in 0..<n {
                    let (cx, cy, subCell) = Self.place(points[i].easting, points[i].northing, minX: minX, minY: minY, inverse: inverse)
                    let key = UInt64(cy * columns + cx) << 6 | UInt64(subCell)
                    k[i] = key
                    ix[i] = Int32(truncatingIfNeeded: i)
                    maxKey = max(maxKey, key)
                }
            }
        }
        radixSort(keys: &keys, payload: &index, maxKey: maxKey)

        var xs = [Double](repeating: 0, count: n)
        var ys = [Double](repeating: 0, count: n)
        var sub = [UInt8](repeating: 0, count: n)
        var cellKeys: [UInt64] = []
        var cellStart: [Int32] = []
        xs.withUnsafeMutableBufferPointer { xb in
            ys.withUnsafeMutableBufferPointer { yb in
                for s in 0..<n {
                    let p = points[Int(index[s])]
                    xb[s] = p.easting
                    yb[s] = p.northing
                    sub[s] = UInt8(truncatingIfNeeded: keys[s] & 63)
                    if s == 0 || keys[s] >> 6 != keys[s - 1] >> 6 {
                        cellKeys.append(keys[s] >> 6)
                        cellStart.append(Int32(s))
                    }
                }
            }
        }
        cellStart.append(Int32(n))
        keys = []

        let m = cellKeys.count
        var runs = [Int32](repeating: 0, count: 10 * m)
        runs.withUnsafeMutableBufferPointer { r in
            cellKeys.withUnsafeBufferPointer { ck in
                for dy in -2...2 {
                    var lo = 0, hi = 0
                    let slot = 2 * (dy + 2)
                    for c in 0..<m {
                        let first = UInt64(Int(ck[c]) + dy * columns - 2)
                        let end = first + 5
                        while lo < m && ck[lo] < first { lo += 1 }
                        if hi < lo { hi = lo }
                        while hi < m && ck[hi] < end { hi += 1 }
                        r[10 * c + slot] = Int32(lo)
                        r[10 * c + slot + 1] = Int32(hi)
                    }
                }
            }
        }
        self.xs = xs
        self.ys = ys
        self.sub = sub
        self.cellKeys = cellKeys
        self.columns = columns
        (self.minX, self.minY, self.side) = (minX, minY, side)
        self.order = index
        self.cellStart = cellStart
        self.neighbourRuns = runs
    }
}

extension PointGrid {
    /// The cell (column, row, with the margin) and sub-cell of a point; one formula for sorting and for reading back.
    @inline(__always) static func place(_ x: Double, _ y: Double, minX: Double, minY: Double, inverse: Double) -> (Int, Int, Int) {
        let u = (x - minX) * inverse, v = (y - minY) * inverse
        let cu = Int(u), cv = Int(v)
        let k = Double(subdivisions)
        let su = min(subdivisions - 1, max(0, Int((u - Double(cu)) * k)))
        let sv = min(subdivisions - 1, max(0, Int((v - Double(cv)) * k)))
        return (cu + 2, cv + 2, sv * subdivisions + su)
    }
}

/// Stable LSD radix sort of 64-bit keys carrying a payload; passes only over the bits in use, so a
/// town-sized grid sorts in two passes.
func radixSort(keys: inout [UInt64], payload: inout [Int32], maxKey: UInt64) {
    let n = keys.count
    let bits = 64 - maxKey.leadingZeroBitCount
    guard n > 1, bits > 0 else { return }
    let digitBits = 11
    let radix = 1 << digitBits
    let mask = UInt64(radix - 1)
    var keys2 = [UInt64](repeating: 0, count: n)
    var payload2 = [Int32](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: radix)
    var shift = 0
    while shift < bits {
        keys.withUnsafeBufferPointer { k in
            payload.withUnsafeBufferPointer { p in
                keys2.withUnsafeMutableBufferPointer { k2 in
                    payload2.withUnsafeMutableBufferPointer { p2 in
                        counts.withUnsafeMutableBufferPointer { cnt in
                            for i in 0..<radix { cnt[i] = 0 }
                            for i in 0..<n { cnt[Int((k[i] >> UInt64(shift)) & mask)] += 1 }
                            var total = 0
                            for i in 0..<radix {
                                let c = cnt[i]
                                cnt[i] = total
                                total += c
                            }
                            for i in 0..<n {
                                let d = Int((k[i] >> UInt64(shift)) & mask)
                                let at = cnt[d]
                                cnt[d] = at + 1
                                k2[at] = k[i]
                                p2[at] = p[i]
                            }
                        }
                    }
                }
            }
        }
        swap(&keys, &keys2)
        swap(&payload, &payload2)
        shift += digitBits
    }
}
