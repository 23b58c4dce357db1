import TracejoinModel

/// One log source as the tailer sees it: which files, where to start, how to parse.
public struct TailSource: Sendable {
    public var name: String
    /// Absolute glob patterns.
    public var paths: [String]
    /// Patterns matched against a candidate's full path and file name.
    public var exclude: [String]
    /// Whether a file that is already there when the daemon first sees it (with no checkpoint)
    /// is read from its end instead of its beginning. Files created later are always read whole.
    public var startAtEnd: Bool
    public var parser: any LineParser

    public init(name: String, paths: [String], exclude: [String] = [], startAtEnd: Bool = false, parser: any LineParser) {
        self.name = name
        self.paths = paths
        self.exclude = exclude
        self.startAtEnd = startAtEnd
        self.parser = parser
    }

    /// The regular files the source's globs name now, minus the excluded ones.
    func currentFiles() -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for pattern in paths {
            for path in FileSystem.glob(pattern) where !seen.contains(path) {
                seen.insert(path)
                if exclude.contains(where: { FileSystem.matches($0, path: path) }) { continue }
                guard FileSystem.status(path: path)?.isRegular == true else { continue }
                result.append(path)
            }
        }
        return result
    }
}
