import Foundation
import XCTest
@testable import SVDMeasure

/// What a reader of a suppressed table can work out, written independently of the suppression code:
/// exact linear algebra over GF(p) for values fixed by the row/column equations, and integer bound
/// propagation using what the labels reveal ("<5" is 1–4, "*" is at least 5).
struct Attacker {
    let rows: Int, columns: Int // bordered grid, margins included
    let value: [Int]
    let hidden: [Bool]
    let protected: [Bool]
    let lower: [Int], upper: [Int] // reader's prior bounds
    static let infinity = 1 << 40

    init(_ t: SuppressedTable) {
        let r = t.rowCount, c = t.columnCount
        rows = r + 1
        columns = c + 1
        var value = [Int](), status = [CellStatus]()
        for i in 0...r {
            for j in 0...c {
                switch (i == r, j == c) {
                case (false, false): value.append(t.values[i][j]); status.append(t.cells[i][j])
                case (false, true): value.append(t.rowTotals[i]); status.append(t.rowTotalStatus[i])
                case (true, false): value.append(t.columnTotals[j]); status.append(t.columnTotalStatus[j])
                case (true, true): value.append(t.grandTotal); status.append(t.grandTotalStatus)
                }
            }
        }
        self.value = value
        hidden = status.map { $0 != .published }
        protected = status.map { $0 == .primary || $0 == .secondary }
        let secondariesAreLarge = zip(status, value).allSatisfy { $0 != .secondary || $1 >= t.policy.threshold }
        lower = zip(status, value).map { s, v in
            switch s {
            case .published: v
            case .primary: t.policy.suppressZero ? 0 : 1
            case .secondary: secondariesAreLarge ? t.policy.threshold : 0
            case .notPublished: 0
            }
        }
        upper = zip(status, value).map { s, v in
            switch s {
            case .published: v
            case .primary: t.policy.threshold - 1
            case .secondary, .notPublished: Attacker.infinity
            }
        }
    }

    /// Each equation as (cell, coefficient) pairs: interior cells of a grid line sum to its last cell.
    var equations: [[(cell: Int, coefficient: Int)]] {
        var result: [[(Int, Int)]] = []
        for i in 0..<rows {
            result.append((0..<columns).map { j in (i * columns + j, j == columns - 1 ? -1 : 1) })
        }
        for j in 0..<columns {
            result.append((0..<rows).map { i in (i * columns + j, i == rows - 1 ? -1 : 1) })
        }
        return result
    }

    /// Hidden cells whose value the equations fix exactly.
    func linearlyDetermined() -> [Int] {
        let p = 2_147_483_647
        func power(_ b: Int, _ e: Int) -> Int {
            var result = 1, base = b % p, e = e
            while e > 0 { if e & 1 == 1 { result = result * base % p }; base = base * base % p; e >>= 1 }
            return result
        }
        let unknowns = (0..<(rows * columns)).filter { hidden[$0] }
        var column = [Int: Int]()
        for (n, k) in unknowns.enumerated() { column[k] = n }
        var matrix: [[Int]] = equations.map { eq in
            var row = [Int](repeating: 0, count: unknowns.count)
            for (k, a) in eq { if let n = column[k] { row[n] = (row[n] + a + p) % p } }
            return row
        }
        var pivotRowOf = [Int: Int]()
        var r = 0
        for col in 0..<unknowns.count where r < matrix.count {
            guard let pr = (r..<matrix.count).first(where: { matrix[$0][col] != 0 }) else { continue }
            matrix.swapAt(r, pr)
            let inv = power(matrix[r][col], p - 2)
            matrix[r] = matrix[r].map { $0 * inv % p }
            for other in 0..<matrix.count where other != r && matrix[other][col] != 0 {
                let f = matrix[other][col]
                for x in 0..<unknowns.count { matrix[other][x] = ((matrix[other][x] - f * matrix[r][x]) % p + p) % p }
            }
            pivotRowOf[col] = r
            r += 1
        }
        return unknowns.enumerated().compactMap { n, k in
            guard let row = pivotRowOf[n] else { return nil }
            let free = (0..<unknowns.count).contains { $0 != n && pivotRowOf[$0] == nil && matrix[row][$0] != 0 }
            return free ? nil : k
        }
    }

