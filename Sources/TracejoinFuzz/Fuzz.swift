import Foundation
import Grok
import Index
import Intake
import QueryAPI
import Rules
import TraceContext
import TracejoinModel

// Coverage-guided fuzz targets, one per input surface (docs/reliability.md).
//
// Built with `-sanitize=fuzzer,address -D FUZZING` (`make fuzz`), libFuzzer drives
// `LLVMFuzzerTestOneInput`, and the target is chosen by TRACEJOIN_FUZZ_TARGET. In an ordinary
// build the same executable replays inputs: `tracejoin-fuzz TARGET FILE…` runs each file once,
// which is how a crash becomes a reproducible test.
//
// A target that can check a property does, and stops the process (a finding) when it fails.

enum FuzzTarget: String, CaseIterable {
    case datadogV04 = "datadog-v04", datadogV05 = "datadog-v05", otlpProtobuf = "otlp-protobuf", otlpJSON = "otlp-json"
    case otlpLogsProtobuf = "otlp-logs-protobuf", otlpLogsJSON = "otlp-logs-json", ndjson, zipkin
    case jsonRule = "json-rule", grok, javaDate = "java-date", ids, ruleFile = "rule-file", daemonConfig = "daemon-config"
    case logBlock = "log-block", spanBlock = "span-block", traceGroups = "trace-groups", queryParams = "query-params", filters
    /// Traps on an input that starts with `trap`: the runner's own test (a finding must be
    /// reported, with its input and stack, within the run's time). Run only when named.
    case selfTest = "self-test"
}

/// Fails the run with what was wrong: libFuzzer saves the input.
func violated(_ what: String) -> Never {
    FileHandle.standardError.write(Data("property violated: \(what)\n".utf8))
    abort()
}

