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
    let sources: [TailSource]
    let sink: any TailSink
    let pollInterval: Duration
    let logger: Logger
    /// Most bytes read from one file in one pass (and the longest line kept whole).
    let chunkSize: Int

    public init(sources: [TailSource], sink: any TailSink, pollInterval: Duration = .milliseconds(100),
                chunkSize: Int = 1 << 20, logger: Logger) {
        self.sources = sources
        self.sink = sink
        self.pollInterval = pollInterval
        self.chunkSize = chunkSize
        self.logger = logger
    }

    public func run() async throws {
        var state = TailState(sources: sources, chunkSize: chunkSize, logger: logger)
        state.restore(try await sink.loadCheckpoints())
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
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
    let sources: [TailSource]
    let sessions: [any LineParserSession]
    let logger: Logger
    var buffer: [UInt8]
    /// Checkpoints from the index, used the first time a path is seen after a start.
    var restored: [String: FileCheckpoint] = [:]
    var files: [String: TailedFile] = [:]
    var firstPass = true
    var readAnything = false

    struct TailedFile {
        let path: String
        let source: Int
        var fd: Int32
        var identity: FileSystem.Identity
        /// Bytes consumed: the end of the last complete line handed on.
        var offset: Int64
    }

    init(sources: [TailSource], chunkSize: Int, logger: Logger) {
        self.sources = sources
        sessions = sources.map { $0.parser.makeSession() }
        self.logger = logger
        buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    mutating func restore(_ checkpoints: [FileCheckpoint]) {
        for c in checkpoints { restored[c.path] = c }
    }

    /// One look at every file: new files opened, new bytes read and parsed.
    mutating func pass() -> TailBatch {
        var batch = TailBatch()
        readAnything = false
        for (index, source) in sources.enumerated() {
            for path in source.currentFiles() where files[path] == nil {
                open(path, source: index, startAtEnd: firstPass && source.startAtEnd)
            }
        }
        for path in files.keys.sorted() {
            follow(path, into: &batch)
        }
        firstPass = false
        return batch
    }

    private mutating func open(_ path: String, source: Int, startAtEnd: Bool) {
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
        logger.info("following log file", metadata: ["file": "\(path)", "source": "\(sources[source].name)", "offset": "\(offset)"])
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
        guard status.size > file.offset else { return }
        let session = sessions[file.source]
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
