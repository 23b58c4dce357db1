import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import NIOCore

/// The query API on a TCP port asks for a token: a loopback port is open to every local user,
/// while the query socket is `0600` because logs are private.
///
/// A request is let through when it carries `Authorization: Bearer <token>` (what Grafana's
/// data source sends as a custom header, and what scripts send), `Authorization: Basic` with the
/// token as the password (Grafana's "Basic auth", any user name), or the cookie of a browser
/// session (``Sessions``). Anything else is a 401 in the JSON error shape. The token never
/// goes in a URL (a browser keeps URLs in its history) nor in a cookie:
///
/// - `GET /login`: a form; `POST /login` with the token (form-encoded) opens a session, sets its
///   cookie and answers 303 to `/` (or to the form's `next`, a local path).
/// - `GET /login?code=<code>`: a one-time code (printed by `tracejoin serve` on a terminal, or
///   by `tracejoin login-link`) opens a session the same way; the code is then spent.
/// - `GET /login?token=…`: refused (400), the token is not looked at.
/// - `POST /logout`: closes the session and expires the cookie.
///
/// The cookie is `tracejoin_session_<port>`, `HttpOnly; SameSite=Strict`: cookies are not
/// isolated by port, so the name keeps two listeners (or two daemons) on one host apart. A POST
/// to /login or /logout whose `Origin` names another site is refused (403). The token is
/// compared in constant time over its full length.
public struct TokenAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    let sessions: Sessions
    /// The listener's port: in the cookie's name, and the port an `Origin` must name.
    let port: Int
    public let cookieName: String

    /// Largest `POST /login` body: a token and a path.
    static var maxLoginBody: Int { 4096 }

    public static func sessionCookieName(port: Int) -> String { "tracejoin_session_\(port)" }

    public init(token: String, sessions: Sessions, port: Int) {
        self.token = Array(token.utf8)
        self.sessions = sessions
        self.port = port
        self.cookieName = Self.sessionCookieName(port: port)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/login" || path == "/logout" {
            return try await login(request, context: context)
        }
        // The login page's style and script: the daemon's own, nothing secret in them.
        if request.method == .get, path == "/static/app.css" || path == "/static/app.js" {
            return try await next(request, context)
        }
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
            matches(String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces))
        {
            return try await next(request, context)
        }
        // Basic auth with the token as the password (any user name): Grafana's data source
        // "Basic auth" option, and any client that can only do Basic.
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst("Basic ".count)).trimmingCharacters(in: .whitespaces)),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":")),
            matches(String(decoding: decoded[decoded.index(after: colon)...], as: UTF8.self))
        {
            return try await next(request, context)
        }
        if session(of: request) != nil {
            // The web view's header shows a logout button then.
            return try await BrowserSession.$active.withValue(true) {
                try await next(request, context)
            }
        }
        return unauthorized("send Authorization: Bearer <token> (the token is in query.token_file), or log in at /login in a browser")
    }

    // MARK: Login and logout

    private func login(_ request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        if request.method == .get, path == "/login" {
            return loginPage(request)
        }
        guard request.method == .post else {
            var response = JSONReply.error(.methodNotAllowed, "method not allowed",
                                           detail: path == "/login" ? "GET /login shows the form; POST /login sends the token" : "POST /logout")
            response.headers[.allow] = path == "/login" ? "GET, POST" : "POST"
            return response
        }
        guard originAllowed(request) else {
            let shown = String((request.headers[.origin] ?? "").prefix(200))
            context.logger.debug("refused a login or logout from another origin", metadata: ["origin": "\(shown)", "path": "\(path)"])
            return JSONReply.error(.forbidden, "origin not allowed",
                                   detail: "\(path) takes POSTs from this listener's own pages only, not from \(shown)")
        }
        if path == "/login" { return try await logIn(request) }
        return logOut(request)
    }

    /// `GET /login`: the form, or a one-time code spent; a token in the URL is refused.
    private func loginPage(_ request: Request) -> Response {
        let parameters = request.uri.queryParameters
        if parameters["token"] != nil {
            // Not compared, not echoed: only told where it goes instead.
            var response = LoginPage.tokenInURL()
            response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
            return response
        }
        let next = parameters["next"].map(String.init).flatMap(Self.localPath)
        if let code = parameters["code"] {
            guard let id = sessions.redeem(String(code)) else {
                return LoginPage.form(error: "This login link was already used or has expired (a link works once, for \(sessions.codeTTLSeconds / 60) minutes). "
                    + "Log in with the token, or run `tracejoin login-link` on the daemon's host for a new link.",
                                      next: next, status: .unauthorized)
            }
            return loggedIn(id, next: next)
        }
        return LoginPage.form(error: nil, next: next, status: .ok)
    }

    /// `POST /login`: `token=…` (and an optional `next=/path`), form-encoded.
    private func logIn(_ request: Request) async throws -> Response {
        let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard type == "application/x-www-form-urlencoded" else {
            return JSONReply.error(.unsupportedMediaType, "unsupported media type",
                                   detail: "POST /login takes the form's application/x-www-form-urlencoded body (token=…)")
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.maxLoginBody)
        let form = SearchRoutes.formPairs(String(buffer: body))
        let next = form.first(where: { $0.0 == "next" }).flatMap { Self.localPath($0.1) }
        guard let given = form.first(where: { $0.0 == "token" })?.1, matches(given) else {
            return LoginPage.form(error: "That is not this daemon's token (see query.token_file).", next: next, status: .unauthorized)
        }
        return loggedIn(sessions.open(), next: next)
    }

    /// `POST /logout`: the session closed, its cookie expired, back to the form.
    private func logOut(_ request: Request) -> Response {
        if let id = session(of: request) { sessions.close(id) }
        var headers = HTTPFields()
        headers[.location] = "/login"
        headers[.setCookie] = "\(cookieName)=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// 303 to `next` (or `/`) with the session's cookie.
    private func loggedIn(_ id: String, next: String?) -> Response {
        var headers = HTTPFields()
        headers[.location] = next ?? "/"
        headers[.setCookie] = "\(cookieName)=\(id); HttpOnly; SameSite=Strict; Path=/; Max-Age=\(sessions.ttlSeconds)"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .seeOther, headers: headers)
    }

    // MARK: Checks

    private func unauthorized(_ detail: String) -> Response {
        var response = JSONReply.error(.unauthorized, "unauthorized", detail: detail)
        response.headers[.wwwAuthenticate] = "Bearer realm=\"tracejoin\""
        return response
    }

    /// The open session the request's cookie names, if any.
    func session(of request: Request) -> String? {
        guard let header = request.headers[.cookie] else { return nil }
        return Self.cookies(cookieName, in: header).first { sessions.isOpen($0) }
    }

    /// A POST to /login or /logout without `Origin` (not from a browser, or an old one) is taken;
    /// with one, it must be this listener as the browser reached it: `http://` + the request's
    /// `Host` (which ``HostCheck`` has checked on a loopback listener), with this listener's
    /// port. `Origin: null` (a sandboxed frame, a `data:` page) is refused.
    func originAllowed(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let authority = request.head.authority?.lowercased(), !authority.isEmpty else { return false }
        let o = origin.lowercased()
        guard o == "http://" + authority || o == "https://" + authority else { return false }
        // `[::1]:16686`, `127.0.0.1:16686`: the port named must be the listener's.
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let given = Int(authority[authority.index(after: colon)...]) else { return false }
            return port == 0 || given == port
        }
        // No port: the scheme's default, which this listener must then be on.
        return port == 0 || port == (o.hasPrefix("https://") ? 443 : 80)
    }

    /// `next` when it is a path on this listener: one leading `/`, not `//` or `/\` (which a
    /// browser takes as another host), no control characters, at most 2 KiB.
    static func localPath(_ next: String) -> String? {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.utf8.count <= 2048,
            next.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return next
    }

    /// Constant time in the candidate's bytes: no early exit on the first difference, and the
    /// whole length compared (a comparison folded into 8 bits let a repetition of the token pass).
    func matches(_ candidate: String) -> Bool {
        guard !token.isEmpty else { return false }
        let given = Array(candidate.utf8)
        var difference: UInt8 = given.count == token.count ? 0 : 1
        for i in 0..<given.count { difference |= given[i] ^ token[i % token.count] }
        return difference == 0
    }

    /// Every value of cookie `name` in a `Cookie:` header (a browser may send one name twice).
    static func cookies(_ name: String, in header: String) -> [String] {
        var values: [String] = []
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(name + "=") { values.append(String(pair.dropFirst(name.count + 1))) }
        }
        return values
    }
}
