// libzstd (Debian's libzstd-dev) for the index's compressed blocks. The advanced parameter API
// (ZSTD_CCtx_setParameter with ZSTD_c_checksumFlag) is stable since zstd 1.4.0.
#define _GNU_SOURCE
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

// ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are macros over unsigned long long
// expressions that Swift does not import.
static inline unsigned long long tj_zstd_contentsize_unknown(void) { return ZSTD_CONTENTSIZE_UNKNOWN; }
static inline unsigned long long tj_zstd_contentsize_error(void) { return ZSTD_CONTENTSIZE_ERROR; }

// memmem(3) is a GNU extension that Swift's Glibc module does not show; the block encoder finds
// a parsed field inside its raw line with it.
static inline void *tj_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}
