#include "ats_zlib.h"

#include <limits.h>
#include <zlib.h>

size_t ats_deflate_bound(size_t n) {
    if (n > ULONG_MAX / 2) return 0;
    return (size_t)compressBound((uLong)n);
}

size_t ats_deflate(const uint8_t *src, size_t n, uint8_t *dst, size_t capacity, int level) {
    if (n > ULONG_MAX / 2 || capacity > ULONG_MAX) return 0;
    uLongf written = (uLongf)capacity;
    if (compress2(dst, &written, src, (uLong)n, level) != Z_OK) return 0;
    return (size_t)written;
}

int ats_inflate(const uint8_t *src, size_t n, uint8_t *dst, size_t expected) {
    if (n > ULONG_MAX || expected > ULONG_MAX) return 0;
    // A stream longer than `expected` runs out of room (Z_BUF_ERROR); an empty output still
    // gets a byte of room, so that a stream holding anything at all is refused.
    uint8_t spare;
    uLongf produced = expected == 0 ? 1 : (uLongf)expected;
    uLong consumed = (uLong)n;
    int rc = uncompress2(expected == 0 ? &spare : dst, &produced, src, &consumed);
    return rc == Z_OK && produced == (uLongf)expected && consumed == (uLong)n;
}
