import AsyncHTTPClient
import CompressNIO
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// ClickHouse's HTTP interface (port 8123), through AsyncHTTPClient: a statement in the
/// `query` parameter, data (JSONEachRow) in the body, gzip-compressed; HTTP basic auth when a
/// user is set. Works with every ClickHouse from 18.16 on.
public struct ClickHouseClient: Sendable {
    /// One client for the process (never shut down, like `HTTPClient.shared`), configured so
    /// that a refused connection fails at once: by default AsyncHTTPClient retries connecting
    /// until a request's deadline, which would hide a stopped server for the whole timeout.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        configuration.decompression = .enabled(limit: .none)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public let url: String
    public let database: String
    let user: String?
    let password: String?
    let timeout: TimeAmount
    /// How a statement's data is sent.
    public enum Compression: String, Sendable {
        /// gzip, level 1: every ClickHouse version reads it.
        case gzip
        /// As it is: on loopback, where compressing costs CPU and saves nothing.
        case none
    }

    let compression: Compression
    /// When set, every statement is logged at debug level before it is sent (`clickhouse query`,
    /// with `sql` and `url`): what a DBA asks to see, and what the tests replay on chDB.
    let queryLog: Logger?

    /// Settings sent with every statement (in the URL, which every version reads), such as
    /// `max_execution_time` for the fleet service's queries.
    let settings: [(String, String)]

    /// A refusal or an unreachable server, with ClickHouse's own message when it answered.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var status: Int?
        public var message: String
        /// No answer within the client's timeout (or the server's `max_execution_time`).
        public var timedOut = false
        public init(status: Int?, message: String, timedOut: Bool = false) {
            self.status = status
            self.message = message
            // ClickHouse's own TIMEOUT_EXCEEDED (code 159), from max_execution_time.
            self.timedOut = timedOut || message.contains("Code: 159")
        }
        public var description: String { status.map { "ClickHouse answered \($0): \(message)" } ?? message }
    }

    public init(url: String, database: String, user: String? = nil, password: String? = nil, timeout: TimeAmount = .seconds(30),
                settings: [(String, String)] = [], compression: Compression = .gzip, queryLog: Logger? = nil) {
        self.compression = compression
        self.queryLog = queryLog
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.database = database
        self.user = user
        self.password = password
        self.timeout = timeout
        self.settings = settings
    }

    /// Whether the URL names this machine (127.0.0.0/8, ::1, localhost): no wire to save bytes on.
    public var isLoopback: Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// The server, as a fleet's reply names it: the URL without any credentials in it.
    public var name: String {
        guard var components = URLComponents(string: url) else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }

    /// Runs `sql`; with `data`, sends it as the statement's input (gzip-compressed unless the
    /// client's ``Compression`` is `none`). Returns
    /// the answer's body.
    @discardableResult
    public func execute(_ sql: String, data: ByteBuffer? = nil, database: String? = nil) async throws -> ByteBuffer {
        queryLog?.debug("clickhouse query", metadata: ["url": "\(name)", "sql": "\(sql)"])
        var components = URLComponents(string: url + "/")
        var items = [URLQueryItem(name: "database", value: database ?? self.database)] + settings.map { URLQueryItem(name: $0.0, value: $0.1) }
        var request: HTTPClientRequest
        if var data {
            items.append(URLQueryItem(name: "query", value: sql))
            components?.queryItems = items
            request = HTTPClientRequest(url: components?.string ?? url)
            request.method = .POST
            if compression == .gzip {
                // Level 1: on a LAN link the CPU, not the bytes, is what a batch costs.
                data = try data.compress(with: .gzip(configuration: .init(compressionLevel: 1)))
                request.headers.add(name: "Content-Encoding", value: "gzip")
            }
            request.body = .bytes(data)
        } else {
            components?.queryItems = items
            request = HTTPClientRequest(url: components?.string ?? url)
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: sql))
        }
        if let user {
            let credentials = Data("\(user):\(password ?? "")".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        }
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw Failure(status: nil, message: "ClickHouse at \(name) did not answer within \(Self.seconds(timeout))", timedOut: true)
        } catch {
            throw Failure(status: nil, message: "cannot reach ClickHouse at \(name): \(error)")
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 256 << 20)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw Failure(status: nil, message: "ClickHouse at \(name) did not finish its answer within \(Self.seconds(timeout))", timedOut: true)
        }
        guard response.status == .ok else {
            let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(status: Int(response.status.code), message: String(text.prefix(2000)))
        }
        return body
    }

    static func seconds(_ t: TimeAmount) -> String {
        let ms = t.nanoseconds / 1_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(ms) ms"
    }

    /// `GET /ping`, with a short deadline: AsyncHTTPClient keeps retrying a refused connection
    /// until a request's deadline, so a server that is down is found by this, not by a batch
    /// that would wait out the long one.
    public func ping(timeout: TimeAmount = .seconds(2)) async throws {
        var request = HTTPClientRequest(url: url + "/ping")
        request.method = .GET
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 1024)
        } catch {
            throw Failure(status: nil, message: "cannot reach ClickHouse at \(url): \(error)")
        }
        guard response.status == .ok else { throw Failure(status: Int(response.status.code), message: "/ping answered \(response.status)") }
    }

    /// The rows `sql` selects, one JSON object each (`FORMAT JSONEachRow` is appended).
    public func rows(_ sql: String) async throws -> [[String: Any]] {
        let body = try await execute(sql + " FORMAT JSONEachRow")
        var out: [[String: Any]] = []
        for line in String(buffer: body).split(separator: "\n") where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Failure(status: nil, message: "ClickHouse sent a row that is not a JSON object: \(line.prefix(200))")
            }
            out.append(object)
        }
        return out
    }
}
