/// The tables the exporter writes, in two flavours chosen by the server's version
/// (``Flavor/of(version:)``), with the same columns in the same order, so that the exporter's
/// rows and the readers' queries are one for both:
///
/// - ``Flavor/legacy``, for every ClickHouse from 18.16 (Debian 12's package): no `Map`, no
///   `DateTime64`, no `LowCardinality` (18.16 has it only behind a setting). Maps are JSON
///   strings; times are nanoseconds in `Int64`, with a `Date` column for partitions.
/// - ``Flavor/current``, for 22.8 and later: the repeated texts `LowCardinality`, the long ones
///   compressed with ZSTD, and the views `otel_logs` and `otel_traces` in the shape of
///   OpenTelemetry's ClickHouse exporter (`Map`, `DateTime64(9)`, its column names), which
///   Grafana's ClickHouse data source reads for its log and trace views.
///
/// Exactly once: a batch is sent again after a crash or a failed acknowledgement, so each
/// table is a `ReplacingMergeTree` whose sorting key is unique per row — `(trace_lo, host, id)`
/// for lines (a line's arrival id on its host), `(trace_lo, host, span_id)` for spans — and
/// readers use `FINAL`, which collapses the copies a merge has not yet collapsed. The sorting
/// key starts with the trace's low half, so a trace is one range of each table. A span stored
/// again (a tracer's retry) has a later `version` and replaces the earlier copy.
public enum ClickHouseSchema {
    public enum Flavor: String, Sendable, CaseIterable {
        case legacy
        case current

        /// The flavour for a server answering `SELECT version()` with `version` (such as
        /// `18.16.1` or `24.8.4.13`): current from 22.8 on, where `Map` is no longer experimental
        /// and `DateTime64` and `LowCardinality` are long settled; legacy before, or when the
        /// version cannot be read.
        public static func of(version: String) -> Flavor {
            let parts = version.split(separator: ".").prefix(2).compactMap { Int($0) }
            guard parts.count == 2 else { return .legacy }
            return (parts[0], parts[1]) >= (22, 8) ? .current : .legacy
        }
    }

    /// A trace ID's columns, the same in both tables.
    static let traceColumns = """
            trace_id String,
            trace_hi UInt64,
            trace_hi_known UInt8,
            trace_lo UInt64,
            trace_lo_hex String,
            trace_lo_dd String,
        """

    /// Everything `export init` runs on an empty server: the database, the tables and (current)
    /// the views.
    public static func statements(database: String, flavor: Flavor = .legacy) -> [String] {
        tables(database: database, flavor: flavor) + (flavor == .current ? views(quoted(database)) : [])
    }

    /// The database and its tables, created when missing (an existing table is kept as it is:
    /// ``alterations(database:flavor:existing:)`` adds the columns a later version added).
    public static func tables(database: String, flavor: Flavor = .legacy) -> [String] {
        let db = quoted(database)
        let tables = [
            "CREATE DATABASE IF NOT EXISTS \(db)",
            """
            CREATE TABLE IF NOT EXISTS \(db).logs (
                host String,
                id UInt64,
                date Date,
                time_ns Int64,
                ingested_ns Int64,
            \(traceColumns)
                span_id UInt64,
                span_id_hex String,
                service String,
                level String,
                message String,
                raw String,
                source String,
                rule String,
                file String,
                fields String,
                id_error String,
                version UInt64
            ) ENGINE = ReplacingMergeTree(version)
            PARTITION BY toYYYYMM(date)
            ORDER BY (trace_lo, host, id)
            """,
            """
            CREATE TABLE IF NOT EXISTS \(db).spans (
                host String,
                date Date,
            \(traceColumns)
                span_id UInt64,
                span_id_hex String,
                parent_id UInt64,
                service String,
                name String,
                resource String,
                type String,
                start_ns Int64,
                duration_ns Int64,
                error UInt8,
                meta String,
                metrics String,
                protocol String,
                details String,
                version UInt64
            ) ENGINE = ReplacingMergeTree(version)
            PARTITION BY toYYYYMM(date)
            ORDER BY (trace_lo, host, span_id)
            """,
        ]
        switch flavor {
        case .legacy: return tables
        case .current: return tables.map(currentTypes)
        }
    }

