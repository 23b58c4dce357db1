import Foundation
import Logging
import Testing
@testable import TracejoinDaemon

/// A directory of its own for one test, removed after it.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = NSTemporaryDirectory() + "tracejoin-daemon-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

func mode(_ path: String) -> mode_t {
    var st = stat()
    guard lstat(path, &st) == 0 else { return 0 }
    return st.st_mode & 0o777
}

let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

@Suite("State directory")
struct StateDirectoryTests {
    /// One daemon per state directory: the second lock is refused, naming the first's pid.
    @Test func aSecondLockIsRefused() throws {
        try withTemporaryDirectory { dir in
            let first = try StateLock(directory: dir)
            let written = try String(contentsOfFile: dir + "/lock", encoding: .utf8)
            #expect(written == "\(getpid())\n")
            do {
                _ = try StateLock(directory: dir)
                Issue.record("a second lock on the same directory was granted")
            } catch let error as DaemonError {
                #expect(error.message.contains("another tracejoin daemon (pid \(getpid()))"))
                #expect(error.message.contains(dir))
            }
            first.release()
            // Released: the next daemon may start.
            let again = try StateLock(directory: dir)
            again.release()
        }
    }

    @Test func aLockNeedsADirectoryItCanWriteIn() {
        #expect(throws: DaemonError.self) { _ = try StateLock(directory: "/nonexistent-tracejoin-\(UUID().uuidString)") }
    }

    @Test func restrictMakesEverythingPrivate() throws {
        try withTemporaryDirectory { dir in
            let outside = dir + "-outside"
            #expect(FileManager.default.createFile(atPath: outside, contents: Data("x".utf8)))
            defer { try? FileManager.default.removeItem(atPath: outside) }
            chmod(outside, 0o644)
            let state = dir + "/state"
            try FileManager.default.createDirectory(atPath: state + "/blocks", withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: state + "/index.db", contents: Data()))
            #expect(FileManager.default.createFile(atPath: state + "/blocks/00000001.tjs", contents: Data()))
            try FileManager.default.createSymbolicLink(atPath: state + "/link", withDestinationPath: outside)
            chmod(state, 0o755)
            chmod(state + "/blocks", 0o775)
            chmod(state + "/index.db", 0o644)
            chmod(state + "/blocks/00000001.tjs", 0o666)

            PrivateState.restrict(state, logger: quietLogger)

            #expect(mode(state) == 0o700)
            #expect(mode(state + "/blocks") == 0o700)
            #expect(mode(state + "/index.db") == 0o600)
            #expect(mode(state + "/blocks/00000001.tjs") == 0o600)
            // A link is not followed: what it points to keeps its mode.
            #expect(mode(outside) == 0o644)
        }
    }

    @Test func aQueryTokenIsMadeOnceAndKept() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/query-token"
            let token = try QueryToken.loadOrCreate(path, logger: quietLogger)
            #expect(token.utf8.count == 64)
            #expect(token.allSatisfy { $0.isHexDigit })
            #expect(mode(path) == 0o600)
            #expect(try QueryToken.loadOrCreate(path, logger: quietLogger) == token)
            // Another token file, another token.
            #expect(try QueryToken.loadOrCreate(dir + "/other", logger: quietLogger) != token)
        }
    }

    @Test(arguments: ["short\n", "has space in the middle of it\n", "semicolon;in-the-token-here\n", "\n"])
    func aBadTokenFileIsRefused(_ contents: String) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/query-token"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)))
            #expect(throws: DaemonError.self) { _ = try QueryToken.loadOrCreate(path, logger: quietLogger) }
        }
    }

    @Test func pathsResolveOrAreLeftOut() throws {
        #expect(resolvedPaths("/nonexistent-tracejoin-\(UUID().uuidString)").isEmpty)
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/a", withIntermediateDirectories: true)
            let resolved = resolvedPaths(dir + "/a/../a/.")
            #expect(resolved.count == 1)
            #expect(resolved.first?.hasSuffix("/a") == true)
            #expect(resolved.first?.contains("..") == false)
        }
    }

    /// The soft limit is raised to the hard one (no privilege needed), and the answer says so.
    @Test func theOpenFileLimitIsRaisedToTheHardLimit() {
        let (before, after) = OpenFileLimit.raise(logger: quietLogger)
        var limit = rlimit()
        #expect(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        #expect(after >= before)
        #expect(UInt64(limit.rlim_cur) == after)
        if after > before { #expect(limit.rlim_cur == limit.rlim_max) }
    }
}
