/// Small-number suppression for published count tables.
///
/// Primary: counts 1…threshold−1 are hidden (0 stays publishable unless the policy says otherwise).
/// Secondary: further cells are hidden until no hidden cell can be worked out from the published cells
/// and the margins (row totals, column totals, grand total). Three tests are applied until none fires:
///  1. a row or column (margins included) holding exactly one hidden cell gives it away by subtraction,
///     so its smallest non-zero published cell is hidden as well;
///  2. linear disclosure: with the margins as cells of a bordered table, hidden cells are the edges of a
///     bipartite row–column graph and a hidden cell is determined exactly iff its edge lies on no cycle
///     (is a bridge), so a published cell joining the two sides of any bridge is hidden;
///  3. exact disclosure: a reader knows a "<5" cell is 1–4 and a "*" cell is ≥ 5, which can pin a value
///     even when a cycle exists (e.g. "* + <5 = 6"); a cell with no other feasible value gets a further
///     hidden cell that frees it.
/// A reader can still narrow a hidden cell to a range; what is prevented is recovering it exactly, within one
/// table (linked tables cut from the same counts are not checked against each other). With threshold 2 and
/// zeros published "<2" means 1, which no secondary cell can help: use a threshold of at least 3.
/// Primary cells are shown as "<5" (they are small); secondary cells as "*", because they are not small
/// and "<5" would mislead — a footnote explains "* hidden to protect small numbers elsewhere".
public struct SuppressionPolicy: Sendable, Equatable {
    /// Counts from 1 up to `threshold − 1` are hidden; 5 gives the usual "<5".
    public var threshold: Int
    /// Hide zeros too (when a zero would itself be disclosive, e.g. "no victims of this age in this ward").
    public var suppressZero: Bool

    public init(threshold: Int = 5, suppressZero: Bool = false) {
        self.threshold = threshold
        self.suppressZero = suppressZero
    }

    @inlinable public func isSmall(_ value: Int) -> Bool {
        value == 0 ? suppressZero : value < threshold
    }

    /// "<5"
    public var primaryText: String { "<\(threshold)" }
}

/// Why a cell is or is not shown.
public enum CellStatus: UInt8, Sendable, Equatable {
    case published
    /// A small count.
    case primary
    /// Hidden so that a primary cell cannot be recovered from totals.
    case secondary
    /// A margin the table does not show at all (e.g. row totals of a this-year/last-year table).
    case notPublished

    public var isHidden: Bool { self != .published }
}

/// Which margins the published table shows.
public struct PublishedMargins: OptionSet, Sendable, Equatable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let rowTotals = PublishedMargins(rawValue: 1)
    public static let columnTotals = PublishedMargins(rawValue: 2)
    public static let grandTotal = PublishedMargins(rawValue: 4)
    public static let all: PublishedMargins = [.rowTotals, .columnTotals, .grandTotal]
}

/// A table with its margins and what may be shown of each cell.
public struct SuppressedTable: Sendable, Equatable {
    public let policy: SuppressionPolicy
    public let values: [[Int]]
    public let rowTotals: [Int]
    public let columnTotals: [Int]
    public let grandTotal: Int
    public let cells: [[CellStatus]]
    public let rowTotalStatus: [CellStatus]
    public let columnTotalStatus: [CellStatus]
    public let grandTotalStatus: CellStatus

    public var rowCount: Int { values.count }
    public var columnCount: Int { values.first?.count ?? 0 }

    public func text(row: Int, column: Int) -> String {
        Suppression.format(values[row][column], status: cells[row][column], policy: policy)
    }
    public func rowTotalText(_ row: Int) -> String {
        Suppression.format(rowTotals[row], status: rowTotalStatus[row], policy: policy)
    }
    public func columnTotalText(_ column: Int) -> String {
        Suppression.format(columnTotals[column], status: columnTotalStatus[column], policy: policy)
    }
    public var grandTotalText: String { Suppression.format(grandTotal, status: grandTotalStatus, policy: policy) }

    /// Number of interior cells hidden for each reason.
    public var hiddenCounts: (primary: Int, secondary: Int) {
        var p = 0, s = 0
        for row in cells { for c in row { if c == .primary { p += 1 } else if c == .secondary { s += 1 } } }
        return (p, s)
    }
}

/// A this-year / last-year / difference table. A difference (and its percentage) is hidden whenever
/// either count in its row is hidden, since count ± difference would give the other count back; the
/// counts themselves are protected against the column totals like any other table.
public struct SuppressedChange: Sendable, Equatable {
    /// Column 0 is the current period, column 1 the previous one; row totals are never shown.
    public let table: SuppressedTable
    public let differenceHidden: [Bool]
    public let totalDifferenceHidden: Bool

