import Logging
import ServiceLifecycle
import TracejoinModel

/// Follows the files of every source and hands parsed batches, with the offsets that produced
/// them, to a ``TailSink``.
///
/// Lines are consumed only up to the last newline: a last line still being written is read
/// again, whole, on a later pass. The offset committed with a batch is the end of its last
/// complete line, so a restart resumes exactly after it.
public final class Tailer: Service {
    /// The sources in force and a number that changes when they do (rules are reloaded while
    /// the daemon runs).
    public typealias SourceProvider = @Sendable () -> (generation: Int, sources: [TailSource])

    let sources: SourceProvider
    let sink: any TailSink
    let pollInterval: Duration
    let logger: Logger
    /// Most bytes read from one file in one pass (and the longest line kept whole).
    let chunkSize: Int

    public init(sources: @escaping SourceProvider, sink: any TailSink, pollInterval: Duration = .milliseconds(100),
                chunkSize: Int = 1 << 20, logger: Logger) {
        self.sources = sources
        self.sink = sink
        self.pollInterval = pollInterval
        self.chunkSize = chunkSize
        self.logger = logger
    }

    public func run() async throws {
        var state = TailState(chunkSize: chunkSize, logger: logger)
        state.restore(try await sink.loadCheckpoints())
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let (generation, current) = sources()
            state.update(generation: generation, sources: current)
            let batch = state.pass()
            if !batch.checkpoints.isEmpty || batch.linesUnmatched > 0 || batch.linesWithoutTrace > 0 {
                try await sink.commit(batch)
            }
            // Keep reading without a pause while there is a backlog.
            if !state.readAnything {
                try? await Task.sleep(for: pollInterval)
            }
        }
        state.closeAll()
    }
}

/// The tailer's files and their positions. Not shared: owned by the tailer's one task.
struct TailState {
    var sources: [TailSource] = []
    var sessions: [String: any LineParserSession] = [:]
    var generation = -1
    let logger: Logger
    var buffer: [UInt8]
    /// Checkpoints from the index, used the first time a path is seen after a start.
    var restored: [String: FileCheckpoint] = [:]
    var files: [String: TailedFile] = [:]
    /// Sources whose globs have been looked at once: `start_at: end` applies to the files found
    /// the first time (at startup, or when a rule file is added), not to files created later.
    var scannedSources = Set<String>()
    var readAnything = false

    struct TailedFile {
        let path: String
        /// The name of the source whose globs matched it.
        let source: String
        var fd: Int32
        var identity: FileSystem.Identity
        /// Bytes consumed: the end of the last complete line handed on.
        var offset: Int64
    }

