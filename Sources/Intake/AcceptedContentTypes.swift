import Foundation
import HTTPSupport
import Hummingbird

/// The `Content-Type`s an intake route takes, and the 415 that refuses the rest.
///
/// A web page may POST to `127.0.0.1` without asking first (no CORS preflight) only with one of
/// the three CORS-safelisted types: `text/plain`, `application/x-www-form-urlencoded` and
/// `multipart/form-data`. No route takes any of them, nor a missing type, so a page's simple
/// request is refused before its body is read (docs/intake.md, "Who may send"). Parameters
/// (`; charset=utf-8`) are ignored; the type itself is compared without regard to case, as
/// RFC 9110 §8.3.1 says.
public struct AcceptedContentTypes: Sendable {
    /// What the route speaks, for the refusal's detail ("OTLP/HTTP").
    public let api: String
    /// The accepted types, lowercase and without parameters.
    public let types: [String]

    /// ddtrace 4.x (libdatadog) sends `application/msgpack` for v0.4 and v0.5, as every Datadog
    /// tracer does (shared/clients.md §1); the other two are msgpack's other names.
    public static let datadog = AcceptedContentTypes(
        api: "the Datadog trace-agent API", types: ["application/msgpack", "application/x-msgpack", "application/vnd.msgpack"])
    /// OTLP/HTTP's binary encoding (both names the specification allows) and its JSON one.
    public static let otlp = AcceptedContentTypes(
        api: "OTLP/HTTP", types: ["application/x-protobuf", "application/protobuf", "application/json"])
    /// Zipkin v2 JSON, what Zipkin's libraries and OpenTelemetry's Zipkin exporter send.
    public static let zipkin = AcceptedContentTypes(api: "Zipkin v2", types: ["application/json"])
    /// Tracejoin's NDJSON under its usual names, and `application/json`: a body of one span on
    /// one line is the same text in both. The body is read as NDJSON either way.
    public static let ndjson = AcceptedContentTypes(
        api: "Tracejoin NDJSON", types: ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/json"])

    /// The three types a page may send without a preflight (the Fetch standard's CORS-safelisted
    /// request-header `Content-Type` values): never accepted by any route.
    public static let corsSafelisted = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]

    public init(api: String, types: [String]) {
        self.api = api
        self.types = types
    }

    /// A `Content-Type` value's type without its parameters: `Application/JSON; charset=utf-8`
    /// is `application/json`.
    public static func essence(_ value: String) -> String {
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The accepted type `value` names (lowercase, without parameters), or `nil` when it names
    /// none or is missing.
    public func match(_ value: String?) -> String? {
        guard let value else { return nil }
        let mediaType = Self.essence(value)
        return types.contains(mediaType) ? mediaType : nil
    }

    /// The answer to a request whose `Content-Type` is not accepted: 415 naming what is.
    func refusal(_ value: String?) -> Response {
        let given = value.map { "not \($0.prefix(100))" } ?? "and the request has none"
        return JSONReply.error(.unsupportedMediaType, "unsupported content type",
                               detail: "\(api) takes Content-Type \(Self.list(types)), \(given)")
    }

    /// `a`, `a or b`, `a, b or c`.
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items[items.count - 1]
    }
}
