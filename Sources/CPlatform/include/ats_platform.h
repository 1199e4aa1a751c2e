// What Swift cannot say itself, for the engine's hot loops.
#ifndef ATS_PLATFORM_H
#define ATS_PLATFORM_H

/// Asks the processor to bring the cache line holding `address` closer (a hint: it never faults
/// and changes no value). For loops that will read sparse entries of long columns, which the
/// hardware's prefetchers cannot guess.
static inline __attribute__((always_inline)) void ats_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
