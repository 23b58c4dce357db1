import CompressNIO
import Foundation
import HTTPSupport
import Hummingbird
import Logging
import Quarantine
import TracejoinAPI
import TracejoinModel

/// The intake socket: where applications send spans.
public enum IntakeServer {
    public struct Configuration: Sendable {
        public var socketPath: String
        public var mode: UInt16
        /// Largest request body accepted; a larger one gets 413.
        public var maxBodyBytes: Int
        /// Web pages whose requests are accepted (`intake.allowed_origins`); a request from any
        /// other page, one that carries `Origin`, gets 403.
        public var allowedOrigins: [String]
        /// Connections at once and request timeouts of the socket.
        public var limits: ConnectionLimits

        public init(socketPath: String, mode: UInt16, maxBodyBytes: Int = 32 << 20, allowedOrigins: [String] = [],
                    limits: ConnectionLimits = .init()) {
            self.socketPath = socketPath
            self.mode = mode
            self.maxBodyBytes = maxBodyBytes
            self.allowedOrigins = allowedOrigins
            self.limits = limits
        }
    }

    /// Where the intake puts what it receives: spans, OTLP log records (`nil`: `/v1/logs` is
    /// not served), and the counters by protocol.
    public struct Sinks: Sendable {
        public var spans: any SpanSink
        public var logs: LogIntake?
        public var counters: CounterRegistry
        /// Where each payload's digest is noted while it is decoded and stored (`nil`: not noted).
        public var journal: CrashJournal?
        /// The memory every listener's bodies in flight share (`intake.limits.body_memory`).
        public var bodies: BodyBudget
        public init(spans: any SpanSink, logs: LogIntake?, counters: CounterRegistry, journal: CrashJournal? = nil,
                    bodies: BodyBudget = BodyBudget(limit: 256 << 20)) {
            self.spans = spans
            self.logs = logs
            self.counters = counters
            self.journal = journal
            self.bodies = bodies
        }
    }

