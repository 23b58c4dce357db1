import Foundation
import GRDB
import Index
import TraceContext
import Testing
import TracejoinModel

/// A real SQLite file in a temporary directory.
final class TempIndex {
    let directory: String
    let index: CorrelationStore

    let options: CorrelationStore.Options

    init(_ options: CorrelationStore.Options = CorrelationStore.Options()) throws {
        directory = NSTemporaryDirectory() + "tj-index-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.options = options
        index = try CorrelationStore(path: directory + "/index.db", options: options)
    }

    /// Small blocks, each sealed one in a segment file of its own.
    static func smallBlocks(_ records: Int) -> CorrelationStore.Options {
        var options = CorrelationStore.Options()
        options.blockRecords = records
        options.segmentBytes = 1
        return options
    }

    func reopen() throws -> CorrelationStore { try CorrelationStore(path: directory + "/index.db", options: options) }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

func span(_ trace: TraceID, _ id: UInt64, parent: UInt64? = nil, start: Int64 = 0) -> SpanRecord {
    SpanRecord(traceID: trace, spanID: SpanID(id), parentID: parent.map(SpanID.init), service: "svc", name: "op\(id)",
               resource: "res", start: start, duration: 10, error: false, meta: ["k": "v"], protocolName: "ndjson")
}

func log(_ trace: TraceID?, _ span: UInt64?, _ message: String) -> LogRecord {
    LogRecord(traceID: trace, spanID: span.map(SpanID.init), time: "t", level: "INFO", message: message, file: "/f.log",
              source: "app", rule: "r", raw: "raw \(message)", fields: [.init(name: "b", value: "2"), .init(name: "a", value: "1")])
}

@Suite("SQLite index")
struct IndexTests {
    @Test func fieldsMetaAndMetricsRoundTripAndStayJSON() async throws {
        let t = try TempIndex()
        let trace = TraceID(high: nil, low: 42)
        let awkward = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} é 日本 🙂 </script>"
        let fields: [LogRecord.Field] = [
            .init(name: awkward, value: .string(awkward)), .init(name: "n", value: .integer(.min)), .init(name: "m", value: .integer(.max)),
            .init(name: "f", value: .float(0.1)), .init(name: "e", value: .float(-1.5e300)), .init(name: "inf", value: .float(.infinity)),
            .init(name: "t", value: .bool(true)), .init(name: "no", value: .bool(false)), .init(name: "z", value: .null),
            .init(name: "", value: .string("")), .init(name: "b", value: .string("2")), .init(name: "a", value: .string("1")),
        ]
        var record = log(trace, 1, awkward)
        record.fields = fields
        var bare = log(trace, 2, "no fields")
        bare.fields = []
        try await t.index.commit(TailBatch(records: [record, bare]))
        var s = span(trace, 1)
        s.meta = [awkward: awkward, "": "", "http.url": "/a?b=c&d=\"e\""]
        s.metrics = ["_sampling_priority_v1": 1, "neg": -0.25, "big": 1e300, "inf": .infinity]
        try await t.index.insert([s])
        let stored = try await t.index.trace(trace)
        // Blocks keep every value as it was, a non-finite float included.
        #expect(stored.logs.map(\.fields) == [fields, []])
        #expect(stored.logs.first?.message == awkward)
        #expect(stored.spans.first?.meta == s.meta)
        #expect(stored.spans.first?.metrics == s.metrics)
        // The span went into a tail block of spans (schema v12): no table of span rows is left.
        let queue = try DatabaseQueue(path: t.directory + "/index.db")
        let (spanBlocks, spanTable) = try await queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM span_blocks WHERE sealed = 0"), try db.tableExists("spans"))
        }
        #expect(spanBlocks == 1)
        #expect(spanTable == false)
        #expect(try await queue.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == CorrelationStore.pageSize)
    }

    @Test func idsAbove2To63RoundTripExactly() async throws {
        let t = try TempIndex()
        let trace = TraceID(high: .max, low: .max)
        try await t.index.insert([span(trace, .max, parent: 1 << 63)])
        try await t.index.commit(TailBatch(records: [log(trace, .max, "m")]))
        let stored = try await t.index.trace(trace)
        #expect(stored.spans.first?.traceID == trace)
        #expect(stored.spans.first?.spanID == SpanID(.max))
        #expect(stored.spans.first?.parentID == SpanID(1 << 63))
        #expect(stored.spans.first?.meta == ["k": "v"])
        #expect(stored.logs.first?.spanID == SpanID(.max))
        // Field order survives storage.
        #expect(stored.logs.first?.fields.map(\.name) == ["b", "a"])
    }

    @Test func matching64And128BitIDsInBothDirections() async throws {
        let t = try TempIndex()
        let full = TraceID(high: 7, low: 42)
        let low = TraceID(high: nil, low: 42)
        try await t.index.insert([span(full, 1), span(low, 2)])
        try await t.index.commit(TailBatch(records: [log(low, 1, "low-only"), log(full, 2, "full"), log(TraceID(high: 8, low: 42), 3, "other")]))
        // Asking with the full ID: spans and lines with that ID or with the high half unknown.
        let byFull = try await t.index.trace(full)
        #expect(Set(byFull.spans.map(\.spanID.value)) == [1, 2])
        #expect(byFull.logs.map(\.message) == ["low-only", "full"])
        // Asking with the low half only: everything with that low half.
        let byLow = try await t.index.trace(low)
        #expect(byLow.logs.map(\.message) == ["low-only", "full", "other"])
        // Another high half: only what has the high half unknown.
        let other = try await t.index.trace(TraceID(high: 9, low: 42))
        #expect(other.spans.map(\.spanID.value) == [2])
        #expect(other.logs.map(\.message) == ["low-only"])
    }

    @Test func aSpanSentTwiceIsStoredOnceAndKeepsItsHighHalf() async throws {
        let t = try TempIndex()
        try await t.index.insert([span(TraceID(high: 5, low: 1), 10)])
        var again = span(TraceID(high: nil, low: 1), 10)
        again.name = "renamed"
        try await t.index.insert([again])
        let stored = try await t.index.trace(TraceID(high: nil, low: 1))
        #expect(stored.spans.count == 1)
        #expect(stored.spans.first?.name == "renamed")
        #expect(stored.spans.first?.traceID.high == 5)
    }

    @Test func checkpointsCommitWithRecordsAndSurviveReopening() async throws {
        let t = try TempIndex()
        let trace = TraceID(high: nil, low: 3)
        try await t.index.commit(TailBatch(
            records: [log(trace, 1, "a")],
            checkpoints: [FileCheckpoint(path: "/x.log", device: .max, inode: 1 << 63, offset: 120)]))
        try await t.index.commit(TailBatch(checkpoints: [FileCheckpoint(path: "/x.log", device: .max, inode: 1 << 63, offset: 240)]))
        let reopened = try t.reopen()
        #expect(try await reopened.loadCheckpoints() == [FileCheckpoint(path: "/x.log", device: .max, inode: 1 << 63, offset: 240)])
        #expect(try await reopened.trace(trace).logs.map(\.message) == ["a"])
    }

    @Test func unknownTraceIsEmpty() async throws {
        let t = try TempIndex()
        #expect(try await t.index.trace(TraceID(high: nil, low: 1)).isEmpty)
    }
}
