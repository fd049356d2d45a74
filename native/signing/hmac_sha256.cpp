// SHA-256 (FIPS 180-4) and HMAC (RFC 2104) written for one use: checking request signatures
// without the allocations of a JavaScript hasher per request (BENCHMARKS.md).
#include "hmac_sha256.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_EXTENSIONS 1
#endif

namespace {

constexpr uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
constexpr uint32_t IV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
inline uint32_t load_be(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
inline void store_be(uint8_t* p, uint32_t v) {
    p[0] = uint8_t(v >> 24);
    p[1] = uint8_t(v >> 16);
    p[2] = uint8_t(v >> 8);
    p[3] = uint8_t(v);
}

void compress_plain(uint32_t s[8], const uint8_t* block, size_t blocks) {
    for (; blocks > 0; --blocks, block += 64) {
        uint32_t w[64];
        for (int t = 0; t < 16; ++t) w[t] = load_be(block + 4 * t);
        for (int t = 16; t < 64; ++t) {
            uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
        for (int t = 0; t < 64; ++t) {
            uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        s[0] += a, s[1] += b, s[2] += c, s[3] += d, s[4] += e, s[5] += f, s[6] += g, s[7] += h;
    }
}

#ifdef HAVE_SHA_EXTENSIONS
// The SHA extensions keep the state as (A, B, E, F) and (C, D, G, H) and do two rounds an
// instruction; the message schedule advances four words at a time.
__attribute__((target("sha,sse4.1,ssse3"))) void compress_sha(uint32_t s[8], const uint8_t* block, size_t blocks) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i badc = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)), 0xB1);
    __m128i hgfe = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 4)), 0x1B);
    __m128i abef = _mm_alignr_epi8(badc, hgfe, 8);
    __m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);
    for (; blocks > 0; --blocks, block += 64) {
        const __m128i abef_before = abef, cdgh_before = cdgh;
        __m128i w[4];  // w[g % 4]: the schedule's words 4g..4g+3
#pragma GCC unroll 16
        for (int g = 0; g < 16; ++g) {
            __m128i& cur = w[g & 3];
            if (g < 4) {
                cur = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * g)), byte_swap);
            } else {
                // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], for t = 4g..4g+3.
                const __m128i last = w[(g + 3) & 3], before_last = w[(g + 2) & 3];
                __m128i sum = _mm_add_epi32(_mm_sha256msg1_epu32(cur, w[(g + 1) & 3]), _mm_alignr_epi8(last, before_last, 4));
                cur = _mm_sha256msg2_epu32(sum, last);
            }
            __m128i wk = _mm_add_epi32(cur, _mm_loadu_si128(reinterpret_cast<const __m128i*>(K + 4 * g)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(s), _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(s + 4), _mm_alignr_epi8(dchg, feba, 8));
}

bool cpu_has_sha() {
    unsigned a, b, c, d;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && ((b >> 29) & 1) && __builtin_cpu_supports("sse4.1");
}
#else
// Elsewhere (ARM, ...): the plain code only.
bool cpu_has_sha() { return false; }
void compress_sha(uint32_t s[8], const uint8_t* block, size_t blocks) { compress_plain(s, block, blocks); }
#endif

bool use_sha = cpu_has_sha();

void compress(uint32_t s[8], const uint8_t* blocks, size_t count) {
    if (use_sha) compress_sha(s, blocks, count);
    else compress_plain(s, blocks, count);
}

// Hashes the message's whole blocks and its padded tail into `s`; `total` counts every byte hashed
// into `s`, the key's block included.
void finish(uint32_t s[8], const uint8_t* message, size_t len, uint64_t total) {
    size_t whole = len / 64;
    compress(s, message, whole);
    uint8_t tail[128] = {};
    size_t rest = len - whole * 64;
    std::memcpy(tail, message + whole * 64, rest);
    tail[rest] = 0x80;
    size_t blocks = rest + 9 <= 64 ? 1 : 2;
    uint64_t bits = total * 8;
    for (int i = 0; i < 8; ++i) tail[blocks * 64 - 1 - i] = uint8_t(bits >> (8 * i));
    compress(s, tail, blocks);
}

}  // namespace

extern "C" void hmac_sha256_key(const uint8_t* key, size_t key_len, uint32_t* state) {
    uint8_t k[64] = {};
    if (key_len > 64) {
        uint32_t s[8];
        std::memcpy(s, IV, sizeof s);
        finish(s, key, key_len, key_len);
        for (int i = 0; i < 8; ++i) store_be(k + 4 * i, s[i]);
    } else {
        std::memcpy(k, key, key_len);
    }
    uint8_t pad[64];
    for (int i = 0; i < 64; ++i) pad[i] = k[i] ^ 0x36;
    std::memcpy(state, IV, sizeof IV);
    compress(state, pad, 1);
    for (int i = 0; i < 64; ++i) pad[i] = k[i] ^ 0x5c;
    std::memcpy(state + 8, IV, sizeof IV);
    compress(state + 8, pad, 1);
}

extern "C" int hmac_sha256_verify_hex(const uint32_t* state, const uint8_t* message, size_t message_len, const uint8_t* hex) {
    uint32_t s[8];
    std::memcpy(s, state, sizeof s);
    finish(s, message, message_len, 64 + message_len);
    uint8_t inner[32];
    for (int i = 0; i < 8; ++i) store_be(inner + 4 * i, s[i]);
    std::memcpy(s, state + 8, sizeof s);
    finish(s, inner, sizeof inner, 64 + sizeof inner);
    static constexpr char DIGITS[] = "0123456789abcdef";
    uint8_t want[64];
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) want[8 * i + j] = static_cast<uint8_t>(DIGITS[(s[i] >> (28 - 4 * j)) & 15]);
    // A letter matches in either case (0x20 set), a digit only as itself.
    uint32_t diff = 0;
    for (int i = 0; i < 64; ++i) diff |= (hex[i] | ((want[i] & 0x40) >> 1)) ^ want[i];
    return diff == 0;
}

extern "C" int hmac_sha256_accelerated(int allowed) {
    use_sha = allowed && cpu_has_sha();
    return use_sha;
}
