import SVDMeasure

/// Applies the run's disclosure policy to counts on their way into a published table.
struct Disclosure {
    let policy: DisclosurePolicy

    private var suppression: SuppressionPolicy { SuppressionPolicy(threshold: policy.threshold) }

    private func value(_ n: Int, _ status: CellStatus) -> PublishedTable.Value {
        switch status {
        case .published: .count(n)
        case .primary: .suppressed(threshold: policy.threshold)
        case .secondary: .secondarySuppressed
        case .notPublished: .empty
        }
    }

    /// A count published on its own (no total beside it could give it away).
    func single(_ n: Int) -> PublishedTable.Value {
        policy.enabled && suppression.isSmall(n) ? .suppressed(threshold: policy.threshold) : .count(n)
    }

    struct Protected {
        var cells: [[PublishedTable.Value]]
        var rowTotals: [PublishedTable.Value]
        var columnTotals: [PublishedTable.Value]
        var grandTotal: PublishedTable.Value
    }

    /// A column of counts published with its total: (cells, total).
    func protect(column: [Int]) -> (cells: [PublishedTable.Value], total: PublishedTable.Value) {
        let p = protect(matrix: column.map { [$0] }, margins: [.columnTotals])
        return (p.cells.map { $0[0] }, p.columnTotals[0])
    }

    /// A matrix published with the given margins; hidden cells cannot be recovered from what is shown.
    func protect(matrix: [[Int]], margins: PublishedMargins) -> Protected {
        let rowTotals = matrix.map { $0.reduce(0, +) }
        let width = matrix.first?.count ?? 0
        let columnTotals = (0..<width).map { c in matrix.reduce(0) { $0 + $1[c] } }
        let grand = rowTotals.reduce(0, +)
        guard policy.enabled, !matrix.isEmpty, width > 0 else {
            return Protected(cells: matrix.map { $0.map { .count($0) } }, rowTotals: rowTotals.map { .count($0) },
                             columnTotals: columnTotals.map { .count($0) }, grandTotal: .count(grand))
        }
        guard let t = try? Suppression.apply(table: matrix, policy: suppression, margins: margins) else {
            // Only malformed input (negative counts) gets here: publish nothing rather than risk a small number.
            return Protected(cells: matrix.map { $0.map { _ in .secondarySuppressed } }, rowTotals: rowTotals.map { _ in .secondarySuppressed },
                             columnTotals: columnTotals.map { _ in .secondarySuppressed }, grandTotal: .secondarySuppressed)
        }
        return Protected(
            cells: matrix.indices.map { r in matrix[r].indices.map { c in value(matrix[r][c], t.cells[r][c]) } },
            rowTotals: rowTotals.indices.map { value(rowTotals[$0], t.rowTotalStatus[$0]) },
            columnTotals: columnTotals.indices.map { value(columnTotals[$0], t.columnTotalStatus[$0]) },
            grandTotal: value(grand, t.grandTotalStatus))
    }

    /// Current/previous counts by row with differences that cannot give a hidden count away.
    func protectChange(current: [Int], previous: [Int]) -> SuppressedChange? {
        guard policy.enabled else { return nil }
        return try? Suppression.apply(current: current, previous: previous, policy: suppression, showTotals: true)
    }
}
