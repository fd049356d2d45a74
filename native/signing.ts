// bun:ffi binding of the signing library (native/signing/hmac_sha256.h): an HMAC-SHA256 key whose
// padded blocks are hashed once, and a check of a hex signature that allocates nothing. Bun's own
// hasher costs a JavaScript object per request (its copy) and a hex string (its digest): the check
// here takes 0.6 of its time, and the Binance route about 1 µs less a request (BENCHMARKS.md).
import { dlopen, FFIType, ptr } from "bun:ffi";
import { timingSafeEqual } from "node:crypto";
import { signingLibraryPath } from "./library";

function openLibrary(path: string) {
  return dlopen(path, {
    hmac_sha256_key: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.void },
    hmac_sha256_verify_hex: { args: [FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
    hmac_sha256_accelerated: { args: [FFIType.i32], returns: FFIType.i32 },
  }).symbols;
}

let library: ReturnType<typeof openLibrary> | undefined;
const lib = () => (library ??= openLibrary(signingLibraryPath()));

// One scratch buffer for the message and the signature being checked (one thread, one check at a
// time): a message is written into it as UTF-8, at most 3 bytes a UTF-16 unit. (Longer messages,
// past any request body the surfaces take, are checked with Bun's hasher.)
const MAX_MESSAGE_UNITS = 256 * 1024;
const SIGNATURE_AT = 3 * MAX_MESSAGE_UNITS;
const scratch = Buffer.alloc(SIGNATURE_AT + 64);
const scratchAddress = ptr(scratch);

export class HmacSha256Key {
  private readonly state = new Uint32Array(16);

  constructor(private readonly secret: string) {
    const key = Buffer.from(secret, "utf8");
    lib().hmac_sha256_key(key, key.length, this.state);
  }

  /** Whether `hex` (64 hex digits, either case) is the HMAC-SHA256 of `message` (UTF-8) under this key. */
  verifyHex(message: string, hex: string): boolean {
    if (hex.length !== 64) return false;
    if (message.length > MAX_MESSAGE_UNITS) {
      const digest = new Bun.CryptoHasher("sha256", this.secret).update(message).digest("hex");
      const given = Buffer.from(hex.toLowerCase());
      return given.length === 64 && timingSafeEqual(Buffer.from(digest), given);
    }
    const length = scratch.write(message, 0, "utf8");
    // 64 bytes only if every unit is ASCII; anything else is no hex digit.
    if (scratch.write(hex, SIGNATURE_AT, "utf8") !== 64) return false;
    return lib().hmac_sha256_verify_hex(this.state, scratchAddress, length, scratchAddress + SIGNATURE_AT) === 1;
  }
}

/** Whether SHA-256 uses the CPU's SHA extensions; `allowed` false turns them off (for tests). */
export function hmacAccelerated(allowed = true): boolean {
  return lib().hmac_sha256_accelerated(allowed ? 1 : 0) === 1;
}
