#ifndef TRACEJOIN_CPCRE2_SHIM_H
#define TRACEJOIN_CPCRE2_SHIM_H

// Swift sees the 8-bit API (pcre2_compile_8, pcre2_match_8, ...) only when the code unit width
// is fixed before pcre2.h is included.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// Macros with casts that Swift cannot import, re-exported as constants.
// size_t is Int in Swift; these all-ones values are returned by functions because a constant
// initializer would be imported as an integer literal that overflows Int.
static inline size_t cpcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }
static inline size_t cpcre2_unset(void) { return PCRE2_UNSET; }
static const uint32_t CPCRE2_JIT_COMPLETE = PCRE2_JIT_COMPLETE;
static const uint32_t CPCRE2_NO_AUTO_CAPTURE = PCRE2_NO_AUTO_CAPTURE;
static const uint32_t CPCRE2_DUPNAMES = PCRE2_DUPNAMES;
static const uint32_t CPCRE2_UTF = PCRE2_UTF;
static const uint32_t CPCRE2_UCP = PCRE2_UCP;
static const uint32_t CPCRE2_MATCH_INVALID_UTF = PCRE2_MATCH_INVALID_UTF;
static const uint32_t CPCRE2_INFO_CAPTURECOUNT = PCRE2_INFO_CAPTURECOUNT;
static const uint32_t CPCRE2_INFO_NAMECOUNT = PCRE2_INFO_NAMECOUNT;
static const uint32_t CPCRE2_INFO_NAMEENTRYSIZE = PCRE2_INFO_NAMEENTRYSIZE;
static const uint32_t CPCRE2_INFO_NAMETABLE = PCRE2_INFO_NAMETABLE;
static const int CPCRE2_ERROR_NOMATCH = PCRE2_ERROR_NOMATCH;
static const int CPCRE2_ERROR_MATCHLIMIT = PCRE2_ERROR_MATCHLIMIT;
static const int CPCRE2_ERROR_DEPTHLIMIT = PCRE2_ERROR_DEPTHLIMIT;
static const int CPCRE2_ERROR_HEAPLIMIT = PCRE2_ERROR_HEAPLIMIT;
static const int CPCRE2_ERROR_JIT_STACKLIMIT = PCRE2_ERROR_JIT_STACKLIMIT;

#endif
