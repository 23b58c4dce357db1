import Hummingbird

/// Refuses a request to a loopback listener whose `Host` does not name it.
///
/// A web page cannot reach 127.0.0.1 by its own name, but DNS rebinding lets it: its name is
/// made to resolve to 127.0.0.1, and the browser then sends the page's requests to the daemon
/// with `Host: evil.example:16686`, and reads the replies as same-origin. Checking `Host` is the
/// defence every local web service needs (the daemon's query listener carries every log line).
/// Allowed: `localhost`, loopback addresses (`127.x.x.x`, `[::1]`) and the listener's own host,
/// each alone or with the listener's port. A listener on a non-loopback address (allowed only
/// by `allow_non_loopback`) is reached by names the daemon cannot know, and is not checked.
public struct HostCheck<Context: RequestContext>: RouterMiddleware {
    let listenerHost: String
    /// The port the listener was asked for; 0 (the kernel's pick) accepts any.
    let port: Int

    public init(listenerHost: String, port: Int) {
        self.listenerHost = listenerHost.lowercased()
        self.port = port
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard allows(request.head.authority) else {
            let shown = String((request.head.authority ?? "").prefix(100))
            context.logger.debug("refused a request for another host", metadata: ["host": "\(shown)"])
            return JSONReply.error(.forbidden, "host not allowed",
                                   detail: "this listener answers requests for localhost or its loopback address, not '\(shown)'")
        }
        return try await next(request, context)
    }

    /// Whether `Host` (or the HTTP/2 authority) names this listener.
    public func allows(_ host: String?) -> Bool {
        guard let host = host?.lowercased(), !host.isEmpty else { return false }
        var name = Substring(host)
        // `[::1]:16686`, `127.0.0.1:16686`, `localhost`.
        if let colon = name.lastIndex(of: ":"), !name.hasSuffix("]"), name.first == "[" || !name[..<colon].contains(":") {
            guard let given = Int(name[name.index(after: colon)...]), port == 0 || given == port else { return false }
            name = name[..<colon]
        }
        if name == "localhost" || name == "[::1]" || name == "::1" || name == listenerHost || "[" + name + "]" == listenerHost {
            return true
        }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

extension HostCheck {
    /// Whether a listener on `host` is a loopback one (and so checked).
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }
}
