#ifndef ATS_ZLIB_H
#define ATS_ZLIB_H

#include <stddef.h>
#include <stdint.h>

/// The most bytes `ats_deflate` can write for `n` bytes of input.
size_t ats_deflate_bound(size_t n);

/// Compresses `n` bytes at `src` into `dst` (room for `capacity`) as one zlib stream (RFC 1950,
/// Adler-32 checked) at `level` (1 fastest to 9 smallest). Returns the bytes written, or 0 when
/// they did not fit or zlib failed.
size_t ats_deflate(const uint8_t *src, size_t n, uint8_t *dst, size_t capacity, int level);

/// Inflates the zlib stream of exactly `n` bytes at `src` into `dst`, which must come out at
/// exactly `expected` bytes. Returns 1 when it did (checksum verified, no byte of input left
/// over), 0 otherwise: a corrupt or truncated stream, trailing bytes, or another length.
int ats_inflate(const uint8_t *src, size_t n, uint8_t *dst, size_t expected);

#endif
