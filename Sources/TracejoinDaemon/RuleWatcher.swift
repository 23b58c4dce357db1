import Dispatch
import Foundation
import Logging
import Rules
import ServiceLifecycle

/// Reloads rule files when they change: inotify on `rules.d/` and `patterns.d/` for prompt
/// reloads, a full look every `pollInterval` as the fallback (for file systems without
/// inotify, or a directory created after start), and SIGHUP on demand.
final class RuleWatcher: Service {
    let registry: RuleRegistry
    let logger: Logger
    let pollInterval: Duration
    let useInotify: Bool

    init(registry: RuleRegistry, settings: DaemonConfig.Reload, logger: Logger) {
        self.registry = registry
        pollInterval = .seconds(settings.intervalSeconds)
        useInotify = settings.inotify
        self.logger = logger
    }

    func run() async throws {
        let (wakeups, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let queue = DispatchQueue(label: "tracejoin.rules")
        let inotify = !useInotify ? nil : Inotify(directories: [registry.directory + "/rules.d", registry.directory + "/patterns.d"], logger: logger)
        let fileEvents = inotify.map { inotify in
            let source = DispatchSource.makeReadSource(fileDescriptor: inotify.fd, queue: queue)
            source.setEventHandler {
                inotify.drain()
                continuation.yield()
            }
            source.resume()
            return source
        }
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangup.setEventHandler { [logger] in
            logger.info("SIGHUP: reloading rule files")
            continuation.yield()
        }
        hangup.resume()
        defer {
            fileEvents?.cancel()
            hangup.cancel()
            inotify?.close()
        }
        logger.info("watching rule files", metadata: ["inotify": "\(inotify != nil)", "interval": "\(pollInterval)"])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.pollInterval)
                        continuation.yield()
                    }
                }
                for await _ in wakeups {
                    // Editors write a file in several steps; let them finish.
                    try? await Task.sleep(for: .milliseconds(50))
                    self.reload()
                }
                group.cancelAll()
            }
        }
        continuation.finish()
    }

    func reload() {
        for event in registry.reload() {
            switch event {
            case .loaded, .removed: logger.info("rules: \(event)")
            case .failed: logger.error("rules: \(event)")
            case .warning: logger.warning("rules: \(event)")
            }
        }
    }
}

/// An inotify instance watching directories for files being written, created, moved or removed.
final class Inotify: Sendable {
    let fd: Int32

    init?(directories: [String], logger: Logger) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            logger.warning("inotify unavailable; rule files are checked every second", metadata: ["error": "\(String(cString: strerror(errno)))"])
            return nil
        }
        let mask = UInt32(IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | IN_ATTRIB)
        for directory in directories where inotify_add_watch(fd, directory, mask) < 0 {
            logger.debug("not watching directory with inotify", metadata: ["directory": "\(directory)", "error": "\(String(cString: strerror(errno)))"])
        }
    }

    /// Reads and discards pending events: what changed is found by looking at the files.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while read(fd, &buffer, buffer.count) > 0 {}
    }

    func close() {
        _ = Glibc.close(fd)
    }
}