    /// The routes, separate from the listener so tests can drive them.
    ///
    /// Only programs may write here, not web pages (docs/intake.md, "Who may send"): a request
    /// with an `Origin` not in `allowedOrigins` gets 403, and each span route takes only its
    /// protocol's `Content-Type` (``AcceptedContentTypes``), never one a page may send without
    /// a preflight.
    public static func router(_ sinks: Sinks, maxBodyBytes: Int, allowedOrigins: [String] = [],
                              hostCheck: HostCheck<BasicRequestContext>? = nil) -> Router<BasicRequestContext> {
        let sink = sinks.spans
        let counters = sinks.counters.intake
        let journal = sinks.journal
        let router = Router()
        // On a loopback TCP listener, only requests that name it (DNS rebinding: docs/intake.md).
        if let hostCheck { router.add(middleware: hostCheck) }
        // At `--log-level debug`, a line for each request as it begins (before its body is read).
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: OriginGuard<BasicRequestContext>(allowed: allowedOrigins, counters: counters))
        if !allowedOrigins.isEmpty {
            // The pages allowed past the guard get CORS answers, so a browser sends their
            // requests: its preflight (`OPTIONS`) is answered 204, and replies carry
            // `Access-Control-Allow-Origin` with the page's origin.
            router.add(middleware: CORSMiddleware<BasicRequestContext>(
                allowOrigin: .originBased, allowHeaders: [.contentType, .contentEncoding], allowMethods: [.post, .put]))
        }
        router.add(middleware: JSONErrorMiddleware())
        // Bodies in flight share one budget (docs/security.md, "Bounded clients").
        router.add(middleware: BodyBudgetMiddleware<BasicRequestContext>(budget: sinks.bodies, maxBodyBytes: maxBodyBytes))
        router.post("/v1/spans") { request, context in
            if let refused = wrongType(request, .ndjson, counters: counters, protocolName: "ndjson") { return refused }
            return try await acceptNDJSON(request, sink: sink, counter: counters.counter("spans", "ndjson"), maxBodyBytes: maxBodyBytes,
                                          journal: journal, logger: context.logger)
        }
        router.get("/healthz") { _, _ in JSONReply.response(["status": "ok"]) }
        // The Datadog trace-agent API, as ddtrace uses it (shared/clients.md §1).
        router.get("/info") { _, _ in JSONReply.response(AgentInfo.current) }
        for version in [DatadogDecoder.Version.v04, .v05] {
            let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
                if let refused = wrongType(request, .datadog, counters: counters, protocolName: "datadog_" + version.rawValue) { return refused }
                return try await acceptDatadog(request, version: version, sink: sink, counter: counters.counter("spans", "datadog_" + version.rawValue),
                                               maxBodyBytes: maxBodyBytes, journal: journal, logger: context.logger)
            }
            router.post("/\(version.rawValue)/traces", use: handler)
            router.put("/\(version.rawValue)/traces", use: handler)
        }
        // OTLP/HTTP (protobuf or JSON, optionally gzipped).
        router.post("/v1/traces") { request, context in
            try await acceptOTLP(request, sink: sink, counter: counters.counter("spans", "otlp_http"), maxBodyBytes: maxBodyBytes,
                                 counters: counters, journal: journal, logger: context.logger)
        }
        if let logs = sinks.logs {
            router.post("/v1/logs") { request, context in
                try await acceptOTLPLogs(request, logs: logs, maxBodyBytes: maxBodyBytes, counters: counters, journal: journal, logger: context.logger)
            }
        }
        // Metrics, which an app left at its defaults exports beside its traces: answered as a
        // success and dropped (counted), so the app logs no export errors.
        router.post("/v1/metrics") { request, _ in
            let body: OTLPBody
            switch try await otlpBody(request, maxBodyBytes: maxBodyBytes, counters: counters) {
            case .refused(let response): return response
            case .body(let b): body = b
            }
            counters.counter("metrics_dropped", "otlp_http").add()
            return body.json ? jsonOK() : protobufOK(OTLPDecoder.emptyMetricsResponse())
        }
        // Zipkin v2 JSON; answered 202 as Zipkin does.
        router.post("/api/v2/spans") { request, context in
            if let refused = wrongType(request, .zipkin, counters: counters, protocolName: "zipkin") { return refused }
            var request = request
            let body = try await request.collectBody(upTo: maxBodyBytes)
            return try await guarded(body, journal: journal, logger: context.logger) {
                let spans: [SpanRecord]
                do throws(ZipkinDecoder.Failure) {
                    spans = try ZipkinDecoder.decode(Data(buffer: body))
                } catch {
                    context.logger.info("refused Zipkin spans", metadata: ["reason": "\(error)"])
                    return JSONReply.error(.badRequest, "invalid Zipkin spans", detail: error.description)
                }
                if let refused = try await store(spans, in: sink, counter: counters.counter("spans", "zipkin")) { return refused }
                return Response(status: .accepted)
            }
        }
        // Telemetry and remote configuration: accepted and dropped, so tracers carry on quietly.
        // Whatever their Content-Type: nothing of them is stored (a page is refused by its Origin).
        router.post("/telemetry/proxy/**") { request, _ in
            var request = request
            _ = try await request.collectBody(upTo: maxBodyBytes)
            return Response(status: .accepted)
        }
        router.post("/v0.7/config") { request, _ in
            var request = request
            _ = try await request.collectBody(upTo: maxBodyBytes)
            return JSONReply.response([String: String]())
        }
        return router
    }

    /// `GET /info`: what this agent serves. `/v0.7/config` is answered but not listed, so
    /// tracers do not poll it.
    struct AgentInfo: Encodable {
        var version = "tracejoin-0.1.0"
        var endpoints = ["/v0.4/traces", "/v0.5/traces", "/telemetry/proxy/", "/v1/traces", "/v1/logs", "/v1/spans"]
        var client_drop_p0s = false
        var span_meta_structs = false
        var long_running_spans = false
        var config = ["statsd_port": 0]
        static let current = AgentInfo()
    }

    /// 415 when `request`'s `Content-Type` is not one `accepted` lists, counted as
    /// `refused_content_type.<protocolName>`; `nil` when it is. Checked before the body is read.
    static func wrongType(_ request: Request, _ accepted: AcceptedContentTypes, counters: IntakeCounters,
                          protocolName: String) -> Response? {
        let value = request.headers[.contentType]
        guard accepted.match(value) == nil else { return nil }
        counters.counter("refused_content_type", protocolName).add()
        return accepted.refusal(value)
    }

    /// What ddtrace expects back: a sampling rate of 1 for everything.
    static let rateByService = #"{"rate_by_service":{"service:,env:":1}}"#

    static func acceptDatadog(_ request: Request, version: DatadogDecoder.Version, sink: any SpanSink, counter: StageCounter, maxBodyBytes: Int,
                              journal: CrashJournal?, logger: Logger) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        return try await guarded(body, journal: journal, logger: logger) {
            try await acceptDatadog(body, version: version, sink: sink, counter: counter, logger: logger)
        }
    }

    static func acceptDatadog(_ body: ByteBuffer, version: DatadogDecoder.Version, sink: any SpanSink, counter: StageCounter,
                              logger: Logger) async throws -> Response {
        let spans: [SpanRecord]
        do {
            spans = try body.withUnsafeReadableBytes { (raw) throws(DatadogDecoder.Failure) in
                try DatadogDecoder.decode(raw, version: version)
            }
        } catch {
            logger.info("refused Datadog payload", metadata: ["version": "\(version.rawValue)", "reason": "\(error)"])
            return JSONReply.error(.badRequest, "invalid \(version.rawValue) payload", detail: error.description)
        }
        if let refused = try await store(spans, in: sink, counter: counter) { return refused }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: rateByService)))
    }

    /// Runs `work` (decoding and storing one payload) with the payload's digest noted in the
    /// crash journal, so that a payload that stops the daemon is refused when it comes again
    /// instead of stopping it again (docs/reliability.md, "Quarantine").
    static func guarded(_ body: ByteBuffer, journal: CrashJournal?, logger: Logger,
                        _ work: () async throws -> Response) async throws -> Response {
        guard let journal else { return try await work() }
        let digest = body.withUnsafeReadableBytes(CrashJournal.digest)
        do {
            return try await journal.handlePayload(digest: digest, size: body.readableBytes) {
                trapIfTestMarker(body)
                return try await work()
            }
        } catch let refused as CrashJournal.PayloadQuarantined {
            return JSONReply.error(.badRequest, "payload quarantined", detail: refused.description)
        }
    }

    #if FUZZING
    /// Test builds only (`make test` builds with `-D FUZZING`): a payload holding the text of
    /// `TRACEJOIN_TEST_TRAP_PAYLOAD` traps as a decoder bug would, for the quarantine's test.
    static let testTrapMarker: String? = ProcessInfo.processInfo.environment["TRACEJOIN_TEST_TRAP_PAYLOAD"].flatMap { $0.isEmpty ? nil : $0 }

    static func trapIfTestMarker(_ body: ByteBuffer) {
        guard let marker = testTrapMarker else { return }
        if String(buffer: body).contains(marker) {
            fatalError("TRACEJOIN_TEST_TRAP_PAYLOAD: the test's marker payload")   // a trap, as a decoder bug's would be
        }
    }
    #else
    @inline(__always) static func trapIfTestMarker(_ body: ByteBuffer) {}
    #endif

    /// Stores a request's spans; while the index refuses writes (a full disk) the answer is
    /// 503 with the reason and a Retry-After, and nothing of the request is stored.
    static func store(_ spans: [SpanRecord], in sink: any SpanSink, counter: StageCounter) async throws -> Response? {
        do {
            try await sink.insert(spans)
            counter.add(spans.count)
            return nil
        } catch let paused as IngestPaused {
            return pausedResponse(paused)
        }
    }

    static func pausedResponse(_ paused: IngestPaused) -> Response {
        var response = JSONReply.error(.serviceUnavailable, "ingest paused", detail: paused.reason)
        response.headers[.retryAfter] = "5"
        return response
    }

    public static func application(_ configuration: Configuration, sinks: Sinks, logger: Logger) -> some ApplicationProtocol {
        UnixSocketServer.application(
            router: router(sinks, maxBodyBytes: configuration.maxBodyBytes, allowedOrigins: configuration.allowedOrigins),
            path: configuration.socketPath, mode: configuration.mode, name: "intake", limits: configuration.limits, logger: logger)
    }

    /// The same routes on a TCP address, for clients that cannot reach a Unix socket
    /// (OpenTelemetry's Python OTLP exporter).
    public static func tcpApplication(host: String, port: Int, maxBodyBytes: Int, allowedOrigins: [String] = [],
                                      limits: ConnectionLimits = .init(), sinks: Sinks, logger: Logger) -> some ApplicationProtocol {
        Application(
            router: router(sinks, maxBodyBytes: maxBodyBytes, allowedOrigins: allowedOrigins,
                           hostCheck: HostCheck<BasicRequestContext>.isLoopback(host) ? HostCheck(listenerHost: host, port: port) : nil),
            server: limits.server,
            configuration: limits.configuration(.hostname(host, port: port), logger: logger),
            onServerRunning: { channel in
                await logAcceptErrors(channel, name: "intake \(host):\(port)", logger: logger)
                logger.info("listening", metadata: ["address": "\(host):\(port)", "api": "intake"])
            },
            logger: logger)
    }

    struct Accepted: Encodable {
        var accepted: Int
    }

    /// An OTLP/HTTP request's body, unzipped and bounded, and whether it is JSON; or the answer
    /// that refuses it.
    struct OTLPBody {
        var data: Data
        var json: Bool
    }

    enum OTLPBodyOutcome {
        case body(OTLPBody)
        case refused(Response)
    }

    /// The type is checked before the body is read; a missing one is refused like a wrong one
    /// (``wrongType(_:_:counters:protocolName:)``), never taken for protobuf.
    static func otlpBody(_ request: Request, maxBodyBytes: Int, counters: IntakeCounters) async throws -> OTLPBodyOutcome {
        if let refused = wrongType(request, .otlp, counters: counters, protocolName: "otlp_http") { return .refused(refused) }
        let json = AcceptedContentTypes.otlp.match(request.headers[.contentType]) == "application/json"
        var request = request
        var body = try await request.collectBody(upTo: maxBodyBytes)
        if let encoding = request.headers[.contentEncoding]?.lowercased(), encoding != "identity" {
            guard encoding == "gzip" else {
                return .refused(JSONReply.error(.unsupportedMediaType, "unsupported content encoding", detail: "only gzip is accepted, not \(encoding)"))
            }
            do {
                // Bounded like a plain body: a small gzip must not expand without limit.
                body = try body.decompress(with: .gzip(), maxSize: maxBodyBytes)
            } catch {
                return .refused(JSONReply.error(.badRequest, "invalid gzip body", detail: "\(error) (limit \(maxBodyBytes) bytes decompressed)"))
            }
        }
        return .body(OTLPBody(data: Data(buffer: body), json: json))
    }

    static func jsonOK() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
    }

    static func protobufOK(_ message: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "application/x-protobuf"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: message)))
    }

    static func acceptOTLP(_ request: Request, sink: any SpanSink, counter: StageCounter, maxBodyBytes: Int, counters: IntakeCounters,
                           journal: CrashJournal?, logger: Logger) async throws -> Response {
        let body: OTLPBody
        switch try await otlpBody(request, maxBodyBytes: maxBodyBytes, counters: counters) {
        case .refused(let response): return response
        case .body(let b): body = b
        }
        return try await guarded(ByteBuffer(data: body.data), journal: journal, logger: logger) {
            try await acceptOTLP(body, sink: sink, counter: counter, logger: logger)
        }
    }

    static func acceptOTLP(_ body: OTLPBody, sink: any SpanSink, counter: StageCounter, logger: Logger) async throws -> Response {
        let spans: [SpanRecord]
        do throws(OTLPDecoder.Failure) {
            spans = body.json ? try OTLPDecoder.decodeJSON(body.data) : try OTLPDecoder.decodeProtobuf(body.data)
        } catch {
            logger.info("refused OTLP payload", metadata: ["reason": "\(error)"])
            return JSONReply.error(.badRequest, "invalid OTLP payload", detail: error.description)
        }
        if let refused = try await store(spans, in: sink, counter: counter) { return refused }
        return body.json ? jsonOK() : protobufOK(OTLPDecoder.emptyProtobufResponse())
    }

    static func acceptOTLPLogs(_ request: Request, logs: LogIntake, maxBodyBytes: Int, counters: IntakeCounters, journal: CrashJournal?,
                               logger: Logger) async throws -> Response {
        let body: OTLPBody
        switch try await otlpBody(request, maxBodyBytes: maxBodyBytes, counters: counters) {
        case .refused(let response): return response
        case .body(let b): body = b
        }
        return try await guarded(ByteBuffer(data: body.data), journal: journal, logger: logger) {
            try await acceptOTLPLogs(body, logs: logs, logger: logger)
        }
    }

    static func acceptOTLPLogs(_ body: OTLPBody, logs: LogIntake, logger: Logger) async throws -> Response {
        let decoded: OTLPLogDecoder.Decoded
        let options = logs.options(origin: "otlp/http")
        do throws(OTLPDecoder.Failure) {
            decoded = body.json ? try OTLPLogDecoder.decodeJSON(body.data, options: options)
                : try OTLPLogDecoder.decodeProtobuf(body.data, options: options)
        } catch {
            logger.info("refused OTLP logs", metadata: ["reason": "\(error)"])
            return JSONReply.error(.badRequest, "invalid OTLP logs", detail: error.description)
        }
        do {
            try await logs.store(decoded, protocolName: "otlp_http")
        } catch let paused as IngestPaused {
            return pausedResponse(paused)
        }
        return body.json ? jsonOK() : protobufOK(OTLPLogDecoder.emptyProtobufResponse())
    }

    static func acceptNDJSON(_ request: Request, sink: any SpanSink, counter: StageCounter, maxBodyBytes: Int, journal: CrashJournal?,
                             logger: Logger) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        return try await guarded(body, journal: journal, logger: logger) {
            try await acceptNDJSON(body, sink: sink, counter: counter, logger: logger)
        }
    }

    static func acceptNDJSON(_ body: ByteBuffer, sink: any SpanSink, counter: StageCounter, logger: Logger) async throws -> Response {
        let spans: [SpanRecord]
        do {
            spans = try body.withUnsafeReadableBytes { (raw) throws(NDJSONDecoder.Failure) in
                try NDJSONDecoder.decode(UnsafeRawBufferPointer(raw).bindMemory(to: UInt8.self))
            }
        } catch {
            logger.debug("refused NDJSON spans", metadata: ["reason": "\(error)"])
            return JSONReply.error(.badRequest, "invalid span", detail: error.description)
        }
        if let refused = try await store(spans, in: sink, counter: counter) { return refused }
        return JSONReply.response(Accepted(accepted: spans.count))
    }
}
