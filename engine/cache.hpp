// The size of the core's own L2 cache, which decides two things about the engine's memory: how long
// the order index grows sparse (short probes) before it grows dense (to stay in L2), and from what
// size of index and order pool the batch loop finds and prefetches the orders the commands ahead
// name. On a 512 KiB L2 the dense index and the prefetching made the deep book 1.5-2.4x faster; on
// a 2 MiB L2 the same fixed thresholds made it 1.2x slower, and finding orders ahead in a book that
// fits cost 3-10% on the order-types stream (BENCHMARKS.md). Only where memory sits depends on it,
// never an event.
#pragma once
#include <cstdint>
#include <unistd.h>

namespace ex {

inline uint64_t l2_cache_bytes() {
    static const uint64_t bytes = [] {
#ifdef _SC_LEVEL2_CACHE_SIZE
        long n = sysconf(_SC_LEVEL2_CACHE_SIZE);
        if (n >= (64 << 10) && n <= (64 << 20)) return static_cast<uint64_t>(n);
#endif
        return uint64_t(512) << 10;
    }();
    return bytes;
}

// log2 of the largest power of two at or below n (n > 0).
inline uint32_t floor_log2(uint64_t n) { return 63 - static_cast<uint32_t>(__builtin_clzll(n)); }

}  // namespace ex
