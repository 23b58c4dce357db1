import ArgumentParser
import Foundation
import GRDB
import Index
import TraceContext
import TracejoinModel
import TracejoinSupport

/// `tracejoin-bench debug-make-v8-index`: writes an index as schema v8 stored it (one row per log
/// line), for the tests of the conversion to blocks. Not for operators: hidden from `--help`.
struct MakeV8IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-make-v8-index",
        abstract: "Write a schema-v8 index of generated lines (for the conversion tests).",
        shouldDisplay: false)

    @Option(help: "The database file to create.") var path: String
    @Option(help: "Log lines to store.") var rows = 100_000
    @Option(help: "Lines per trace.") var perTrace = 10

    func run() throws {
        let db = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(db, upTo: "v8: level in the arrival-order index")
        // Ingested a nanosecond apart, ending now (so that retention by age keeps them).
        let now = Timestamps.now()
        try db.write { db in
            var fields: [UInt8] = []
            let insert = try db.makeStatement(sql: """
                INSERT INTO logs (pos, id, trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, ingested_ns)
                VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
                """)
            let levels = ["INFO", "DEBUG", "WARNING", "ERROR"]
            for id in 1...Int64(rows) {
                // Trace t's n-th line sits at (t + 1) << 20 | n, as v7's placement put it.
                let trace = (id - 1) / Int64(perTrace), n = (id - 1) % Int64(perTrace)
                let low = UInt64(trace + 1) &* 0x9E37_79B9_7F4A_7C15 | 1
                let message = "converted line \(id)"
                let raw = "2026-11-24 22:11:28,925 \(levels[Int(id) % 4]) [rc.app] [dd.trace_id=\(low) dd.span_id=\(id)] - \(message)"
                StoredJSON.fields([.init(name: "logger", value: "rc.app")], into: &fields)
                try insert.execute(arguments: [
                    (trace + 1) << 20 | n, id, Int64(bitPattern: low), id, "2026-11-24 22:11:28,925", levels[Int(id) % 4], message,
                    "/var/log/app.log", "app", "python-ddtrace", raw, String(decoding: fields, as: UTF8.self), now - Int64(rows) + id,
                ])
                if n == 0 {
                    try db.execute(sql: "INSERT INTO trace_segments (trace_lo, ord, lines) VALUES (?, ?, ?)",
                                   arguments: [Int64(bitPattern: low), trace + 1, perTrace])
                }
            }
        }
        print("wrote \(rows) v8 rows to \(path)")
    }
}
