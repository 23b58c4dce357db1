import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import Intake
@testable import IntakeGRPC
import Synchronization
import Testing
import TraceContext
import TracejoinAPI
import TracejoinModel

/// The gRPC services on a real loopback listener, called through grpc-swift's own client over
/// real HTTP/2; what they store is kept in memory.
@Suite struct OTLPGRPCServerTests {
    /// Keeps what it is given; refuses with ``IngestPaused`` while `paused` is set.
    final class Store: SpanSink, LogRecordSink {
        let spans = Mutex<[SpanRecord]>([])
        let logs = Mutex<[LogRecord]>([])
        let paused = Atomic<Bool>(false)
        func insert(_ spans: [SpanRecord]) async throws {
            if paused.load(ordering: .relaxed) { throw IngestPaused(reason: "disk full (test)") }
            self.spans.withLock { $0 += spans }
        }
        func append(_ records: [LogRecord]) async throws {
            if paused.load(ordering: .relaxed) { throw IngestPaused(reason: "disk full (test)") }
            logs.withLock { $0 += records }
        }
    }

    /// Sends bytes as they are, to test what the server makes of a broken message.
    struct RawSerializer: MessageSerializer {
        func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    }

    /// Runs a server on an ephemeral port, then `body` with a client connected to it.
    func withServer(maxMessageBytes: Int = 1 << 20, gzip: Bool = false,
                    _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>, Store, CounterRegistry) async throws -> Void) async throws {
        let store = Store()
        let counters = CounterRegistry()
        let sinks = IntakeServer.Sinks(spans: store, logs: LogIntake(sink: store, source: "otlp", counters: counters), counters: counters)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let server = OTLPGRPCServer(host: "127.0.0.1", port: 0, maxMessageBytes: maxMessageBytes, sinks: sinks, logger: .init(label: "test"),
                                    onListening: { portSink.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
                config: .defaults { config in
                    if gzip {
                        config.compression.algorithm = .gzip
                        config.compression.enabledAlgorithms = .all
                    }
                })
            try await withGRPCClient(transport: transport) { client in
                try await body(client, store, counters)
            }
            group.cancelAll()
        }
    }

    static let traceHigh: UInt64 = 0xfedc_ba98_7654_3210, traceLow: UInt64 = 0x8000_0000_0000_0001
    static let spanValue: UInt64 = 0xffff_ffff_ffff_fffe

    static func bytes(_ v: UInt64) -> Data { Data((0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) }) }

    static func traceRequest(spans: Int = 2, traceID: Data? = nil) -> Tracejoin_Otlp_ExportTraceServiceRequest {
        var request = Tracejoin_Otlp_ExportTraceServiceRequest()
        var resource = Tracejoin_Otlp_ResourceSpans()
        var service = Tracejoin_Otlp_KeyValue()
        service.key = "service.name"
        service.value.stringValue = "checkout"
        resource.resource.attributes = [service]
        var scope = Tracejoin_Otlp_ScopeSpans()
        for i in 0..<spans {
            var span = Tracejoin_Otlp_Span()
            span.traceID = traceID ?? (bytes(traceHigh) + bytes(traceLow))
            span.spanID = bytes(spanValue - UInt64(i))
            span.name = "op\(i)"
            span.startTimeUnixNano = 1_764_000_000_000_000_000
            span.endTimeUnixNano = 1_764_000_000_500_000_000
            scope.spans.append(span)
        }
        resource.scopeSpans = [scope]
        request.resourceSpans = [resource]
        return request
    }

    @Test func tracesAreStoredWithExactIDs() async throws {
        try await withServer { client, store, counters in
            let traces = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
            _ = try await traces.export(Self.traceRequest())
            let spans = store.spans.withLock { $0 }
            #expect(spans.count == 2)
            #expect(spans.map(\.traceID) == Array(repeating: TraceID(high: Self.traceHigh, low: Self.traceLow), count: 2))
            #expect(spans.map(\.spanID.value) == [Self.spanValue, Self.spanValue - 1])
            #expect(spans.allSatisfy { $0.service == "checkout" && $0.duration == 500_000_000 })
            #expect(counters.intake.snapshot()["spans.otlp_grpc"] == 2)
        }
    }

    @Test func gzipRequestsAreAccepted() async throws {
        try await withServer(gzip: true) { client, store, _ in
            let traces = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
            var options = CallOptions.defaults
            options.compression = .gzip
            _ = try await traces.export(Self.traceRequest(spans: 50), options: options)
            #expect(store.spans.withLock { $0.count } == 50)
        }
    }

    @Test func brokenBytesGetInvalidArgumentWithFieldAndOffset() async throws {
        try await withServer { client, store, _ in
            var good: [UInt8] = try Self.traceRequest(spans: 1).serializedBytes()
            // Cut the message short: the last field's length now runs past the end.
            good.removeLast(3)
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(
                    request: ClientRequest(message: good),
                    descriptor: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
                    serializer: RawSerializer(), deserializer: ProtobufDeserializer<Tracejoin_Otlp_ExportTraceServiceResponse>(),
                    options: .defaults) { try $0.message }
            }
            #expect(error?.code == .invalidArgument)
            let message = error?.message ?? ""
            #expect(message.contains("resource_spans[0]"), "\(message)")
            #expect(message.contains("at byte"), "\(message)")
            #expect(store.spans.withLock { $0.isEmpty })
        }
    }

    @Test func aShortTraceIDIsNamedAndNothingIsStored() async throws {
        try await withServer { client, store, _ in
            let traces = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
            var request = Self.traceRequest(spans: 3)
            request.resourceSpans[0].scopeSpans[0].spans[2].traceID = Data([1, 2, 3])
            let error = await #expect(throws: RPCError.self) { _ = try await traces.export(request) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == "span 2: trace_id must be 16 bytes, got 3")
            #expect(store.spans.withLock { $0.isEmpty })
        }
    }

    @Test func aMessageOverTheLimitGetsResourceExhausted() async throws {
        try await withServer(maxMessageBytes: 2048) { client, store, _ in
            let traces = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
            let big = Self.traceRequest(spans: 60)
            let size = try (big.serializedBytes() as [UInt8]).count
            #expect(size > 2048 && size < 4096)
            let error = await #expect(throws: RPCError.self) { _ = try await traces.export(big) }
            #expect(error?.code == .resourceExhausted)
            #expect(error?.message == "message of \(size) bytes is over the limit of 2048 (intake.max_body)")
            #expect(store.spans.withLock { $0.isEmpty })
            // The connection is still good for a message within the limit.
            _ = try await traces.export(Self.traceRequest(spans: 1))
            #expect(store.spans.withLock { $0.count } == 1)
        }
    }

    @Test func pausedIngestGetsUnavailable() async throws {
        try await withServer { client, store, _ in
            store.paused.store(true, ordering: .relaxed)
            let traces = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
            let error = await #expect(throws: RPCError.self) { _ = try await traces.export(Self.traceRequest()) }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("disk full (test)") == true)
            let logs = Opentelemetry_Proto_Collector_Logs_V1_LogsService.Client(wrapping: client)
            let logError = await #expect(throws: RPCError.self) { _ = try await logs.export(Self.logsRequest()) }
            #expect(logError?.code == .unavailable)
        }
    }

    static func logsRequest() -> Tracejoin_Otlp_ExportLogsServiceRequest {
        var request = Tracejoin_Otlp_ExportLogsServiceRequest()
        var resource = Tracejoin_Otlp_ResourceLogs()
        var service = Tracejoin_Otlp_KeyValue()
        service.key = "service.name"
        service.value.stringValue = "checkout"
        resource.resource.attributes = [service]
        var scope = Tracejoin_Otlp_ScopeLogs()
        var traced = Tracejoin_Otlp_LogRecord()
        traced.timeUnixNano = 1_764_000_000_123_456_789
        traced.severityNumber = 17
        traced.body.stringValue = "payment declined"
        traced.traceID = bytes(traceHigh) + bytes(traceLow)
        traced.spanID = bytes(spanValue)
        var lineno = Tracejoin_Otlp_KeyValue()
        lineno.key = "code.lineno"
        lineno.value.intValue = 42
        traced.attributes = [lineno]
        var untraced = Tracejoin_Otlp_LogRecord()
        untraced.observedTimeUnixNano = 1_764_000_000_000_000_000
        untraced.severityText = "INFO"
        untraced.body.stringValue = "started"
        untraced.traceID = Data(count: 16)
        untraced.spanID = Data(count: 8)
        scope.logRecords = [traced, untraced]
        resource.scopeLogs = [scope]
        request.resourceLogs = [resource]
        return request
    }

    @Test func logRecordsBecomeLinesOfTheOTLPSource() async throws {
        try await withServer { client, store, counters in
            let logs = Opentelemetry_Proto_Collector_Logs_V1_LogsService.Client(wrapping: client)
            _ = try await logs.export(Self.logsRequest())
            let records = store.logs.withLock { $0 }
            // The record outside a span is counted, not stored (as a rule without keep_untraced).
            #expect(records.count == 1)
            let r = try #require(records.first)
            #expect(r.traceID == TraceID(high: Self.traceHigh, low: Self.traceLow))
            #expect(r.spanID == SpanID(Self.spanValue))
            #expect(r.level == "ERROR")
            #expect(r.message == "payment declined")
            #expect(r.time == "2025-11-24T16:00:00.123456789Z")
            #expect(r.raw == "2025-11-24T16:00:00.123456789Z ERROR payment declined")
            #expect(r.source == "otlp" && r.rule == "otlp" && r.file == "otlp/grpc")
            #expect(r.fields == [.init(name: "service.name", value: "checkout"), .init(name: "code.lineno", value: .integer(42))])
            let rule = counters.snapshot()["otlp"]?.rules["otlp"]
            #expect(rule?.matched.value == 2)
            #expect(rule?.withTrace.value == 1)
            #expect(rule?.withoutTrace.value == 1)
        }
    }

    @Test func metricsAreAnsweredAndDropped() async throws {
        try await withServer { client, store, counters in
            let metrics = Opentelemetry_Proto_Collector_Metrics_V1_MetricsService.Client(wrapping: client)
            // Fields the (empty) request message does not declare stand for the metrics.
            let payload: [UInt8] = try Self.traceRequest(spans: 1).serializedBytes()
            let request = try Tracejoin_Otlp_ExportMetricsServiceRequest(serializedBytes: payload)
            _ = try await metrics.export(request)
            _ = try await metrics.export(request)
            #expect(counters.intake.snapshot()["metrics_dropped.otlp_grpc"] == 2)
            #expect(store.spans.withLock { $0.isEmpty })
        }
    }
}
