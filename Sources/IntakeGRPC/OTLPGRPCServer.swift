import Foundation
import GRPCCore
import HTTPSupport
import NIOCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import Intake
import Logging
import Quarantine
import ServiceLifecycle
import SwiftProtobuf
import TracejoinAPI
import TracejoinModel

/// OTLP over gRPC on a TCP address: the collector's TraceService and LogsService, stored as the
/// OTLP/HTTP routes store them, and its MetricsService, answered and dropped (counted), so an
/// app left at its exporter's defaults (gRPC, port 4317) reports without errors.
///
/// grpc-swift 2 does the HTTP/2 and gRPC framing; gzip is accepted (and answered in kind). A
/// message over `maxMessageBytes` (after decompression) gets RESOURCE_EXHAUSTED: the transport
/// reads up to twice the limit, and the deserializer refuses what is over it with that status
/// (the transport itself only resets the stream of a message over its own limit, which clients
/// see as UNAVAILABLE and retry; so a message over twice the limit is answered that way). A payload that is not the message gets INVALID_ARGUMENT naming the field and the
/// byte offset; while the index refuses writes the answer is UNAVAILABLE, which OTLP exporters
/// retry.
public struct OTLPGRPCServer: Service {
    let host: String
    let port: Int
    let maxMessageBytes: Int
    let limits: ConnectionLimits
    let maxStreams: Int
    let sinks: IntakeServer.Sinks
    let logger: Logger
    let onListening: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - limits: connections at once, and how long a connection without calls stays open
    ///     (`idleTimeout`: a client that sent only the preface is closed then).
    ///   - maxStreams: concurrent calls on one connection, advertised in HTTP/2 SETTINGS so
    ///     that clients queue calls beyond it instead of having the connection torn down.
    public init(host: String, port: Int, maxMessageBytes: Int, limits: ConnectionLimits = .init(), maxStreams: Int = 100,
                sinks: IntakeServer.Sinks, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.maxMessageBytes = maxMessageBytes
        self.limits = limits
        self.maxStreams = maxStreams
        self.sinks = sinks
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let address: GRPCNIOTransportHTTP2Posix.SocketAddress = host.contains(":")
            ? .ipv6(host: host, port: port) : .ipv4(host: host == "localhost" ? "127.0.0.1" : host, port: port)
        let transport = HTTP2ServerTransport.Posix(
            address: address, transportSecurity: .plaintext,
            config: .defaults { [limits, maxStreams, host, port, logger] config in
                config.rpc.maxRequestPayloadSize = 2 * maxMessageBytes
                config.compression.enabledAlgorithms = .all
                config.http2.maxConcurrentStreams = maxStreams
                // Idle connections: the keepalive PINGs a connection after half the idle time
                // without data; a live client answers (and keeps its connection, within
                // `max_connections`), one that does not is told to go. grpc-swift's own
                // `maxIdleTime` is not used: its timer keeps the connection's handler alive
                // after the connection closes (grpc-swift-nio-transport 2.9.2), a leak per
                // connection; and its graceful close waits for the client's answer to a PING
                // with no deadline. So a client that reads nothing (one that sent only the
                // preface) is closed here instead: nothing read for `idleTimeout` closes it.
                config.connection.maxGraceTime = min(limits.bodyTimeout, .seconds(10))
                config.connection.keepalive.time = limits.idleTimeout / 2
                config.connection.keepalive.timeout = limits.idleTimeout / 4
                let readIdle = TimeAmount(limits.idleTimeout)
                let maxConnections = limits.maxConnections
                config.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([IdleStateHandler(readTimeout: readIdle), CloseWhenReadIdle()],
                                                                        position: .first)
                    }
                }
                config.channelDebuggingCallbacks.onBindTCPListener = { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            AcceptGuard(maxConnections: maxConnections, name: "otlp-grpc \(host):\(port)", logger: logger), position: .first)
                    }
                }
            })
        let counters = sinks.counters.intake
        let limit = maxMessageBytes
        let bodies = sinks.bodies
        let server = GRPCServer(transport: transport, services: [
            TraceService(sink: sinks.spans, stored: counters.counter("spans", "otlp_grpc"), limit: limit, journal: sinks.journal, bodies: bodies,
                         logger: logger),
            LogsService(logs: sinks.logs, limit: limit, journal: sinks.journal, bodies: bodies, logger: logger),
            MetricsService(dropped: counters.counter("metrics_dropped", "otlp_grpc")),
        ])
        let logger = logger, host = host, onListening = onListening
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                // Throws if the address could not be bound; then serve() has thrown as well.
                let bound = try await transport.listeningAddress
                let port = bound.ipv4?.port ?? bound.ipv6?.port ?? 0
                logger.info("listening", metadata: ["address": "\(host):\(port)", "api": "otlp-grpc"])
                onListening(port)
            }
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}

