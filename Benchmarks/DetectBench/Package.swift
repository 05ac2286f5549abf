// swift-tools-version:6.0
// Timing harness for the detect stage, outside the main package so it never slows the product build.
// Its module directories are symlinks to the real sources, so it times exactly the shipped code.
import PackageDescription

let package = Package(
    name: "DetectBench",
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .target(name: "GEOS", dependencies: ["CGEOS"]),
        .target(name: "SVDCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "SVDDetect", dependencies: ["SVDCore", "GEOS"]),
        .executableTarget(name: "detect-bench", dependencies: ["SVDDetect", "SVDCore"]),
    ]
)
