import HTTPSupport
import Hummingbird
import Logging
import TracejoinModel

/// The intake socket: where applications send spans.
public enum IntakeServer {
    public struct Configuration: Sendable {
        public var socketPath: String
        public var mode: UInt16
        /// Largest request body accepted; a larger one gets 413.
        public var maxBodyBytes: Int

        public init(socketPath: String, mode: UInt16, maxBodyBytes: Int = 32 << 20) {
            self.socketPath = socketPath
            self.mode = mode
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// The routes, separate from the listener so tests can drive them.
    public static func router(sink: any SpanSink, maxBodyBytes: Int) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.post("/v1/spans") { request, context in
            try await acceptNDJSON(request, sink: sink, maxBodyBytes: maxBodyBytes, logger: context.logger)
        }
        router.get("/healthz") { _, _ in JSONReply.response(["status": "ok"]) }
        return router
    }

    public static func application(_ configuration: Configuration, sink: any SpanSink, logger: Logger) -> some ApplicationProtocol {
        UnixSocketServer.application(
            router: router(sink: sink, maxBodyBytes: configuration.maxBodyBytes),
            path: configuration.socketPath, mode: configuration.mode, name: "intake", logger: logger)
    }

    struct Accepted: Encodable {
        var accepted: Int
    }

    static func acceptNDJSON(_ request: Request, sink: any SpanSink, maxBodyBytes: Int, logger: Logger) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        let spans: [SpanRecord]
        do {
            spans = try body.withUnsafeReadableBytes { (raw) throws(NDJSONDecoder.Failure) in
                try NDJSONDecoder.decode(UnsafeRawBufferPointer(raw).bindMemory(to: UInt8.self))
            }
        } catch {
            logger.debug("refused NDJSON spans", metadata: ["reason": "\(error)"])
            return JSONReply.error(.badRequest, "invalid span", detail: error.description)
        }
        try await sink.insert(spans)
        return JSONReply.response(Accepted(accepted: spans.count))
    }
}
