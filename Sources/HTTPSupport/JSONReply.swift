import Foundation
import HTTPTypes
import Hummingbird
import TracejoinSupport

/// JSON replies in the shape both sockets use.
public enum JSONReply {
    /// `value` encoded as JSON with `status`.
    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"encoding failed"}"#.utf8)
        return response(json: Array(data), status: status)
    }

    /// A JSON body already written (``JSONWriter``). When the read behind it fell short
    /// (``ReadShortfall``), an object gets a first member `"partial"`: what could not be read.
    public static func response(json: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: markedPartial(json, ReadShortfall.notes))))
    }

    /// `json` with `"partial": notes` as its first member when it is an object and `notes` is
    /// not empty; else `json` as it is (an array keeps its shape: the header says it).
    static func markedPartial(_ json: [UInt8], _ notes: [String]) -> [UInt8] {
        guard !notes.isEmpty, json.first == UInt8(ascii: "{") else { return json }
        var w = JSONWriter(capacity: json.count + 64 * notes.count)
        w.objectStart()
        w.key("partial")
        w.arrayStart()
        for note in notes { w.string(note) }
        w.arrayEnd()
        let rest = json.dropFirst()
        let empty = rest.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") } == UInt8(ascii: "}")
        return w.bytes + (empty ? [] : [UInt8(ascii: ",")]) + rest
    }

    /// `value` as one line of NDJSON (with its newline).
    public static func line(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }

    /// The error body every 4xx and 5xx carries: `{"error": "...", "detail": "..."}`.
    public struct ErrorBody: Codable, Sendable, Equatable {
        public var error: String
        public var detail: String?
        public init(error: String, detail: String? = nil) {
            self.error = error
            self.detail = detail
        }
    }

    public static func error(_ status: HTTPResponse.Status, _ error: String, detail: String? = nil) -> Response {
        response(ErrorBody(error: error, detail: detail), status: status)
    }
}

/// Turns errors thrown by handlers (and Hummingbird's own, such as an unknown route or a body
/// over the size limit) into the JSON error shape, and logs unexpected ones.
public struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let reason = error.body ?? error.status.reasonPhrase
            var response = JSONReply.error(error.status, reason.lowercased(), detail: "\(request.method) \(request.uri.path)")
            // Such as the Retry-After of a 503.
            for field in error.headers where field.name != .contentType && field.name != .contentLength { response.headers.append(field) }
            return response
        } catch let error as ReadRefused {
            // The status's name as the error, the reader's reason as the detail.
            let known: [HTTPResponse.Status] = [.badRequest, .notImplemented, .serviceUnavailable, .gatewayTimeout]
            let status = known.first { $0.code == error.status } ?? HTTPResponse.Status(code: error.status, reasonPhrase: "read refused")
            return JSONReply.error(status, status.reasonPhrase.lowercased(), detail: error.reason)
        } catch let error as any HTTPResponseError {
            return JSONReply.error(error.status, error.status.reasonPhrase.lowercased(), detail: "\(request.method) \(request.uri.path)")
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return JSONReply.error(.internalServerError, "internal error", detail: "\(error)")
        }
    }
}

/// Gives each request a ``ReadShortfall`` its reads note into; a reply whose read fell short
/// carries `Tracejoin-Partial: N` (the notes' count; JSON objects and pages say what they are).
public struct ShortfallMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public static var header: HTTPField.Name { HTTPField.Name("Tracejoin-Partial")! }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let shortfall = ReadShortfall()
        var response = try await ReadShortfall.$current.withValue(shortfall) { try await next(request, context) }
        let notes = shortfall.all
        if !notes.isEmpty { response.headers[Self.header] = String(notes.count) }
        return response
    }
}
