// Accounts and their API keys. Only a SHA-256 of a key is stored: keys are 192 random bits, so a
// plain hash is enough (no password stretching needed), and lookups stay one indexed read.
import { createHash, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "./store/database";
import { accounts } from "./store/schema";

export interface Account {
  id: number;
  name: string;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function createAccount(db: Db, name: string): Account & { apiKey: string } {
  const apiKey = `ex_${randomBytes(24).toString("base64url")}`;
  const row = db
    .insert(accounts)
    .values({ name, apiKeyHash: hashApiKey(apiKey), createdAt: Date.now() })
    .returning({ id: accounts.id })
    .get();
  return { id: row.id, name, apiKey };
}

/**
 * Resolves API keys to accounts, caching hits by key (every request names its key: a hash per
 * request would cost more than the lookup). Misses are not cached: accounts are created by
 * another process too.
 */
export class AccountDirectory {
  private readonly cache = new Map<string, Account>();

  constructor(private readonly db: Db) {}

  byApiKey(key: string): Account | undefined {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const hash = hashApiKey(key);
    const row = this.db
      .select({ id: accounts.id, name: accounts.name })
      .from(accounts)
      .where(eq(accounts.apiKeyHash, hash))
      .get();
    if (row) this.cache.set(key, row);
    return row;
  }
}
