import Foundation
import Logging
import TraceContext
import TracejoinModel

@testable import Tailing

/// A temporary directory, removed when the test ends.
final class TempDir {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tj-tail-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func url(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        let full = url(name)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }

    /// Appends with O_APPEND, as a logger does.
    func append(_ name: String, _ text: String) {
        let fd = open(url(name), O_WRONLY | O_APPEND | O_CREAT, 0o644)
        precondition(fd >= 0)
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }

    func rename(_ from: String, _ to: String) { precondition(Glibc.rename(url(from), url(to)) == 0) }

    /// logrotate's copytruncate: copy, then truncate the original in place.
    func copy(_ from: String, _ to: String) throws {
        try FileManager.default.copyItem(atPath: url(from), toPath: url(to))
    }

    func truncate(_ name: String) { precondition(Glibc.truncate(url(name), 0) == 0) }

    func remove(_ name: String) { unlink(url(name)) }
}

/// A parser for test lines: every line is a record under trace 1, its text the message.
struct EchoParser: LineParser {
    func makeSession() -> any LineParserSession { Session() }

    final class Session: LineParserSession {
        func parse(_ line: UnsafeBufferPointer<UInt8>, file: String) -> LineOutcome {
            let text = String(decoding: line, as: UTF8.self)
            return .record(LogRecord(traceID: TraceID(high: nil, low: 1), spanID: nil, message: text, file: file,
                                     source: "test", rule: "echo", raw: text))
        }
    }
}

/// Lines that start with a digit begin a record.
struct DigitStart: LineMatcherFactory {
    func makeMatcher() -> any LineMatcher { Matcher() }
    final class Matcher: LineMatcher {
        func matches(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let first = line.first else { return false }
            return first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")
        }
    }
}

/// The index, in memory: records and checkpoints committed together, as SQLite does.
final class MemorySink {
    var records: [LogRecord] = []
    var checkpoints: [FileIdentity: FileCheckpoint] = [:]

    func commit(_ batch: TailBatch) {
        records += batch.records
        for c in batch.checkpoints { checkpoints[FileIdentity(device: c.device, inode: c.inode)] = c }
    }

    var messages: [String] { records.compactMap(\.message) }
}

/// Drives a ``TailDriver`` with a clock the test moves, over real files or files in memory.
struct Driver<Files: FileAccess> {
    var driver: TailDriver<Files>
    var now = ContinuousClock.now
    var wall: Int64 = 1_700_000_000_000_000_000
    let sink: MemorySink
    let sources: [TailSource]
    let files: Files
    let descriptorBudget: Int

    init(files: Files, sources: [TailSource], sink: MemorySink, descriptorBudget: Int = 1000) {
        self.sink = sink
        self.sources = sources
        self.files = files
        self.descriptorBudget = descriptorBudget
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["TRACEJOIN_TAIL_DEBUG"] != nil ? .debug : .critical
        driver = TailDriver(files: files, chunkSize: 4096, descriptorBudget: descriptorBudget, logger: logger)
        driver.restore(Array(sink.checkpoints.values))
        driver.update(generation: 0, sources: sources)
    }

    var tracker: FileTracker { driver.tracker }

    /// One pass over every file, committed (or, for a crash, thrown away).
    mutating func pass(commit: Bool = true, advance: Duration = .milliseconds(100)) {
        now += advance
        wall += Int64(advance.components.seconds) * 1_000_000_000 + advance.components.attoseconds / 1_000_000_000
        let batch = driver.pass(at: Moment(now: now, wall: wall), changes: nil)
        if commit { sink.commit(batch) }
    }

    /// Passes until the files are quiet long enough to be let go and flushed.
    mutating func drain() {
        for _ in 0..<8 { pass(advance: .seconds(2)) }
    }

    /// A restart: the process dies (optionally losing its last, uncommitted batch) and a new
    /// one starts from what was committed.
    mutating func restart(crashBeforeCommit: Bool) {
        if crashBeforeCommit { pass(commit: false) }
        if ProcessInfo.processInfo.environment["TRACEJOIN_TAIL_DEBUG"] != nil {
            print("restart; committed checkpoints:", sink.checkpoints.values.sorted { $0.inode < $1.inode }.map { "\($0.path) \($0.inode) @\($0.offset) fp\($0.fingerprintLength)" })
        }
        driver.closeAll()
        let (now, wall) = (self.now, self.wall)
        self = Driver(files: files, sources: sources, sink: sink, descriptorBudget: descriptorBudget)
        self.now = now
        self.wall = wall
    }
}

extension Driver where Files == SystemFiles {
    init(sources: [TailSource], sink: MemorySink) {
        self.init(files: SystemFiles(), sources: sources, sink: sink)
    }
}
