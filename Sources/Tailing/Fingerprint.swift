/// A hash of a file's first bytes (FNV-1a, 64 bits), with how many bytes it covers.
///
/// Two files with the same fingerprint over the same length start with the same bytes: the same
/// file under another name or inode (a copy made by copytruncate, a file moved while the daemon
/// was stopped). A file whose bytes at the start changed is another file, even on the same inode.
struct Fingerprint: Hashable, Sendable {
    var hash: UInt64
    var length: Int
    /// Whether it covers at least one whole line (or the maximum length). Only then does it
    /// tell files apart: log lines often share their first bytes (a date, a prefix), so a
    /// partial first line is no evidence that two files are the same.
    var complete: Bool

    /// Up to this many leading bytes are hashed; a shorter file's fingerprint grows with it.
    static let maxLength = 1024

    static let empty = Fingerprint(hash: 0xcbf2_9ce4_8422_2325, length: 0, complete: false)

    /// Hashes the first `min(size, length)` bytes of `fd`; `nil` if they cannot be read.
    static func of(fd: Int32, length: Int) -> Fingerprint? {
        guard length > 0 else { return .empty }
        var buffer = [UInt8](repeating: 0, count: length)
        let n = buffer.withUnsafeMutableBytes { FileSystem.read(fd, into: $0, at: 0) }
        guard n >= 0 else { return nil }
        var hash = Fingerprint.empty.hash
        var newline = false
        for b in buffer[0..<n] {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
            if b == 0x0A { newline = true }
        }
        return Fingerprint(hash: hash, length: n, complete: newline || n == maxLength)
    }

    /// A stored fingerprint (hash and length), whether complete or not is read from the file.
    static func stored(hash: UInt64, length: Int) -> Fingerprint {
        Fingerprint(hash: hash, length: length, complete: false)
    }

    /// Whether `fd` starts with the bytes this fingerprint was taken from: the test for the
    /// same file (same inode) not having been replaced.
    func matches(fd: Int32) -> Bool {
        guard length > 0 else { return true }
        guard let other = Fingerprint.of(fd: fd, length: length) else { return false }
        return other.hash == hash && other.length == length
    }

    /// Whether `fd` is another file with the same start — a copy, or this file under another
    /// identity — judged only on a fingerprint that covers a whole line.
    func identifies(fd: Int32) -> Bool {
        guard length > 0, let other = Fingerprint.of(fd: fd, length: length) else { return false }
        return other.complete && other.hash == hash && other.length == length
    }

    /// The first `min(size, maxLength)` bytes of `fd`.
    static func prefix(fd: Int32, size: Int64) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: Int(min(size, Int64(maxLength))))
        guard !buffer.isEmpty else { return [] }
        let n = buffer.withUnsafeMutableBytes { FileSystem.read(fd, into: $0, at: 0) }
        return n > 0 ? Array(buffer[0..<n]) : []
    }

    /// Whether a file that starts with `candidate` is (so far) a copy of one that starts with
    /// `original`: the candidate may still be being written (a copy in progress is shorter),
    /// so it is compared with the original's start of the same length, and that stretch must
    /// hold a whole line to mean anything.
    static func isCopy(_ candidate: [UInt8], of original: [UInt8]) -> Bool {
        let n = min(candidate.count, original.count)
        guard n > 0 else { return false }
        let shared = candidate[0..<n]
        return shared.contains(0x0A) && shared.elementsEqual(original[0..<n])
    }
}
