import Testing

@testable import Tailing

@Suite("Line framing")
struct LineFramerTests {
    func frame(_ text: String, max: Int = 16, flush: Bool = false, framer: inout LineFramer) -> ([String], [Bool], Int) {
        var lines: [String] = []
        var cuts: [Bool] = []
        let bytes = Array(text.utf8)
        let consumed = bytes.withUnsafeBufferPointer { buffer in
            framer.frame(buffer, flushPartial: flush) { line in
                lines.append(String(decoding: line.bytes, as: UTF8.self))
                cuts.append(line.cut)
            }
        }
        return (lines, cuts, consumed)
    }

    @Test func completeLinesCRLFAndAHeldPartialLine() {
        var framer = LineFramer(maxLineBytes: 16)
        let (lines, _, consumed) = frame("a\nbb\r\n\nccc", framer: &framer)
        #expect(lines == ["a", "bb", ""])
        #expect(consumed == 7)  // "ccc" waits for its newline
        let (flushed, _, all) = frame("ccc", flush: true, framer: &framer)
        #expect(flushed == ["ccc"] && all == 3)
    }

    @Test func overlongLineIsCutAndTheRestSkippedAcrossChunks() {
        var framer = LineFramer(maxLineBytes: 8)
        // 20 bytes without a newline in a chunk larger than the limit: cut at 8, skip the rest.
        let (first, cuts, consumed) = frame(String(repeating: "x", count: 20), framer: &framer)
        #expect(first == ["xxxxxxxx"] && cuts == [true] && consumed == 20)
        #expect(framer.skipping)
        // The next chunk continues the same line until its newline, then lines are normal.
        let (next, _, consumed2) = frame("yyyy\nok\n", framer: &framer)
        #expect(next == ["ok"] && consumed2 == 8)
        #expect(!framer.skipping)
    }

    @Test func aLineOfExactlyTheLimitIsWhole() {
        var framer = LineFramer(maxLineBytes: 4)
        let (lines, cuts, _) = frame("abcd\nabcde\n", framer: &framer)
        #expect(lines == ["abcd", "abcd"] && cuts == [false, true])
    }
}

@Suite("Globs")
struct GlobTests {
    @Test func starQuestionClassAndDoubleStar() throws {
        let root = try TempDir()
        for path in ["a/x.log", "a/y.log", "a/b/c/z.log", "a/b/w.txt", "a/q1.log", "a/q22.log", "a/.hidden.log"] {
            try root.write(path, "")
        }
        func glob(_ p: String) -> [String] { Glob(root.path + "/" + p).paths().map { String($0.dropFirst(root.path.count + 1)) } }
        #expect(glob("a/*.log") == ["a/q1.log", "a/q22.log", "a/x.log", "a/y.log"])
        #expect(glob("a/q?.log") == ["a/q1.log"])
        #expect(glob("a/[xy].log") == ["a/x.log", "a/y.log"])
        #expect(glob("a/**/*.log") == ["a/b/c/z.log", "a/q1.log", "a/q22.log", "a/x.log", "a/y.log"])
        #expect(glob("**/w.txt") == ["a/b/w.txt"])
        #expect(glob("a/nothing/*.log") == [])
        #expect(glob("a/x.log") == ["a/x.log"])
    }
}
