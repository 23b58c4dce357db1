import Hummingbird
import HTTPTypes
import NIOCore

/// HTML written by hand, with one rule: every value from outside (log lines, names, IDs,
/// parameters) goes through `text` or `attribute`, which escape it; `raw` takes only markup
/// written in this file's callers. Log lines are written by whoever can reach an application,
/// so a line such as `<script>…</script>` must render as text.
struct HTML {
    private(set) var out = ""

    init() {
        out.reserveCapacity(16 * 1024)
    }

    /// Markup from the code itself, never from data.
    mutating func raw(_ markup: String) { out += markup }

    /// Text content, escaped. Text with nothing to escape (most of it) is appended whole.
    mutating func text(_ value: String) {
        var copy = value
        let clean = copy.withUTF8 { bytes in
            !bytes.contains { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }
        }
        out += clean ? value : Self.escape(value)
    }

    /// `name="value"`, the value escaped (always quoted).
    mutating func attribute(_ name: String, _ value: String) {
        out += " " + name + "=\"" + Self.escape(value) + "\""
    }

    /// An element with escaped text and optional class.
    mutating func element(_ tag: String, _ value: String, class cls: String? = nil) {
        out += "<" + tag
        if let cls { attribute("class", cls) }
        out += ">" + Self.escape(value) + "</" + tag + ">"
    }

    /// Table cells of text, each escaped: `<td>a</td><td>b</td>…` (the caller opens and closes the row).
    mutating func cells(_ values: [String]) {
        for value in values {
            out += "<td>"
            text(value)
            out += "</td>"
        }
    }

    /// A link; `href` is escaped as an attribute and built by the caller from escaped parts.
    mutating func link(_ href: String, _ value: String, class cls: String? = nil) {
        out += "<a"
        attribute("href", href)
        if let cls { attribute("class", cls) }
        out += ">" + Self.escape(value) + "</a>"
    }

    static func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for c in value.unicodeScalars {
            switch c {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(c)
            }
        }
        return result
    }

    /// A query string component, percent-encoded (then escaped again where it lands in HTML).
    static func query(_ value: String) -> String {
        var allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".unicodeScalars)
        allowed.remove("+")
        var out = ""
        for byte in value.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80 && allowed.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    /// The page's headers: HTML, and a Content-Security-Policy that runs only the daemon's own
    /// script and style (no inline script, no inline style, nothing from elsewhere).
    static func response(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        // Not `no-referrer`: under it a browser sends `Origin: null` with the page's form POSTs,
        // and /login and /logout refuse a foreign Origin. `same-origin` sends no Referer to any
        // other site either.
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html.out)))
    }

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
