import Foundation
import GEOS
import SVDCore

/// Which cells of a grid are land of the analysed area: those whose closed square intersects one of the area's
/// polygons (GEOS prepared `intersects`). Cells outside (sea, land beyond the area) are not observations of any
/// grid statistic: they are absent, not zeros.
///
/// The test descends a quadtree of cell blocks: a block that one polygon contains properly is land whole, a block
/// no polygon's envelope or shape touches is outside whole, and only blocks on a boundary are split, down to single
/// cells. A county on 100 m cells (about 700,000 cells) takes a few tens of milliseconds.
///
/// Results are cached per grid (cell size, origin and dimensions) for the lifetime of the mask, so every analysis
/// of one run (the current and comparison periods, the published cells) shares one answer. Safe to share between
/// threads: GEOS objects are made on the calling thread and never kept.
public final class LandMask: @unchecked Sendable {
    /// Polygons (shell then holes) in BNG metres; typically one entry per district.
    public let regions: [[[[BNGPoint]]]]
    private let lock = NSLock()
    private var cache: [GridKey: [Bool]] = [:]

    struct GridKey: Hashable {
        let originEasting: Double, originNorthing: Double, cellSize: Double, columns: Int, rows: Int
        init(_ s: GridSpec) {
            originEasting = s.originEasting
            originNorthing = s.originNorthing
            cellSize = s.cellSize
            columns = s.columns
            rows = s.rows
        }
    }

    /// `regions[k]` is one region's polygons, each as closed rings (shell first, then holes).
    public init(regions: [[[[BNGPoint]]]]) {
        self.regions = regions
    }

    /// True for each cell (row-major, row 0 south) whose square intersects a region.
    public func cells(of spec: GridSpec) throws -> [Bool] {
        let key = GridKey(spec)
        lock.lock()
        if let hit = cache[key] { lock.unlock(); return hit }
        lock.unlock()
        let computed = try Self.compute(regions, spec)
        lock.lock()
        cache[key] = computed
        lock.unlock()
        return computed
    }

    static func compute(_ regions: [[[[BNGPoint]]]], _ spec: GridSpec) throws -> [Bool] {
        let context = GEOSContext()
        var prepared: [PreparedGeometry] = []
        for polygons in regions {
            let rings = polygons.map { $0.map { $0.map { Coordinate(x: $0.easting, y: $0.northing) } } }.filter { !$0.isEmpty }
            guard !rings.isEmpty else { continue }
            do {
                prepared.append(try PreparedGeometry(Geometry(multiPolygon: rings, context: context)))
            } catch {
                throw DetectError.invalidParameter(name: "land polygons", value: "\(polygons.count) polygons", reason: "GEOS cannot build them: \(error)")
            }
        }
        var land = [Bool](repeating: false, count: spec.cellCount)
        let size = spec.cellSize, ox = spec.originEasting, oy = spec.originNorthing
        func box(_ c0: Int, _ r0: Int, _ c1: Int, _ r1: Int) -> Bounds {
            Bounds(minX: ox + Double(c0) * size, minY: oy + Double(r0) * size, maxX: ox + Double(c1) * size, maxY: oy + Double(r1) * size)
        }
        func overlaps(_ a: Bounds, _ b: Bounds) -> Bool { a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY }
        func fill(_ c0: Int, _ r0: Int, _ c1: Int, _ r1: Int) {
            for r in r0..<r1 { for c in c0..<c1 { land[r * spec.columns + c] = true } }
        }
        // Columns [c0, c1) × rows [r0, r1).
        func visit(_ c0: Int, _ r0: Int, _ c1: Int, _ r1: Int, _ candidates: [Int]) throws {
            let b = box(c0, r0, c1, r1)
            let near = candidates.filter { overlaps(prepared[$0].bounds, b) }
            if near.isEmpty { return }
            let single = c1 - c0 == 1 && r1 - r0 == 1
            let rect = try Geometry(rectangle: b, context: context)
            if !single {
                for k in near where try prepared[k].containsProperly(rect) { fill(c0, r0, c1, r1); return }
            }
            var touching: [Int] = []
            for k in near where try prepared[k].intersects(rect) {
                touching.append(k)
                if single { break }
            }
            if touching.isEmpty { return }
            if single { land[r0 * spec.columns + c0] = true; return }
            let cm = c1 - c0 > 1 ? (c0 + c1) / 2 : c1
            let rm = r1 - r0 > 1 ? (r0 + r1) / 2 : r1
            try visit(c0, r0, cm, rm, touching)
            if cm < c1 { try visit(cm, r0, c1, rm, touching) }
            if rm < r1 { try visit(c0, rm, cm, r1, touching) }
            if cm < c1 && rm < r1 { try visit(cm, rm, c1, r1, touching) }
        }
        do {
            try visit(0, 0, spec.columns, spec.rows, Array(prepared.indices))
        } catch let e as DetectError {
            throw e
        } catch {
            throw DetectError.invalidParameter(name: "land polygons", value: "grid \(spec.columns) × \(spec.rows)", reason: "GEOS failed: \(error)")
        }
        return land
    }
}
