import Dispatch
import Foundation

/// Runs `body` over `count` items split into contiguous chunks across the cores. Chunks are finer than the
/// core count so uneven work (dense town centres next to empty fields) still balances.
@inline(__always)
func parallelChunks(_ count: Int, minimumChunk: Int = 2048, _ body: (Range<Int>) -> Void) {
    let cores = max(1, activeProcessorCount)
    if cores == 1 || count <= minimumChunk {
        body(0..<count)
        return
    }
    let chunks = min(cores * 8, (count + minimumChunk - 1) / minimumChunk)
    let size = (count + chunks - 1) / chunks
    // Callers write disjoint slices of shared buffers; the closure never outlives this call.
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size
            let hi = min(count, lo + size)
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// Cores the process may use, read once.
let activeProcessorCount: Int = ProcessInfo.processInfo.activeProcessorCount
