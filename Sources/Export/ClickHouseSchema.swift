/// The tables the exporter writes, for every ClickHouse from 18.16 (Debian 12's package) to
/// current releases: no `Map`, no `DateTime64`, no `LowCardinality` (18.16 has it only behind
/// a setting). Maps are JSON strings; times are nanoseconds in `Int64`, with a `Date` column
/// for partitions.
///
/// Exactly once: a batch is sent again after a crash or a failed acknowledgement, so each
/// table is a `ReplacingMergeTree` whose sorting key is unique per row — `(trace_lo, host, id)`
/// for lines (a line's arrival id on its host), `(trace_lo, host, span_id)` for spans — and
/// readers use `FINAL`, which collapses the copies a merge has not yet collapsed. The sorting
/// key starts with the trace's low half, so a trace is one range of each table. A span stored
/// again (a tracer's retry) has a later `version` and replaces the earlier copy.
public enum ClickHouseSchema {
    /// A trace ID's columns, the same in both tables.
    static let traceColumns = """
            trace_id String,
            trace_hi UInt64,
            trace_hi_known UInt8,
            trace_lo UInt64,
            trace_lo_hex String,
            trace_lo_dd String,
        """

    public static func statements(database: String) -> [String] {
        let db = quoted(database)
        return [
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
                version UInt64
            ) ENGINE = ReplacingMergeTree(version)
            PARTITION BY toYYYYMM(date)
            ORDER BY (trace_lo, host, span_id)
            """,
        ]
    }

    /// A database name as an identifier.
    public static func quoted(_ name: String) -> String {
        "`" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "`", with: "\\`") + "`"
    }
}
