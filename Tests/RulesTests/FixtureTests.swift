import Foundation
import Rules
import TraceContext
import Testing
import TracejoinModel

/// The example configuration's rules against lines captured from real ddtrace and OpenTelemetry
/// clients (shared/clients.md §4 a, e, f).
@Suite("Example rules on captured client output")
struct FixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func exampleConfigParsesEveryCapturedShape() throws {
        let config = try ConfigDirectory.load(Self.root.appendingPathComponent("config").path)
        let demo = try #require(config.sources.first { $0.file.source == "demo" })
        let session = demo.parser.makeSession()
        let text = try String(contentsOf: Self.root.appendingPathComponent("Fixtures/logs/python-stdlib.log"), encoding: .utf8)
        var records: [LogRecord] = []
        var noTrace = 0
        var unmatched = 0
        for line in text.split(separator: "\n") {
            switch parse(session, String(line)) {
            case .record(let r): records.append(r)
            case .noTrace: noTrace += 1
            case .unmatched: unmatched += 1
            }
        }
        #expect(noTrace == 2)  // the two "app starting" lines outside any span
        #expect(unmatched == 4)  // the traceback's continuation lines (multiline joining is not built yet)
        #expect(records.map(\.rule) == ["python-ddtrace", "python-ddtrace", "python-ddtrace", "python-otel"])
        #expect(records[0].traceID == TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff))
        #expect(records[0].spanID == SpanID(1_295_274_668_589_741_838))
        #expect(records[1].traceID == TraceID(high: nil, low: 2_154_539_678_243_945_261))
        #expect(records[1].spanID == SpanID(9_829_728_873_470_478_867))
        #expect(records[2].level == "ERROR")
        #expect(records[3].traceID == TraceID(high: 0x457d_cf6a_ef3b_9e38, low: 0x7c51_51ce_8d6c_2902))
        #expect(records[3].spanID == SpanID(0xce3a_6d2c_b615_fac0))
        #expect(records.allSatisfy { $0.idError == nil })
    }
}