    /// Hidden cells pinned to a single value by bound propagation.
    func pinnedByBounds() -> [Int] {
        var lo = lower, hi = upper
        let eqs = equations
        for _ in 0..<1000 {
            var changed = false
            for eq in eqs {
                // Σ a·x = 0, so a_k·x_k = −Σ_{m≠k} a_m·x_m.
                for (k, a) in eq where hidden[k] {
                    var restLo = 0, restHi = 0
                    for (m, b) in eq where m != k {
                        let (l, h) = b > 0 ? (lo[m], hi[m]) : (-hi[m], -lo[m])
                        restLo = max(-Attacker.infinity * 4, restLo + l)
                        restHi = min(Attacker.infinity * 4, restHi + h)
                    }
                    let (newLo, newHi) = a > 0 ? (-restHi, -restLo) : (restLo, restHi)
                    if newLo > lo[k] { lo[k] = newLo; changed = true }
                    if newHi < hi[k] { hi[k] = newHi; changed = true }
                }
            }
            if !changed { break }
        }
        for k in 0..<(rows * columns) where hidden[k] {
            precondition(lo[k] <= value[k] && value[k] <= hi[k], "attacker bounds exclude the true value")
        }
        return (0..<(rows * columns)).filter { hidden[$0] && lo[$0] == hi[$0] }
    }

    /// Hidden cells with no other integer value consistent with everything published: the exact attack.
    /// With signs flipped on the margins every grid line sums to zero, so the table is a circulation on the
    /// row–column graph; another solution exists with cell k changed iff the residual graph of the true
    /// table has a cycle through k (any difference of two solutions splits into conformal cycles, and
    /// the constraint matrix is totally unimodular, so integer values change no conclusion).
    func exactlyDetermined() -> [Int] {
        let n = rows * columns
        // y = sign · x; sign −1 on the two margins, +1 inside and on the grand total.
        func sign(_ k: Int) -> Int { ((k / columns == rows - 1) != (k % columns == columns - 1)) ? -1 : 1 }
        var canRise = [Bool](repeating: false, count: n), canFall = [Bool](repeating: false, count: n)
        for k in 0..<n where hidden[k] {
            let s = sign(k)
            let y = s * value[k]
            let (yLo, yHi) = s > 0 ? (lower[k], upper[k]) : (-upper[k], -lower[k])
            canRise[k] = y < yHi
            canFall[k] = y > yLo
        }
        // Residual arcs: row i → column j when y(i,j) can rise, column j → row i when it can fall.
        func reachable(from start: Int, to goal: Int, without skip: Int) -> Bool {
            var seen = [Bool](repeating: false, count: rows + columns)
            var queue = [start]
            seen[start] = true
            while let node = queue.popLast() {
                if node == goal { return true }
                if node < rows {
                    for j in 0..<columns {
                        let k = node * columns + j
                        if k != skip && hidden[k] && canRise[k] && !seen[rows + j] { seen[rows + j] = true; queue.append(rows + j) }
                    }
                } else {
                    let j = node - rows
                    for i in 0..<rows {
                        let k = i * columns + j
                        if k != skip && hidden[k] && canFall[k] && !seen[i] { seen[i] = true; queue.append(i) }
                    }
                }
            }
            return false
        }
        return (0..<n).filter { k in
            guard hidden[k] else { return false }
            let i = k / columns, columnNode = rows + k % columns
            // Rising y(i,j) closes through a residual path column j ⇝ row i; falling through row i ⇝ column j.
            let rises = canRise[k] && reachable(from: columnNode, to: i, without: k)
            let falls = canFall[k] && reachable(from: i, to: columnNode, without: k)
            return !rises && !falls
        }
    }

    /// Grid lines holding a protected cell but no other hidden cell.
    func loneLines() -> [Int] {
        var result: [Int] = []
        for i in 0..<rows {
            let cells = (0..<columns).map { i * columns + $0 }
            if cells.contains(where: { protected[$0] }) && cells.filter({ hidden[$0] }).count < 2 { result.append(i) }
        }
        for j in 0..<columns {
            let cells = (0..<rows).map { $0 * columns + j }
            if cells.contains(where: { protected[$0] }) && cells.filter({ hidden[$0] }).count < 2 { result.append(rows + j) }
        }
        return result
    }

    /// Every way a protected cell leaks; empty when the table is safe.
    func disclosures() -> [String] {
        var found: [String] = []
        for line in loneLines() { found.append("line \(line) has a lone hidden cell") }
        for k in linearlyDetermined() where protected[k] { found.append("cell \(k / columns),\(k % columns) = \(value[k]) is fixed by the totals") }
        for k in pinnedByBounds() where protected[k] { found.append("cell \(k / columns),\(k % columns) = \(value[k]) is pinned by bounds") }
        for k in exactlyDetermined() where protected[k] { found.append("cell \(k / columns),\(k % columns) = \(value[k]) has no other feasible value") }
        return found
    }
}

