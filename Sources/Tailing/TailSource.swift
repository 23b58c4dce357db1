import TracejoinModel

/// One log source as the tailer sees it: which files, where to start, how to frame and parse.
public struct TailSource: Sendable {
    public var name: String
    /// Absolute glob patterns (`*`, `?`, `[…]`, `**`).
    public var paths: [String]
    /// Patterns matched against a candidate's full path and file name.
    public var exclude: [String]
    /// Whether files found the first time the source's globs are looked at (daemon start, or
    /// the rule file being added) are read from their end. Files created later, and files
    /// with a checkpoint, are not affected.
    public var startAtEnd: Bool
    public var parser: any LineParser
    public var multiline: MultilineSettings?
    /// Longest line kept whole; longer ones are cut (and counted).
    public var maxLineBytes: Int
    /// A last line without its newline is handed on after the file has been quiet this long.
    public var partialLineTimeout: Duration
    /// How long a rotated or deleted file is still read (a writer may hold it open).
    public var rotateWait: Duration
    /// A file with nothing new for this long gives its descriptor back; it is opened again when
    /// it changes and read on from where it was.
    public var closeInactive: Duration
    /// How lines are wrapped: a container runtime's envelope is decoded before the parser sees
    /// the line (``LogFormat``).
    public var format: LogFormat

    public init(name: String, paths: [String], exclude: [String] = [], startAtEnd: Bool = false, parser: any LineParser,
                multiline: MultilineSettings? = nil, maxLineBytes: Int = 1 << 20, partialLineTimeout: Duration = .seconds(5),
                rotateWait: Duration = .seconds(5), closeInactive: Duration = .seconds(300), format: LogFormat = .plain) {
        self.closeInactive = closeInactive
        self.format = format
        self.name = name
        self.paths = paths
        self.exclude = exclude
        self.startAtEnd = startAtEnd
        self.parser = parser
        self.multiline = multiline
        self.maxLineBytes = maxLineBytes
        self.partialLineTimeout = partialLineTimeout
        self.rotateWait = rotateWait
    }
}
