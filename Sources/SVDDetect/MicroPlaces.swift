import Foundation

/// The micro-place targeting list's arithmetic on per-cell counts: ranking, the concentration curve (Weisburd's law
/// of crime concentration) and the back-test of last year's top cells (the predictive accuracy index, PAI, after
/// Chainey, Tompson and Uhlig 2008). Counts are indexed by grid cell; `landCells` is the number of places (land
/// cells) the shares are taken over — cells holding an incident must be among them.
public enum MicroPlaces {
    /// Cells with a positive count, most first; ties by cell index (so the order is reproducible).
    public static func ranked(_ counts: [Double]) -> [Int] {
        var cells: [Int] = []
        for i in counts.indices where counts[i] > 0 { cells.append(i) }
        cells.sort { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        return cells
    }

    /// The top `n` cells with a positive count (fewer when fewer have one).
    public static func top(_ counts: [Double], _ n: Int) -> [Int] { Array(ranked(counts).prefix(max(0, n))) }

    /// The concentration of counts over places.
    public struct Concentration: Sendable, Equatable {
        /// Sorted counts of the occupied cells, most first.
        public let sorted: [Double]
        /// Running totals of `sorted`.
        public let cumulative: [Double]
        public let total: Double
        public let landCells: Int

        /// `total`: the whole the shares are of, when it is more than the cells hold (published counts of cells under the
        /// small-count threshold are hidden, so the published cells hold less than the published total).
        public init(counts: [Double], landCells: Int, total: Double? = nil) {
            sorted = counts.filter { $0 > 0 }.sorted(by: >)
            var run = 0.0
            cumulative = sorted.map { run += $0; return run }
            self.total = max(run, total ?? 0)
            self.landCells = max(landCells, sorted.count)
        }

        /// Cells in the top `share` (0–1) of places: ⌈share · places⌉.
        public func cells(inPlaceShare share: Double) -> Int {
            Int((share * Double(landCells) - 1e-9).rounded(.up))
        }

        /// Share (0–1) of all counts in the top `share` of places.
        public func incidentShare(inPlaceShare share: Double) -> Double {
            guard total > 0 else { return 0 }
            let k = min(cells(inPlaceShare: share), sorted.count)
            return k > 0 ? cumulative[k - 1] / total : 0
        }

        /// The fewest cells holding at least `share` (0–1) of all counts, and their share of places; nil when the cells
        /// together hold less than that share of `total`.
        public func places(forIncidentShare share: Double) -> (cells: Int, placeShare: Double)? {
            guard total > 0, landCells > 0 else { return nil }
            let target = share * total * (1 - 1e-12)
            guard let last = cumulative.last, last >= target else { return nil }
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] >= target { hi = mid } else { lo = mid + 1 }
            }
            return (lo + 1, Double(lo + 1) / Double(landCells))
        }
    }

    /// How last year's top cells did this year.
    public struct Backtest: Sendable, Equatable {
        /// Cells asked for, and the cells chosen (fewer when fewer cells had an incident last year).
        public var n: Int
        public var chosen: Int
        /// Share (0–1) of this year's counts in last year's top cells.
        public var hitRate: Double
        /// Share (0–1) of places those cells are.
        public var areaShare: Double
        /// hit rate ÷ area share (nan when undefined).
        public var pai: Double
        /// Of this year's top `n`, how many were also last year's top `n`; and the Jaccard overlap of the two sets.
        public var stable: Int
        public var jaccard: Double
    }

    /// `latestTotal`: this year's whole, when it is more than the cells hold (as for `Concentration`).
    public static func backtest(previous: [Double], latest: [Double], landCells: Int, n: Int, latestTotal: Double? = nil) -> Backtest {
        let before = top(previous, n), now = top(latest, n)
        let total = max(latest.reduce(0) { $0 + max($1, 0) }, latestTotal ?? 0)
        let hit = before.reduce(0.0) { $0 + max(latest[$1], 0) }
        let hitRate = total > 0 ? hit / total : 0
        let places = max(landCells, 1)
        let areaShare = Double(before.count) / Double(places)
        let a = Set(before), b = Set(now)
        let common = a.intersection(b).count, union = a.union(b).count
        return Backtest(n: n, chosen: before.count, hitRate: hitRate, areaShare: areaShare,
                        pai: areaShare > 0 && total > 0 ? hitRate / areaShare : .nan,
                        stable: common, jaccard: union > 0 ? Double(common) / Double(union) : .nan)
    }
}