/// SplitMix64: small, deterministic, good enough to draw test tables.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}

final class SuppressionTests: XCTestCase {
    func hiddenCells(_ t: SuppressedTable) -> [[Int]] {
        var result: [[Int]] = []
        for i in 0..<t.rowCount { for j in 0..<t.columnCount where t.cells[i][j].isHidden { result.append([i, j]) } }
        return result
    }

    func testSingleSmallCellGetsACompletingRectangle() throws {
        let t = try Suppression.apply(table: [[20, 3, 40], [30, 25, 50], [60, 70, 80]])
        XCTAssertEqual(t.cells[0][1], .primary)
        // Row 0's smallest other is 20; column 1's is 25; row 1 then needs its smallest, 30.
        XCTAssertEqual(hiddenCells(t), [[0, 0], [0, 1], [1, 0], [1, 1]])
        XCTAssertEqual(t.cells[0][0], .secondary)
        XCTAssertEqual(t.cells[1][1], .secondary)
        XCTAssertFalse(t.rowTotalStatus.contains { $0.isHidden })
        XCTAssertEqual(t.text(row: 0, column: 1), "<5")
        XCTAssertEqual(t.text(row: 0, column: 0), "*")
        XCTAssertEqual(t.text(row: 2, column: 2), "80")
        XCTAssertEqual(t.rowTotalText(0), "63")
        XCTAssertEqual(t.grandTotalText, "378")
        XCTAssertEqual(Attacker(t).disclosures(), [])
        XCTAssertEqual(t.hiddenCounts.primary, 1)
        XCTAssertEqual(t.hiddenCounts.secondary, 3)
    }

    func testTwoSmallCellsInOneColumnStillNeedRowPartners() throws {
        // The column already has two hidden cells, but each row would give its cell away.
        let t = try Suppression.apply(table: [[2, 50], [3, 60], [40, 70]])
        XCTAssertEqual(hiddenCells(t), [[0, 0], [0, 1], [1, 0], [1, 1]])
        XCTAssertEqual(t.columnTotals, [45, 180])
        XCTAssertEqual(Attacker(t).disclosures(), [])
    }

    func testSmallMarginIsSuppressedAndProtected() throws {
        let t = try Suppression.apply(table: [[1, 2], [30, 40]])
        XCTAssertEqual(t.rowTotalStatus, [.primary, .secondary])
        XCTAssertEqual(t.cells, [[.primary, .primary], [.secondary, .secondary]])
        XCTAssertEqual(t.columnTotalStatus, [.published, .published])
        XCTAssertEqual(t.grandTotalStatus, .published)
        XCTAssertEqual(Attacker(t).disclosures(), [])
    }

    func testZeroIsPublishableUnlessConfigured() throws {
        let table = [[0, 20], [15, 25]]
        XCTAssertEqual(hiddenCells(try Suppression.apply(table: table)), [])
        let strict = try Suppression.apply(table: table, policy: SuppressionPolicy(suppressZero: true))
        XCTAssertEqual(strict.cells[0][0], .primary)
        XCTAssertEqual(hiddenCells(strict), [[0, 0], [0, 1], [1, 0], [1, 1]])
        XCTAssertEqual(Attacker(strict).disclosures(), [])
    }

    func testThresholdIsConfigurable() throws {
        let t = try Suppression.apply(table: [[7, 50], [60, 70]], policy: SuppressionPolicy(threshold: 10))
        XCTAssertEqual(t.cells[0][0], .primary)
        XCTAssertEqual(t.text(row: 0, column: 0), "<10")
        XCTAssertEqual(hiddenCells(try Suppression.apply(table: [[7, 50], [60, 70]])), [])
    }

    func testIntervalDisclosureIsClosed() throws {
        // After the rectangle, row 1 reads "* + <5 = 6": with "*" ≥ 5 the "<5" must be 1. More must go.
        let table = [[4, 5], [5, 1]]
        var partial = BorderedGrid(table: table, policy: SuppressionPolicy(), margins: .all)
        _ = partial.hideLoneCells()
        let rectangleOnly = partial.result(table: table, policy: SuppressionPolicy())
        XCTAssertFalse(Attacker(rectangleOnly).pinnedByBounds().isEmpty, "the attacker must see the leak")
        let t = try Suppression.apply(table: table)
        XCTAssertGreaterThan(hiddenCells(t).count + t.rowTotalStatus.filter(\.isHidden).count
                             + t.columnTotalStatus.filter(\.isHidden).count, 4)
        XCTAssertEqual(Attacker(t).disclosures(), [])
    }

