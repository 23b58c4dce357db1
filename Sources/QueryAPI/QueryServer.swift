import HTTPSupport
import Hummingbird
import Logging
import TraceContext
import TracejoinAPI
import TracejoinModel

/// The query socket: read-only HTTP/JSON over the index.
public enum QueryServer {
    /// - Parameter stopping: true once the daemon is shutting down: live streams end then.
    /// - Parameter token: when set, every request must carry it (``TokenAuthMiddleware``).
    /// - Parameter sessions: the browser sessions `token`'s logins open (a set of its own when
    ///   `nil`); `port`, the listener's, names their cookie.
    /// - Parameter loginCodes: when set, `POST /v1/login-code` mints a one-time login code from
    ///   it: given only on the query socket, whose file mode guards it.
    public static func router(reader: any TraceReader, status: DaemonReports, token: String? = nil,
                              sessions: Sessions? = nil, port: Int = 0, loginCodes: Sessions? = nil,
                              stopping: @escaping @Sendable () -> Bool = { false },
                              hostCheck: HostCheck<BasicRequestContext>? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        // On a loopback TCP listener, only requests that name it (DNS rebinding: docs/api.md).
        if let hostCheck { router.add(middleware: hostCheck) }
        router.add(middleware: ShortfallMiddleware())
        if status.fleet { router.add(middleware: FleetPages.Middleware()) }
        router.add(middleware: JSONErrorMiddleware())
        if let token { router.add(middleware: TokenAuthMiddleware(token: token, sessions: sessions ?? Sessions(), port: port)) }
        if let loginCodes {
            router.post("/v1/login-code") { _, _ in JSONReply.response(LoginCodeDocument(code: loginCodes.mintCode(), expiresInSeconds: loginCodes.codeTTLSeconds)) }
        }
        router.get("/v1") { _, _ in JSONReply.response(EndpointList()) }
        router.get("/healthz") { _, _ in JSONReply.response(["status": "ok"]) }
        router.get("/v1/rules") { _, _ in JSONReply.response(status.rulesDocument()) }
        router.get("/metrics") { _, _ in MetricsRoute.response(status.stats().figures + status.rulesDocument().figures) }
        router.get("/v1/stats") { _, _ in JSONReply.response(status.stats()) }
        router.get("/v1/stats/history") { _, _ in JSONReply.response(StatusHistory.Document(samples: status.samples())) }
        router.get("/v1/logs") { request, _ in try await SearchRoutes.logs(request, reader: reader) }
        router.get("/v1/logs/volume") { request, _ in try await SearchRoutes.logVolume(request, reader: reader) }
        router.get("/v1/logs/unmatched") { request, _ in try await SpanRoutes.unmatched(request, reader: reader) }
        router.get("/v1/follow") { request, _ in try await SpanRoutes.follow(request, reader: reader, stopping: stopping) }
        router.get("/v1/spans/{id}") { _, context in
            try await SpanRoutes.span(context.parameters.get("id") ?? "", logsOnly: false, reader: reader)
        }
        router.get("/v1/spans/{id}/logs") { _, context in
            try await SpanRoutes.span(context.parameters.get("id") ?? "", logsOnly: true, reader: reader)
        }
        router.get("/v1/traces") { request, _ in try await SearchRoutes.traces(request, reader: reader) }
        JaegerRoutes.add(to: router, reader: reader)
        JaegerV3Routes.add(to: router, reader: reader)
        WebView.add(to: router, reader: reader, status: status)
        router.get("/v1/traces/{id}") { request, context in
            let text = context.parameters.get("id") ?? ""
            let logLimit: Int
            do throws(SearchRoutes.BadParameter) {
                logLimit = try SearchRoutes.limit(request.uri.queryParameters["logs_limit"], default: defaultTraceLogs, max: maxTraceLogs, name: "logs_limit")
            } catch {
                return error.response
            }
            return try await trace(text, logLimit: logLimit, reader: reader)
        }
        return router
    }