    /// Current − previous for a row, nil when it must not be shown.
    public func difference(row: Int) -> Int? {
        differenceHidden[row] ? nil : table.values[row][0] - table.values[row][1]
    }
    /// Percentage change for a row, nil when hidden or when the previous count is 0.
    public func percentChange(row: Int) -> Double? {
        guard !differenceHidden[row], table.values[row][1] != 0 else { return nil }
        return Double(table.values[row][0] - table.values[row][1]) / Double(table.values[row][1]) * 100
    }
    public var totalDifference: Int? {
        totalDifferenceHidden ? nil : table.columnTotals[0] - table.columnTotals[1]
    }
}

public enum Suppression {
    /// Marker for secondary suppression.
    public static let secondaryText = "*"

    public static func format(_ value: Int, status: CellStatus, policy: SuppressionPolicy) -> String {
        switch status {
        case .published: String(value)
        case .primary: policy.primaryText
        case .secondary: secondaryText
        case .notPublished: ""
        }
    }

    /// Suppresses a rectangular table of non-negative counts whose margins are the row and column sums.
    public static func apply(
        table: [[Int]], policy: SuppressionPolicy = SuppressionPolicy(), margins: PublishedMargins = .all
    ) throws -> SuppressedTable {
        guard policy.threshold >= 1 else { throw MeasureError("suppression threshold must be at least 1 (got \(policy.threshold))") }
        guard let width = table.first?.count, width > 0 else { throw MeasureError("table to suppress is empty") }
        for (i, row) in table.enumerated() {
            guard row.count == width else {
                throw MeasureError("table row \(i) has \(row.count) cells, row 0 has \(width)")
            }
            if let j = row.firstIndex(where: { $0 < 0 }) {
                throw MeasureError("table cell (\(i), \(j)) is negative (\(row[j]))")
            }
        }
        var grid = BorderedGrid(table: table, policy: policy, margins: margins)
        grid.protect()
        return grid.result(table: table, policy: policy)
    }

    /// Suppresses a current/previous comparison by category, with or without the column totals shown.
    public static func apply(
        current: [Int], previous: [Int], policy: SuppressionPolicy = SuppressionPolicy(), showTotals: Bool = true
    ) throws -> SuppressedChange {
        guard current.count == previous.count else {
            throw MeasureError("current has \(current.count) rows but previous has \(previous.count)")
        }
        let table = zip(current, previous).map { [$0, $1] }
        let suppressed = try apply(table: table, policy: policy, margins: showTotals ? [.columnTotals] : [])
        let hidden = suppressed.cells.map { $0[0].isHidden || $0[1].isHidden }
        let totalHidden = suppressed.columnTotalStatus[0].isHidden || suppressed.columnTotalStatus[1].isHidden
        return SuppressedChange(table: suppressed, differenceHidden: hidden, totalDifferenceHidden: totalHidden)
    }
}

/// The table with its margins as one (rows+1) × (columns+1) grid: last column row totals, last row column
/// totals, corner the grand total. Every grid row and column then says "interior cells sum to the last cell".
struct BorderedGrid {
    let rows: Int // including the totals row
    let columns: Int // including the totals column
    var value: [Int]
    var status: [CellStatus]
    let policy: SuppressionPolicy

    init(table: [[Int]], policy: SuppressionPolicy, margins: PublishedMargins) {
        let r = table.count, c = table[0].count
        rows = r + 1
        columns = c + 1
        self.policy = policy
        value = [Int](repeating: 0, count: rows * columns)
        for i in 0..<r {
            for j in 0..<c {
                let v = table[i][j]
                value[i * columns + j] += v
                value[i * columns + c] += v
                value[r * columns + j] += v
                value[r * columns + c] += v
            }
        }
        status = [CellStatus](repeating: .published, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns {
                let k = i * columns + j
                let shown: Bool
                switch (i == r, j == c) {
                case (false, false): shown = true
                case (false, true): shown = margins.contains(.rowTotals)
                case (true, false): shown = margins.contains(.columnTotals)
                case (true, true): shown = margins.contains(.grandTotal)
                }
                if !shown { status[k] = .notPublished } else if policy.isSmall(value[k]) { status[k] = .primary }
            }
        }
    }

    @inline(__always) func isProtected(_ k: Int) -> Bool { status[k] == .primary || status[k] == .secondary }

