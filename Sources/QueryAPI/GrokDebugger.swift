import Dispatch
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// The grok debugger's bounds (`POST /rules`, docs/grok.md, "The grok debugger").
///
/// Parsing pasted lines is synchronous CPU work, as much as the rules' match limits allow per
/// line and rule. Unbounded, a 1 MiB post cost a second of CPU, and four at once held the
/// cooperative threads the query listener answers on, stalling `/healthz` for 3.7 s (issue 24).
/// So: the input is bounded (``maxBodyBytes``, ``maxLines``, ``maxLineBytes``); a run works on
/// a dispatch queue of its own, never on a cooperative thread; one run at a time in the
/// process (another gets 429); and a run stops after ``timeBudget``, the lines it did not reach
/// reported as such.
enum GrokDebugger {
    /// The most form data a post may carry (413 beyond).
    static let maxBodyBytes = 64 << 10
    /// The most lines one post may hold (413 beyond).
    static let maxLines = 200
    /// Lines longer than this are cut to it (at a character boundary) before they are parsed.
    static let maxLineBytes = 8 << 10
    /// How long one run may parse; the lines it did not reach get no result.
    static let timeBudget: Duration = .seconds(2)

    /// Whether a run is in progress.
    private static let running = Locked(false)
    private static let queue = DispatchQueue(label: "tracejoin.grok-debugger", qos: .utility)

    /// `line`, cut to ``maxLineBytes`` if it is longer; whether it was.
    static func cut(_ line: String) -> (text: String, wasCut: Bool) {
        let utf8 = Array(line.utf8)
        guard utf8.count > maxLineBytes else { return (line, false) }
        // Back to the start of a character: the line is valid UTF-8, so this is at most 3 bytes.
        var end = maxLineBytes
        while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return (String(decoding: utf8[0..<end], as: UTF8.self), true)
    }

    /// How the rules in force parse `lines`, worked out on the debugger's own queue within
    /// ``timeBudget``; `nil` when another run is in progress.
    static func run(_ lines: [String], status: DaemonReports) async -> [LineTest]? {
        let started = running.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard started else { return nil }
        // Released only once the work is done (a cancelled request still waits for it): never
        // two runs at once.
        defer { running.withLock { $0 = false } }
        let deadline = ContinuousClock.now + timeBudget
        return await withCheckedContinuation { (continuation: CheckedContinuation<[LineTest], Never>) in
            queue.async {
                continuation.resume(returning: status.rules?.testLines(lines, deadline: deadline) ?? [])
            }
        }
    }
}
