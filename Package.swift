// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "ATS",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ats", targets: ["ats"]),
        .executable(name: "ats-admin", targets: ["ats-admin"]),
        .executable(name: "ats-coordinator", targets: ["ats-coordinator"]),
        .executable(name: "ats-worker", targets: ["ats-worker"]),
        .executable(name: "ats-bench", targets: ["ats-bench"]),
        .executable(name: "ats-venue", targets: ["ats-venue"]),
        .library(name: "ATSEngine", targets: ["ATSEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // The trading engine: domain, data, indicators, strategies, simulated exchange, fees, backtest.
        // No package dependencies (CPlatform is this package's prefetch hint): it runs anywhere,
        // with or without the cluster.
        .target(name: "ATSEngine", dependencies: ["CPlatform"], path: "Sources/Engine", swiftSettings: strict),
        // What Swift cannot say itself (a prefetch hint), for the engine's hot loops.
        .target(name: "CPlatform", path: "Sources/CPlatform"),
        // zlib's one-call compress and inflate, for checkpoints' state on the wire and in the
        // database (``CheckpointCompression``); the system's libz, as swift-websocket's already links.
        .target(name: "CZlib", path: "Sources/CZlib", linkerSettings: [.linkedLibrary("z")]),
        // The trader's own strategies, indicators, fee models and exchanges (the seed's custom_modules/).
        .target(
            name: "ATSCustomModules", dependencies: ["ATSEngine"], path: "Sources/CustomModules",
            swiftSettings: strict),
        // Trained models in the engine (issue 20): an ONNX reader (swift-protobuf over ONNX's own
        // onnx.proto, generated once by scripts/gen-onnx-proto.sh), a native executor for the
        // operators small time-series models use, the `model` indicator and the `lstm` strategy.
        .target(
            name: "ATSModels",
            dependencies: ["ATSEngine", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Sources/Models",
            // Optimised in debug builds too: unoptimised SIMD kernels are a hundred times slower,
            // which would make every test that runs a model hold a core for seconds.
            swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // What everything shares without networking: the standard registry (built-ins, models,
        // custom modules), the JSON settings, the version. Re-exported by ATSShared.
        .target(
            name: "ATSCommon", dependencies: ["ATSEngine", "ATSModels", "ATSCustomModules"], path: "Sources/Common",
            swiftSettings: strict),
        // What coordinator, worker and CLI share: wire protocol, job specs, configuration.
        .target(
            name: "ATSShared",
            dependencies: [
                "ATSEngine", "ATSCustomModules", "ATSCommon", "ATSVenues", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Shared", swiftSettings: strict),
        // PostgreSQL access shared by the coordinator and `ats db migrate`: URL parsing, migrations.
        .target(
            name: "ATSDatabase",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Database", swiftSettings: strict),
        // Trading venues (issue 17): exact decimals for what goes on the wire, Binance spot's request
        // signing, symbol filters and client order ids; S3's request signing (SigV4). No
        // networking: pure and fast to test.
        .target(
            name: "ATSVenues",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Venues", swiftSettings: strict),
        // The connector to Binance spot over NIO: HTTP/1.1 with the signed bytes sent as signed, the
        // server clock, order placement over the order-intent machine, the user data stream; and
        // the S3-compatible store data sets may travel through (issue 18).
        .target(
            name: "ATSVenueConnector",
            dependencies: [
                "ATSVenues",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/VenueConnector", swiftSettings: strict),
        // A fake Binance spot venue that follows the documented API, with faults on demand: what
        // the connector is tested against (no machine here reaches the real one).
        .target(
            name: "ATSFakeVenue",
            dependencies: [
                "ATSVenues",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/FakeVenue", swiftSettings: strict),
        .target(
            name: "ATSCoordinator",
            dependencies: [
                "ATSShared", "ATSDatabase", "ATSVenues", "ATSVenueConnector",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // PBKDF2 for dashboard passwords.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Sources/Coordinator",
            // The dashboard's files, compiled into the binary (no resource bundle to install).
            resources: [
                .embedInCode("Dashboard/Assets/index.html"), .embedInCode("Dashboard/Assets/app.js"),
                .embedInCode("Dashboard/Assets/app.css"), .embedInCode("Dashboard/Assets/favicon.svg"),
            ],
            swiftSettings: strict),
        .target(
            name: "ATSWorker",
            dependencies: [
                "ATSShared", "ATSVenues", "ATSVenueConnector",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Worker", swiftSettings: strict),
        // The trader's commands (backtest, indicators, data, components): the engine and
        // ArgumentParser only, no networking, so `ats` starts in a few milliseconds.
        .target(
            name: "ATSBacktestCLI",
            dependencies: [
                "ATSEngine", "ATSCustomModules", "ATSCommon", "ATSModels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/BacktestCLI", swiftSettings: strict),
        // The cluster commands (job, worker, user, db), run by `ats-admin`, which `ats` hands them to.
        .target(
            name: "ATSAdminCLI",
            dependencies: [
                "ATSShared", "ATSDatabase", "ATSBacktestCLI", "ATSVenues", "ATSVenueConnector", "ATSModels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/AdminCLI", swiftSettings: strict),
        .executableTarget(name: "ats", dependencies: ["ATSBacktestCLI"], path: "Sources/ats", swiftSettings: strict),
        .executableTarget(
            name: "ats-admin", dependencies: ["ATSAdminCLI"], path: "Sources/ats-admin", swiftSettings: strict),
        .executableTarget(
            name: "ats-coordinator",
            dependencies: [
                "ATSCoordinator", "ATSShared", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/ats-coordinator", swiftSettings: strict),
        .executableTarget(
            name: "ats-worker",
            dependencies: [
                "ATSWorker", "ATSShared", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/ats-worker", swiftSettings: strict),
        .executableTarget(
            name: "ats-venue",
            dependencies: [
                "ATSFakeVenue", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ats-venue", swiftSettings: strict),
        // Bench commands for the figures in docs/BENCHMARKS.md (run in release).
        .executableTarget(
            name: "ats-bench",
            dependencies: [
                "ATSShared", "ATSDatabase", "ATSEngine", "ATSVenues", "ATSVenueConnector", "ATSWorker", "ATSCommon",
                "ATSModels", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Sources/ats-bench", swiftSettings: strict),

        .testTarget(
            name: "EngineTests", dependencies: ["ATSEngine", "ATSCustomModules"], path: "Tests/EngineTests",
            resources: [.copy("Fixtures")], swiftSettings: strict),
        // The ONNX runtime against onnxruntime's and PyTorch's outputs (committed fixtures made by
        // scripts/make_model_fixtures.py), the model indicator and the lstm strategy.
        .testTarget(
            name: "ModelTests", dependencies: ["ATSModels", "ATSEngine", "ATSCommon"], path: "Tests/ModelTests",
            resources: [.copy("Fixtures")], swiftSettings: strict),
        // Helpers for tests against real services: throwaway databases, processes, free ports.
        .target(
            name: "ATSTestSupport",
            dependencies: [
                "ATSShared", "ATSDatabase", "ATSVenues", "ATSVenueConnector",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support", swiftSettings: strict),
        .testTarget(
            name: "CoordinatorTests",
            dependencies: [
                "ATSCoordinator", "ATSTestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"), .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Tests/CoordinatorTests", swiftSettings: strict),
        // `ats`'s own argument handling, without a process.
        .testTarget(
            name: "BacktestCLITests", dependencies: ["ATSBacktestCLI"], path: "Tests/BacktestCLITests",
            swiftSettings: strict),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "ATSShared", "ATSTestSupport", "ATSVenues", "ATSVenueConnector",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/IntegrationTests", swiftSettings: strict),
        // The worker's parts without a coordinator: data root, bar cache, job control, checkpoint
        // provenance, outbox, lease guard.
        .testTarget(
            name: "WorkerTests", dependencies: ["ATSWorker", "ATSShared", "ATSVenues"], path: "Tests/WorkerTests",
            swiftSettings: strict),
        // The deterministic simulation of the cluster: the coordinator's and the worker's state
        // machines over an in-memory store and a faulty network, thousands of seeds.
        .testTarget(
            name: "SimulationTests", dependencies: ["ATSCoordinator", "ATSWorker", "ATSShared", "ATSEngine"],
            path: "Tests/SimulationTests", swiftSettings: strict),
        .testTarget(
            name: "VenueTests", dependencies: ["ATSVenues", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/VenueTests", swiftSettings: strict),
        // The fake venue's matching and accounting as a pure value, and the connector against the
        // fake venue running as its own process (faults on demand).
        .testTarget(
            name: "FakeVenueTests", dependencies: ["ATSFakeVenue", "ATSVenues"], path: "Tests/FakeVenueTests",
            swiftSettings: strict),
        .testTarget(
            name: "VenueConnectorTests",
            dependencies: [
                "ATSVenueConnector", "ATSVenues", "ATSTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/VenueConnectorTests", swiftSettings: strict),
        .testTarget(
            name: "SharedTests",
            dependencies: [
                "ATSShared", "ATSEngine", "ATSTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            path: "Tests/SharedTests", swiftSettings: strict),
    ]
)
