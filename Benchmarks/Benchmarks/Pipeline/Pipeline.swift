import Benchmark
import Foundation
import SVDBin
import SVDCore
import SVDEngine
import SVDIngest
import SVDLocate
import Synchronization

// ingest → locate → bin on the demo file (1M rows, seed 2024), stage by stage and composed.
// Throughput is runs per second; rows per second = throughput × Fixture.rows.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .peakMemoryResident, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(30),
        maxIterations: 10
    )
    Benchmark.setup = { _ = try Fixture.get() }

    Benchmark("Ingest: native CSV → incidents, \(Fixture.rows) rows") { benchmark in
        let f = try Fixture.get()
        let catalog = OffenceCatalog(definitions: f.definitions)
        benchmark.startMeasurement()
        let reader = try IncidentReader(url: f.file, format: .native, catalog: catalog, sources: SourceCatalog())
        let summary = try reader.read(workers: Fixture.workers, rejects: .counting()) { _, batch in
            blackHole(batch.count)
        }
        benchmark.stopMeasurement()
        try expect(summary.accepted == f.incidents.count, "ingest accepted \(summary.accepted), expected \(f.incidents.count)")
    }

    Benchmark("Locate: DistrictLocator, \(Fixture.rows) points") { benchmark in
        let f = try Fixture.get()
        let points = f.incidents.map(\.location)
        var out = [Int32](repeating: 0, count: points.count)
        benchmark.startMeasurement()
        points.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { f.locator.locate(p, into: $0) } }
        benchmark.stopMeasurement()
        blackHole(out)
    }

    Benchmark("Bin: IncidentCube.add, \(Fixture.rows) incidents") { benchmark in
        let f = try Fixture.get()
        benchmark.startMeasurement()
        let cube = IncidentCube(shape: .init(districts: f.area.districts.count, definitions: f.definitions))
        f.incidents.withUnsafeBufferPointer { incidents in
            for k in 0..<incidents.count {
                cube.add(incidents[k], district: f.districts[k], inScope: f.inScope[k], strandMask: f.strandMasks[k])
            }
        }
        benchmark.stopMeasurement()
        blackHole(cube)
    }

    Benchmark("Pipeline: ingest → locate → bin, \(Fixture.rows) rows (per-worker cubes, merged)") { benchmark in
        let f = try Fixture.get()
        benchmark.startMeasurement()
        let cube = try composedPipeline(f)
        benchmark.stopMeasurement()
        let total = seriousViolenceTotal(cube)
        let expected = f.inScope.lazy.filter { $0 }.count
        try expect(total == expected, "cube holds \(total) serious violence incidents, expected \(expected)")
    }

    Benchmark("Engine: BinningRun.run(), \(Fixture.rows) rows") { benchmark in
        let f = try Fixture.get()
        benchmark.startMeasurement()
        let result = try BinningRun(inputs: [f.file], area: f.area, definitions: f.definitions, rejectsFile: nil).run()
        benchmark.stopMeasurement()
        let total = seriousViolenceTotal(result.cube)
        let expected = f.inScope.lazy.filter { $0 }.count
        try expect(total == expected, "BinningRun cube holds \(total) serious violence incidents, expected \(expected)")
    }
}

func seriousViolenceTotal(_ cube: IncidentCube) -> Int {
    let months = cube.months
    guard let first = months.first, let last = months.last else { return 0 }
    return CubeMarginals(cube: cube, period: first...last).total.count
}

/// The three stages as the engine composes them: each ingest worker locates and bins its own batches into its own
/// cube, and the cubes are merged at the end.
func composedPipeline(_ f: Fixture) throws -> IncidentCube {
    let catalog = OffenceCatalog(definitions: f.definitions)
    let shape = IncidentCube.Shape(districts: f.area.districts.count, definitions: f.definitions)
    let cubes = WorkerCubes(count: Fixture.workers, shape: shape)
    // A worker's classifier is rebuilt only when a batch brings an offence code it has not seen.
    let classifiers = Mutex<[StrandClassifier]>(Array(repeating: StrandClassifier(catalog: catalog), count: Fixture.workers))
    let reader = try IncidentReader(url: f.file, format: .native, catalog: catalog, sources: SourceCatalog())
    let outside = shape.districts
    let locator = f.locator
    _ = try reader.read(workers: Fixture.workers, rejects: .counting()) { worker, batch in
        var classifier = classifiers.withLock { $0[worker] }
        let cube = cubes[worker]
        for i in batch {
            if Int(i.offence) >= classifier.knownCodes { classifier = StrandClassifier(catalog: catalog) }
            let d = locator.district(at: i.location)
            let inScope = classifier.scope(i) == .seriousViolence
            cube.add(i, district: d == DistrictLocator.outside ? outside : Int(d), inScope: inScope,
                     strandMask: inScope ? classifier.strandMask(i) : 0)
        }
        classifiers.withLock { $0[worker] = classifier }
    }
    return cubes.merged()
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw FixtureError(description: message()) }
}
