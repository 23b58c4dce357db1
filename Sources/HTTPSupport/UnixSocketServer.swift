import Foundation
import Hummingbird
import Logging

/// An HTTP/1.1 application listening on a Unix socket, with the socket file's mode set once it
/// is bound.
public enum UnixSocketServer {
    /// Builds the application. Run it as a service; it stops on graceful shutdown.
    ///
    /// - Parameters:
    ///   - path: the socket file. A stale file from a crashed daemon is replaced (the daemon's
    ///     lock file guarantees no live daemon owns it).
    ///   - mode: permission bits applied to the socket file (`chmod`).
    ///   - limits: connections at once and request timeouts.
    public static func application(
        router: Router<BasicRequestContext>, path: String, mode: UInt16, name: String, limits: ConnectionLimits, logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router,
            server: limits.server,
            configuration: limits.configuration(.unixDomainSocket(path: path), logger: logger),
            onServerRunning: { channel in
                await logAcceptErrors(channel, name: name, logger: logger)
                if chmod(path, mode_t(mode)) != 0 {
                    logger.error("cannot set socket mode", metadata: ["socket": "\(path)", "error": "\(String(cString: strerror(errno)))"])
                }
                logger.info("listening", metadata: ["socket": "\(path)", "api": "\(name)", "mode": "\(String(mode, radix: 8))"])
            },
            logger: logger
        )
    }
}
