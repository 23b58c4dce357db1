#if canImport(Glibc)
import Glibc
#endif

/// Cuts a byte stream into lines: `\n` ends a line (a `\r` before it is dropped); a last line
/// without its newline is held until it is completed; a line longer than `maxLineBytes` is cut
/// there and the rest of it, up to its newline, skipped — memory stays bounded and the cut is
/// counted.
struct LineFramer: Sendable {
    let maxLineBytes: Int
    /// In the middle of skipping the rest of an over-long line.
    private(set) var skipping = false

    init(maxLineBytes: Int, skipping: Bool = false) {
        self.maxLineBytes = maxLineBytes
        self.skipping = skipping
    }

    struct Line {
        /// Offset of the line's first byte within the chunk.
        var start: Int
        var bytes: UnsafeBufferPointer<UInt8>
        /// Bytes up to and including its newline (what consuming it moves past).
        var span: Int
        /// The line was longer than `maxLineBytes` and was cut.
        var cut: Bool
    }

    /// Frames `chunk`; calls `emit` for each line; returns how many bytes were consumed.
    ///
    /// - Parameter flushPartial: also emit a trailing line without a newline (the writer has
    ///   been quiet long enough, or the file is being let go).
    mutating func frame(_ chunk: UnsafeBufferPointer<UInt8>, flushPartial: Bool, emit: (Line) -> Void) -> Int {
        var position = 0
        while position < chunk.count {
            let rest = UnsafeBufferPointer(rebasing: chunk[position...])
            let base = UnsafeRawPointer(rest.baseAddress!)
            let newline = memchr(base, Int32(UInt8(ascii: "\n")), rest.count).map { UnsafeRawPointer($0) - base }
            if skipping {
                guard let newline else { return chunk.count }  // all of it is the cut line's tail
                skipping = false
                position += newline + 1
                continue
            }
            if let newline, newline <= maxLineBytes {
                var end = newline
                if end > 0 && rest[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                emit(Line(start: position, bytes: UnsafeBufferPointer(rebasing: rest[0..<end]), span: newline + 1, cut: false))
                position += newline + 1
                continue
            }
            if newline != nil || rest.count > maxLineBytes {
                // Longer than allowed: keep the first maxLineBytes, skip to the newline.
                emit(Line(start: position, bytes: UnsafeBufferPointer(rebasing: rest[0..<maxLineBytes]), span: maxLineBytes, cut: true))
                position += maxLineBytes
                skipping = true
                continue
            }
            // A partial last line.
            guard flushPartial else { return position }
            var end = rest.count
            if end > 0 && rest[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            emit(Line(start: position, bytes: UnsafeBufferPointer(rebasing: rest[0..<end]), span: rest.count, cut: false))
            return chunk.count
        }
        return position
    }

    mutating func reset() {
        skipping = false
    }
}
