// swift-tools-version:6.2
import PackageDescription

// Tracejoin: one daemon binary, stage targets that never import each other,
// and a thin executable. See docs/architecture.md.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "tracejoin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tracejoin", targets: ["tracejoin"]),
        .executable(name: "tracejoin-fuzz", targets: ["TracejoinFuzz"]),
        .executable(name: "tracejoin-bench", targets: ["TracejoinBench"]),
        .library(name: "Grok", targets: ["Grok"]),
        .library(name: "TraceContext", targets: ["TraceContext"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // C: libpcre2-8 through a shim header (PCRE2_CODE_UNIT_WIDTH 8).
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        // C: libzstd, for the index's compressed blocks.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // Trace and span ID values: parsing, formatting, matching. No dependencies.
        .target(name: "TraceContext", swiftSettings: swiftSettings),
        // Grok patterns compiled to PCRE2 (JIT); matching on bytes. No I/O.
        .target(name: "Grok", dependencies: ["CPCRE2"], swiftSettings: swiftSettings),
        // General utilities every module may use, knowing nothing of records: `Locked`
        // (NIOConcurrencyHelpers' pthread lock, which ThreadSanitizer sees) guards shared state;
        // RFC 3339 timestamps; the hand JSON writer and reader; terminal-safe text; directory
        // listing.
        .target(
            name: "TracejoinSupport",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // Records that flow between stages and the small protocols that connect them: the model
        // every stage shares, and nothing else.
        .target(name: "TracejoinModel", dependencies: ["TraceContext", "TracejoinSupport"], swiftSettings: swiftSettings),
        // The wire model: every document of the query API as one type the server writes and
        // the CLI reads (hand writers beside their Codable types), the stages' status types and
        // reports, the counters stages share, and the units people read them in.
        .target(
            name: "TracejoinAPI",
            dependencies: ["TraceContext", "TracejoinModel", "TracejoinSupport"],
            swiftSettings: swiftSettings
        ),
        // The crash journal: what the daemon was parsing or decoding when it stopped, so that an
        // input that stops it once is quarantined, never a restart loop.
        .target(
            name: "Quarantine",
            dependencies: ["TracejoinAPI", "TracejoinModel", "TracejoinSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Config and rule files: loading, validation with file:line, the line parser they build.
        .target(
            name: "Rules",
            dependencies: [
                "Grok", "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Following files and handing parsed batches (with their offsets) to a sink.
        .target(
            name: "Tailing",
            dependencies: [
                "TracejoinAPI", "TracejoinModel", "TracejoinSupport", "Quarantine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // What both HTTP sockets share: JSON replies and errors, Unix-socket applications.
        .target(
            name: "HTTPSupport",
            dependencies: [
                "TracejoinSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Span intake: decoders and the intake HTTP server.
        .target(
            name: "Intake",
            dependencies: [
                "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport", "HTTPSupport", "Quarantine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            exclude: ["OTLP/README.md"],
            swiftSettings: swiftSettings
        ),
        // OTLP over gRPC: the collector's Trace, Logs and Metrics services (grpc-swift 2),
        // decoding with Intake's OTLP decoders.
        .target(
            name: "IntakeGRPC",
            dependencies: [
                "Intake", "TracejoinAPI", "TracejoinModel", "Quarantine", "HTTPSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Shipping what is stored to ClickHouse, and reading the fleet's traces back.
        .target(
            name: "Export",
            dependencies: [
                "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The SQLite correlation index, its health (ingest paused) and the damaged blocks it found.
        .target(
            name: "Index",
            dependencies: [
                "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport", "CZstd",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API itself, for the hot paths (docs/architecture.md).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP/JSON routes of the query socket.
        .target(
            name: "QueryAPI",
            dependencies: [
                "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport", "HTTPSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Wiring and lifecycle of `tracejoin serve`.
        .target(
            name: "TracejoinDaemon",
            dependencies: [
                "Rules", "Tailing", "Intake", "IntakeGRPC", "Export", "Index", "QueryAPI", "TracejoinAPI", "TracejoinModel", "TracejoinSupport", "Quarantine",
                "HTTPSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Subcommands, the query client (AsyncHTTPClient over `http+unix://`) and the
        // trace-tree renderer, which reads the wire model's documents.
        .target(
            name: "TracejoinCLI",
            dependencies: [
                "TracejoinDaemon", "Rules", "TraceContext", "Export", "TracejoinAPI", "TracejoinModel", "TracejoinSupport", "HTTPSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tracejoin",
            dependencies: ["TracejoinCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),

        // Benchmarks, workload generators and debug tools (`make bench`, the tests): an
        // executable of their own, so the `tracejoin` binary carries only what operators run.
        .executableTarget(
            name: "TracejoinBench",
            dependencies: [
                "Grok", "Rules", "Index", "Intake", "IntakeGRPC", "QueryAPI", "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport",
                "TracejoinCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),

        // Fuzz targets (`make fuzz`, docs/reliability.md); in an ordinary build, a tool that
        // replays inputs.
        .executableTarget(
            name: "TracejoinFuzz",
            dependencies: ["Grok", "Index", "Intake", "QueryAPI", "Rules", "TraceContext", "TracejoinModel"],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "TraceContextTests", dependencies: ["TraceContext"], swiftSettings: swiftSettings),
        // The tests' own fixtures shared by several test targets (not a product).
        .target(name: "HostileText", path: "Tests/HostileText", swiftSettings: swiftSettings),
        .testTarget(name: "TracejoinSupportTests", dependencies: ["TracejoinSupport", "HostileText"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TracejoinModelTests",
            dependencies: ["TracejoinModel", "TraceContext", "TracejoinSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPSupportTests",
            dependencies: [
                "HTTPSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExportTests",
            dependencies: ["Export", "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TracejoinDaemonTests",
            dependencies: ["TracejoinDaemon", "Export", "Rules", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QuarantineTests",
            dependencies: ["Quarantine", "TracejoinAPI", "TracejoinModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "GrokTests", dependencies: ["Grok"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RulesTests",
            dependencies: ["Rules", "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TailingTests",
            dependencies: ["Tailing", "TraceContext", "TracejoinAPI", "TracejoinModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IndexTests",
            dependencies: [
                "Index", "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeTests",
            dependencies: ["Intake", "TraceContext", "TracejoinModel", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeGRPCTests",
            dependencies: [
                "IntakeGRPC", "Intake", "TraceContext", "TracejoinAPI", "TracejoinModel",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TracejoinCLITests",
            dependencies: ["TracejoinCLI", "QueryAPI", "TraceContext", "TracejoinAPI", "TracejoinModel", "TracejoinSupport", "HostileText"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TracejoinAPITests",
            dependencies: ["TracejoinAPI", "TraceContext", "TracejoinModel", "TracejoinSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QueryAPITests",
            dependencies: ["QueryAPI", "TracejoinModel", "TracejoinSupport", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
    ]
)
