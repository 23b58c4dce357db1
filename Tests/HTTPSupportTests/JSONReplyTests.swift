import Foundation
@testable import HTTPSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

struct Broken: Error {}

/// Every error either socket answers has one JSON shape.
@Suite("JSON replies and errors")
struct JSONReplyTests {
    struct Sample: Encodable {
        var path = "a/b"
        var n = 3
    }

    static func decodeError(_ response: TestResponse) throws -> JSONReply.ErrorBody {
        try JSONDecoder().decode(JSONReply.ErrorBody.self, from: Data(String(buffer: response.body).utf8))
    }

    static func application() -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.get("/value") { _, _ in JSONReply.response(Sample()) }
        router.get("/written") { _, _ in JSONReply.response(json: Array(#"{"x":1}"#.utf8), status: .accepted) }
        router.get("/error") { _, _ in JSONReply.error(.notFound, "trace not found", detail: "no trace 1") }
        router.get("/thrown") { _, _ -> String in
            throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "7"], message: "Busy")
        }
        router.get("/failed") { _, _ -> String in throw Broken() }
        return Application(router: router)
    }

    @Test func valuesAreJSONWithSlashesUnescaped() throws {
        // One encoding, compared with both key orders: JSONEncoder's order may differ from one
        // call to the next, so two calls could each match the other order.
        let line = JSONReply.line(Sample())
        #expect(line == #"{"path":"a/b","n":3}"# + "\n" || line == #"{"n":3,"path":"a/b"}"# + "\n")
        #expect(!line.contains("\\/"))
    }

    @Test func repliesAndErrorsCarryTheirStatusAndShape() async throws {
        try await Self.application().test(.live) { client in
            try await client.execute(uri: "/value", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body).contains(#""path":"a/b""#))
            }
            try await client.execute(uri: "/written", method: .get) { response in
                #expect(response.status == .accepted)
                #expect(String(buffer: response.body) == #"{"x":1}"#)
            }
            try await client.execute(uri: "/error", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((try? Self.decodeError(response)) == JSONReply.ErrorBody(error: "trace not found", detail: "no trace 1"))
            }
            // A thrown HTTPError keeps its status and headers, and its message becomes the error.
            try await client.execute(uri: "/thrown", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "7")
                #expect((try? Self.decodeError(response)) == JSONReply.ErrorBody(error: "busy", detail: "GET /thrown"))
            }
            // Any other error is a 500 in the same shape.
            try await client.execute(uri: "/failed", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect((try? Self.decodeError(response))?.error == "internal error")
            }
            // Hummingbird's own (an unknown route) too.
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((try? Self.decodeError(response))?.detail == "GET /nowhere")
            }
        }
    }
}

/// A reply whose read fell short (a fleet shard down) says so in its JSON object.
@Suite("Partial replies")
struct PartialReplyTests {
    @Test func anObjectGetsPartialFirstAnArrayIsLeftAlone() throws {
        let notes = ["shard http://a left out: \"down\""]
        let marked = JSONReply.markedPartial(Array(#"{"a":1}"#.utf8), notes)
        let object = try #require(try? JSONSerialization.jsonObject(with: Data(marked)) as? [String: Any])
        #expect(object["partial"] as? [String] == notes)
        #expect(object["a"] as? Int == 1)
        let empty = try #require(try? JSONSerialization.jsonObject(with: Data(JSONReply.markedPartial(Array("{}".utf8), notes))) as? [String: Any])
        #expect(empty.keys.sorted() == ["partial"])
        #expect(JSONReply.markedPartial(Array("[1]".utf8), notes) == Array("[1]".utf8))
        #expect(JSONReply.markedPartial(Array(#"{"a":1}"#.utf8), []) == Array(#"{"a":1}"#.utf8))
    }
}
