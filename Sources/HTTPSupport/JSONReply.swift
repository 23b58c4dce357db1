import Foundation
import Hummingbird

/// JSON replies in the shape both sockets use.
public enum JSONReply {
    /// `value` encoded as JSON with `status`.
    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"encoding failed"}"#.utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A JSON body already written (``JSONWriter``).
    public static func response(json: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
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
        } catch let error as any HTTPResponseError {
            return JSONReply.error(error.status, error.status.reasonPhrase.lowercased(), detail: "\(request.method) \(request.uri.path)")
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return JSONReply.error(.internalServerError, "internal error", detail: "\(error)")
        }
    }
}