    /// The columns added to a table after its first release, each with the column it follows:
    /// `spans.details` (events, links, the resource's and typed attributes, as
    /// ``SpanDetails/json(into:)`` writes them).
    static let addedColumns: [(table: String, column: String, after: String)] = [("spans", "details", "protocol")]

    /// `ALTER TABLE … ADD COLUMN` for each added column a table of `existing` (`table.column`,
    /// from `system.columns`) lacks; 18.16 has no `ADD COLUMN IF NOT EXISTS`. A table not there
    /// at all is left to `CREATE TABLE`, which has every column.
    public static func alterations(database: String, flavor: Flavor, existing: Set<String>) -> [String] {
        let db = quoted(database)
        let tables = Set(existing.compactMap { $0.split(separator: ".", maxSplits: 1).first.map(String.init) })
        return addedColumns.compactMap { added in
            guard tables.contains(added.table), !existing.contains("\(added.table).\(added.column)") else { return nil }
            return "ALTER TABLE \(db).\(added.table) ADD COLUMN \(added.column) \(columnType(added.table, added.column, flavor: flavor)) AFTER \(added.after)"
        }
    }

    /// A column's type as the table's `CREATE TABLE` in `flavor` declares it.
    static func columnType(_ table: String, _ column: String, flavor: Flavor) -> String {
        let create = tables(database: "d", flavor: flavor).first { $0.contains(".\(table) (") } ?? ""
        for line in create.split(separator: "\n") {
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            if words.count == 2, words[0] == column { return String(words[1].hasSuffix(",") ? words[1].dropLast() : words[1]) }
        }
        return "String"
    }

