import Dispatch
import Logging
import ServiceLifecycle
import TracejoinModel

#if canImport(Glibc)
import Glibc
#endif

/// Follows the files of every source and hands parsed batches, with the offsets that produced
/// them, to a ``TailSink``.
///
/// Records are committed together with the offsets that produced them, so after a crash every
/// line is in the index exactly once. Reading is prompt (inotify on the globs' directories wakes
/// the loop) with a poll as the fallback. The loop waits for each commit before reading more,
/// so when the index falls behind, reading slows down: memory stays bounded (one read buffer
/// and one batch) and nothing is dropped.
public final class Tailer: Service {
    /// The sources in force and a number that changes when they do (rules are reloaded while
    /// the daemon runs).
    public typealias SourceProvider = @Sendable () -> (generation: Int, sources: [TailSource])

    let sources: SourceProvider
    let sink: any TailSink
    let pollInterval: Duration
    let useInotify: Bool
    let logger: Logger
    let chunkSize: Int
    let status: TailStatusBoard?
    /// How often a commit the index refused is tried again.
    let retryInterval: Duration

    public init(sources: @escaping SourceProvider, sink: any TailSink, pollInterval: Duration = .milliseconds(250),
                inotify: Bool = true, chunkSize: Int = 1 << 20, status: TailStatusBoard? = nil,
                retryInterval: Duration = .seconds(1), logger: Logger) {
        self.retryInterval = retryInterval
        self.sources = sources
        self.sink = sink
        self.pollInterval = pollInterval
        self.useInotify = inotify
        self.chunkSize = chunkSize
        self.status = status
        self.logger = logger
    }

    public func run() async throws {
        var state = TailState(chunkSize: chunkSize, logger: logger)
        state.restore(try await sink.loadCheckpoints())
        let (wakeups, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let watcher = useInotify ? DirectoryWatcher(logger: logger, onChange: { continuation.yield() }) : nil
        defer {
            watcher?.stop()
            state.closeAll()
        }
        try await withThrowingDiscardingTaskGroup { group in
            // The poll: a wake-up every interval whatever inotify says.
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: self.pollInterval)
                    continuation.yield()
                }
                continuation.finish()
            }
            var iterator = wakeups.makeAsyncIterator()
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let (generation, current) = sources()
                state.update(generation: generation, sources: current)
                watcher?.watch(Set(current.flatMap { $0.paths.map { Glob($0).base } }))
                let batch = state.pass(now: .now)
                if !batch.checkpoints.isEmpty || !batch.records.isEmpty || batch.linesUnmatched > 0 || batch.linesWithoutTrace > 0 {
                    guard await commitPatiently(batch) else { break }
                }
                status?.publish(state.statuses())
                // Keep reading without a pause while there is a backlog.
                if !state.readAnything {
                    guard await iterator.next() != nil else { break }
                }
            }
            group.cancelAll()
        }
        logger.info("tailer stopped")
    }

    /// Commits `batch`, trying again every `retryInterval` while the index refuses writes (a
    /// full disk): meanwhile nothing more is read, so memory stays at one batch, and no line is
    /// lost or skipped. Returns `false` if the daemon began shutting down first; the batch is
    /// then dropped uncommitted, and since its offsets were not committed either, its lines are
    /// read again on the next start.
    private func commitPatiently(_ batch: TailBatch) async -> Bool {
        var failures = 0
        while true {
            do {
                try await sink.commit(batch)
                if failures > 0 {
                    logger.notice("tailer resumed", metadata: ["failed_attempts": "\(failures)"])
                }
                return true
            } catch {
                failures += 1
                if failures == 1 {
                    logger.warning("cannot commit lines; holding them and trying again",
                                   metadata: ["error": "\(error)", "records": "\(batch.records.count)", "every": "\(retryInterval)"])
                }
            }
            let until = ContinuousClock.now + retryInterval
            while ContinuousClock.now < until {
                if Task.isShuttingDownGracefully || Task.isCancelled { return false }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

/// inotify on the directories the globs start from: any change there wakes the tailer. What
/// changed is found by looking, so events are only drained, not interpreted.
final class DirectoryWatcher: @unchecked Sendable {
    private let fd: Int32
    private let source: any DispatchSourceRead
    private var watched: [String: Int32] = [:]
    private let logger: Logger

    init?(logger: Logger, onChange: @escaping @Sendable () -> Void) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            logger.warning("inotify unavailable; log files are polled", metadata: ["error": "\(FileSystem.lastError)"])
            return nil
        }
        self.logger = logger
        let fd = self.fd
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: DispatchQueue(label: "tracejoin.tail.inotify"))
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 8192)
            while read(fd, &buffer, buffer.count) > 0 {}
            onChange()
        }
        source.resume()
    }

    /// Watches exactly `directories` (only the tailer's task calls this).
    func watch(_ directories: Set<String>) {
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB)
        for directory in directories where watched[directory] == nil {
            let wd = inotify_add_watch(fd, directory, mask)
            // A directory that does not exist yet is found by the poll; try again next pass.
            if wd >= 0 { watched[directory] = wd }
        }
        for (directory, wd) in watched where !directories.contains(directory) {
            inotify_rm_watch(fd, wd)
            watched[directory] = nil
        }
    }

    func stop() {
        source.cancel()
        close(fd)
    }
}
