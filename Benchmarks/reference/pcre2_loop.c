/*
 * The reference for `tracejoin bench parse`: the tightest loop over PCRE2 JIT that C allows.
 * Same expanded regular expression, same lines, one reused match data; counts matches.
 *
 *   pcre2_loop REGEX_FILE LINES_FILE ROUNDS
 *
 * Prints "matched=N best_ns=T" where T is the fastest of ROUNDS passes over all lines.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
    fclose(f);
    buf[n] = 0;
    *size = (size_t)n;
    return buf;
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s REGEX_FILE LINES_FILE ROUNDS\n", argv[0]); return 2; }
    size_t regex_len, size;
    char *regex = slurp(argv[1], &regex_len);
    char *text = slurp(argv[2], &size);
    int rounds = atoi(argv[3]);

    int err; PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)regex, regex_len, 0, &err, &off, NULL);
    if (!code) { fprintf(stderr, "compile error %d at %zu\n", err, (size_t)off); return 2; }
    if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) != 0) { fprintf(stderr, "no JIT\n"); return 2; }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);

    long long best = -1;
    long matched = 0;
    for (int r = 0; r < rounds; r++) {
        matched = 0;
        long long start = now_ns();
        const char *p = text, *end = text + size;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (pcre2_jit_match(code, (PCRE2_SPTR)p, len, 0, 0, md, NULL) >= 0) matched++;
            p += len + 1;
        }
        long long t = now_ns() - start;
        if (best < 0 || t < best) best = t;
    }
    printf("matched=%ld best_ns=%lld\n", matched, best);
    return 0;
}
