// The signing library's HMAC-SHA256 against Bun's own: keys shorter and longer than a block,
// messages across block edges (ASCII and not), with the CPU's SHA extensions and without; a
// signature is accepted in either case and refused when any digit is wrong or not a hex digit.
import { afterAll, expect, test } from "bun:test";
import fc from "fast-check";
import { HmacSha256Key, hmacAccelerated } from "../native/signing";

const hmacHex = (secret: string, message: string) => new Bun.CryptoHasher("sha256", secret).update(message).digest("hex");
const HEX = "0123456789abcdef";

afterAll(() => hmacAccelerated(true));

for (const accelerated of [true, false]) {
  test(`HMAC-SHA256 as Bun computes it, SHA extensions ${accelerated ? "when the CPU has them" : "off"}`, () => {
    hmacAccelerated(accelerated);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 150, unit: "binary" }),
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 200, unit: "binary" })),
        fc.nat({ max: 63 }),
        fc.integer({ min: 1, max: 15 }),
        (secret, message, at, flip) => {
          const key = new HmacSha256Key(secret);
          const hex = hmacHex(secret, message);
          expect(key.verifyHex(message, hex)).toBe(true);
          expect(key.verifyHex(message, hex.toUpperCase())).toBe(true);
          // One digit changed, a digit's neighbour in ASCII that is no hex digit, or past ASCII.
          const digit = HEX[(HEX.indexOf(hex[at]!) + flip) % 16]!;
          for (const wrong of [digit, ":", "/", "g", "G", "`", String.fromCharCode(hex.charCodeAt(at) + 256), String.fromCharCode(hex.charCodeAt(at) - 32)]) {
            if (wrong.toLowerCase() === hex[at]) continue;
            expect(key.verifyHex(message, hex.slice(0, at) + wrong + hex.slice(at + 1))).toBe(false);
          }
          expect(key.verifyHex(message, hex.slice(0, 63))).toBe(false);
          expect(key.verifyHex(`${message}x`, hex)).toBe(false);
        },
      ),
      { numRuns: 600 },
    );
  });
}

test("every message length from empty to five blocks, and a key of each length around a block, both ways; a message past the scratch buffer", () => {
  for (const accelerated of [true, false]) {
    hmacAccelerated(accelerated);
    for (const keyLength of [0, 1, 63, 64, 65, 200]) {
      const secret = "k".repeat(keyLength);
      const key = new HmacSha256Key(secret);
      for (let length = 0; length <= 320; length++) {
        const message = "m".repeat(length);
        expect(key.verifyHex(message, hmacHex(secret, message))).toBe(true);
      }
    }
  }
  // Past the scratch buffer (Bun's hasher checks it).
  const long = "é".repeat(300_000);
  const key = new HmacSha256Key("secret");
  expect(key.verifyHex(long, hmacHex("secret", long).toUpperCase())).toBe(true);
  expect(key.verifyHex(long, hmacHex("secret", `${long}x`))).toBe(false);
  expect(key.verifyHex(long, "é".repeat(64))).toBe(false);
});
