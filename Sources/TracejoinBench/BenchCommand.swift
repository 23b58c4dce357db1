import ArgumentParser
import Foundation
import Grok
import Rules
import TracejoinModel
import TracejoinSupport

/// `tracejoin-bench bench`: the parser's throughput next to a C reference run in the same
/// process tree on the same lines, so the ratio means something on a shared machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the line parser against a C loop over PCRE2 JIT (see docs/benchmarks.md).")

    @Option(help: "Lines to generate.")
    var lines = 1_000_000

    @Option(help: "Passes over the lines; the fastest counts.")
    var rounds = 5

    @Option(help: ArgumentHelp("The C reference's source.", valueName: "path"))
    var reference = "Benchmarks/reference/pcre2_loop.c"

    @Option(help: "C compiler.")
    var cc = "cc"

    @Flag(help: "Skip the JSON rule's measurement.")
    var skipJSON = false

    static let ddtraceRules = #"""
        source: bench
        paths: [unused]
        patterns:
          DDIDS: 'dd\.trace_id=%{TRACEID:trace_id} dd\.span_id=%{SPANID:span_id}'
        rules:
          - name: python-ddtrace
            grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{DATA:logger}\] \[%{DATA:code_file}:%{INT:code_line}\] \[.*?%{DDIDS}\] - %{GREEDYDATA:message}'
            ids: { trace: auto, span: decimal }
        """#

    static let jsonRules = #"""
        source: bench
        paths: [unused]
        rules:
          - name: structlog
            json: { trace_id: dd.trace_id, span_id: dd.span_id, message: event, level: level, timestamp: timestamp }
            ids: { trace: auto, span: decimal }
        """#

    func run() throws {
        let work = NSTemporaryDirectory() + "tracejoin-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work + "/rules.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try "".write(toFile: work + "/tracejoin.yaml", atomically: true, encoding: .utf8)

        print("generating \(lines) lines in the ddtrace stdlib format (shared/clients.md §4a)…")
        let ddtrace = Self.generate(lines, json: false)
        try ddtrace.write(to: URL(fileURLWithPath: work + "/lines.log"))
        let parser = try Self.parser(Self.ddtraceRules, work: work)
        guard case .grok(let grok) = parser.rules[0].body else { throw ValidationError("no grok rule") }
        try grok.pattern.expanded.write(toFile: work + "/regex.txt", atomically: true, encoding: .utf8)

        // C reference.
        let binary = work + "/pcre2_loop"
        try Self.runProcess(cc, ["-O2", "-o", binary, reference, "-lpcre2-8"])
        let output = try Self.runProcess(binary, [work + "/regex.txt", work + "/lines.log", String(rounds)])
        let fields = Dictionary(output.split(separator: " ").compactMap { part -> (String, Int)? in
            let kv = part.split(separator: "=")
            guard kv.count == 2, let v = Int(kv[1].trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
            return (String(kv[0]), v)
        }, uniquingKeysWith: { a, _ in a })
        guard let cNs = fields["best_ns"], let cMatched = fields["matched"] else { throw ValidationError("reference printed: \(output)") }

        // Tracejoin: the same regex through the Swift wrapper, then the whole parser.
        let (matchNs, matched) = Self.best(rounds) { Self.matchOnly(grok.pattern, ddtrace) }
        let (parseNs, records) = Self.best(rounds) { Self.parseAll(parser, ddtrace) }
        guard matched == cMatched else { throw ValidationError("match counts differ: C \(cMatched), Swift \(matched)") }

        // The same in byte mode (no PCRE2_UTF/UCP), as before UTF mode: what UTF mode costs.
        PCRE2Pattern.benchmarkByteMode = true
        let byteParser = try Self.parser(Self.ddtraceRules, work: work)
        PCRE2Pattern.benchmarkByteMode = false
        guard case .grok(let byteGrok) = byteParser.rules[0].body else { throw ValidationError("no grok rule") }
        let (byteMatchNs, _) = Self.best(rounds) { Self.matchOnly(byteGrok.pattern, ddtrace) }
        let (byteParseNs, _) = Self.best(rounds) { Self.parseAll(byteParser, ddtrace) }

        print("")
        print("ddtrace lines (\(lines), \(ddtrace.count / lines) bytes on average), best of \(rounds):")
        Self.report("C reference: pcre2_jit_match loop", ns: cNs, lines: lines)
        Self.report("Tracejoin: PCRE2Pattern.match over the same lines", ns: matchNs, lines: lines, reference: cNs)
        Self.report("Tracejoin: full parse to LogRecord (\(records) records)", ns: parseNs, lines: lines, reference: cNs)
        Self.report("  the same match in byte mode (no UTF, as before)", ns: byteMatchNs, lines: lines, reference: cNs)
        Self.report("  the same full parse in byte mode", ns: byteParseNs, lines: lines, reference: cNs)
        print(String(format: "  UTF mode costs: match %+.1f%%, full parse %+.1f%%",
                     (Double(matchNs) / Double(byteMatchNs) - 1) * 100, (Double(parseNs) / Double(byteParseNs) - 1) * 100))
        // What reading each line's time costs inside the full parse: the same reader over the
        // lines' timestamps alone (`2026-11-24 22:11:28,925`, zone-less: the host's zone).
        let reader = try TimeReader(format: nil, zone: .local)
        let now = Timestamps.now()
        let (timeNs, timed) = Self.best(rounds) {
            var n = 0
            Self.forEachLine(ddtrace) { line in
                if line.count >= 23, reader.nanoseconds(UnsafeBufferPointer(rebasing: line[0..<23]), now: now) != nil { n += 1 }
            }
            return n
        }
        Self.report("  of which reading the line's time (\(timed) times)", ns: timeNs, lines: lines, reference: cNs)

        guard !skipJSON else { return }
        let structlog = Self.generate(lines, json: true)
        let jsonParser = try Self.parser(Self.jsonRules, work: work)
        let (jsonNs, jsonRecords) = Self.best(rounds) { Self.parseAll(jsonParser, structlog) }
        print("")
        print("structlog JSON lines (\(lines), \(structlog.count / lines) bytes on average):")
        Self.report("Tracejoin: json rule, full parse (\(jsonRecords) records)", ns: jsonNs, lines: lines)
    }

    static func report(_ label: String, ns: Int, lines: Int, reference: Int? = nil) {
        let perLine = Double(ns) / Double(lines)
        let rate = Double(lines) / (Double(ns) / 1e9)
        var text = "  \(label.padding(toLength: 62, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", perLine)) ns/line  \(String(format: "%10.0f", rate)) lines/s"
        if let reference { text += String(format: "  %.2f× the C time", Double(ns) / Double(reference)) }
        print(text)
    }

    static func parser(_ text: String, work: String) throws -> SourceParser {
        try text.write(toFile: work + "/rules.d/bench.yaml", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: work + "/rules.d/bench.yaml") }
        return try ConfigDirectory.load(work).sources[0].parser
    }

    /// Runs `body` `rounds` times; the fastest time and its result.
    static func best(_ rounds: Int, _ body: () -> Int) -> (Int, Int) {
        var bestNs = Int.max
        var result = 0
        for _ in 0..<max(1, rounds) {
            let start = ContinuousClock.now
            result = body()
            let d = ContinuousClock.now - start
            bestNs = min(bestNs, Int(d.components.seconds) * 1_000_000_000 + Int(d.components.attoseconds / 1_000_000_000))
        }
        return (bestNs, result)
    }

    static func forEachLine(_ data: Data, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                start = end + 1
            }
        }
    }

    static func matchOnly(_ pattern: GrokPattern, _ data: Data) -> Int {
        var matchData = pattern.makeMatchData()
        var matched = 0
        forEachLine(data) { line in
            if pattern.regex.match(line, &matchData) == .match { matched += 1 }
        }
        return matched
    }

    static func parseAll(_ parser: SourceParser, _ data: Data) -> Int {
        let session = parser.makeCheckingSession()
        var records = 0
        forEachLine(data) { line in
            if case .record = session.parse(line, file: "/bench.log") { records += 1 }
        }
        return records
    }

    /// Lines as ddtrace 4.x writes them: one in eight outside any span (IDs 0), half the rest
    /// with 128-bit trace IDs (32 hex), half with 64-bit decimal ones.
    static func generate(_ count: Int, json: Bool) -> Data {
        var rng = SystemRandomNumberGenerator()
        var out = Data()
        out.reserveCapacity(count * 230)
        let levels = ["INFO", "DEBUG", "WARNING", "ERROR"]
        for i in 0..<count {
            var trace = "0"
            var span = "0"
            if i % 8 != 0 {
                let low = UInt64.random(in: 1...UInt64.max, using: &rng)
                trace = i % 2 == 0 ? "6b060b90" + "00000000" + String(low, radix: 16).leftPadded(16) : String(low)
                span = String(UInt64.random(in: 1...UInt64.max, using: &rng))
            }
            let ms = String(i % 1000).leftPadded(3)
            let line: String
            if json {
                line = #"{"event": "request \#(i) handled", "level": "\#(levels[i % 4].lowercased())", "logger": "rc.app", "timestamp": "2026-11-24T22:11:28.\#(ms)Z", "dd.trace_id": "\#(trace)", "dd.span_id": "\#(span)", "dd.service": "rc-demo", "dd.env": "test", "dd.version": "1.0.0"}"#
            } else {
                line = "2026-11-24 22:11:28,\(ms) \(levels[i % 4]) [rc.app] [rc_common.py:\(100 + i % 50)] [dd.service=rc-demo dd.env=test dd.version=1.0.0 dd.trace_id=\(trace) dd.span_id=\(span)] - request \(i) handled in \(i % 97) ms"
            }
            out.append(contentsOf: line.utf8)
            out.append(0x0A)
        }
        return out
    }

    @discardableResult
    static func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : "/usr/bin/env")
        process.arguments = executable.contains("/") ? arguments : [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
