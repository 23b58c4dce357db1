import GRDB

/// The database schema, as versioned migrations: a database written by an older Tracejoin is
/// brought forward on open; never edit a registered migration, add a new one.
package enum Schema {
    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: spans, logs, checkpoints") { db in
            try db.execute(sql: """
                CREATE TABLE spans (
                    id INTEGER PRIMARY KEY,
                    trace_hi INTEGER,              -- high 64 bits as signed bit pattern; NULL = unknown
                    trace_lo INTEGER NOT NULL,     -- low 64 bits as signed bit pattern
                    span_id INTEGER NOT NULL,
                    parent_id INTEGER,             -- NULL for a root
                    service TEXT NOT NULL,
                    name TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    type TEXT NOT NULL,
                    start_ns INTEGER NOT NULL,
                    duration_ns INTEGER NOT NULL,
                    error INTEGER NOT NULL,
                    meta TEXT,                     -- JSON object, string to string
                    protocol TEXT NOT NULL,
                    received_ns INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX spans_by_trace ON spans (trace_lo, span_id);

                CREATE TABLE logs (
                    id INTEGER PRIMARY KEY,        -- arrival order
                    trace_hi INTEGER,
                    trace_lo INTEGER,              -- NULL only when the line's trace ID was invalid
                    span_id INTEGER,
                    time TEXT,
                    level TEXT,
                    message TEXT,
                    file TEXT NOT NULL,
                    source TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    raw TEXT NOT NULL,
                    fields TEXT,                   -- JSON array of [name, value]
                    id_error TEXT,
                    ingested_ns INTEGER NOT NULL
                );
                CREATE INDEX logs_by_trace ON logs (trace_lo, span_id);

                CREATE TABLE checkpoints (
                    path TEXT PRIMARY KEY,
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    offset INTEGER NOT NULL,       -- bytes of the file already committed
                    updated_ns INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: checkpoints by file identity and fingerprint") { db in
            // A file is known by (device, inode) plus a fingerprint of its first bytes, not by
            // path: renamed files keep their place, copies and reused inodes are told apart.
            try db.execute(sql: """
                CREATE TABLE file_checkpoints (
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    path TEXT NOT NULL,            -- the path it last had
                    offset INTEGER NOT NULL,       -- bytes of the file already committed
                    fingerprint INTEGER NOT NULL,  -- FNV-1a of the first fingerprint_len bytes
                    fingerprint_len INTEGER NOT NULL,
                    updated_ns INTEGER NOT NULL,
                    PRIMARY KEY (device, inode)
                );
                INSERT INTO file_checkpoints (device, inode, path, offset, fingerprint, fingerprint_len, updated_ns)
                    SELECT device, inode, path, offset, 0, 0, updated_ns FROM checkpoints WHERE true
                    ON CONFLICT (device, inode) DO NOTHING;
                DROP TABLE checkpoints;
                """)
        }
        migrator.registerMigration("v3: span metrics") { db in
            try db.execute(sql: "ALTER TABLE spans ADD COLUMN metrics TEXT")  // JSON object, string to number
        }
        migrator.registerMigration("v4: indexes for retention and search") { db in
            try db.execute(sql: """
                CREATE INDEX logs_by_time ON logs (ingested_ns);
                CREATE INDEX spans_by_time ON spans (received_ns);
                CREATE INDEX spans_by_start ON spans (start_ns);
                CREATE INDEX spans_by_service ON spans (service, start_ns);
                """)
        }
        migrator.registerMigration("v5: spans by span ID") { db in
            try db.execute(sql: "CREATE INDEX spans_by_span_id ON spans (span_id)")
        }
        migrator.registerMigration("v6: logs found by trace ordinal") { db in
            // Trace IDs are random, so an index on the log's trace ID takes each new line at a
            // random place: every batch rewrites pages all over the index, and ingest slows
            // as the index outgrows memory. Instead each trace gets an ordinal when its first
            // line arrives; lines carry it, and its index grows at the end, where the lines of
            // the traces in progress go. A trace lookup is one probe of `trace_keys` and then a
            // contiguous range. (docs/architecture.md)
            try db.execute(sql: """
                CREATE TABLE trace_keys (
                    trace_lo INTEGER PRIMARY KEY,  -- low 64 bits, as in logs
                    ord INTEGER NOT NULL           -- in order of each trace's first line
                );
                CREATE INDEX trace_keys_by_ord ON trace_keys (ord);
                ALTER TABLE logs ADD COLUMN trace_ord INTEGER;
                INSERT INTO trace_keys (trace_lo, ord) SELECT trace_lo, min(id) FROM logs WHERE trace_lo IS NOT NULL GROUP BY trace_lo;
                UPDATE logs SET trace_ord = (SELECT ord FROM trace_keys k WHERE k.trace_lo = logs.trace_lo) WHERE trace_lo IS NOT NULL;
                CREATE INDEX logs_by_trace_ord ON logs (trace_ord, span_id);
                DROP INDEX logs_by_trace;
                """)
        }
        migrator.registerMigration("v7: log lines kept together by trace") { db in
            // v6 found a trace's lines through one index range, but the rows themselves lay in
            // arrival order, interleaved with every other trace in progress: a lookup read
            // about one page per line, from disk once the file outgrew the page cache. Now the
            // row's key (`pos`) is its trace segment's number shifted left 20 bits plus its
            // line number in the segment, so a trace's lines are neighbours in the table and
            // a lookup reads a few pages. `id` stays the arrival order, for paging and
            // newest-first search. Lines without a trace ID are kept at `-id`. A segment holds
            // 2^20 lines; a trace with more gets another. (docs/architecture.md)
            try db.execute(sql: """
                CREATE TABLE trace_segments (
                    trace_lo INTEGER NOT NULL,    -- low 64 bits, as in logs
                    ord INTEGER NOT NULL,         -- numbered in order of each segment's first line
                    lines INTEGER NOT NULL,       -- positions used so far (up to 1048576)
                    PRIMARY KEY (trace_lo, ord)
                ) WITHOUT ROWID;
                CREATE INDEX trace_segments_by_ord ON trace_segments (ord);
                CREATE TEMP TABLE numbered AS
                    SELECT id, trace_lo, row_number() OVER (PARTITION BY trace_lo ORDER BY id) - 1 AS n
                    FROM logs WHERE trace_lo IS NOT NULL;
                CREATE TEMP TABLE segments AS
                    SELECT trace_lo, seg, lines, row_number() OVER (ORDER BY first) AS ord FROM (
                        SELECT trace_lo, n >> 20 AS seg, min(id) AS first, count(*) AS lines FROM temp.numbered GROUP BY trace_lo, n >> 20);
                INSERT INTO trace_segments (trace_lo, ord, lines) SELECT trace_lo, ord, lines FROM temp.segments;
                CREATE TABLE logs_v7 (
                    pos INTEGER PRIMARY KEY,      -- segment << 20 | line in segment; -id without a trace ID
                    id INTEGER NOT NULL,          -- arrival order
                    trace_hi INTEGER,
                    trace_lo INTEGER,             -- NULL: no trace ID (invalid, or an untraced line kept)
                    span_id INTEGER,
                    time TEXT,
                    level TEXT,
                    message TEXT,
                    file TEXT NOT NULL,
                    source TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    raw TEXT NOT NULL,
                    fields TEXT,                  -- JSON array of [name, value]
                    id_error TEXT,
                    ingested_ns INTEGER NOT NULL
                );
                INSERT INTO logs_v7 (pos, id, trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, ingested_ns)
                    SELECT (s.ord << 20) | (nb.n & 1048575), l.id, l.trace_hi, l.trace_lo, l.span_id, l.time, l.level, l.message, l.file,
                           l.source, l.rule, l.raw, l.fields, l.id_error, l.ingested_ns
                    FROM logs l JOIN temp.numbered nb ON nb.id = l.id JOIN temp.segments s ON s.trace_lo = nb.trace_lo AND s.seg = nb.n >> 20;
                INSERT INTO logs_v7 (pos, id, trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, ingested_ns)
                    SELECT -id, id, trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, ingested_ns
                    FROM logs WHERE trace_lo IS NULL;
                DROP TABLE temp.numbered;
                DROP TABLE temp.segments;
                DROP TABLE logs;
                DROP TABLE trace_keys;
                ALTER TABLE logs_v7 RENAME TO logs;
                CREATE UNIQUE INDEX logs_by_id ON logs (id);
                CREATE INDEX logs_by_time ON logs (ingested_ns);
                """)
        }
        migrator.registerMigration("v8: level in the arrival-order index") { db in
            // Newest-first searches walk the arrival-order index; with the level in it, a
            // level filter is checked there and only matching rows are fetched from the table
            // (where a trace's lines, not the newest lines, are neighbours since v7).
            try db.execute(sql: """
                DROP INDEX logs_by_id;
                CREATE INDEX logs_by_id_level ON logs (id, level);
                """)
        }
        migrator.registerMigration("v9: log lines in compressed blocks") { db in
            // One row per line was the ceiling on ingest speed and on retention (docs/architecture.md):
            // lines are now kept in compressed, column-by-column blocks (BlockFormat.swift). The
            // catalog says what each block holds, so a query skips the blocks it need not read;
            // `block_traces` is the trace index, one entry per trace and block. The v8 `logs`
            // table is converted into blocks by `IndexConversion`, a step at a time
            // (resumable), and dropped when empty.
            try db.execute(sql: """
                CREATE TABLE blocks (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a block's bytes never change
                    first_id INTEGER NOT NULL,    -- arrival ids of its first and last record
                    last_id INTEGER NOT NULL,
                    records INTEGER NOT NULL,
                    min_ingested INTEGER NOT NULL,
                    max_ingested INTEGER NOT NULL,
                    levels INTEGER NOT NULL,      -- one bit per level present (BlockFormat.bit)
                    sources INTEGER NOT NULL,     -- likewise, sources
                    rules INTEGER NOT NULL,       -- likewise, rules
                    raw_bytes INTEGER NOT NULL,   -- the lines' bytes before compression
                    stored_bytes INTEGER NOT NULL,
                    sealed INTEGER NOT NULL,      -- 0: a tail block, merged into a sealed one once enough lines arrive
                    segment INTEGER,              -- the segment file holding it, or NULL when `data` does
                    offset INTEGER,
                    data BLOB
                );
                CREATE INDEX blocks_by_last_id ON blocks (last_id);
                CREATE INDEX blocks_tail ON blocks (id) WHERE sealed = 0;
                CREATE INDEX blocks_by_segment ON blocks (segment) WHERE segment IS NOT NULL;
                CREATE TABLE block_traces (
                    trace_lo INTEGER NOT NULL,    -- a trace's low 64 bits
                    block INTEGER NOT NULL,
                    lines INTEGER NOT NULL,       -- its lines in that block
                    PRIMARY KEY (trace_lo, block)
                ) WITHOUT ROWID;
                CREATE INDEX block_traces_by_block ON block_traces (block);
                """)
            // An index made by this version has no rows to convert.
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM logs)") == false {
                try db.execute(sql: "DROP TABLE logs; DROP TABLE trace_segments")
            }
        }
        migrator.registerMigration("v10: export cursors") { db in
            // Where each exporter stands (docs/export.md): moved only after the target
            // acknowledged a batch. Spans are exported in (received_ns, id) order, which
            // spans_by_time already gives (an index carries the rowid, and id is the rowid); a
            // span sent again gets a later received_ns and is exported again.
            try db.execute(sql: """
                CREATE TABLE export_cursors (
                    target TEXT PRIMARY KEY,
                    log_id INTEGER NOT NULL,
                    span_received INTEGER NOT NULL,
                    span_row INTEGER NOT NULL,
                    lost_logs INTEGER NOT NULL DEFAULT 0,
                    lost_spans INTEGER NOT NULL DEFAULT 0
                )
                """)
        }
        migrator.registerMigration("v11: span details") { db in
            // What a tracer sent beyond the columns (SpanDetails: events, links, resource
            // attributes, typed attributes), as JSON; NULL for spans without any.
            try db.execute(sql: "ALTER TABLE spans ADD COLUMN details TEXT")
        }
        migrator.registerMigration("v12: spans in compressed blocks") { db in
            // One row per span in a table with five indexes was the ceiling on span intake and
            // kept a trace's spans apart (docs/architecture.md): spans are now kept in
            // compressed column blocks (SpanBlock.swift) in the segment files, with a catalog
            // of their own and a trace index, one entry per trace and block. Each span has a
            // `seq`, its place in arrival order; the export cursors' `span_row` becomes the
            // seq of the last span sent (the spans are numbered here in the order they were
            // exported in, (received_ns, id), as `SpanConversion` numbers them), and
            // `span_received` is no longer read. The v11 `spans` table is converted by
            // `SpanConversion`, a block at a time (resumable), and dropped when empty.
            try db.execute(sql: """
                CREATE TABLE span_blocks (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a block's bytes never change
                    first_seq INTEGER NOT NULL,   -- the seqs of its first and last span (consecutive)
                    last_seq INTEGER NOT NULL,
                    spans INTEGER NOT NULL,
                    errors INTEGER NOT NULL,
                    min_start INTEGER NOT NULL,
                    max_start INTEGER NOT NULL,
                    min_received INTEGER NOT NULL,
                    max_received INTEGER NOT NULL,
                    services INTEGER NOT NULL,    -- one bit per service present (BlockFormat.bit)
                    filter BLOB,                  -- bloom filter of span IDs, services and tags (SpanFilter)
                    raw_bytes INTEGER NOT NULL,
                    stored_bytes INTEGER NOT NULL,
                    sealed INTEGER NOT NULL,      -- 0: a tail block, merged into a sealed one once enough spans arrive
                    segment INTEGER,              -- the segment file holding it, or NULL when `data` does
                    offset INTEGER,
                    data BLOB
                );
                CREATE INDEX span_blocks_by_last_seq ON span_blocks (last_seq);
                CREATE INDEX span_blocks_by_start ON span_blocks (max_start);
                CREATE INDEX span_blocks_tail ON span_blocks (id) WHERE sealed = 0;
                CREATE INDEX span_blocks_by_segment ON span_blocks (segment) WHERE segment IS NOT NULL;
                CREATE TABLE span_block_traces (
                    trace_lo INTEGER NOT NULL,
                    block INTEGER NOT NULL,
                    spans INTEGER NOT NULL,
                    PRIMARY KEY (trace_lo, block)
                ) WITHOUT ROWID;
                CREATE INDEX span_block_traces_by_block ON span_block_traces (block);
                CREATE TABLE span_operations (
                    service TEXT NOT NULL,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    PRIMARY KEY (service, name, kind)
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO span_operations (service, name, kind)
                    SELECT DISTINCT service, name, coalesce(json_extract(meta, '$."span.kind"'), '') FROM spans;
                UPDATE export_cursors SET span_row = (
                    SELECT count(*) FROM spans s
                    WHERE s.received_ns < export_cursors.span_received
                       OR (s.received_ns = export_cursors.span_received AND s.id <= export_cursors.span_row));
                """)
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM spans)") == false {
                try db.execute(sql: "DROP TABLE spans")
            }
        }
        migrator.registerMigration("v13: lines grouped by trace") { db in
            // A sealed block's lines are now grouped by trace (TraceGroups.swift): the trace
            // index says where in the block a trace's group lies, so a lookup reads that group
            // alone. Blocks sealed before stay as they are (NULL: read whole).
            try db.execute(sql: """
                ALTER TABLE block_traces ADD COLUMN part_offset INTEGER;
                ALTER TABLE block_traces ADD COLUMN part_bytes INTEGER;
                """)
        }
        return migrator
    }
}
