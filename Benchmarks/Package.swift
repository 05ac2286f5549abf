// swift-tools-version:6.1
import PackageDescription

// Kept apart from the main package so the product and CI never build the benchmark dependency.
let package = Package(
    name: "SVDBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "SeriousViolenceDuty", path: ".."),
        // Traits named explicitly: the default set adds "RuntimeInterposer", which needs a package not available here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Pipeline",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SVDEngine", package: "SeriousViolenceDuty"),
            ],
            path: "Benchmarks/Pipeline",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Cross-check for the peer: the same counts from the Swift stages, in the peer's CSV layout.
        .executableTarget(
            name: "DistrictCounts",
            dependencies: [.product(name: "SVDEngine", package: "SeriousViolenceDuty")],
            path: "Benchmarks/Tools/DistrictCounts"
        ),
    ]
)
