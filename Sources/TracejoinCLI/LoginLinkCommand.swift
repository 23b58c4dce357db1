import ArgumentParser
import Foundation
import HTTPSupport
import Rules
import TracejoinAPI

/// `tracejoin login-link`: a link that logs a browser in to the web view once, without the token.
///
/// The code comes from the daemon's query socket (`POST /v1/login-code`, served there only: the
/// socket's file mode decides who may ask), is valid for 10 minutes and works once.
struct LoginLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login-link",
        abstract: "Print a one-time link that logs a browser in to the web view (valid 10 minutes, once).")

    @OptionGroup var socket: SocketOptions

    func run() async throws {
        let client = UnixHTTPClient(socketPath: try socket.querySocket())
        let reply = try await request { try await client.post("/v1/login-code", body: [], contentType: "application/json") }
        guard reply.status == 200 else {
            if reply.status == 404 {
                printError("tracejoin: the daemon hands out no login links: it has no query TCP listener behind a token (query.tcp, query.auth: token)")
            } else {
                let error = try? JSONDecoder().decode(JSONReply.ErrorBody.self, from: Data(reply.body))
                printError("tracejoin: " + (error.map { "\($0.error): \($0.detail ?? "")" } ?? "the daemon answered \(reply.status)"))
            }
            throw ExitCode(1)
        }
        let code = try JSONDecoder().decode(LoginCodeDocument.self, from: Data(reply.body))
        // The first query TCP listener of the configuration, when it can be read; otherwise the
        // path alone (to open on whichever listener the browser reaches).
        if let address = (try? DaemonConfig.load(directory: socket.config.config))?.query.tcp.first {
            print("http://\(address)\(code.path)")
        } else {
            print(code.path)
        }
        printError("valid for \(code.expires_in_s / 60) minutes, once")
    }
}
