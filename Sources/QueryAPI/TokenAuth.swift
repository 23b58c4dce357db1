import HTTPSupport
import Hummingbird

/// The query API on a TCP port asks for a token: a loopback port is open to every local user,
/// while the query socket is `0600` because logs are private.
///
/// A request is let through when it carries `Authorization: Bearer <token>` (what Grafana's
/// data source sends as a custom header, and what scripts send) or the session cookie that
/// `GET /login?token=<token>` sets (the link `tracejoin serve` prints, for a browser). Anything
/// else is a 401 in the JSON error shape. Tokens are compared in constant time.
public struct TokenAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    public static var cookieName: String { "tracejoin_session" }

    public init(token: String) {
        self.token = Array(token.utf8)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/login" {
            guard let given = request.uri.queryParameters["token"], matches(String(given)) else {
                return unauthorized("the token given to /login is not this daemon's (see query.token_file)")
            }
            // The session is the token itself, in a cookie scripts cannot read and other sites
            // cannot send; the redirect keeps the token out of the address bar afterwards.
            var headers = HTTPFields()
            headers[.location] = "/"
            headers[.setCookie] = "\(Self.cookieName)=\(String(decoding: token, as: UTF8.self)); Path=/; HttpOnly; SameSite=Strict"
            headers[.cacheControl] = "no-store"
            return Response(status: .seeOther, headers: headers)
        }
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
            matches(String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces))
        {
            return try await next(request, context)
        }
        if let cookie = request.headers[.cookie], let value = Self.cookie(Self.cookieName, in: cookie), matches(value) {
            return try await next(request, context)
        }
        return unauthorized("send Authorization: Bearer <token> (the token is in query.token_file), or open /login?token=<token> in a browser")
    }

    private func unauthorized(_ detail: String) -> Response {
        var response = JSONReply.error(.unauthorized, "unauthorized", detail: detail)
        response.headers[.wwwAuthenticate] = "Bearer realm=\"tracejoin\""
        return response
    }

    /// Constant time in the candidate's bytes: no early exit on the first difference.
    func matches(_ candidate: String) -> Bool {
        let given = Array(candidate.utf8)
        // Constant time in the token; lengths compared whole (a truncated comparison let a
        // repetition of the token pass).
        var difference: UInt8 = given.count == token.count ? 0 : 1
        for i in 0..<given.count { difference |= given[i] ^ token[i % max(1, token.count)] }
        return difference == 0 && !token.isEmpty
    }

    /// The value of cookie `name` in a `Cookie:` header.
    static func cookie(_ name: String, in header: String) -> String? {
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
        }
        return nil
    }
}
