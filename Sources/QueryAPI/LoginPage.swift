import HTTPTypes
import Hummingbird

/// The login page of a query TCP listener: a form that POSTs the token (so it never lands in a
/// URL the browser keeps), in the web view's chrome without its links. Every value shown is
/// escaped, as on every page.
enum LoginPage {
    /// The form, with an error above it when `error` is set; `next` (a local path, already
    /// checked) rides along in a hidden field.
    static func form(error: String?, next: String?, status: HTTPResponse.Status) -> Response {
        HTML.response(WebView.page("Log in", links: false) { h in
            h.raw("<h1>Log in</h1>")
            if let error { h.element("p", error, class: "error") }
            h.raw("<form class=\"login\" method=\"post\" action=\"/login\">")
            h.raw("<label for=\"token\">Token</label>")
            h.raw("<input type=\"password\" id=\"token\" name=\"token\" size=\"48\" autocomplete=\"current-password\" required autofocus>")
            if let next {
                h.raw("<input type=\"hidden\" name=\"next\"")
                h.attribute("value", next)
                h.raw(">")
            }
            h.raw("<button id=\"login\">Log in</button></form>")
            h.element("p", "The token is in the daemon's query.token_file (STATE_DIR/query.token unless configured). "
                + "On the daemon's host, `tracejoin login-link` prints a link that logs in once, without it.", class: "hint")
        }, status: status)
    }

    /// `GET /login?token=…`: the token no longer goes in a URL. It is not compared or shown.
    static func tokenInURL() -> Response {
        HTML.response(WebView.page("Log in", links: false) { h in
            h.raw("<h1>The token does not go in a URL</h1>")
            h.element("p", "A browser keeps URLs in its history, so /login no longer takes ?token=. "
                + "Paste the token into the login form, or open a one-time link from `tracejoin login-link`.", class: "error")
            h.raw("<p>")
            h.link("/login", "Go to the login form")
            h.raw("</p>")
        }, status: .badRequest)
    }
}
