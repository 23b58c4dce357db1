/// A hash of a file's first bytes (FNV-1a, 64 bits), with how many bytes it covers.
///
/// Two files with the same fingerprint over the same length start with the same bytes: the same
/// file under another name or inode (a copy made by copytruncate, a file moved while the daemon
/// was stopped). A file whose bytes at the start changed is another file, even on the same inode.
/// Computed from a prefix the driver read; no file is touched here.
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

    /// The fingerprint of `prefix`'s first `length` bytes (all of them by default).
    static func of(_ prefix: [UInt8], length: Int? = nil) -> Fingerprint {
        let n = min(length ?? prefix.count, prefix.count, maxLength)
        var hash = Fingerprint.empty.hash
        var newline = false
        for b in prefix[0..<n] {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
            if b == 0x0A { newline = true }
        }
        return Fingerprint(hash: hash, length: n, complete: newline || n == maxLength)
    }

    /// The hash of all of `bytes` (however many: not capped at `maxLength`).
    static func wholeHash(_ bytes: [UInt8]) -> UInt64 {
        var hash = Fingerprint.empty.hash
        for b in bytes {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// The hash of each leading stretch of `bytes`: element `n` is that of the first `n` bytes
    /// (element 0 that of none), the hash `of(_:length:)` gives for `n` up to `maxLength`. One
    /// pass, where hashing each length on its own costs one pass per length.
    static func runningHashes(_ bytes: [UInt8]) -> [UInt64] {
        var hashes = [UInt64](repeating: 0, count: bytes.count + 1)
        var hash = Fingerprint.empty.hash
        hashes[0] = hash
        for (i, b) in bytes.enumerated() {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
            hashes[i + 1] = hash
        }
        return hashes
    }

    /// A stored fingerprint (hash and length); whether it is complete is judged on the file.
    static func stored(hash: UInt64, length: Int) -> Fingerprint {
        Fingerprint(hash: hash, length: length, complete: false)
    }

    /// Whether a file starting with `prefix` starts with the bytes this fingerprint was taken
    /// from: the test for the same file (same inode) not having been replaced.
    func matches(_ prefix: [UInt8]) -> Bool {
        guard length > 0 else { return true }
        guard prefix.count >= length else { return false }
        return Fingerprint.of(prefix, length: length).hash == hash
    }

    /// Whether a file starting with `prefix` is another file with the same start — a copy, or
    /// this file under another identity — judged only on a fingerprint that covers a whole line.
    func identifies(_ prefix: [UInt8]) -> Bool {
        guard length > 0, prefix.count >= length else { return false }
        let other = Fingerprint.of(prefix, length: length)
        return other.complete && other.hash == hash
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