    func testChangeTableHidesDifferencesOfHiddenCounts() throws {
        let change = try Suppression.apply(current: [12, 3, 40, 25], previous: [10, 8, 2, 30])
        let t = change.table
        XCTAssertEqual(t.cells.map { $0[0] }, [.secondary, .primary, .published, .published])
        XCTAssertEqual(t.cells.map { $0[1] }, [.published, .secondary, .primary, .published])
        XCTAssertEqual(change.differenceHidden, [true, true, true, false])
        XCTAssertEqual(change.difference(row: 3), -5)
        XCTAssertNil(change.difference(row: 1))
        XCTAssertEqual(try XCTUnwrap(change.percentChange(row: 3)), -500.0 / 30, accuracy: 1e-12)
        XCTAssertNil(change.percentChange(row: 0))
        XCTAssertEqual(change.totalDifference, 30)
        XCTAssertEqual(t.rowTotalStatus, [.notPublished, .notPublished, .notPublished, .notPublished])
        XCTAssertEqual(t.rowTotalText(0), "")
        XCTAssertEqual(Attacker(t).disclosures(), [])
        // Without totals there is nothing to subtract from, so only the small counts go.
        let bare = try Suppression.apply(current: [12, 3, 40, 25], previous: [10, 8, 2, 30], showTotals: false)
        XCTAssertEqual(hiddenCells(bare.table), [[1, 0], [2, 1]])
        XCTAssertEqual(bare.differenceHidden, [false, true, true, false])
        XCTAssertNil(bare.totalDifference)
    }

    func testSmallTotalHidesTheTotalDifference() throws {
        let change = try Suppression.apply(current: [1, 2], previous: [20, 30])
        XCTAssertTrue(change.table.columnTotalStatus[0].isHidden)
        XCTAssertNil(change.totalDifference)
        XCTAssertEqual(Attacker(change.table).disclosures(), [])
    }

    func testSingleColumnAndSingleRowTables() throws {
        // With one column each row total equals its cell, so hiding a cell hides its total too.
        let column = try Suppression.apply(table: [[3], [20], [30]])
        XCTAssertEqual(column.cells.map { $0[0] }, [.primary, .secondary, .published])
        XCTAssertEqual(column.rowTotalStatus, [.primary, .secondary, .published])
        XCTAssertEqual(Attacker(column).disclosures(), [])
        let row = try Suppression.apply(table: [[0, 4, 12, 9]])
        // The 4 pairs with the smallest other non-zero cell, 9; both columns' totals follow (they equal the cells).
        XCTAssertEqual(row.cells[0], [.published, .primary, .published, .secondary])
        XCTAssertEqual(row.columnTotalStatus, [.published, .primary, .published, .secondary])
        XCTAssertEqual(Attacker(row).disclosures(), [])
    }

    func testBadTablesAreErrors() {
        XCTAssertThrowsError(try Suppression.apply(table: []))
        XCTAssertThrowsError(try Suppression.apply(table: [[]]))
        XCTAssertThrowsError(try Suppression.apply(table: [[1, 2], [3]])) { XCTAssertTrue("\($0)".contains("row 1")) }
        XCTAssertThrowsError(try Suppression.apply(table: [[1, -2]])) { XCTAssertTrue("\($0)".contains("(0, 1)")) }
        XCTAssertThrowsError(try Suppression.apply(table: [[1]], policy: SuppressionPolicy(threshold: 0)))
        XCTAssertThrowsError(try Suppression.apply(current: [1], previous: [1, 2]))
    }

