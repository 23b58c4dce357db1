import Intake
import Testing

/// Which `Content-Type` each intake route takes (docs/intake.md, "Who may send"). The routes
/// themselves are driven end to end (Tests/EndToEnd/test_intake_senders.py).
@Suite("Intake content types")
struct AcceptedContentTypesTests {
    static let routes: [AcceptedContentTypes] = [.datadog, .otlp, .zipkin, .ndjson]

    @Test(arguments: [
        ("application/json", "application/json"),
        ("application/json; charset=utf-8", "application/json"),
        ("Application/JSON ;charset=UTF-8", "application/json"),
        ("  application/x-protobuf  ", "application/x-protobuf"),
        ("text/plain;charset=UTF-8", "text/plain"),
        ("", ""),
    ])
    func essence(_ value: String, _ expected: String) {
        #expect(AcceptedContentTypes.essence(value) == expected)
    }

    /// What the real clients send (shared/clients.md): ddtrace 4.x for v0.4 and v0.5,
    /// OpenTelemetry's OTLP/HTTP and Zipkin exporters, and Tracejoin's own senders.
    @Test(arguments: [
        (AcceptedContentTypes.datadog, "application/msgpack"),
        (.otlp, "application/x-protobuf"),
        (.otlp, "application/protobuf"),
        (.otlp, "application/json"),
        (.otlp, "application/json; charset=utf-8"),
        (.zipkin, "application/json"),
        (.zipkin, "application/json; charset=utf-8"),
        (.ndjson, "application/x-ndjson"),
        (.ndjson, "application/ndjson"),
        (.ndjson, "application/jsonl"),
        (.ndjson, "application/json"),
    ])
    func accepted(_ route: AcceptedContentTypes, _ value: String) {
        #expect(route.match(value) == AcceptedContentTypes.essence(value))
    }

    /// A page may send these three without a preflight: no route takes them, with or without
    /// parameters, nor a request without a type.
    @Test(arguments: [
        "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "TEXT/PLAIN",
    ])
    func corsSafelistedTypesAreRefusedEverywhere(_ value: String) {
        for route in Self.routes {
            #expect(route.match(value) == nil, "\(route.api) took \(value)")
        }
    }

    @Test func noRouteListsASafelistedType() {
        for route in Self.routes {
            #expect(Set(route.types).isDisjoint(with: AcceptedContentTypes.corsSafelisted), "\(route.api)")
        }
    }

    @Test func aMissingTypeIsRefusedEverywhere() {
        for route in Self.routes {
            #expect(route.match(nil) == nil, "\(route.api)")
        }
    }

    @Test(arguments: [
        (AcceptedContentTypes.datadog, "application/json"),
        (.datadog, "application/x-protobuf"),
        (.otlp, "application/msgpack"),
        (.otlp, "application/x-ndjson"),
        (.zipkin, "application/x-protobuf"),
        (.zipkin, "application/x-ndjson"),
        (.ndjson, "application/msgpack"),
        // A list of types is not one of them.
        (.otlp, "application/json, text/plain"),
    ])
    func otherProtocolsTypesAreRefused(_ route: AcceptedContentTypes, _ value: String) {
        #expect(route.match(value) == nil)
    }
}
