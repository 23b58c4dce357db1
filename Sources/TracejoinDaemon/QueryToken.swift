import Foundation
import Logging

/// The token the query API's TCP listeners ask for, kept in a file only the daemon's user reads.
enum QueryToken {
    /// Reads the token from `path`; when the file is missing, creates it with a new token
    /// (32 random bytes as hex) and mode 0600.
    static func loadOrCreate(_ path: String, logger: Logger) throws(DaemonError) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            var rng = SystemRandomNumberGenerator()
            let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
            let written = (token + "\n").withCString { write(fd, $0, strlen($0)) }
            close(fd)
            guard written == token.utf8.count + 1 else {
                unlink(path)
                throw DaemonError("cannot write the query token file \(path): \(String(cString: strerror(errno)))")
            }
            logger.notice("created the query token file", metadata: ["file": "\(path)"])
            return token
        }
        guard errno == EEXIST else {
            throw DaemonError("cannot create the query token file \(path): \(String(cString: strerror(errno)))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DaemonError("cannot read the query token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.utf8.count >= 16, !token.contains(where: { $0.isWhitespace || $0 == ";" }) else {
            throw DaemonError("the query token file \(path) must hold one token of at least 16 characters (no spaces or ';'); delete it to have a new one made")
        }
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            logger.warning("the query token file is readable by other users; chmod 600 it",
                           metadata: ["file": "\(path)", "mode": "\(String(st.st_mode & 0o777, radix: 8))"])
        }
        return token
    }
}