    /// Cells of grid line `line`: rows first (0..<rows), then columns.
    func members(ofLine line: Int) -> [Int] {
        if line < rows { return (0..<columns).map { line * columns + $0 } }
        let j = line - rows
        return (0..<rows).map { $0 * columns + j }
    }

    var lineCount: Int { rows + columns }

    /// Smallest non-zero published cell among `candidates` (zero only if nothing else is left), ties going
    /// to a cell whose crossing line already has a hidden cell, so fewer new lines get opened.
    func choose(_ candidates: [Int]) -> Int? {
        var best: Int?
        var bestKey = (Int.max, 1, Int.max)
        for k in candidates where status[k] == .published {
            let v = value[k] == 0 ? Int.max - 1 : value[k]
            let i = k / columns, j = k % columns
            var crossHidden = false
            for ii in 0..<rows where ii != i && status[ii * columns + j].isHidden { crossHidden = true; break }
            if !crossHidden { for jj in 0..<columns where jj != j && status[i * columns + jj].isHidden { crossHidden = true; break } }
            let key = (v, crossHidden ? 0 : 1, k)
            if key < bestKey { bestKey = key; best = k }
        }
        return best
    }

    mutating func protect() {
        while true {
            if hideLoneCells() { continue }
            if breakBridge() { continue }
            if freeDeterminedCell() { continue }
            return
        }
    }

    /// Test 1: a line whose only hidden cell is protected. Returns true if anything was hidden.
    mutating func hideLoneCells() -> Bool {
        var changed = false
        for line in 0..<lineCount {
            let cells = members(ofLine: line)
            var hidden = 0
            var lone = -1
            for k in cells where status[k].isHidden { hidden += 1; lone = k }
            guard hidden == 1, isProtected(lone), let pick = choose(cells) else { continue }
            status[pick] = .secondary
            changed = true
        }
        return changed
    }

    /// Test 2: finds one protected cell whose edge is a bridge and hides a cell across the cut.
    mutating func breakBridge() -> Bool {
        // Adjacency over hidden cells: node i < rows is grid row i, node rows + j is grid column j.
        let nodeCount = rows + columns
        var adjacency = [[(node: Int, cell: Int)]](repeating: [], count: nodeCount)
        for k in 0..<(rows * columns) where status[k].isHidden {
            let i = k / columns, j = k % columns
            adjacency[i].append((rows + j, k))
            adjacency[rows + j].append((i, k))
        }
        var mark = [Int](repeating: -1, count: nodeCount)
        var stack: [Int] = []
        for k in 0..<(rows * columns) where isProtected(k) {
            let i = k / columns, columnNode = rows + k % columns
            // Nodes reachable from row i without edge k get mark k (side A).
            func flood(from start: Int, tag: Int) {
                mark[start] = tag
                stack.append(start)
                while let n = stack.popLast() {
                    for (m, cell) in adjacency[n] where cell != k && mark[m] != tag {
                        mark[m] = tag
                        stack.append(m)
                    }
                }
            }
            flood(from: i, tag: 2 * k)
            if mark[columnNode] == 2 * k { continue }
            flood(from: columnNode, tag: 2 * k + 1)
            var candidates: [Int] = []
            for a in 0..<rows {
                for b in 0..<columns {
                    let ra = mark[a], cb = mark[rows + b]
                    if (ra == 2 * k && cb == 2 * k + 1) || (ra == 2 * k + 1 && cb == 2 * k) {
                        candidates.append(a * columns + b)
                    }
                }
            }
            if let pick = choose(candidates) {
                status[pick] = .secondary
                return true
            }
        }
        return false
    }

    /// What a reader knows of a cell before using the totals: "<5" is 1–4 (0–4 when zeros are hidden),
    /// "*" is at least the threshold (secondary cells are never small unless a zero had to be taken),
    /// an unpublished margin is only non-negative.
    func priorBounds(_ k: Int, secondaryFloor: Int) -> (lower: Int, upper: Int?) {
        switch status[k] {
        case .published: (value[k], value[k])
        case .primary: (policy.suppressZero ? 0 : 1, policy.threshold - 1)
        case .secondary: (secondaryFloor, nil)
        case .notPublished: (0, nil)
        }
    }

