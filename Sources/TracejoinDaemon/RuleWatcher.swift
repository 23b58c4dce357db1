import Dispatch
import Foundation
import Logging
import Rules
import ServiceLifecycle
import Tailing

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
        let watcher = ChangeWatcher(useInotify: useInotify)
        if useInotify {
            if let reason = watcher.unavailableReason {
                logger.warning("inotify unavailable; rule files are checked every \(pollInterval)", metadata: ["error": "\(reason)"])
            } else {
                let directories: Set = [registry.directory + "/rules.d", registry.directory + "/patterns.d"]
                for (directory, error) in watcher.watch(directories).sorted(by: { $0.key < $1.key }) {
                    logger.debug("not watching directory with inotify", metadata: ["directory": "\(directory)", "error": "\(error)"])
                }
            }
        }
        // Only this queue drains the watcher; what changed is found by looking at the files.
        let fileEvents = watcher.eventDescriptor.map { descriptor in
            let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
            source.setEventHandler {
                watcher.drain()
                continuation.yield()
            }
            // The watcher closes the descriptor when it goes: not before the source is cancelled.
            source.setCancelHandler { withExtendedLifetime(watcher) {} }
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
        }
        logger.info("watching rule files", metadata: ["inotify": "\(watcher.usesInotify)", "interval": "\(pollInterval)"])
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
