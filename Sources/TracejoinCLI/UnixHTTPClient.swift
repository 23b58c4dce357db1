import NIOCore
import NIOHTTP1
import NIOPosix

/// A one-request-per-connection HTTP/1.1 client over a Unix socket, for the CLI (and the
/// benchmarks' clients, `tracejoin-bench`).
package struct UnixHTTPClient {
    let socketPath: String

    package init(socketPath: String) {
        self.socketPath = socketPath
    }

    package struct Reply {
        package var status: Int
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The daemon is not listening there.
    struct NotRunning: Error {
        var socketPath: String
        var reason: String
    }

    package func get(_ path: String) async throws -> Reply {
        try await send(method: .GET, path: path, body: nil, contentType: nil)
    }

    /// GETs `path` and hands each piece of the body to `onBody` as it arrives (a stream that
    /// ends when the server closes it). Returns the status.
    func stream(_ path: String, onBody: @escaping @Sendable ([UInt8]) -> Void) async throws -> Int {
        let channel = try await connect()
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(contentsOf: [
                .head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: ["Host": "localhost"])), .end(nil),
            ])
            var status = 0
            for try await part in inbound {
                switch part {
                case .head(let head): status = Int(head.status.code)
                case .body(let buffer): onBody(Array(buffer.readableBytesView))
                case .end: return status
                }
            }
            return status
        }
    }

    private func connect() async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw NotRunning(socketPath: socketPath, reason: "\(error)")
        }
    }

    package func post(_ path: String, body: [UInt8], contentType: String) async throws -> Reply {
        try await send(method: .POST, path: path, body: body, contentType: contentType)
    }

    private func send(method: HTTPMethod, path: String, body: [UInt8]?, contentType: String?) async throws -> Reply {
        let channel = try await connect()
        return try await channel.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders([("Host", "localhost"), ("Connection", "close")])
            if let body {
                headers.add(name: "Content-Length", value: String(body.count))
                if let contentType { headers.add(name: "Content-Type", value: contentType) }
            }
            // One write for the whole request: written part by part, a server that has answered
            // and closed after the head (a GET is whole there) made the last write fail.
            var parts: [HTTPClientRequestPart] = [.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers))]
            if let body { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            parts.append(.end(nil))
            try await outbound.write(contentsOf: parts)
            var reply = Reply(status: 0, body: [])
            for try await part in inbound {
                switch part {
                case .head(let head): reply.status = Int(head.status.code)
                case .body(let buffer): reply.body += buffer.readableBytesView
                case .end: return reply
                }
            }
            return reply
        }
    }
}
