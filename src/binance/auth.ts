// Signed requests as Binance checks them: the API key names the account, the signature covers
// the request's exact parameter bytes (HMAC-SHA256 in hex with the account's secret, or Ed25519
// / RSA in base64 with its public key), and the timestamp must be within recvWindow of the
// server's wall clock.
import { verify } from "node:crypto";
import { HmacSha256Key } from "../../native/signing";
import type { AccountDirectory, KeyedAccount } from "../accounts";
import { errors } from "./errors";

export const DEFAULT_RECV_WINDOW = 5000;
export const MAX_RECV_WINDOW = 60_000;
const API_KEY = /^[A-Za-z0-9_-]{1,128}$/;

export function accountOf(accounts: AccountDirectory, apiKey: string | null | undefined): KeyedAccount {
  if (!apiKey) throw errors.rejectedKey();
  if (!API_KEY.test(apiKey)) throw errors.badKeyFormat();
  const account = accounts.byApiKey(apiKey);
  if (!account) throw errors.rejectedKey();
  return account;
}

/** Checks `timestamp` and `recvWindow` (strings, as sent) against the wall clock. */
export function checkTimestamp(timestamp: string | undefined, recvWindow: string | undefined, now = Date.now()): void {
  if (timestamp === undefined || timestamp === "") throw errors.missing("timestamp");
  if (!/^\d{1,16}$/.test(timestamp)) throw errors.illegal("timestamp", "^[0-9]{1,16}$");
  let window = DEFAULT_RECV_WINDOW;
  if (recvWindow !== undefined) {
    // Binance takes a decimal recvWindow with up to three decimals (microseconds).
    if (!/^\d{1,6}(\.\d{1,3})?$/.test(recvWindow) || Number(recvWindow) > MAX_RECV_WINDOW) {
      throw errors.invalidValue("recvWindow");
    }
    window = Number(recvWindow);
  }
  const t = Number(timestamp);
  if (t >= now + 1000) throw errors.timestampAhead();
  if (now - t > window) throw errors.timestampOutside();
}

// Each account's HMAC key with its padded blocks hashed once (native/signing.ts), made again if the
// secret changes.
const hmacKeys = new WeakMap<KeyedAccount, { secret: string; key: HmacSha256Key }>();
function hmacKey(account: KeyedAccount, secret: string): HmacSha256Key {
  let keyed = hmacKeys.get(account);
  if (keyed?.secret !== secret) hmacKeys.set(account, keyed = { secret, key: new HmacSha256Key(secret) });
  return keyed.key;
}

/** Whether `signature` signs `payload` for the account: hex HMAC, or base64 Ed25519 / RSA-SHA256. */
export function verifySignature(account: KeyedAccount, payload: string, signature: string | undefined): void {
  if (signature === undefined || signature === "") throw errors.missing("signature");
  if (signature.length > 1024) throw errors.badSignature();
  let ok = false;
  if (account.secret !== null) {
    ok = hmacKey(account, account.secret).verifyHex(payload, signature);
  } else if (account.publicKey !== null) {
    const bytes = Buffer.from(signature, "base64");
    const algorithm = account.publicKey.asymmetricKeyType === "rsa" ? "sha256" : null;
    try {
      ok = bytes.length > 0 && verify(algorithm, Buffer.from(payload), account.publicKey, bytes);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw errors.badSignature();
}

/**
 * What a REST signature covers: the query string and then the body, byte for byte as sent, with
 * the `signature` parameter taken out of whichever holds it.
 */
export function signedPayload(query: string, body: string): string {
  return withoutSignature(query) + withoutSignature(body);
}

function withoutSignature(text: string): string {
  const at = text.lastIndexOf("signature=");
  if (at < 0) return text;
  // Clients put it last: cut it off; anywhere else, take it out.
  if ((at === 0 || text[at - 1] === "&") && !text.includes("&", at)) return text.slice(0, Math.max(0, at - 1));
  return text.split("&").filter((part) => !part.startsWith("signature=")).join("&");
}
