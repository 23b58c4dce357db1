import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TracejoinAPI

/// HTTP/1.1 over a Unix socket (AsyncHTTPClient's `http+unix://` URLs), for the CLI and the
/// benchmarks' clients (`tracejoin-bench`).
///
/// Each request gets a client of its own, shut down before the call returns: the CLI makes a
/// request or two, and a client that lives in a static would never be shut down. Its pool does
/// not retry a connection that fails, so a daemon that is not running is said at once, not
/// after the connect timeout.
package struct UnixHTTPClient: Sendable {
    let socketPath: String

    /// The most a reply's body may hold in memory. Generous, since the daemon is the only server
    /// it talks to: 10,000 multiline stack traces of 30 kB, each with its raw text and its
    /// message, are already 600 MB. Past it the CLI says what to ask for instead.
    static let maxBodyBytes = 4 << 30

    package init(socketPath: String) {
        self.socketPath = socketPath
    }

    package struct Reply: Sendable {
        package var status: Int
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// A reply over ``maxBodyBytes``: said with what to do, not as NIO's error.
    struct ReplyTooLarge: Error, CustomStringConvertible {
        var path: String
        var limit: Int
        var description: String {
            "the reply to \(path) is over \(HumanUnits.bytes(Int64(limit))): ask for less (--logs-limit, --limit, a narrower search)"
        }
    }

    /// The daemon is not listening there (`ECONNREFUSED`, `ENOENT`).
    struct NotRunning: Error {
        var socketPath: String
        var reason: String
    }

    package func get(_ path: String) async throws -> Reply {
        try await send(.GET, path, body: nil, contentType: nil)
    }

    package func post(_ path: String, body: [UInt8], contentType: String) async throws -> Reply {
        try await send(.POST, path, body: body, contentType: contentType)
    }

    /// GETs `path` and hands each piece of the body to `onBody` as it arrives (a stream that
    /// ends when the server closes it). Returns the status.
    func stream(_ path: String, onBody: @escaping @Sendable ([UInt8]) -> Void) async throws -> Int {
        try await withClient { client in
            let response = try await execute(client, .GET, path, body: nil, contentType: nil, deadline: .distantFuture)
            for try await buffer in response.body {
                onBody(Array(buffer.readableBytesView))
            }
            return Int(response.status.code)
        }
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String?) async throws -> Reply {
        try await withClient { client in
            let response = try await execute(client, method, path, body: body, contentType: contentType, deadline: .now() + .minutes(10))
            let bytes: ByteBuffer
            do {
                bytes = try await response.body.collect(upTo: Self.maxBodyBytes)
            } catch is NIOTooManyBytesError {
                throw ReplyTooLarge(path: path, limit: Self.maxBodyBytes)
            }
            return Reply(status: Int(response.status.code), body: Array(bytes.readableBytesView))
        }
    }

    private func execute(_ client: HTTPClient, _ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String?,
                         deadline: NIODeadline) async throws -> HTTPClientResponse {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw NotRunning(socketPath: socketPath, reason: "not a usable socket path")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        }
        do {
            return try await client.execute(request, deadline: deadline)
        } catch let error as IOError where error.errnoCode == ECONNREFUSED || error.errnoCode == ENOENT {
            throw NotRunning(socketPath: socketPath, reason: "\(error)")
        }
    }

    /// `body` with a client that is shut down afterwards, whether `body` threw or not.
    private func withClient<T: Sendable>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return try result.get()
    }
}