/// Admits a message's bytes to be decoded: over `limit` is RESOURCE_EXHAUSTED; the bytes are
/// held against the HTTP intake's shared budget while decoded; and the message's digest is
/// noted in the crash journal while it is decoded, so that a message that stops the daemon is
/// refused (INVALID_ARGUMENT) when it comes again (docs/reliability.md).
func admitted<Bytes: GRPCContiguousBytes, T>(
    _ bytes: Bytes, limit: Int, journal: CrashJournal?, bodies: BodyBudget?, _ decode: (UnsafeRawBufferPointer) throws -> T
) throws -> T {
    guard bytes.count <= limit else {
        throw RPCError(code: .resourceExhausted, message: "message of \(bytes.count) bytes is over the limit of \(limit) (intake.max_body)")
    }
    if let bodies {
        guard bodies.reserve(bytes.count) else {
            throw RPCError(code: .resourceExhausted,
                           message: "messages in flight are at the limit of \(bodies.limit) bytes (intake.limits.body_memory); retry")
        }
    }
    defer { bodies?.release(bytes.count) }
    var slot: CrashJournal.PayloadSlot?
    if let journal {
        do {
            slot = try journal.beginPayload(digest: bytes.withUnsafeBytes(CrashJournal.digest), size: bytes.count)
        } catch {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
    }
    defer { if let slot { journal?.endPayload(slot) } }
    return try bytes.withUnsafeBytes(decode)
}

/// Decodes a request with swift-protobuf and, when that fails, says where the bytes are broken
/// (field path and byte offset) in the INVALID_ARGUMENT status. Admitted as `admitted` says.
struct LocatingDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
    let schema: ProtobufLocator.Message
    let limit: Int
    var journal: CrashJournal?
    /// Held while the message is decoded: the HTTP intake's budget, shared.
    var bodies: BodyBudget?

    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> Message {
        try admitted(bytes, limit: limit, journal: journal, bodies: bodies) { raw in
            let data = Data(raw)
            do {
                return try Message(serializedBytes: data)
            } catch {
                let place = ProtobufLocator.locate(data, as: schema) ?? "\(error)"
                throw RPCError(code: .invalidArgument, message: "not an OTLP \(Message.protoMessageName) (protobuf): \(place)")
            }
        }
    }
}

/// Decodes an ExportTraceServiceRequest straight from the bytes grpc-swift hands over
/// (`OTLPWireDecoder`, as the OTLP/HTTP route does), with no swift-protobuf message between.
/// Bytes that are not the message get INVALID_ARGUMENT here, in the words the message-based
/// deserializer used; spans refused (bad IDs) go on to the handler, which logs them with the
/// peer. Admitted as `admitted` says: the crash journal now covers the whole decode.
struct SpanDeserializer: MessageDeserializer {
    let limit: Int
    var journal: CrashJournal?
    var bodies: BodyBudget?

    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> OTLPWireDecoder.Decoded {
        let decoded = try admitted(bytes, limit: limit, journal: journal, bodies: bodies) { raw in OTLPWireDecoder.decoded(raw) }
        if case .malformed(let place) = decoded {
            throw RPCError(code: .invalidArgument, message: "not an OTLP \(Tracejoin_Otlp_ExportTraceServiceRequest.protoMessageName) (protobuf): \(place)")
        }
        return decoded
    }
}

