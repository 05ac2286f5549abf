import Foundation
import SVDEngine
import func SVDCore.terminalSafe

/// Progress for long work, on stderr, at most a few times a second so it never slows the pipeline.
final class ProgressReporter: IngestObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var label = ""
    private var lastPrint = 0.0
    private let enabled: Bool

    /// Progress is shown only when stderr is a terminal or when forced.
    init(force: Bool = false) {
        enabled = force || isatty(STDERR_FILENO) == 1
    }

    func begin(file label: String) {
        lock.withLock { self.label = terminalSafe(label); lastPrint = 0 }
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        lock.withLock {
            let now = Date().timeIntervalSinceReferenceDate
            guard now - lastPrint > 0.25 else { return }
            lastPrint = now
            // A pipe or FIFO has no size: show what has been read.
            let text = total > 0
                ? String(format: "\r%@: %5.1f%% of %.1f MB", label, Double(done) / Double(total) * 100, Double(total) / 1e6)
                : String(format: "\r%@: %.1f MB read", label, Double(done) / 1e6)
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    func end() {
        guard enabled else { return }
        lock.withLock { FileHandle.standardError.write(Data("\r\(label): done\u{1B}[K\n".utf8)) }
    }
}