    func fixture(_ name: String) throws -> [[String]] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    }

    /// The exact attacker agrees with scipy's LP bounds (make_lp_attack_fixture.py) on a table that an
    /// earlier, propagation-only version of the suppression left leaking; today's suppression closes it.
    func testExactAttackerMatchesLinearProgramming() throws {
        let table = try fixture("lp_attack_table").map { try $0.map { try XCTUnwrap(Int($0)) } }
        let published = try fixture("lp_attack_published")
        func status(_ text: String) -> CellStatus { text == "<5" ? .primary : text == "*" ? .secondary : .published }
        let r = table.count, c = table[0].count
        let leaking = SuppressedTable(
            policy: SuppressionPolicy(), values: table,
            rowTotals: table.map { $0.reduce(0, +) },
            columnTotals: (0..<c).map { j in table.reduce(0) { $0 + $1[j] } },
            grandTotal: table.joined().reduce(0, +),
            cells: (0..<r).map { i in (0..<c).map { status(published[i][$0]) } },
            rowTotalStatus: (0..<r).map { status(published[$0][c]) },
            columnTotalStatus: (0..<c).map { status(published[r][$0]) },
            grandTotalStatus: status(published[r][c]))
        // Published numbers in the fixture are the table's own.
        XCTAssertEqual(published[r][c], String(leaking.grandTotal))
        let reference = try fixture("lp_attack_reference").dropFirst()
        let pinned = Set(try reference.filter { try XCTUnwrap(Double($0[3])) == XCTUnwrap(Double($0[4])) }
            .map { try XCTUnwrap(Int($0[0])) * (c + 1) + XCTUnwrap(Int($0[1])) })
        XCTAssertEqual(pinned.count, 7)
        let attacker = Attacker(leaking)
        XCTAssertEqual(Set(attacker.exactlyDetermined()), pinned)
        XCTAssertTrue(Set(attacker.pinnedByBounds()).isSubset(of: pinned))
        XCTAssertEqual(Attacker(try Suppression.apply(table: table)).disclosures(), [])
    }

    func randomTable(_ rng: inout SplitMix64) -> [[Int]] {
        let r = rng.int(2...15), c = rng.int(2...10)
        return (0..<r).map { _ in
            (0..<c).map { _ in
                let u = rng.uniform()
                if u < 0.2 { return 0 }
                // Log-uniform 1…80 so small counts are common, with an occasional large one.
                let v = Int(exp(rng.uniform() * log(80.0)))
                return u > 0.95 ? v * 25 : v
            }
        }
    }

    func testNoRandomTableLeaksAHiddenCell() throws {
        var rng = SplitMix64(state: 20_240_401)
        let marginChoices: [PublishedMargins] = [.all, .all, [.columnTotals], [.rowTotals, .columnTotals]]
        var cells = 0, primary = 0, secondary = 0
        for n in 0..<300 {
            let table = randomTable(&rng)
            let policy = SuppressionPolicy(threshold: n % 5 == 4 ? 10 : 5, suppressZero: n % 7 == 3)
            let margins = marginChoices[n % marginChoices.count]
            let t = try Suppression.apply(table: table, policy: policy, margins: margins)
            // Primary exactly on the small counts, published cells never small.
            for i in 0..<t.rowCount {
                for j in 0..<t.columnCount {
                    let v = table[i][j]
                    let small = v == 0 ? policy.suppressZero : v < policy.threshold
                    XCTAssertEqual(t.cells[i][j] == .primary, small, "table \(n) cell \(i),\(j)")
                }
            }
            for (i, s) in t.rowTotalStatus.enumerated() where s == .published {
                XCTAssertFalse(policy.isSmall(t.rowTotals[i]), "table \(n) row total \(i)")
            }
            let leaks = Attacker(t).disclosures()
            XCTAssertEqual(leaks, [], "table \(n): \(table)")
            if !leaks.isEmpty { return }
            cells += t.rowCount * t.columnCount
            primary += t.hiddenCounts.primary
            secondary += t.hiddenCounts.secondary
        }
        print("suppression property: \(cells) cells, \(primary) primary, \(secondary) secondary")
    }

    /// The attacker is not toothless: on the same kind of tables, stopping after the lone-cell rule leaves
    /// cells fixed by the totals or pinned by bounds, and stopping before the exact-disclosure rule leaves pinned ones.
    func testEachRuleIsNeeded() {
        var rng = SplitMix64(state: 77)
        var linearLeaks = 0, boundLeaks = 0
        for _ in 0..<300 {
            let table = randomTable(&rng)
            var grid = BorderedGrid(table: table, policy: SuppressionPolicy(), margins: .all)
            while grid.hideLoneCells() {}
            let loneOnly = Attacker(grid.result(table: table, policy: SuppressionPolicy()))
            if loneOnly.linearlyDetermined().contains(where: { loneOnly.protected[$0] }) { linearLeaks += 1 }
            while grid.hideLoneCells() || grid.breakBridge() {}
            let noIntervals = Attacker(grid.result(table: table, policy: SuppressionPolicy()))
            if noIntervals.pinnedByBounds().contains(where: { noIntervals.protected[$0] }) { boundLeaks += 1 }
        }
        XCTAssertGreaterThan(linearLeaks, 0)
        XCTAssertGreaterThan(boundLeaks, 0)
        print("rule necessity: \(linearLeaks) tables leak with the lone-cell rule alone, \(boundLeaks) without the exact-disclosure rule")
    }
}
