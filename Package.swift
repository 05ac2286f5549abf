// swift-tools-version:6.0
import PackageDescription

// The targets follow the data flow: ingest → locate → bin → measure → detect → publish.
let package = Package(
    name: "SeriousViolenceDuty",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "svd", targets: ["svd"]),
        // The engine, and the synthetic-data generator benchmarks and examples run it on.
        .library(name: "SVDEngine", targets: ["SVDEngine", "SVDDemo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // SHA-256 of every input file for the run manifest (BoringSSL's, with the CPU's SHA extensions).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // svd audit reads Excel workbooks (zip archives of XML); only SVDAudit uses it.
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // svd serve, the data-sharing portal: HTTP server, bcrypt password hashes, PostgreSQL/PostGIS client.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .target(name: "GEOS", dependencies: ["CGEOS"]),
        // Excel workbooks (`--format xlsx`): libxlsxwriter, a C library, wrapped thinly by SVDWorkbook.
        .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        .target(name: "SVDCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "SVDIngest", dependencies: ["SVDCore", "CMemory", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")],
                // The shipped mappings' YAML is embedded by ShippedMappings.generated.swift (scripts/embed-mappings.sh).
                exclude: ["README-schema.md", "Mappings/README.md", "Mappings/ae-istv-cardiff-model.yaml", "Mappings/ambulance-callouts.yaml"]),
        // The default area compiled in as generated Swift string literals (embedInCode took minutes to compile).
        .target(name: "SVDGeodata", path: "geodata",
                exclude: ["kent-medway/area.json", "kent-medway/definitions.yaml", "kent-medway/ATTRIBUTION.md"]),
        .target(name: "SVDLocate", dependencies: ["SVDCore", "GEOS", "SVDGeodata"]),
        // Cache prefetch hints for the binning pass and the duplicate-id table: C, because Swift has no spelling for them.
        .target(name: "CMemory"),
        .target(name: "SVDBin", dependencies: ["SVDCore", "CMemory"]),
        .target(name: "SVDMeasure", dependencies: ["SVDCore"]),
        .target(name: "SVDDetect", dependencies: ["SVDCore", "GEOS"]),
        .target(name: "SVDPublish", dependencies: ["SVDCore", "SVDBin", "SVDMeasure", "SVDLocate", "SVDDetect"]),
        // One workbook of published tables; kept out of SVDEngine so the library product needs no libxlsxwriter.
        .target(name: "SVDWorkbook", dependencies: ["SVDPublish", "CXLSXWriter"]),
        .target(name: "SVDDemo", dependencies: ["SVDCore"]),
        // svd audit: attacks published outputs (tables, reports, maps) as an outsider would; reads files only.
        .target(name: "SVDAudit", dependencies: ["SVDCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "SVDEngine", dependencies: ["SVDCore", "SVDIngest", "SVDLocate", "SVDBin", "SVDDetect", "SVDPublish",
                                                 .product(name: "Crypto", package: "swift-crypto")]),
        // The README's library example, built and run by LibraryExampleTests: the SVDEngine product without the CLI.
        .executableTarget(name: "svd-library-example", dependencies: ["SVDEngine", "SVDDemo"], path: "Examples/LibraryExample"),
        // The CI performance guard: instructions of DBSCAN, Gi* and ingest → bin under callgrind against
        // Benchmarks/guard/thresholds.json (run by scripts/perf-guard.sh, which PerfGuardTests runs).
        .executableTarget(name: "svd-perf-guard", dependencies: ["SVDEngine", "SVDDemo"]),
        // svd serve: the data-sharing portal on PostgreSQL/PostGIS; packs come from the same engine and disclosure path as the CLI.
        .target(name: "SVDPortal", dependencies: ["SVDCore", "SVDIngest", "SVDEngine", "SVDPublish", "SVDWorkbook",
                                                  .product(name: "Hummingbird", package: "hummingbird"),
                                                  .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                                                  .product(name: "PostgresNIO", package: "postgres-nio"),
                                                  .product(name: "NIOCore", package: "swift-nio"),
                                                  .product(name: "NIOPosix", package: "swift-nio"),
                                                  .product(name: "Logging", package: "swift-log")],
                resources: [.copy("Migrations")]),
        .executableTarget(name: "svd", dependencies: ["SVDCore", "SVDLocate", "SVDPublish", "SVDDemo", "SVDEngine", "SVDAudit", "SVDWorkbook", "SVDPortal", "CMemory",
                                                     .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                                     .product(name: "Logging", package: "swift-log")]),

        .testTarget(name: "GEOSTests", dependencies: ["GEOS"]),
        .testTarget(name: "SVDCoreTests", dependencies: ["SVDCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SVDIngestTests", dependencies: ["SVDCore", "SVDIngest"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SVDLocateTests", dependencies: ["SVDCore", "SVDLocate", "GEOS"]),
        .testTarget(name: "SVDBinTests", dependencies: ["SVDCore", "SVDBin"]),
        .testTarget(name: "SVDMeasureTests", dependencies: ["SVDCore", "SVDMeasure"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SVDDetectTests", dependencies: ["SVDCore", "SVDDetect", "GEOS"], resources: [.copy("Fixtures")]),
        // The CLI tests also run the built `svd` (it sits beside the test bundle) and the attackers in Tests/Attack.
        .testTarget(name: "SVDEngineTests", dependencies: ["SVDCore", "SVDBin", "SVDDemo", "SVDDetect", "SVDLocate", "SVDMeasure", "SVDPublish", "SVDEngine", "GEOS"],
                    exclude: ["check_workbook.py", "Fixtures"]),
        .testTarget(name: "SVDPublishTests", dependencies: ["SVDCore", "SVDDemo", "SVDDetect", "SVDPublish", "SVDEngine", "SVDWorkbook"]),
        .testTarget(name: "SVDAuditTests", dependencies: ["SVDAudit", "SVDCore", "SVDWorkbook"], exclude: ["tamper_workbook.py"]),
        // Runs scripts/perf-guard.sh (a release build of svd-perf-guard, then callgrind): the CI performance guard.
        .testTarget(name: "PerfGuardTests"),
        // The portal against a real PostgreSQL + PostGIS that scripts/portal-db.sh starts: route × role matrix, attacks, audit.
        .testTarget(name: "SVDPortalTests", dependencies: ["SVDPortal", "SVDCore", "SVDDemo", "SVDDetect", "SVDPublish", "SVDEngine",
                                                                  .product(name: "NIOCore", package: "swift-nio"),
                                                          .product(name: "Hummingbird", package: "hummingbird"),
                                                          .product(name: "HummingbirdTesting", package: "hummingbird"),
                                                          .product(name: "PostgresNIO", package: "postgres-nio"),
                                                          .product(name: "Logging", package: "swift-log")],
                    exclude: ["browser_check.py"]),
        .testTarget(name: "SVDDemoTests", dependencies: ["SVDCore", "SVDDemo", "SVDIngest"], exclude: ["make_land_mask.py", "check_outside_share.py"]),
    ]
)
