// Accounts and their API keys, and how they are funded. Only a SHA-256 of a key is stored: keys
// are 192 random bits, so a plain hash is enough (no password stretching needed), and lookups
// stay one indexed read. Signed requests (the Binance surface) need more: an HMAC secret, which
// is kept as given out (verifying an HMAC takes the secret itself), or the public half of an
// Ed25519 or RSA key pair, whose private half never reaches the venue. Funding is asked for in account_requests, in the same transaction as the
// account, and journaled by the server (core/funding.ts), so that `exchange accounts create` in
// another process never writes the journal the server owns.
import { createHash, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { eq, like, sql } from "drizzle-orm";
import type { Db } from "./store/database";
import { accountRequests, accounts } from "./store/schema";

export interface Account {
  id: number;
  name: string;
}

/** How an account's signed requests are verified: its HMAC secret, or its public key. */
export interface SigningKey {
  secret: string | null;
  publicKey: KeyObject | null;
}

export type KeyedAccount = Account & SigningKey;

/** A PEM public key as an Ed25519 or RSA key, or an error saying what is wrong with it. */
export function parsePublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error("the public key must be a PEM (-----BEGIN PUBLIC KEY-----) Ed25519 or RSA key");
  }
  if (key.asymmetricKeyType !== "ed25519" && key.asymmetricKeyType !== "rsa") {
    throw new Error(`the public key is ${key.asymmetricKeyType}: only Ed25519 and RSA keys are taken`);
  }
  return key;
}

export interface Funding {
  /** Amounts by asset symbol (decimal strings); none: the venue's default balances. */
  deposits?: Map<string, string>;
  /** The account's own fee rates in basis points, instead of the markets'. */
  makerFeeBps?: number;
  takerFeeBps?: number;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * Creates an account with an API key and, unless it signs with a key pair (`publicKey`, PEM), an
 * HMAC secret: both are returned only here.
 */
export function createAccount(db: Db, name: string, funding: Funding = {}, publicKey?: string): Account & { apiKey: string; apiSecret: string | null } {
  if (publicKey !== undefined) parsePublicKey(publicKey);
  const apiKey = `ex_${randomBytes(24).toString("base64url")}`;
  const apiSecret = publicKey === undefined ? randomBytes(32).toString("hex") : null;
  const now = Date.now();
  return db.transaction((tx) => {
    const row = tx.insert(accounts).values({ name, apiKeyHash: hashApiKey(apiKey), createdAt: now, apiSecret, publicKey: publicKey ?? null })
      .returning({ id: accounts.id }).get();
    const requests: (typeof accountRequests.$inferInsert)[] = [];
    if (funding.deposits === undefined) requests.push({ accountId: row.id, kind: "defaults", createdAt: now });
    else for (const [asset, amount] of funding.deposits) requests.push({ accountId: row.id, kind: "deposit", asset, amount, createdAt: now });
    if (funding.makerFeeBps !== undefined || funding.takerFeeBps !== undefined) {
      requests.push({ accountId: row.id, kind: "fees", makerFeeBps: funding.makerFeeBps ?? -1, takerFeeBps: funding.takerFeeBps ?? -1, createdAt: now });
    }
    if (requests.length) tx.insert(accountRequests).values(requests).run();
    return { id: row.id, name, apiKey, apiSecret };
  });
}

/** The accounts whose names start with `prefix` (simulated participants find theirs after a
 *  restart), by name; the oldest of a name wins. */
export function accountsNamed(db: Db, prefix: string): Map<string, Account> {
  const rows = db.select({ id: accounts.id, name: accounts.name }).from(accounts)
    .where(like(accounts.name, `${prefix.replace(/[%_]/g, "")}%`)).orderBy(accounts.id).all();
  const byName = new Map<string, Account>();
  for (const r of rows) if (!byName.has(r.name)) byName.set(r.name, r);
  return byName;
}

/**
 * Resolves API keys to accounts, caching hits by key (every request names its key: a hash per
 * request would cost more than the lookup). Misses are not cached: accounts are created by
 * another process too; `onFirstSeen` hears of each account the first time it is resolved.
 */
export class AccountDirectory {
  private readonly cache = new Map<string, KeyedAccount>();
  onFirstSeen: (account: Account) => void = () => {};
  // Prepared once: a request with an unknown key looks it up every time, and Drizzle's builder
  // makes and prepares the SQL anew on each call (20 µs a lookup against 1.7 prepared).
  private readonly byHash;

  constructor(db: Db) {
    this.byHash = db
      .select({ id: accounts.id, name: accounts.name, secret: accounts.apiSecret, publicKey: accounts.publicKey })
      .from(accounts)
      .where(eq(accounts.apiKeyHash, sql.placeholder("hash")))
      .prepare();
  }

  byApiKey(key: string): KeyedAccount | undefined {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const row = this.byHash.get({ hash: hashApiKey(key) });
    if (!row) return undefined;
    const account: KeyedAccount = { ...row, publicKey: row.publicKey === null ? null : parsePublicKey(row.publicKey) };
    this.cache.set(key, account);
    this.onFirstSeen(account);
    return account;
  }
}