/// A scratch directory for the targets that read files (rule files, tracejoin.yaml).
let scratch: String = {
    let path = NSTemporaryDirectory() + "tracejoin-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

func run(_ target: FuzzTarget, _ bytes: UnsafeBufferPointer<UInt8>) {
    let data = Data(buffer: bytes)
    switch target {
    case .datadogV04, .datadogV05:
        let version: DatadogDecoder.Version = target == .datadogV04 ? .v04 : .v05
        guard let spans = try? DatadogDecoder.decode(UnsafeRawBufferPointer(bytes), version: version) else { return }
        // Property: what was accepted, written again as v0.4, reads back the same.
        let again = MsgPackWriter.v04(spans)
        guard let decoded = try? again.withUnsafeBytes({ try DatadogDecoder.decode($0, version: .v04) }) else {
            violated("v0.4 written from accepted spans does not decode")
        }
        for (a, b) in zip(spans, decoded) where a.traceID != b.traceID || a.spanID != b.spanID || a.parentID != b.parentID || a.start != b.start {
            violated("span IDs changed in a round trip: \(a.traceID) \(a.spanID) → \(b.traceID) \(b.spanID)")
        }
        if spans.count != decoded.count { violated("span count changed in a round trip") }
    case .otlpProtobuf:
        // Property: the wire decoder (what the intake runs) and swift-protobuf's messages (what
        // it ran before, the reference) agree: both refuse, or both give the same spans.
        let viaWire = try? OTLPDecoder.decodeProtobuf(data)
        let viaMessages = try? OTLPDecoder.decodeProtobufMessages(data)
        switch (viaWire, viaMessages) {
        case (nil, nil): return
        case (nil, _?): violated("the wire decoder refused a request swift-protobuf's messages accept")
        case (_?, nil): violated("the wire decoder accepted a request swift-protobuf's messages refuse")
        case (let a?, let b?):
            if a.count != b.count { violated("the wire decoder gave \(a.count) spans, swift-protobuf's messages \(b.count)") }
            for (index, (x, y)) in zip(a, b).enumerated() where x.nanMarked() != y.nanMarked() {
                violated("span \(index) differs between the wire decoder and swift-protobuf's messages:\n\(x)\n\(y)")
            }
        }
        guard let spans = viaWire else { return }
        // Property: the IDs are exactly the request's bytes, span by span (big-endian, written
        // by hand), read here again through swift-protobuf's own message.
        guard let request = try? Tracejoin_Otlp_ExportTraceServiceRequest(serializedBytes: data) else {
            violated("accepted a request swift-protobuf refuses")
        }
        let sent = request.resourceSpans.flatMap { $0.scopeSpans.flatMap(\.spans) }
        if sent.count != spans.count { violated("\(sent.count) spans sent, \(spans.count) accepted") }
        for (s, span) in zip(sent, spans) {
            let parent = span.parentID.map { bigEndianBytes($0.value) } ?? []
            guard bigEndianBytes(span.traceID.high ?? 0) + bigEndianBytes(span.traceID.low) == Array(s.traceID),
                  bigEndianBytes(span.spanID.value) == Array(s.spanID), parent == Array(s.parentSpanID) || (parent.isEmpty && s.parentSpanID.allSatisfy { $0 == 0 }) else {
                violated("span \(span.traceID.hex)/\(span.spanID.hex) differs from the bytes sent")
            }
        }
    case .otlpJSON:
        guard let spans = try? OTLPDecoder.decodeJSON(data) else { return }
        // Property: every accepted ID is, in hex, in the payload as sent (unless escapes spell it).
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        guard !text.contains("\\") else { return }
        for span in spans {
            let trace = SpanID(span.traceID.high ?? 0).hex + SpanID(span.traceID.low).hex   // 16 hex digits each
            guard text.contains(trace), text.contains(span.spanID.hex) else {
                violated("accepted trace \(trace) span \(span.spanID.hex), which the payload does not hold")
            }
        }
    case .otlpLogsProtobuf:
        _ = try? OTLPLogDecoder.decodeProtobuf(data, options: .init(keepUntraced: true))
    case .otlpLogsJSON:
        if let decoded = try? OTLPLogDecoder.decodeJSON(data, options: .init(keepUntraced: true)) {
            // Property: every record's parsed parts are ranges of its line.
            for r in decoded.records {
                for text in [r.timeText, r.levelText, r.messageText].compactMap({ $0 }) {
                    if case .inLine(let range) = text, range.upperBound > r.raw.utf8.count { violated("a range beyond the line") }
                }
            }
        }
    case .ndjson:
        _ = try? NDJSONDecoder.decode(bytes)
    case .zipkin:
        _ = try? ZipkinDecoder.decode(data)
    case .jsonRule:
        _ = try? JSONFlattener.flatten(bytes)
    case .grok:
        // An expression, then a line to match: compile errors only, never a crash or a hang.
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard let pattern = try? GrokPattern(String(parts[0])) else { return }
        let line = Array((parts.count > 1 ? String(parts[1]) : text).utf8)
        var match = pattern.makeMatchData()
        _ = line.withUnsafeBufferPointer { pattern.regex.match($0, &match) }
    case .javaDate:
        if let regex = try? JavaDatePattern.regex(String(decoding: bytes, as: UTF8.self), offset: 0) {
            _ = try? GrokPattern(regex)
        }
    case .ids:
        for encoding in IDEncoding.allCases {
            if let id = try? TraceID.parse(bytes, encoding: encoding) {
                // Property: the forms Tracejoin prints parse back to the same ID.
                guard let back = try? TraceID.parse(id.hex, encoding: .hex), back == id else { violated("trace \(id.hex) does not round-trip as hex") }
                if id.high == nil {
                    guard let dd = try? TraceID.parse(id.lowDecimal, encoding: .decimal), dd == id else { violated("trace \(id.lowDecimal) does not round-trip as decimal") }
                }
            }
            if let span = try? SpanID.parse(bytes, encoding: encoding) {
                guard let hex = try? SpanID.parse(span.hex, encoding: .hex), hex == span,
                      let dec = try? SpanID.parse(span.decimal, encoding: .decimal), dec == span else {
                    violated("span \(span.hex) does not round-trip")
                }
            }
        }
    case .ruleFile:
        let path = scratch + "/rules.yaml"
        _ = FileManager.default.createFile(atPath: path, contents: data)
        if let file = try? RuleFile.load(path: path, configDirectory: scratch) {
            _ = try? SourceParser(file, library: .builtin)
        }
    case .daemonConfig:
        _ = FileManager.default.createFile(atPath: scratch + "/tracejoin.yaml", contents: data)
        _ = try? DaemonConfig.load(directory: scratch)
    case .logBlock:
        _ = try? LogBlock(bytes: Array(bytes))
    case .spanBlock:
        // The checksum is made right over the input, so the decoder behind it is reached;
        // every row of a block that opens is read.
        if let problem = SpanBlockFuzzing.decode(bytes) { violated(problem) }
    case .traceGroups:
        // The same for a block of lines grouped by trace: whole, and each group alone.
        if let problem = TraceGroupsFuzzing.decode(bytes) { violated(problem) }
    case .queryParams:
        let text = String(decoding: bytes, as: UTF8.self)
        for (name, value) in SearchRoutes.formPairs(text) {
            _ = try? SearchRoutes.time(Substring(value), name)
            _ = try? SearchRoutes.id(Substring(value), name)
        }
    case .filters:
        // A captured field's text through every Datadog filter that parses it by hand.
        let text = String(decoding: bytes, as: UTF8.self)
        var fields: [LogRecord.Field] = []
        for conversion in fuzzedFilters {
            FieldConverter.apply(conversion, name: "f", text: text, into: &fields)
            FieldConverter.apply(conversion, name: "", text: text, into: &fields)
        }
    case .selfTest:
        if bytes.starts(with: "trap".utf8) {
            let values = [Int](repeating: 0, count: bytes.count)
            _ = values[bytes.count]   // out of range: the trap a bug would be
        }
    }
}

let fuzzedFilters: [FieldConversion] = [
    .json(.json), .json(.rubyHash), .json(.xml), .json(.csv(.init(headers: ["a", "b", "c"]))), .json(.queryString), .json(.url),
    .json(.userAgent(decode: true)), .keyValue(.init()), .keyValue(.init(separator: ":", allowed: "/", quotes: "{}", delimiter: "|")),
    .decodeURIComponent, .array(.init(open: "[", close: "]", separator: ",", element: .integer)), .integer, .float, .scale(10),
    .boolean(trueWord: nil, falseWord: nil), .date(.init(pattern: "yyyy-MM-dd'T'HH:mm:ss.SSSZZ", timeZone: "Europe/Paris")),
    .date(.init(pattern: "MMM d HH:mm:ss")),
]

func bigEndianBytes(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }

extension MsgPackWriter {
    /// Spans as a v0.4 payload: a chunk each (a chunk's first span carries its trace's high
    /// half for all of them), every field the decoder reads.
    static func v04(_ spans: [SpanRecord]) -> [UInt8] {
        var w = MsgPackWriter()
        w.array(spans.count)
        for s in spans {
            w.array(1)
            var meta = s.meta
            if let high = s.traceID.high { meta["_dd.p.tid"] = SpanID(high).hex }
            w.map(12)
            w.string("service"); w.string(s.service)
            w.string("name"); w.string(s.name)
            w.string("resource"); w.string(s.resource)
            w.string("type"); w.string(s.type)
            w.string("trace_id"); w.uint(s.traceID.low)
            w.string("span_id"); w.uint(s.spanID.value)
            w.string("parent_id"); w.uint(s.parentID?.value ?? 0)
            w.string("start"); w.int(s.start, as: .i64)
            w.string("duration"); w.int(s.duration, as: .i64)
            w.string("error"); w.int(s.error ? 1 : 0, as: .fixint)
            w.string("meta"); w.map(meta.count)
            for (k, v) in meta { w.string(k); w.string(v) }
            w.string("metrics"); w.map(s.metrics.count)
            for (k, v) in s.metrics { w.string(k); w.float64(v) }
        }
        return w.bytes
    }
}

func selectedTarget() -> FuzzTarget {
    let name = ProcessInfo.processInfo.environment["TRACEJOIN_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("set TRACEJOIN_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))\n".utf8))
        exit(2)
    }
    return target
}