    /// Columns of repeated text as `LowCardinality(String)` and long text compressed with ZSTD:
    /// the same names, order and values (RowBinary writes both types alike).
    static func currentTypes(_ statement: String) -> String {
        let repeated: Set = ["host", "service", "level", "source", "rule", "file", "name", "resource", "type", "protocol"]
        let long: Set = ["message", "raw", "fields", "meta", "metrics", "details"]
        return statement.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard words.count == 2, words[1].hasPrefix("String") else { return String(line) }
            let name = String(words[0]), comma = words[1].hasSuffix(",") ? "," : ""
            let indent = line.prefix { $0 == " " }
            if repeated.contains(name) { return "\(indent)\(name) LowCardinality(String)\(comma)" }
            if long.contains(name) { return "\(indent)\(name) String CODEC(ZSTD(1))\(comma)" }
            return String(line)
        }.joined(separator: "\n")
    }

    /// OpenTelemetry's ClickHouse exporter's `otel_logs` and `otel_traces`, as views over the
    /// exporter's tables (copies collapsed with `FINAL`). A trace whose high half is not known
    /// (Datadog's 64-bit IDs) has its low half padded with zeros, as OpenTelemetry's Datadog
    /// interoperability does. A span's events, links and resource attributes come from its
    /// `details` (``SpanDetails/json(into:)``). `CREATE OR REPLACE`: a server upgraded to this
    /// version gets the views as they are now.
    static func views(_ db: String) -> [String] {
        let traceID = "if(trace_hi_known = 1, trace_id, concat(repeat('0', 16), trace_lo_hex))"
        let hexID = { (column: String) in "if(\(column) = 0, '', lower(leftPad(hex(\(column)), 16, '0')))" }
        // A JSON object column as a map of texts: strings unquoted, numbers and the rest as written.
        let json = { (column: String) in
            "CAST(arrayMap(kv -> (kv.1, if(startsWith(kv.2, '\"'), JSONExtractString(kv.2), kv.2)), JSONExtractKeysAndValuesRaw(\(column))), "
                + "'Map(LowCardinality(String), String)')"
        }
        // A JSON array of `[key, value]` pairs (the details' attributes) as a map of texts.
        let pairs = { (array: String) in
            "CAST(arrayMap(p -> (JSONExtractString(p, 1), if(startsWith(JSONExtractRaw(p, 2), '\"'), JSONExtractString(p, 2), JSONExtractRaw(p, 2))), "
                + "\(array)), 'Map(LowCardinality(String), String)')"
        }
        let events = "JSONExtractArrayRaw(details, 'e')", links = "JSONExtractArrayRaw(details, 'l')"
        return [
            """
            CREATE OR REPLACE VIEW \(db).otel_logs AS
            SELECT
                fromUnixTimestamp64Nano(time_ns) AS Timestamp,
                toDateTime(fromUnixTimestamp64Nano(time_ns)) AS TimestampTime,
                if(trace_lo = 0, '', \(traceID)) AS TraceId,
                if(span_id = 0, '', span_id_hex) AS SpanId,
                toUInt8(0) AS TraceFlags,
                level AS SeverityText,
                toUInt8(multiIf(lower(level) IN ('trace'), 1, lower(level) IN ('debug'), 5, lower(level) IN ('info', 'information', 'notice'), 9,
                    lower(level) IN ('warn', 'warning'), 13, lower(level) IN ('error', 'err'), 17,
                    lower(level) IN ('fatal', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'panic'), 21, 0)) AS SeverityNumber,
                service AS ServiceName,
                if(message != '', message, raw) AS Body,
                '' AS ResourceSchemaUrl,
                map('host.name', host) AS ResourceAttributes,
                '' AS ScopeSchemaUrl,
                rule AS ScopeName,
                '' AS ScopeVersion,
                map('tracejoin.source', source, 'log.file.path', file) AS ScopeAttributes,
                \(json("fields")) AS LogAttributes
            FROM \(db).logs FINAL
            """,
            """
            CREATE OR REPLACE VIEW \(db).otel_traces AS
            SELECT
                fromUnixTimestamp64Nano(start_ns) AS Timestamp,
                \(traceID) AS TraceId,
                span_id_hex AS SpanId,
                \(hexID("parent_id")) AS ParentSpanId,
                '' AS TraceState,
                name AS SpanName,
                multiIf(JSONExtractString(meta, 'span.kind') = 'server', 'SPAN_KIND_SERVER', JSONExtractString(meta, 'span.kind') = 'client', 'SPAN_KIND_CLIENT',
                    JSONExtractString(meta, 'span.kind') = 'producer', 'SPAN_KIND_PRODUCER', JSONExtractString(meta, 'span.kind') = 'consumer', 'SPAN_KIND_CONSUMER',
                    JSONExtractString(meta, 'span.kind') = 'internal', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_UNSPECIFIED') AS SpanKind,
                service AS ServiceName,
                mapUpdate(\(pairs("JSONExtractArrayRaw(details, 'r')")), map('host.name', host, 'service.name', service)) AS ResourceAttributes,
                protocol AS ScopeName,
                '' AS ScopeVersion,
                mapUpdate(\(json("meta")), \(json("metrics"))) AS SpanAttributes,
                toUInt64(greatest(duration_ns, 0)) AS Duration,
                if(error = 1, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET') AS StatusCode,
                '' AS StatusMessage,
                CAST(arrayMap(e -> fromUnixTimestamp64Nano(JSONExtractInt(e, 't')), \(events)), 'Array(DateTime64(9))') AS `Events.Timestamp`,
                CAST(arrayMap(e -> JSONExtractString(e, 'n'), \(events)), 'Array(LowCardinality(String))') AS `Events.Name`,
                CAST(arrayMap(e -> \(pairs("JSONExtractArrayRaw(e, 'a')")), \(events)), 'Array(Map(LowCardinality(String), String))') AS `Events.Attributes`,
                arrayMap(l -> leftPad(JSONExtractString(l, 't'), 32, '0'), \(links)) AS `Links.TraceId`,
                arrayMap(l -> JSONExtractString(l, 's'), \(links)) AS `Links.SpanId`,
                arrayMap(l -> '', \(links)) AS `Links.TraceState`,
                CAST(arrayMap(l -> \(pairs("JSONExtractArrayRaw(l, 'a')")), \(links)), 'Array(Map(LowCardinality(String), String))') AS `Links.Attributes`
            FROM \(db).spans FINAL
            """,
        ]
    }

    /// A database name as an identifier.
    public static func quoted(_ name: String) -> String {
        "`" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "`", with: "\\`") + "`"
    }
}
