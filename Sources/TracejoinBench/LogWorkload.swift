import Foundation
import Rules
import TraceContext
import TracejoinModel

/// The index benchmark's log lines: what a busy Python service writes with ddtrace's log
/// injection (shared/clients.md §4a), as text, parsed by the real rule.
///
/// - Traces of 10 spans and about 100 lines (`perTrace`), `concurrency` of them in progress at a
///   time, their lines interleaved; half the traces logged with 128-bit IDs (32 hex), half with
///   64-bit decimal ones; span IDs decimal.
/// - One line in 64 outside any span (`dd.trace_id=0`), one in 50 (at random) an ERROR carrying a 7-line
///   traceback folded into its record by `multiline` (as the tailer folds it), the rest
///   INFO/DEBUG/WARNING with a few request-specific words and numbers.
/// - Timestamps advance a millisecond every few lines.
struct LogWorkload {
    let traceCount: Int
    let concurrency: Int
    let perTrace: Int
    private let session: any LineParserSession
    private var rng = SplitMix(seed: 11)
    private(set) var produced = 0
    /// Bytes of text produced, newlines included (what the log file would hold).
    private(set) var rawBytes = 0
    /// The text itself, when kept (`keepText`), for the `zstd` reference.
    var text: [UInt8] = []
    var keepText = false


    init(traces: Int, concurrency: Int, perTrace: Int, work: String) throws {
        traceCount = max(1, traces)
        self.concurrency = concurrency
        self.perTrace = max(1, perTrace)
        try FileManager.default.createDirectory(atPath: work + "/rules.d", withIntermediateDirectories: true)
        try "".write(toFile: work + "/tracejoin.yaml", atomically: true, encoding: .utf8)
        session = try BenchCommand.parser(BenchCommand.ddtraceRules, work: work).makeCheckingSession()
    }

    /// The trace ID of trace `n`: a 128-bit one for even `n`, a 64-bit one for odd.
    static func traceID(_ n: Int) -> TraceID {
        TraceID(high: n % 2 == 0 ? 0x6b06_0b90_0000_0000 | UInt64(n % 65_536) << 16 : nil, low: UInt64(n) &* 0x9E37_79B9_7F4A_7C15 | 1)
    }

    /// The trace and span of line `k`.
    func place(_ k: Int) -> (trace: Int, span: Int) {
        let j = k % (concurrency * perTrace)
        let trace = (k / (concurrency * perTrace) * concurrency + j % concurrency) % traceCount
        return (trace, trace * 10 + (j / concurrency) % 10)
    }

    static let words = ["order", "cart", "payment", "user", "session", "invoice", "shipment", "coupon", "search", "profile"]
    static let verbs = ["loaded", "saved", "validated", "charged", "queued", "rendered", "cached", "refreshed"]
    static let levels = ["INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARNING"]
    static let traceback = """
        Traceback (most recent call last):
          File "/srv/app/checkout/views.py", line 214, in post
            order = service.place(cart, user)
          File "/srv/app/checkout/service.py", line 88, in place
            raise PaymentDeclined(reason)
        checkout.errors.PaymentDeclined: card declined (insufficient funds)
        """

    /// The next `n` records, with the bytes of text they came from.
    mutating func next(_ n: Int) -> [LogRecord] {
        var records: [LogRecord] = []
        records.reserveCapacity(n)
        for _ in 0..<n {
            let k = produced
            produced += 1
            let (trace, span) = place(k)
            let id = Self.traceID(trace)
            let untraced = k % 64 == 63
            let traceText = untraced ? "0" : (id.high != nil ? id.hex : id.lowDecimal)
            let spanText = untraced ? "0" : String(UInt64(span + 1) &* 0xD6E8_FEB8_6659_FD93)
            // Not tied to k: every trace (and so every service) gets its share of errors.
            let error = rng.next() % 50 == 0
            let level = error ? "ERROR" : Self.levels[Int(rng.next() % 6)]
            let ms = 100 + k / 7 % 900
            let seconds = 10 + k / 6300 % 50
            let word = Self.words[Int(rng.next() % 10)], verb = Self.verbs[Int(rng.next() % 8)]
            let message = error
                ? "\(word) \(rng.next() % 100_000) failed: card declined"
                : "\(word) \(rng.next() % 100_000) \(verb) in \(rng.next() % 500) ms"
            let line = "2026-11-24 22:11:\(seconds),\(ms) \(level) [checkout.\(word)] [views.py:\(100 + k % 150)] "
                + "[dd.service=checkout dd.env=prod dd.version=1.4.2 dd.trace_id=\(traceText) dd.span_id=\(spanText)] - \(message)"
            var bytes = Array(line.utf8)
            rawBytes += bytes.count + 1
            if keepText {
                text.append(contentsOf: bytes)
                text.append(0x0A)
                if error {
                    text.append(contentsOf: Self.traceback.utf8)
                    text.append(0x0A)
                }
            }
            let outcome = bytes.withUnsafeMutableBufferPointer { session.parse(UnsafeBufferPointer($0), file: "/var/log/checkout/app.log") }
            var record: LogRecord
            switch outcome {
            case .record(let r): record = r
            case .noTrace(_, let r?): record = r
            default:
                // A line outside a span is counted by the tailer and not stored (keep_untraced: false).
                continue
            }
            if error {
                // The traceback's lines, folded into the record as `multiline` does.
                record.raw += "\n" + Self.traceback
                record.message = (record.message ?? "") + "\n" + Self.traceback
                rawBytes += Self.traceback.utf8.count + 1
            }
            bytes.removeAll()
            records.append(record)
        }
        return records
    }
}
