import Foundation
import Logging

/// The state directory is the daemon's alone: every log line and span it holds was written by
/// some application, for its operators only.
enum PrivateState {
    /// Makes `directory` 0700 and everything in it 0600 (directories 0700), whatever earlier
    /// versions or umasks left; says so when it changed anything.
    static func restrict(_ directory: String, logger: Logger) {
        var changed = 0
        func tighten(_ path: String, to mode: mode_t) {
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT != S_IFLNK, st.st_mode & 0o777 != mode else { return }
            if chmod(path, mode) == 0 { changed += 1 }
        }
        tighten(directory, to: 0o700)
        if let walker = FileManager.default.enumerator(atPath: directory) {
            while let name = walker.nextObject() as? String {
                let path = directory + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: tighten(path, to: 0o700)
                case S_IFREG: tighten(path, to: 0o600)
                default: continue   // sockets keep their configured modes; links are not followed
                }
            }
        }
        if changed > 0 {
            logger.notice("state directory made private (0700, files 0600)", metadata: ["directory": "\(directory)", "changed": "\(changed)"])
        }
    }
}

/// `realpath(3)` of `path` as a one-element list (empty if it cannot be resolved).
func resolvedPaths(_ path: String) -> [String] {
    guard let resolved = realpath(path, nil) else { return [] }
    defer { free(resolved) }
    return [String(cString: resolved)]
}
