/*
 * The reference for `tracejoin bench-index`: the same log rows inserted into the same schema
 * by plain C through the SQLite C API, with the same pragmas and batches. The database file
 * is made by Tracejoin's own migrations first, so tables, indexes and page size are the
 * production ones. It places lines as the index does (schema v7): a probe of trace_segments
 * for each trace's first line in a batch, remembered for the rest of the batch, each line at
 * its trace segment's next position, the touched segments written back at the end of the
 * batch; without any Swift around it. (No trace here fills a segment, so that path is left out.)
 *
 *   sqlite_insert DB_PATH LINES TRACES CONCURRENCY BATCH CACHE_KIB CHECKPOINT_PAGES
 *
 * Prints "rows=N seconds=S": the time spent in transactions, not making up the rows.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void check(sqlite3 *db, int rc, int want, const char *what) {
    if (rc != want) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static void exec(sqlite3 *db, const char *sql) { check(db, sqlite3_exec(db, sql, 0, 0, 0), SQLITE_OK, sql); }

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: sqlite_insert DB LINES TRACES CONCURRENCY BATCH CACHE_KIB CHECKPOINT_PAGES\n");
        return 2;
    }
    const char *path = argv[1];
    long lines = atol(argv[2]), traces = atol(argv[3]), concurrency = atol(argv[4]), batch = atol(argv[5]);
    long per_trace = lines / traces > 0 ? lines / traces : 1;
    sqlite3 *db;
    check(db, sqlite3_open(path, &db), SQLITE_OK, "open");
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -%s; PRAGMA wal_autocheckpoint = %s;",
             argv[6], argv[7]);
    exec(db, pragmas);

    sqlite3_stmt *insert, *find, *save;
    check(db, sqlite3_prepare_v2(db,
        "INSERT INTO logs (trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, ingested_ns, pos, id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &insert, 0), SQLITE_OK, "prepare insert");
    check(db, sqlite3_prepare_v2(db, "SELECT ord, lines FROM trace_segments WHERE trace_lo = ? ORDER BY ord DESC LIMIT 1", -1, &find, 0),
          SQLITE_OK, "prepare find");
    check(db, sqlite3_prepare_v2(db, "INSERT INTO trace_segments (trace_lo, ord, lines) VALUES (?, ?, ?) "
                                     "ON CONFLICT (trace_lo, ord) DO UPDATE SET lines = excluded.lines", -1, &save, 0), SQLITE_OK, "prepare save");

    static const char *levels[] = {"INFO", "INFO", "INFO", "DEBUG", "WARNING", "ERROR"};
    char (*raw)[256] = malloc((size_t)batch * 256);
    char (*message)[64] = malloc((size_t)batch * 64);
    int64_t *low = malloc((size_t)batch * sizeof *low), *span = malloc((size_t)batch * sizeof *span);
    int64_t next_ord = 1, next_id = 1;
    /* Per batch: trace low half -> (segment, lines used), open addressing, cleared by generation. */
    long slots = 1;
    while (slots < 2 * batch) slots <<= 1;
    int64_t *memo_low = calloc((size_t)slots, sizeof *memo_low), *memo_ord = calloc((size_t)slots, sizeof *memo_ord);
    int64_t *memo_lines = calloc((size_t)slots, sizeof *memo_lines);
    long *memo_gen = calloc((size_t)slots, sizeof *memo_gen), *touched = malloc((size_t)batch * sizeof *touched);
    long generation = 0;
    double spent = 0;
    uint64_t rng = 7;
    for (long k = 0; k < lines;) {
        long n = lines - k < batch ? lines - k : batch;
        for (long i = 0; i < n; i++) {  // the same layout as the Swift generator
            long kk = k + i, j = kk % (concurrency * per_trace);
            long trace = (kk / (concurrency * per_trace) * concurrency + j % concurrency) % traces;
            long s = trace + (j / concurrency) % 10 * traces;
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            low[i] = (int64_t)(((uint64_t)trace * 0x9E3779B97F4A7C15ULL) | 1);
            span[i] = s + 1;
            snprintf(message[i], 64, "request %ld handled in %llu ms", kk, (unsigned long long)(rng >> 33) % 500);
            snprintf(raw[i], 256, "2026-11-24 22:11:28,925 %s [rc.app] [app.py:144] [dd.trace_id=6b060b9000000000%016llx dd.span_id=%lld] - %s",
                     levels[kk % 6], (unsigned long long)low[i], (long long)span[i], message[i]);
        }
        double start = seconds_now();
        exec(db, "BEGIN IMMEDIATE");
        generation++;
        long ntouched = 0;
        for (long i = 0; i < n; i++) {
            long kk = k + i;
            long slot = (long)(((uint64_t)low[i] * 0x9E3779B97F4A7C15ULL) >> 20) & (slots - 1);
            while (memo_gen[slot] == generation && memo_low[slot] != low[i]) slot = (slot + 1) & (slots - 1);
            if (memo_gen[slot] != generation) {
                sqlite3_bind_int64(find, 1, low[i]);
                if (sqlite3_step(find) == SQLITE_ROW) {
                    memo_ord[slot] = sqlite3_column_int64(find, 0);
                    memo_lines[slot] = sqlite3_column_int64(find, 1);
                } else {
                    memo_ord[slot] = next_ord++;
                    memo_lines[slot] = 0;
                }
                sqlite3_reset(find);
                memo_gen[slot] = generation;
                memo_low[slot] = low[i];
                touched[ntouched++] = slot;
            }
            int64_t pos = memo_ord[slot] << 20 | memo_lines[slot]++;
            sqlite3_bind_int64(insert, 1, 0x6b060b9000000000LL);
            sqlite3_bind_int64(insert, 2, low[i]);
            sqlite3_bind_int64(insert, 3, span[i]);
            sqlite3_bind_text(insert, 4, "2026-11-24 22:11:28,925", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 5, levels[kk % 6], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 6, message[i], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 7, "/var/log/app.log", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 8, "app", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 9, "python-ddtrace", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 10, raw[i], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 11, "[[\"logger\",\"rc.app\"]]", -1, SQLITE_TRANSIENT);
            sqlite3_bind_null(insert, 12);
            sqlite3_bind_int64(insert, 13, (int64_t)(start * 1e9));
            sqlite3_bind_int64(insert, 14, pos);
            sqlite3_bind_int64(insert, 15, next_id++);
            check(db, sqlite3_step(insert), SQLITE_DONE, "insert log");
            sqlite3_reset(insert);
        }
        for (long t = 0; t < ntouched; t++) {
            long slot = touched[t];
            sqlite3_bind_int64(save, 1, memo_low[slot]);
            sqlite3_bind_int64(save, 2, memo_ord[slot]);
            sqlite3_bind_int64(save, 3, memo_lines[slot]);
            check(db, sqlite3_step(save), SQLITE_DONE, "save segment");
            sqlite3_reset(save);
        }
        exec(db, "COMMIT");
        spent += seconds_now() - start;
        k += n;
    }
    printf("rows=%ld seconds=%.6f\n", lines, spent);
    sqlite3_finalize(insert);
    sqlite3_finalize(find);
    sqlite3_finalize(save);
    sqlite3_close(db);
    return 0;
}