    init(chunkSize: Int, logger: Logger) {
        self.logger = logger
        buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    /// Takes a new set of sources. Files keep their offsets: a changed rule file changes how
    /// lines are parsed from here on, never which lines are read. Files whose source is gone
    /// are let go; their checkpoints stay, so a source that comes back resumes where it was.
    mutating func update(generation: Int, sources: [TailSource]) {
        guard generation != self.generation else { return }
        self.generation = generation
        self.sources = sources
        sessions = Dictionary(sources.map { ($0.name, $0.parser.makeSession()) }, uniquingKeysWith: { a, _ in a })
        for (path, file) in files {
            guard let source = sources.first(where: { $0.name == file.source }), source.currentFiles().contains(path) else {
                FileSystem.close(file.fd)
                files[path] = nil
                restored[path] = FileCheckpoint(path: path, device: file.identity.device, inode: file.identity.inode, offset: file.offset)
                logger.info("no longer following log file", metadata: ["file": "\(path)", "source": "\(file.source)"])
                continue
            }
        }
    }

    mutating func restore(_ checkpoints: [FileCheckpoint]) {
        for c in checkpoints { restored[c.path] = c }
    }

    /// One look at every file: new files opened, new bytes read and parsed.
    mutating func pass() -> TailBatch {
        var batch = TailBatch()
        readAnything = false
        for source in sources {
            let first = scannedSources.insert(source.name).inserted
            for path in source.currentFiles() where files[path] == nil {
                open(path, source: source.name, startAtEnd: first && source.startAtEnd)
            }
        }
        for path in files.keys.sorted() {
            follow(path, into: &batch)
        }
        return batch
    }

    private mutating func open(_ path: String, source: String, startAtEnd: Bool) {
        guard let fd = FileSystem.openForReading(path), let status = FileSystem.status(fd: fd) else {
            logger.warning("cannot open log file", metadata: ["file": "\(path)", "error": "\(FileSystem.lastError)"])
            return
        }
        var offset: Int64 = startAtEnd ? status.size : 0
        if let checkpoint = restored.removeValue(forKey: path) {
            let same = checkpoint.device == status.identity.device && checkpoint.inode == status.identity.inode
            if same && checkpoint.offset <= status.size {
                offset = checkpoint.offset
            } else if same {
                logger.warning("log file shrank while the daemon was stopped; reading it from the start",
                               metadata: ["file": "\(path)", "checkpoint": "\(checkpoint.offset)", "size": "\(status.size)"])
                offset = 0
            } else {
                // Another file now has this name: it was rotated while the daemon was stopped.
                offset = 0
            }
        }
        files[path] = TailedFile(path: path, source: source, fd: fd, identity: status.identity, offset: offset)
        logger.info("following log file", metadata: ["file": "\(path)", "source": "\(source)", "offset": "\(offset)"])
    }

    private mutating func follow(_ path: String, into batch: inout TailBatch) {
        guard var file = files[path] else { return }
        read(&file, into: &batch)
        let current = FileSystem.status(path: path)
        if current?.identity != file.identity {
            // Renamed or deleted: what the old file held has been read above; whatever now
            // has the name is a new file, read from its start on the next pass.
            read(&file, into: &batch)
            FileSystem.close(file.fd)
            files[path] = nil
            if current == nil {
                logger.info("log file removed", metadata: ["file": "\(path)"])
            } else {
                logger.info("log file replaced (rotated)", metadata: ["file": "\(path)"])
                restored[path] = nil
                open(path, source: file.source, startAtEnd: false)
            }
            return
        }
        files[path] = file
    }

    /// Reads what `file` holds past its offset, parsing every complete line.
    private mutating func read(_ file: inout TailedFile, into batch: inout TailBatch) {
        guard let status = FileSystem.status(fd: file.fd) else { return }
        if status.size < file.offset {
            logger.warning("log file truncated; reading it from the start", metadata: ["file": "\(file.path)", "offset": "\(file.offset)", "size": "\(status.size)"])
            file.offset = 0
        }
        guard status.size > file.offset, let session = sessions[file.source] else { return }
        let start = file.offset
        let (count, consumed) = buffer.withUnsafeMutableBytes { raw -> (Int, Int) in
            let n = FileSystem.read(file.fd, into: raw, at: start)
            guard n > 0 else { return (n, 0) }
            let bytes = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            return (n, Self.parseLines(bytes, isFull: n == raw.count, session: session, file: file.path, into: &batch))
        }
        if count < 0 {
            logger.warning("cannot read log file", metadata: ["file": "\(file.path)", "error": "\(FileSystem.lastError)"])
            return
        }
        guard consumed > 0 else { return }
        file.offset += Int64(consumed)
        readAnything = true
        batch.checkpoints.append(FileCheckpoint(path: file.path, device: file.identity.device, inode: file.identity.inode, offset: file.offset))
    }

    /// Parses the complete lines in `bytes` and returns how many bytes they span.
    ///
    /// A buffer full of bytes without a newline is one line longer than the buffer: it is
    /// taken as it is (cut), so that reading moves on.
    static func parseLines(_ bytes: UnsafeBufferPointer<UInt8>, isFull: Bool, session: any LineParserSession,
                           file: String, into batch: inout TailBatch) -> Int {
        var lineStart = 0
        var i = 0
        let newline = UInt8(ascii: "\n")
        while let n = bytes[i...].firstIndex(of: newline) {
            var end = n
            if end > lineStart && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            handle(UnsafeBufferPointer(rebasing: bytes[lineStart..<end]), session: session, file: file, into: &batch)
            lineStart = n + 1
            i = lineStart
            if i >= bytes.count { break }
        }
        if lineStart == 0 && isFull {
            handle(bytes, session: session, file: file, into: &batch)
            return bytes.count
        }
        return lineStart
    }

    private static func handle(_ line: UnsafeBufferPointer<UInt8>, session: any LineParserSession, file: String, into batch: inout TailBatch) {
        if line.isEmpty { return }
        switch session.parse(line, file: file) {
        case .record(let record): batch.records.append(record)
        case .noTrace: batch.linesWithoutTrace += 1
        case .unmatched: batch.linesUnmatched += 1
        }
    }

    mutating func closeAll() {
        for file in files.values { FileSystem.close(file.fd) }
        files = [:]
    }
}