    /// Test 3: exact disclosure. With the margins' signs flipped every grid line sums to zero, so the
    /// table is a circulation on the row–column graph and a hidden cell can take another value iff the
    /// residual graph of the true table (arc row→column where the signed cell can rise, column→row where it
    /// can fall, within the reader's bounds) has a cycle through it. This is what a linear programme would
    /// find, and it is exact for integers because the constraint matrix is totally unimodular. A cell with no
    /// such cycle gets a further hidden cell that closes one. Returns true if anything was hidden.
    mutating func freeDeterminedCell() -> Bool {
        let n = rows * columns
        let anySmallSecondary = (0..<n).contains { status[$0] == .secondary && value[$0] < policy.threshold }
        let floor = anySmallSecondary ? 0 : policy.threshold
        // Margins carry sign −1 (interior and grand total +1), so "rise" below is in signed terms.
        func isMargin(_ k: Int) -> Bool { (k / columns == rows - 1) != (k % columns == columns - 1) }
        var rise = [Bool](repeating: false, count: n)
        var fall = [Bool](repeating: false, count: n)
        for k in 0..<n where status[k].isHidden {
            let (lo, hi) = priorBounds(k, secondaryFloor: floor)
            let up = hi.map { value[k] < $0 } ?? true
            let down = value[k] > lo
            (rise[k], fall[k]) = isMargin(k) ? (down, up) : (up, down)
        }
        let nodeCount = rows + columns
        // Nodes reachable from `start` along residual arcs (or against them when `backwards`), skipping cell `skip`.
        func reach(from start: Int, backwards: Bool, skip: Int) -> [Bool] {
            var seen = [Bool](repeating: false, count: nodeCount)
            seen[start] = true
            var stack = [start]
            while let node = stack.popLast() {
                if node < rows {
                    for j in 0..<columns {
                        let k = node * columns + j
                        if k != skip, status[k].isHidden, backwards ? fall[k] : rise[k], !seen[rows + j] {
                            seen[rows + j] = true
                            stack.append(rows + j)
                        }
                    }
                } else {
                    let j = node - rows
                    for i in 0..<rows {
                        let k = i * columns + j
                        if k != skip, status[k].isHidden, backwards ? rise[k] : fall[k], !seen[i] {
                            seen[i] = true
                            stack.append(i)
                        }
                    }
                }
            }
            return seen
        }
        for k in 0..<n where isProtected(k) && (rise[k] || fall[k]) {
            let rowNode = k / columns, columnNode = rows + k % columns
            let fromColumn = reach(from: columnNode, backwards: false, skip: k)
            if rise[k] && fromColumn[rowNode] { continue }
            let fromRow = reach(from: rowNode, backwards: false, skip: k)
            if fall[k] && fromRow[columnNode] { continue }
            // Determined. A newly hidden cell (a, b) adds arc a→b (it can always rise in x) and b→a when it
            // can fall; either may close the missing path column ⇝ row (for a rise) or row ⇝ column (a fall).
            let toRow = reach(from: rowNode, backwards: true, skip: k)
            let toColumn = reach(from: columnNode, backwards: true, skip: k)
            var candidates: [Int] = []
            for a in 0..<rows {
                for b in 0..<columns {
                    let m = a * columns + b
                    guard status[m] == .published else { continue }
                    let up = true, down = value[m] > floor
                    let (r, f) = isMargin(m) ? (down, up) : (up, down)
                    let closesRise = rise[k] && ((r && fromColumn[a] && toRow[rows + b]) || (f && fromColumn[rows + b] && toRow[a]))
                    let closesFall = fall[k] && ((r && fromRow[a] && toColumn[rows + b]) || (f && fromRow[rows + b] && toColumn[a]))
                    if closesRise || closesFall { candidates.append(m) }
                }
            }
            let i = k / columns, j = k % columns
            if let pick = choose(candidates) ?? choose(members(ofLine: i) + members(ofLine: rows + j)) ?? choose(Array(0..<n)) {
                status[pick] = .secondary
                return true
            }
        }
        return false
    }

    func result(table: [[Int]], policy: SuppressionPolicy) -> SuppressedTable {
        let r = rows - 1, c = columns - 1
        return SuppressedTable(
            policy: policy,
            values: table,
            rowTotals: (0..<r).map { value[$0 * columns + c] },
            columnTotals: (0..<c).map { value[r * columns + $0] },
            grandTotal: value[r * columns + c],
            cells: (0..<r).map { i in (0..<c).map { status[i * columns + $0] } },
            rowTotalStatus: (0..<r).map { status[$0 * columns + c] },
            columnTotalStatus: (0..<c).map { status[r * columns + $0] },
            grandTotalStatus: status[r * columns + c])
    }
}