/// A valid block, for the log-block target's seed corpus (`tracejoin-fuzz seed-block FILE`).
func seedBlock() -> [UInt8] {
    var encoder = LogBlockEncoder()
    let trace = TraceID(high: 0x8000_0000_0000_0001, low: 42)
    for i in 0..<20 {
        encoder.append(id: Int64(i + 1), ingested: 1_764_000_000_000_000_000 + Int64(i), LogRecord(
            traceID: i % 5 == 0 ? nil : trace, spanID: SpanID(UInt64(i)), time: "2026-12-01 10:00:0\(i % 10),123", level: ["INFO", "ERROR"][i % 2],
            message: "request \(i) <b>", file: "/var/log/app.log", source: "app", rule: "python", raw: "raw line \(i)",
            fields: [.init(name: "user", value: "ann"), .init(name: "n", value: .integer(Int64(i)))]))
    }
    return encoder.seal(with: ZstdCompressor(level: 1))
}

/// `tracejoin-fuzz TARGET FILE…` runs each file once through the target (`seed-block FILE` writes
/// the log-block target's seed, `seed-span-block FILE` the span-block target's, `seed-trace-groups
/// FILE` the trace-groups target's). Returns false
/// when the arguments are not that form.
func replay(_ arguments: [String]) -> Bool {
    if arguments.first == "seed-block", arguments.count == 2 {
        _ = FileManager.default.createFile(atPath: arguments[1], contents: Data(seedBlock()))
        return true
    }
    if arguments.first == "seed-span-block", arguments.count == 2 {
        _ = FileManager.default.createFile(atPath: arguments[1], contents: Data(SpanBlockFuzzing.seed()))
        return true
    }
    if arguments.first == "seed-trace-groups", arguments.count == 2 {
        _ = FileManager.default.createFile(atPath: arguments[1], contents: Data(TraceGroupsFuzzing.seed()))
        return true
    }
    guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else { return false }
    for path in arguments.dropFirst() {
        // Not FileManager.contents(atPath:): it leaks reading an empty file.
        guard let bytes = try? readFileBytes(path) else {
            print("cannot read \(path)")
            exit(1)
        }
        bytes.withUnsafeBufferPointer { run(target, $0) }
        print("\(target.rawValue) \(path): ok")
    }
    return true
}

#if FUZZING
// SwiftPM links an executable's `main` to the module's entry point, so libFuzzer's own `main`
// cannot be used: the entry point runs libFuzzer's driver (`libclang_rt.fuzzer_no_main`). The
// same build also replays (the end-to-end tests run it from the AddressSanitizer build).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

nonisolated(unsafe) var chosen: FuzzTarget = .ids

@main
struct Fuzzer {
    static func main() {
        if replay(Array(CommandLine.arguments.dropFirst())) { return }
        chosen = selectedTarget()
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runDriver(&argc, &argv) { start, count in
            run(chosen, UnsafeBufferPointer(start: start, count: count))
            return 0
        })
    }
}
#else
@main
struct Replay {
    static func main() {
        guard replay(Array(CommandLine.arguments.dropFirst())) else {
            print("usage: tracejoin-fuzz TARGET FILE…  (replays inputs; targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")))")
            exit(2)
        }
    }
}
#endif
