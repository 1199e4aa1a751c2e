// What Swift cannot say itself, for the engine's hot loops.
#ifndef ATS_PLATFORM_H
#define ATS_PLATFORM_H

#include <stdint.h>

/// Asks the processor to bring the cache line holding `address` closer (a hint: it never faults
/// and changes no value). For loops that will read sparse entries of long columns, which the
/// hardware's prefetchers cannot guess.
static inline __attribute__((always_inline)) void ats_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Where the separators of a CSV row (`,`, LF and CR) are among the 64 bytes at `bytes`: bit k
/// set when byte k is one. Clang's vector extensions, so every target gets its own wide
/// compares (four 16-byte ones with plain SSE2, the x86-64 baseline; NEON on ARM).
static inline __attribute__((always_inline)) uint64_t ats_separators64(const void *bytes) {
    typedef unsigned char ats_u8x64 __attribute__((ext_vector_type(64)));
    typedef _Bool ats_bool64 __attribute__((ext_vector_type(64)));
    ats_u8x64 v;
    __builtin_memcpy(&v, bytes, 64);
    ats_bool64 hits = __builtin_convertvector((v == ',') | (v == '\n') | (v == '\r'), ats_bool64);
    uint64_t mask;
    __builtin_memcpy(&mask, &hits, 8);
    return mask;
}

/// Where the newlines are among the 64 bytes at `bytes` (bit k: byte k is LF).
static inline __attribute__((always_inline)) uint64_t ats_newlines64(const void *bytes) {
    typedef unsigned char ats_u8x64 __attribute__((ext_vector_type(64)));
    typedef _Bool ats_bool64 __attribute__((ext_vector_type(64)));
    ats_u8x64 v;
    __builtin_memcpy(&v, bytes, 64);
    ats_bool64 hits = __builtin_convertvector(v == '\n', ats_bool64);
    uint64_t mask;
    __builtin_memcpy(&mask, &hits, 8);
    return mask;
}

#endif