    public static func application(socketPath: String, mode: UInt16, reader: any TraceReader, status: DaemonReports,
                                   stopping: @escaping @Sendable () -> Bool, limits: ConnectionLimits = .init(closeWhenPeerLeaves: true),
                                   loginCodes: Sessions? = nil, logger: Logger) -> some ApplicationProtocol {
        UnixSocketServer.application(router: router(reader: reader, status: status, loginCodes: loginCodes, stopping: stopping), path: socketPath, mode: mode,
                                     name: "query", limits: limits, logger: logger)
    }

    /// The query API on a TCP address (loopback unless configured otherwise); `token` (or `nil`
    /// for `auth: none`) is asked of every request; a browser logs in to one of `sessions`.
    public static func tcpApplication(host: String, port: Int, token: String?, sessions: Sessions? = nil,
                                      reader: any TraceReader, status: DaemonReports,
                                      stopping: @escaping @Sendable () -> Bool, limits: ConnectionLimits = .init(closeWhenPeerLeaves: true),
                                      logger: Logger) -> some ApplicationProtocol {
        Application(
            router: router(reader: reader, status: status, token: token, sessions: sessions, port: port, stopping: stopping,
                           hostCheck: HostCheck<BasicRequestContext>.isLoopback(host) ? HostCheck(listenerHost: host, port: port) : nil),
            server: limits.server,
            configuration: limits.configuration(.hostname(host, port: port), logger: logger),
            onServerRunning: { channel in
                await logAcceptErrors(channel, name: "query \(host):\(port)", logger: logger)
                logger.info("listening", metadata: ["address": "\(host):\(port)", "api": "query"])
            },
            logger: logger)
    }

    /// `GET /v1`: what the API offers (not `Index`, the name of the store's module).
    struct EndpointList: Encodable {
        var service = "tracejoin"
        var endpoints = [
            "/v1/traces/{id}", "/v1/traces", "/v1/logs", "/v1/logs/volume", "/v1/logs/unmatched", "/v1/follow", "/v1/spans/{id}",
            "/v1/spans/{id}/logs", "/v1/rules", "/v1/stats", "/v1/stats/history", "/metrics", "/healthz",
        ]
        var docs = "docs/api.md"
    }

    /// Lines a trace document carries unless `?logs_limit=` says otherwise, and the most it may
    /// ask for: a trace's document stays bounded in size and memory whatever the trace.
    public static let defaultTraceLogs = 10_000
    public static let maxTraceLogs = 50_000

    /// Looks a trace up by an ID in any accepted form.
    ///
    /// A 16-character token of only digits is both a decimal and a hex ID; it is read as decimal
    /// (Datadog's form) and, if nothing is known under that, as hex
    /// (``TraceID/lookupCandidates(_:convention:)``).
    static func trace(_ text: String, logLimit: Int, reader: any TraceReader) async throws -> Response {
        let candidates: [TraceID]
        do {
            candidates = try TraceID.lookupCandidates(text)
        } catch {
            return JSONReply.error(.badRequest, "invalid trace id", detail: "'\(text)': \(error.message)")
        }
        guard !candidates.isEmpty else {
            return JSONReply.error(.badRequest, "invalid trace id", detail: "'\(text)' is a zero or empty ID, which means 'no trace'")
        }
        guard let (stored, found) = try await lookUp(candidates, logLimit: logLimit, reader: reader) else {
            return JSONReply.error(.notFound, "trace not found", detail: "no span or log line is known with trace ID \(text)")
        }
        return JSONReply.response(json: TraceView(stored, queried: found).json())
    }

    /// The trace under the first of `candidates` (``TraceID/lookupCandidates(_:convention:)``)
    /// that anything is stored under, with that ID; `nil` when none is known.
    static func lookUp(_ candidates: [TraceID], logLimit: Int, reader: any TraceReader) async throws -> (StoredTrace, TraceID)? {
        for id in candidates {
            let stored = try await reader.trace(id, logLimit: logLimit)
            if !stored.isEmpty { return (stored, id) }
        }
        return nil
    }
}
