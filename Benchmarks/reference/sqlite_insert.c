/*
 * The reference for `tracejoin bench-index`: the same log rows inserted into the same schema
 * by plain C through the SQLite C API, with the same pragmas and batches. The database file
 * is made by Tracejoin's own migrations first, so tables, indexes and page size are the
 * production ones. It does the same trace-ordinal work as the index (a probe of trace_keys
 * for each trace's first line in a batch, remembered for the rest of the batch; an insert per
 * new trace) without any Swift around it.
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

    sqlite3_stmt *insert, *find, *add;
    check(db, sqlite3_prepare_v2(db,
        "INSERT INTO logs (trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, ingested_ns, trace_ord) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &insert, 0), SQLITE_OK, "prepare insert");
    check(db, sqlite3_prepare_v2(db, "SELECT ord FROM trace_keys WHERE trace_lo = ?", -1, &find, 0), SQLITE_OK, "prepare find");
    check(db, sqlite3_prepare_v2(db, "INSERT INTO trace_keys (trace_lo, ord) VALUES (?, ?)", -1, &add, 0), SQLITE_OK, "prepare add");

    static const char *levels[] = {"INFO", "INFO", "INFO", "DEBUG", "WARNING", "ERROR"};
    char (*raw)[256] = malloc((size_t)batch * 256);
    char (*message)[64] = malloc((size_t)batch * 64);
    int64_t *low = malloc((size_t)batch * sizeof *low), *span = malloc((size_t)batch * sizeof *span);
    int64_t next_ord = 1;
    /* Per batch: trace low half -> ordinal, open addressing, cleared by generation. */
    long slots = 1;
    while (slots < 2 * batch) slots <<= 1;
    int64_t *memo_low = calloc((size_t)slots, sizeof *memo_low), *memo_ord = calloc((size_t)slots, sizeof *memo_ord);
    long *memo_gen = calloc((size_t)slots, sizeof *memo_gen);
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
        for (long i = 0; i < n; i++) {
            long kk = k + i;
            int64_t ord;
            long slot = (long)(((uint64_t)low[i] * 0x9E3779B97F4A7C15ULL) >> 20) & (slots - 1);
            while (memo_gen[slot] == generation && memo_low[slot] != low[i]) slot = (slot + 1) & (slots - 1);
            if (memo_gen[slot] == generation) {
                ord = memo_ord[slot];
            } else {
                sqlite3_bind_int64(find, 1, low[i]);
                if (sqlite3_step(find) == SQLITE_ROW) {
                    ord = sqlite3_column_int64(find, 0);
                } else {
                    ord = next_ord++;
                    sqlite3_bind_int64(add, 1, low[i]);
                    sqlite3_bind_int64(add, 2, ord);
                    check(db, sqlite3_step(add), SQLITE_DONE, "insert trace key");
                    sqlite3_reset(add);
                }
                sqlite3_reset(find);
                memo_gen[slot] = generation;
                memo_low[slot] = low[i];
                memo_ord[slot] = ord;
            }
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
            sqlite3_bind_int64(insert, 14, ord);
            check(db, sqlite3_step(insert), SQLITE_DONE, "insert log");
            sqlite3_reset(insert);
        }
        exec(db, "COMMIT");
        spent += seconds_now() - start;
        k += n;
    }
    printf("rows=%ld seconds=%.6f\n", lines, spent);
    sqlite3_finalize(insert);
    sqlite3_finalize(find);
    sqlite3_finalize(add);
    sqlite3_close(db);
    return 0;
}
