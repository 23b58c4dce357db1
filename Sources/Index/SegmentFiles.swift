import Glibc
import TracejoinModel
import TracejoinSupport

/// Sealed blocks live in append-only segment files under `STATE_DIR/blocks/`, with their place
/// (segment, offset, length) in the catalog: SQLite holds only the small things (the catalog,
/// the trace index, the tail of blocks still filling, spans, checkpoints). Retention deletes a
/// whole segment file, so freed space goes back to the file system at once
/// (docs/architecture.md has the measurements behind this choice).
///
/// A block is written to its segment before the transaction that records it commits; a crash
/// in between leaves bytes no catalog row names, which ``truncate(_:to:)`` cuts off at the next
/// open. Only the index's one writer appends; readers open a segment for each read, so a
/// segment deleted under them is simply gone (the read fails, nothing else is disturbed).
final class SegmentFiles: Sendable {
    let directory: String
    /// A new segment is started once the current one holds this many bytes.
    let segmentBytes: Int64
    private let writer = Locked<Writer>(Writer())

    struct Writer {
        var segment: Int64 = 0
        var fd: Int32 = -1
        var size: Int64 = 0
    }

    /// A failed file operation, with the errno and what it was.
    struct IOError: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var errno: Int32
        var isDiskFull: Bool { errno == ENOSPC || errno == EDQUOT }
        var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    init(directory: String, segmentBytes: Int64) throws(IOError) {
        self.directory = directory
        self.segmentBytes = segmentBytes
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw IOError(operation: "mkdir", path: directory, errno: errno)
        }
    }

    deinit {
        writer.withLock { if $0.fd >= 0 { close($0.fd) } }
    }

    func path(_ segment: Int64) -> String {
        var digits = String(segment)
        if digits.count < 8 { digits = String(repeating: "0", count: 8 - digits.count) + digits }
        return directory + "/" + digits + ".tjs"
    }

    /// The segment numbers present on disk, ascending.
    func list() -> [Int64] {
        directoryEntries(directory).compactMap { entry in
            entry.name.hasSuffix(".tjs") ? Int64(entry.name.dropLast(4)) : nil
        }.sorted()
    }

    /// Bytes of every segment file.
    func totalBytes() -> Int64 {
        list().reduce(0) { $0 + Self.fileSize(path($1)) }
    }

    static func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// Cuts `segment` to `length` bytes (what the catalog knows of it), or removes it when
    /// the catalog knows none of it.
    func truncate(_ segment: Int64, to length: Int64) {
        if length == 0 {
            unlink(path(segment))
        } else if Self.fileSize(path(segment)) > length {
            Glibc.truncate(path(segment), off_t(length))
        }
    }

    /// Where appending continues after an open: the newest segment the catalog names.
    func resume(after segment: Int64) {
        writer.withLock { w in
            if w.fd >= 0 { close(w.fd) }
            w = Writer(segment: segment, fd: -1, size: 0)
        }
    }

    /// Appends `block` to the current segment (starting the next one when it is full or
    /// gone); returns where it went.
    func append(_ block: [UInt8]) throws(IOError) -> (segment: Int64, offset: Int64) {
        try writer.withLock { (w: inout Writer) throws(IOError) -> (segment: Int64, offset: Int64) in
            if w.fd < 0 || w.size >= segmentBytes {
                if w.fd >= 0 { close(w.fd) }
                w.fd = -1
                // Continue the newest segment after a restart unless it is full or was deleted.
                var segment = w.segment
                if segment == 0 || w.size >= segmentBytes || access(path(segment), F_OK) != 0 || Self.fileSize(path(segment)) >= segmentBytes {
                    segment += 1
                }
                let fd = open(path(segment), O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
                guard fd >= 0 else { throw IOError(operation: "open", path: path(segment), errno: errno) }
                w = Writer(segment: segment, fd: fd, size: Int64(lseek(fd, 0, SEEK_END)))
            }
            let offset = w.size
            var written = 0
            while written < block.count {
                let n = block.withUnsafeBytes { pwrite(w.fd, $0.baseAddress! + written, $0.count - written, off_t(offset + Int64(written))) }
                if n < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    // Leave nothing half written: the next block starts where this one did.
                    ftruncate(w.fd, off_t(offset))
                    throw IOError(operation: "write", path: path(w.segment), errno: code)
                }
                written += n
            }
            w.size += Int64(block.count)
            return (w.segment, offset)
        }
    }

    /// Where the writer stands, to go back to if the transaction it writes for fails.
    struct Mark {
        var segment: Int64
        var size: Int64
        var open: Bool
    }

    func mark() -> Mark {
        writer.withLock { w in
            // A segment not open yet may already hold committed blocks: its end is the mark.
            Mark(segment: w.segment, size: w.fd >= 0 ? w.size : Self.fileSize(path(w.segment)), open: w.fd >= 0)
        }
    }

    /// Cuts off what was appended since `mark` (its transaction did not commit).
    func rewind(to mark: Mark) {
        writer.withLock { w in
            if w.segment != mark.segment {
                // Segments started for blocks that are not recorded: remove them.
                if w.fd >= 0 { close(w.fd) }
                for s in (mark.segment + 1)...w.segment { unlink(path(s)) }
                if mark.segment > 0 && Self.fileSize(path(mark.segment)) > mark.size { Glibc.truncate(path(mark.segment), off_t(mark.size)) }
                w = Writer(segment: mark.segment, fd: -1, size: mark.size)
            } else if w.fd >= 0 && w.size != mark.size {
                ftruncate(w.fd, off_t(mark.size))
                w.size = mark.size
            }
        }
    }

    /// Reads a block.
    func read(_ segment: Int64, offset: Int64, length: Int) throws(IOError) -> [UInt8] {
        let file = path(segment)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(operation: "open", path: file, errno: errno) }
        defer { close(fd) }
        // The place comes from the catalog: a damaged row (a negative length, or one past the
        // file's end) is a read that fails, not a negative or terabyte allocation.
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IOError(operation: "stat", path: file, errno: errno) }
        guard length >= 0, offset >= 0, offset <= Int64(st.st_size), Int64(length) <= Int64(st.st_size) - offset else {
            throw IOError(operation: "read (file ends early)", path: file, errno: EIO)
        }
        var failure: IOError?
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            var got = 0
            while got < length {
                let n = pread(fd, buffer.baseAddress! + got, length - got, off_t(offset + Int64(got)))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failure = IOError(operation: n == 0 ? "read (file ends early)" : "read", path: file, errno: n == 0 ? EIO : errno)
                    break
                }
                got += n
            }
            initialized = failure == nil ? length : 0
        }
        if let failure { throw failure }
        return bytes
    }

    /// Deletes a segment file.
    func remove(_ segment: Int64) {
        writer.withLock { w in
            if w.segment == segment, w.fd >= 0 {
                close(w.fd)
                w.fd = -1
            }
        }
        unlink(path(segment))
    }
}