/// What a failure to store becomes: UNAVAILABLE while ingest is paused (exporters retry it).
func storing<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let paused as IngestPaused {
        throw RPCError(code: .unavailable, message: "ingest paused: \(paused.reason)")
    }
}

/// The collector's TraceService: registered by hand (not through the generated protocol,
/// whose handler takes a decoded message), so that the request is decoded from its bytes by
/// `SpanDeserializer`.
struct TraceService: RegistrableRPCService {
    let sink: any SpanSink
    let stored: StageCounter
    let limit: Int
    let journal: CrashJournal?
    let bodies: BodyBudget
    let logger: Logger

    func export(decoded: OTLPWireDecoder.Decoded, context: ServerContext) async throws -> Tracejoin_Otlp_ExportTraceServiceResponse {
        let spans: [SpanRecord]
        switch decoded {
        case .spans(let s):
            spans = s
        case .refused(let error):
            logger.info("refused OTLP/gRPC spans", metadata: ["reason": "\(error)", "peer": "\(context.remotePeer)"])
            throw RPCError(code: .invalidArgument, message: error.message)
        case .malformed(let place):
            // The deserializer answers these; here only for completeness.
            throw RPCError(code: .invalidArgument, message: "not an OTLP \(Tracejoin_Otlp_ExportTraceServiceRequest.protoMessageName) (protobuf): \(place)")
        }
        if !spans.isEmpty { try await storing { try await sink.insert(spans) } }
        stored.add(spans.count)
        return Tracejoin_Otlp_ExportTraceServiceResponse()
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
            deserializer: SpanDeserializer(limit: limit, journal: journal, bodies: bodies),
            serializer: ProtobufSerializer<Tracejoin_Otlp_ExportTraceServiceResponse>()
        ) { request, context in
            // Unary: the one message of the stream, as the generated code takes it.
            let single = try await ServerRequest(stream: request)
            let response = try await self.export(decoded: single.message, context: context)
            return StreamingServerResponse(single: ServerResponse(message: response, metadata: [:]))
        }
    }
}

struct LogsService: Opentelemetry_Proto_Collector_Logs_V1_LogsService.SimpleServiceProtocol {
    let logs: LogIntake?
    let limit: Int
    let journal: CrashJournal?
    let bodies: BodyBudget
    let logger: Logger

    func export(request: Tracejoin_Otlp_ExportLogsServiceRequest, context: ServerContext) async throws -> Tracejoin_Otlp_ExportLogsServiceResponse {
        guard let logs else { throw RPCError(code: .unimplemented, message: "this daemon does not take OTLP logs") }
        let decoded: OTLPLogDecoder.Decoded
        do throws(OTLPDecoder.Failure) {
            decoded = try OTLPLogDecoder.decode(request, options: logs.options(origin: "otlp/grpc"))
        } catch {
            logger.info("refused OTLP/gRPC logs", metadata: ["reason": "\(error)", "peer": "\(context.remotePeer)"])
            throw RPCError(code: .invalidArgument, message: error.message)
        }
        try await storing { try await logs.store(decoded, protocolName: "otlp_grpc") }
        return Tracejoin_Otlp_ExportLogsServiceResponse()
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Logs_V1_LogsService.Method.Export.descriptor,
            deserializer: LocatingDeserializer<Tracejoin_Otlp_ExportLogsServiceRequest>(schema: .logsRequest, limit: limit, journal: journal,
                                                                                    bodies: bodies),
            serializer: ProtobufSerializer<Tracejoin_Otlp_ExportLogsServiceResponse>()
        ) { request, context in
            try await self.export(request: request, context: context)
        }
    }
}

/// Metrics are not Tracejoin's business; an app that exports them beside its traces gets a
/// success, and the export is counted as dropped.
struct MetricsService: Opentelemetry_Proto_Collector_Metrics_V1_MetricsService.SimpleServiceProtocol {
    let dropped: StageCounter

    func export(request: Tracejoin_Otlp_ExportMetricsServiceRequest, context: ServerContext) async throws -> Tracejoin_Otlp_ExportMetricsServiceResponse {
        dropped.add()
        return Tracejoin_Otlp_ExportMetricsServiceResponse()
    }
}
