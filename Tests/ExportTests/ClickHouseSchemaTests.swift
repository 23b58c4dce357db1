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
            if parts.count >= 2, parts[0] != "ENGINE" { out[String(parts[0])] = parts[1...].joined(separator: " ") }
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
        var w = JSONRows()
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

    /// The exporter's RowBinary rows hold the same values as the JSON rows, column by column in
    /// the table's types, and name the columns in the order they are written.
    @Test func rowBinaryRowsCarryTheJSONRowsValues() throws {
        let record = LogRecord(traceID: TraceID(high: 0x6b06_0b90_0000_0000, low: .max), spanID: SpanID(0xce3a_6d2c_b615_fac0), level: "ERROR",
                               message: "ünïcode \u{0}\n", file: "/f", source: "s", rule: "r", raw: String(repeating: "x", count: 200),
                               fields: [.init(name: "k", value: .integer(-3))], timeNanoseconds: 1_795_558_288_925_000_000)
        let span: SpanRecord = {
            var s = SpanRecord(traceID: TraceID(high: nil, low: 2), spanID: SpanID(3), parentID: SpanID(.max), service: "svc", name: "op",
                               resource: "res", start: -10, duration: 20, error: true, meta: ["a": "b"], metrics: ["m": 1.5], protocolName: "otlp")
            s.details = SpanDetails(events: [.init(time: 5, name: "exception", attributes: [SpanAttribute("exception.type", .string("ValueError"))])],
                                    links: [.init(traceID: TraceID(high: 1, low: 2), spanID: SpanID(9))])
            return s
        }()
        let cases: [(statement: String, encode: (inout JSONRows, inout RowBinaryRows) -> Void)] = [
            (Self.logs, { j, b in
                let rows = [ExportedLog(id: -1, ingested: 5, record: record), ExportedLog(id: 2, ingested: 6, record: record)]
                ExportRows.logs(rows, host: "h", into: &j)
                ExportRows.logs(rows, host: "h", into: &b)
            }),
            (Self.spans, { j, b in
                ExportRows.spans([ExportedSpan(received: 7, row: 1, span: span)], host: "h", into: &j)
                ExportRows.spans([ExportedSpan(received: 7, row: 1, span: span)], host: "h", into: &b)
            }),
        ]
        for (statement, encode) in cases {
            var json = JSONRows()
            var binary = RowBinaryRows()
            encode(&json, &binary)
            let types = Self.columns(statement)
            #expect(Set(binary.columns) == Set(types.keys) && binary.columns.count == types.count)
            let objects = try String(decoding: json.bytes, as: UTF8.self).split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(binary.rows == objects.count)
            var at = 0
            let bytes = binary.output
            func take(_ n: Int) throws -> ArraySlice<UInt8> {
                try #require(at + n <= bytes.count)
                defer { at += n }
                return bytes[at..<(at + n)]
            }
            func integer(_ n: Int) throws -> UInt64 {
                try take(n).reversed().reduce(0) { $0 << 8 | UInt64($1) }
            }
            for object in objects {
                for column in binary.columns {
                    let expected = object[column]
                    switch types[column] {
                    case "String":
                        var length = 0, shift = 0
                        while true {
                            let byte = try take(1).first!
                            length |= Int(byte & 0x7f) << shift
                            shift += 7
                            if byte < 0x80 { break }
                        }
                        #expect(String(decoding: try take(length), as: UTF8.self) == expected as? String, "\(column)")
                    case "UInt64":
                        #expect(String(try integer(8)) == (expected as? NSNumber)?.stringValue, "\(column)")
                    case "Int64":
                        #expect(String(Int64(bitPattern: try integer(8))) == (expected as? NSNumber)?.stringValue, "\(column)")
                    case "UInt8":
                        #expect(try integer(1) == (expected as? NSNumber)?.uint64Value, "\(column)")
                    case "Date":
                        let days = try integer(2)
                        #expect(ExportRows.date(Int64(days) * 86_400_000_000_000) == expected as? String, "\(column)")
                    default:
                        Issue.record("a column of a type the test does not read: \(column) \(types[column] ?? "?")")
                    }
                }
            }
            #expect(at == bytes.count)
        }
    }

    @Test(arguments: [("18.16.1", ClickHouseSchema.Flavor.legacy), ("21.8.15.7", .legacy), ("22.3.2", .legacy), ("22.8.1.1", .current),
                      ("24.8.4.13", .current), ("26.9.2.1", .current), ("", .legacy), ("garbage", .legacy)])
    func theFlavourFollowsTheServersVersion(_ version: String, _ flavor: ClickHouseSchema.Flavor) {
        #expect(ClickHouseSchema.Flavor.of(version: version) == flavor)
    }

    /// The current flavour keeps every column, in order, changing only types: one exporter and
    /// one reader serve both; and it adds the two views.
    @Test func theCurrentFlavourHasTheSameColumnsAndTheViews() {
        let legacy = ClickHouseSchema.statements(database: "t", flavor: .legacy)
        let current = ClickHouseSchema.statements(database: "t", flavor: .current)
        #expect(current.count == legacy.count + 2)
        for (old, new) in zip(legacy, current) {
            let names = { (s: String) in Self.columns(s).keys.sorted() }
            #expect(names(old) == names(new))
        }
        let logs = Self.columns(current[1])
        #expect(logs["host"] == "LowCardinality(String)" && logs["id"] == "UInt64" && logs["trace_lo"] == "UInt64")
        #expect(current[1].contains("raw String CODEC(ZSTD(1))"))
        // Replaced, not kept: a server upgraded to this version gets the views as they are now.
        #expect(current[3].hasPrefix("CREATE OR REPLACE VIEW `t`.otel_logs AS"))
        #expect(current[4].hasPrefix("CREATE OR REPLACE VIEW `t`.otel_traces AS"))
        #expect(Self.columns(current[2])["details"] == "String CODEC(ZSTD(1))")
        for column in ["TraceId", "SpanId", "ParentSpanId", "SpanName", "SpanKind", "ServiceName", "ResourceAttributes", "SpanAttributes",
                       "Duration", "StatusCode", "`Events.Name`", "`Links.TraceId`"] {
            #expect(current[4].contains(" AS \(column)"), "\(column)")
        }
    }

    /// A table an earlier version created lacks the columns added since: each is added, after
    /// the column it follows in a new table, with the flavour's type; a table that has it, or
    /// is not there (CREATE TABLE makes it whole), is left alone.
    @Test func anEarlierVersionsTablesGetTheColumnsAddedSince() throws {
        let old: Set = ["logs.host", "logs.id", "spans.host", "spans.protocol", "spans.version"]
        #expect(ClickHouseSchema.alterations(database: "t", flavor: .legacy, existing: old)
            == ["ALTER TABLE `t`.spans ADD COLUMN details String AFTER protocol"])
        #expect(ClickHouseSchema.alterations(database: "t", flavor: .current, existing: old)
            == ["ALTER TABLE `t`.spans ADD COLUMN details String CODEC(ZSTD(1)) AFTER protocol"])
        #expect(ClickHouseSchema.alterations(database: "t", flavor: .legacy, existing: old.union(["spans.details"])).isEmpty)
        #expect(ClickHouseSchema.alterations(database: "t", flavor: .legacy, existing: ["logs.host"]).isEmpty)
        #expect(ClickHouseSchema.alterations(database: "t", flavor: .legacy, existing: []).isEmpty)
        // The new table has it where the alteration puts it.
        let spans = ClickHouseSchema.tables(database: "t")[2]
        let names = spans.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? "" }
        let at = try #require(names.firstIndex(of: "protocol"))
        #expect(Array(names[at...].prefix(3)) == ["protocol", "details", "version"])
    }
}
