import ArgumentParser
import Foundation
import Intake
import IntakeGRPC
import TracejoinCLI
import TracejoinModel

/// `tracejoin-bench bench-intake`: spans/s for Datadog payloads of realistic size, through the
/// decoders alone and through a running daemon's intake socket into its index; with the daemon's
/// process ID, its CPU per span, and the bytes on disk per span as blocks and as v11 rows, for
/// each end-to-end run (IntakeCost.swift).
struct IntakeBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-intake",
        abstract: "Measure span intake: the v0.4/v0.5 and OTLP decoders alone, and end to end through --socket and --grpc.")

    @Option(help: "Payloads per measurement.")
    var payloads = 50

    @Option(help: "Trace chunks per payload.")
    var chunks = 100

    @Option(help: ArgumentHelp("A running daemon's intake socket, for the end-to-end measurement.", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("A running daemon's OTLP/gRPC listener (host:port): OTLP/gRPC end to end, beside OTLP/HTTP through --socket.", valueName: "address"))
    var grpc: String?

    @Option(help: "Concurrent connections (HTTP), or concurrent calls on one connection (gRPC), for the end-to-end measurements.")
    var connections = 2

    @Option(help: "Which payloads: datadog, otlp or all.")
    var protocols = "all"

    @Option(help: ArgumentHelp("The daemon's process ID: its CPU µs per span beside each end-to-end rate.", valueName: "pid"))
    var daemonPid: Int?

    func run() async throws {
        var rng = SplitMix(seed: 42)
        if protocols != "otlp" { try await datadog(&rng) }
        if protocols != "datadog" { try await otlp(&rng) }
    }

    /// OTLP ExportTraceServiceRequests of the same shape as the Datadog payloads: decoded alone,
    /// then through OTLP/HTTP (the intake socket) and OTLP/gRPC (`--grpc`) into the index.
    func otlp(_ rng: inout SplitMix) async throws {
        let bodies = (0..<payloads).map { _ in Self.otlpPayload(chunks: chunks, rng: &rng) }
        let spans = bodies.reduce(0) { $0 + $1.spans }
        let bytes = bodies.reduce(0) { $0 + $1.bytes.count }
        // The decoder alone: the wire decoder the intake runs, and beside it, as its reference,
        // the same requests through swift-protobuf's messages (what the intake ran before).
        // Bodies are made `Data` beforehand, as the intake hands them over.
        let datas = bodies.map { Data($0.bytes) }
        func best(_ decode: (Data) throws -> [SpanRecord]) throws -> Duration {
            var best = Duration.seconds(3600)
            for _ in 0..<3 {
                let start = ContinuousClock.now
                var decoded = 0
                for body in datas { decoded += try decode(body).count }
                best = min(best, ContinuousClock.now - start)
                guard decoded == spans else { throw ValidationError("decoded \(decoded) of \(spans) spans") }
            }
            return best
        }
        let wire = try best { try OTLPDecoder.decodeProtobuf($0) }
        let messages = try best { try OTLPDecoder.decodeProtobufMessages($0) }
        print("otlp: \(payloads) requests of \(chunks) traces (3–50 spans each), \(spans) spans, \(bytes / payloads / 1024) KiB a request")
        print("  decoder alone:           \(Self.rate(spans, wire)) spans/s (wire decoder); \(Self.rate(spans, messages)) spans/s (swift-protobuf messages)")
        if let socket {
            try await endToEnd(
                "OTLP/HTTP socket → index (\(connections) connections)", spans: spans,
                decoded: { try datas.map { try OTLPDecoder.decodeProtobuf($0) } },
                send: { try await post(bodies.map(\.bytes), to: "/v1/traces", contentType: "application/x-protobuf", socket: socket) })
        }
        if let grpc {
            guard let colon = grpc.lastIndex(of: ":"), let port = Int(grpc[grpc.index(after: colon)...]) else {
                throw ValidationError("--grpc takes host:port")
            }
            // Fresh IDs, so the gRPC run inserts rather than replaces the HTTP run's spans (and
            // its own count of spans: the requests are drawn again).
            let grpcRequests = (0..<payloads).map { _ in Self.otlpPayload(chunks: chunks, rng: &rng) }
            let grpcBodies = grpcRequests.map(\.bytes)
            let host = String(grpc[..<colon])
            try await endToEnd(
                "OTLP/gRPC → index (\(connections) calls at a time)", spans: grpcRequests.reduce(0) { $0 + $1.spans },
                decoded: { try grpcBodies.map { try OTLPDecoder.decodeProtobuf(Data($0)) } },
                send: {
                    let start = ContinuousClock.now
                    try await OTLPExportClient.exportTraces(grpcBodies, host: host, port: port, concurrency: connections)
                    return ContinuousClock.now - start
                })
        }
    }

    /// An ExportTraceServiceRequest as an OpenTelemetry SDK sends it: one resource, one scope,
    /// traces of 3–50 spans with a few attributes each.
    static func otlpPayload(chunks: Int, rng: inout SplitMix) -> (bytes: [UInt8], spans: Int) {
        func bytes(_ v: UInt64) -> Data { Data((0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) }) }
        func attribute(_ key: String, _ value: String) -> Tracejoin_Otlp_KeyValue {
            var kv = Tracejoin_Otlp_KeyValue()
            kv.key = key
            kv.value.stringValue = value
            return kv
        }
        var scope = Tracejoin_Otlp_ScopeSpans()
        scope.scope.name = "opentelemetry.instrumentation.flask"
        var total = 0
        for _ in 0..<chunks {
            let size = 3 + Int(rng.next() % 48)
            let traceID = bytes(rng.next()) + bytes(rng.next() | 1)
            let root = rng.next() | 1
            for i in 0..<size {
                var span = Tracejoin_Otlp_Span()
                span.traceID = traceID
                span.spanID = bytes(i == 0 ? root : rng.next() | 1)
                if i > 0 { span.parentSpanID = bytes(root) }
                span.name = i == 0 ? "GET /checkout" : "SELECT carts"
                span.kind = i == 0 ? .server : .client
                span.startTimeUnixNano = 1_764_000_000_000_000_000 + UInt64(i) * 1000
                span.endTimeUnixNano = span.startTimeUnixNano + 1_500_000
                span.attributes = i == 0
                    ? [attribute("http.method", "GET"), attribute("http.route", "/checkout"), attribute("http.status_code", "200")]
                    : [attribute("db.system", "postgresql"), attribute("db.statement", "SELECT * FROM carts WHERE id = %s")]
                scope.spans.append(span)
                total += 1
            }
        }
        var resource = Tracejoin_Otlp_ResourceSpans()
        resource.resource.attributes = [attribute("service.name", "checkout"), attribute("deployment.environment", "prod")]
        resource.scopeSpans = [scope]
        var request = Tracejoin_Otlp_ExportTraceServiceRequest()
        request.resourceSpans = [resource]
        return ((try? request.serializedBytes()) ?? [], total)
    }

    func datadog(_ rng: inout SplitMix) async throws {
        for version in [DatadogDecoder.Version.v05, .v04] {
            let bodies = (0..<payloads).map { _ in Self.payload(version: version, chunks: chunks, rng: &rng) }
            let spans = bodies.reduce(0) { $0 + $1.spans }
            let bytes = bodies.reduce(0) { $0 + $1.bytes.count }
            // Decoders alone, best of three.
            var best = Duration.seconds(3600)
            for _ in 0..<3 {
                let start = ContinuousClock.now
                var decoded = 0
                for body in bodies {
                    decoded += try body.bytes.withUnsafeBytes { try DatadogDecoder.decode($0, version: version) }.count
                }
                best = min(best, ContinuousClock.now - start)
                guard decoded == spans else { throw ValidationError("decoded \(decoded) of \(spans) spans") }
            }
            print("\(version.rawValue): \(payloads) payloads of \(chunks) chunks (3–50 spans each), \(spans) spans, \(bytes / payloads / 1024) KiB a payload")
            print("  decoder alone:           \(Self.rate(spans, best)) spans/s")
            guard let socket else { continue }
            // End to end: every POST returns after its spans are committed.
            try await endToEnd(
                "socket → index (\(connections) connections)", spans: spans,
                decoded: { try bodies.map { body in try body.bytes.withUnsafeBytes { try DatadogDecoder.decode($0, version: version) } } },
                send: { try await post(bodies.map(\.bytes), to: "/\(version.rawValue)/traces", contentType: "application/msgpack", socket: socket) })
        }
    }

    /// Posts every body to the intake socket over `connections` connections; each POST returns
    /// after its spans are committed. Returns how long all took.
    func post(_ bodies: [[UInt8]], to path: String, contentType: String, socket: String) async throws -> Duration {
        let client = UnixHTTPClient(socketPath: socket)
        let connections = connections
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<connections {
                group.addTask {
                    for (i, body) in bodies.enumerated() where i % connections == worker {
                        let reply = try await client.post(path, body: body, contentType: contentType)
                        guard reply.status == 200 else { throw ValidationError("intake answered \(reply.status): \(reply.text)") }
                    }
                }
            }
            try await group.waitForAll()
        }
        return ContinuousClock.now - start
    }

    static func rate(_ spans: Int, _ d: Duration) -> String {
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return String(format: "%10.0f", Double(spans) / seconds)
    }

    /// A payload as ddtrace sends it: chunks of 3–50 spans, a root with `_dd.p.tid` and a few
    /// meta tags per span, metrics on the root.
    static func payload(version: DatadogDecoder.Version, chunks: Int, rng: inout SplitMix) -> (bytes: [UInt8], spans: Int) {
        var w = MsgPackWriter()
        var total = 0
        let sizes = (0..<chunks).map { _ in 3 + Int(rng.next() % 48) }
        let strings = ["", "checkout", "flask.request", "GET /checkout", "postgres.query", "SELECT * FROM carts WHERE id = %s",
                       "_dd.p.tid", "6b060b9000000000", "env", "prod", "version", "1.0.0", "http.status_code", "200",
                       "_sampling_priority_v1", "web", "sql", "component", "flask"]
        func index(_ s: String) -> UInt64 { UInt64(strings.firstIndex(of: s)!) }
        if version == .v05 {
            w.array(2)
            w.array(strings.count)
            for s in strings { w.string(s) }
        }
        w.array(chunks)
        for size in sizes {
            let trace = rng.next() | 1
            w.array(size)
            let root = rng.next() | 1
            for i in 0..<size {
                total += 1
                let span = i == 0 ? root : rng.next() | 1
                let meta: [(String, String)] = (i == 0 ? [("_dd.p.tid", "6b060b9000000000")] : [])
                    + [("env", "prod"), ("version", "1.0.0"), ("component", "flask")]
                if version == .v05 {
                    w.array(12)
                    w.uint(index("checkout")); w.uint(index(i == 0 ? "flask.request" : "postgres.query"))
                    w.uint(index(i == 0 ? "GET /checkout" : "SELECT * FROM carts WHERE id = %s"))
                    w.uint(trace); w.uint(span); w.uint(i == 0 ? 0 : root)
                    w.int(1_764_000_000_000_000_000 + Int64(i) * 1000, as: .u64); w.uint(1_500_000); w.int(0, as: .fixint)
                    w.map(meta.count)
                    for (k, v) in meta { w.uint(index(k)); w.uint(index(v)) }
                    w.map(i == 0 ? 1 : 0)
                    if i == 0 { w.uint(index("_sampling_priority_v1")); w.float64(1) }
                    w.uint(index(i == 0 ? "web" : "sql"))
                } else {
                    w.map(i == 0 ? 11 : 10)
                    w.string("service"); w.string("checkout")
                    w.string("name"); w.string(i == 0 ? "flask.request" : "postgres.query")
                    w.string("resource"); w.string(i == 0 ? "GET /checkout" : "SELECT * FROM carts WHERE id = %s")
                    w.string("trace_id"); w.uint(trace)
                    w.string("span_id"); w.uint(span)
                    w.string("parent_id"); w.uint(i == 0 ? 0 : root)
                    w.string("start"); w.int(1_764_000_000_000_000_000 + Int64(i) * 1000, as: .i64)
                    w.string("duration"); w.uint(1_500_000)
                    w.string("meta"); w.map(meta.count)
                    for (k, v) in meta { w.string(k); w.string(v) }
                    w.string("type"); w.string(i == 0 ? "web" : "sql")
                    if i == 0 { w.string("metrics"); w.map(1); w.string("_sampling_priority_v1"); w.float64(1) }
                }
            }
        }
        return (w.bytes, total)
    }
}

/// A small seeded generator, so runs are comparable.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
