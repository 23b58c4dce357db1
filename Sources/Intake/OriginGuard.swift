import HTTPSupport
import Hummingbird
import TracejoinAPI
import TracejoinModel

/// Refuses a request that carries `Origin` unless the origin is in `intake.allowed_origins`.
///
/// Browsers send `Origin` on every cross-site POST (and on same-site ones, so a page served from
/// a DNS-rebound name is caught too); tracers and collectors never send it. So a request with an
/// `Origin` comes from a web page, and only the pages listed may write spans (docs/intake.md,
/// "Who may send"). It wraps every route, even one that stores nothing, and the answer to a
/// path or method that has none, so a page's preflight (`OPTIONS`) is refused as well.
struct OriginGuard<Context: RequestContext>: RouterMiddleware {
    /// The allowed origins, lowercase (`http://localhost:3000`).
    let allowed: Set<String>
    /// Where the requests refused here are counted, as `refused_origin.http`.
    let counters: IntakeCounters

    init(allowed: [String], counters: IntakeCounters) {
        self.allowed = Set(allowed.map { $0.lowercased() })
        self.counters = counters
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        guard allowed.contains(origin.lowercased()) else {
            counters.counter("refused_origin", "http").add()
            let shown = String(origin.prefix(200))
            context.logger.debug("refused a request from a web page", metadata: ["origin": "\(shown)", "path": "\(request.uri.path)"])
            return JSONReply.error(.forbidden, "origin not allowed",
                                   detail: "requests from web pages are refused: origin \(shown) is not in intake.allowed_origins")
        }
        return try await next(request, context)
    }
}
