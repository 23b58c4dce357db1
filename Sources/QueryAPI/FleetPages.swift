import Hummingbird

/// Whether the request is the fleet service's (set around every route when ``DaemonReports/fleet``):
/// the web view's header then leaves out the pages of a daemon's own (unmatched lines, rules).
enum FleetPages {
    @TaskLocal static var active: Bool = false

    struct Middleware<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            try await FleetPages.$active.withValue(true) { try await next(request, context) }
        }
    }
}
