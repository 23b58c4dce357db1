#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls the tailer makes, in one place. Each retries on `EINTR`.
enum FileSystem {
    struct Identity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    struct Status {
        var identity: Identity
        var size: Int64
        var isRegular: Bool
        /// Hard links left: 0 once the file is deleted (but still open).
        var links: UInt64
    }

    static func status(path: String) -> Status? {
        var st = stat()
        guard retrying({ stat(path, &st) }) == 0 else { return nil }
        return Status(st)
    }

    static func status(fd: Int32) -> Status? {
        var st = stat()
        guard retrying({ fstat(fd, &st) }) == 0 else { return nil }
        return Status(st)
    }

    static func openForReading(_ path: String) -> Int32? {
        let fd = retrying { open(path, O_RDONLY | O_CLOEXEC) }
        return fd >= 0 ? fd : nil
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns the count, 0 at end of file, -1 on error.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        retrying { pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// fnmatch(3) against the full path and against the file name.
    static func matches(_ pattern: String, path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, name, 0) == 0
    }

    static var lastError: String { String(cString: strerror(errno)) }

    private static func retrying<T: FixedWidthInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }
}

extension FileSystem.Status {
    init(_ st: stat) {
        identity = FileSystem.Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        size = Int64(st.st_size)
        isRegular = (st.st_mode & S_IFMT) == S_IFREG
        links = UInt64(st.st_nlink)
    }
}
