import Foundation
import Testing
import TraceContext
import TracejoinModel
import TracejoinSupport
@testable import Export

/// The tables, for ClickHouse 18.16 and later, and the rows written to them.
@Suite("ClickHouse schema")
struct ClickHouseSchemaTests {
    /// The columns a `CREATE TABLE` declares, by name, with their types.
    static func columns(_ statement: String) -> [String: String] {
        guard let open = statement.firstIndex(of: "("), let close = statement.range(of: ") ENGINE")?.lowerBound else { return [:] }
        var out: [String: String] = [:]
        for line in statement[statement.index(after: open)..<close].split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ",")).split(separator: " ")
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }

    static let statements = ClickHouseSchema.statements(database: "tracejoin")
    static var logs: String { statements.first(where: { $0.contains(".logs (") }) ?? "" }
    static var spans: String { statements.first(where: { $0.contains(".spans (") }) ?? "" }

    @Test func createsTheDatabaseAndTwoTables() {
        #expect(Self.statements.count == 3)
        #expect(Self.statements[0] == "CREATE DATABASE IF NOT EXISTS `tracejoin`")
        #expect(Self.logs.contains("CREATE TABLE IF NOT EXISTS `tracejoin`.logs ("))
        #expect(Self.spans.contains("CREATE TABLE IF NOT EXISTS `tracejoin`.spans ("))
    }

    /// 18.16 has no `Map`, no `DateTime64`, and `LowCardinality` only behind a setting.
    @Test func usesOnlyTypesThat18_16Has() {
        let allowed: Set = ["String", "UInt64", "UInt8", "Int64", "Date"]
        for statement in [Self.logs, Self.spans] {
            let types = Set(Self.columns(statement).values)
            #expect(!types.isEmpty)
            #expect(types.isSubset(of: allowed), "\(types.subtracting(allowed))")
            for newer in ["Map(", "DateTime64", "LowCardinality", "Nullable(", "JSON"] { #expect(!statement.contains(newer)) }
        }
    }

    /// Exactly once: copies of a row share its sorting key, which starts with the trace.
    @Test func replacingTablesKeyedByTraceHostAndRow() {
        #expect(Self.logs.contains("ENGINE = ReplacingMergeTree(version)"))
        #expect(Self.logs.contains("ORDER BY (trace_lo, host, id)"))
        #expect(Self.spans.contains("ENGINE = ReplacingMergeTree(version)"))
        #expect(Self.spans.contains("ORDER BY (trace_lo, host, span_id)"))
        #expect(Self.logs.contains("PARTITION BY toYYYYMM(date)"))
        let logs = Self.columns(Self.logs), spans = Self.columns(Self.spans)
        for (name, type) in [("trace_id", "String"), ("trace_hi", "UInt64"), ("trace_hi_known", "UInt8"), ("trace_lo", "UInt64"),
                             ("trace_lo_hex", "String"), ("trace_lo_dd", "String"), ("span_id", "UInt64"), ("version", "UInt64"),
                             ("host", "String"), ("date", "Date")] {
            #expect(logs[name] == type, "logs.\(name)")
            #expect(spans[name] == type, "spans.\(name)")
        }
        #expect(logs["time_ns"] == "Int64")
        #expect(logs["id"] == "UInt64")
        #expect(spans["start_ns"] == "Int64")
        #expect(spans["duration_ns"] == "Int64")
        #expect(spans["meta"] == "String")
    }

    @Test(arguments: [("tracejoin", "`tracejoin`"), ("a`b", "`a\\`b`"), ("a\\b", "`a\\\\b`")])
    func databaseNamesAreQuoted(_ name: String, _ quoted: String) {
        #expect(ClickHouseSchema.quoted(name) == quoted)
    }

    /// Every column a row writes is one the table has, and every column is written.
    @Test func rowsWriteExactlyTheTablesColumns() throws {
        let record = LogRecord(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), file: "/f", source: "s", rule: "r", raw: "line")
        var w = JSONWriter()
        ExportRows.logs([ExportedLog(id: 1, ingested: 5, record: record)], host: "h", into: &w)
        let span = SpanRecord(traceID: TraceID(high: nil, low: 2), spanID: SpanID(3), parentID: nil, service: "svc", name: "op",
                              resource: "res", start: 10, duration: 20, error: false, protocolName: "otlp")
        ExportRows.spans([ExportedSpan(received: 7, row: 1, span: span)], host: "h", into: &w)
        let lines = String(decoding: w.bytes, as: UTF8.self).split(separator: "\n")
        try #require(lines.count == 2)
        let logRow = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let spanRow = try #require(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(Set(logRow.keys) == Set(Self.columns(Self.logs).keys))
        #expect(Set(spanRow.keys) == Set(Self.columns(Self.spans).keys))
    }
}
