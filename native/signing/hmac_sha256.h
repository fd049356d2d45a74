// HMAC-SHA256 verification for the Binance surface's signed requests (C ABI, for bun:ffi). The
// key's padded blocks are hashed once (a key state of 16 words), so checking a request hashes only
// its own bytes; SHA-256 uses the CPU's SHA extensions when it has them.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Fills `state` (16 words: the inner and outer hash states after the padded key) for `key`.
void hmac_sha256_key(const uint8_t* key, size_t key_len, uint32_t* state);

// 1 if `hex` (64 hex digits, either case) is the HMAC-SHA256 of the message under the key whose
// state is given, else 0; the comparison takes the same time wherever the digits differ.
int hmac_sha256_verify_hex(const uint32_t* state, const uint8_t* message, size_t message_len, const uint8_t* hex);

// Whether SHA-256 runs on the CPU's SHA extensions; `allowed` 0 turns them off (tests compare both).
int hmac_sha256_accelerated(int allowed);

#ifdef __cplusplus
}
#endif
