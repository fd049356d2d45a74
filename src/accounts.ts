// Accounts and their API keys, and how they are funded. Only a SHA-256 of a key is stored: keys
// are 192 random bits, so a plain hash is enough (no password stretching needed), and lookups
// stay one indexed read. Funding is asked for in account_requests, in the same transaction as the
// account, and journaled by the server (core/funding.ts), so that `exchange accounts create` in
// another process never writes the journal the server owns.
import { createHash, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "./store/database";
import { accountRequests, accounts } from "./store/schema";

export interface Account {
  id: number;
  name: string;
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

export function createAccount(db: Db, name: string, funding: Funding = {}): Account & { apiKey: string } {
  const apiKey = `ex_${randomBytes(24).toString("base64url")}`;
  const now = Date.now();
  return db.transaction((tx) => {
    const row = tx.insert(accounts).values({ name, apiKeyHash: hashApiKey(apiKey), createdAt: now }).returning({ id: accounts.id }).get();
    const requests: (typeof accountRequests.$inferInsert)[] = [];
    if (funding.deposits === undefined) requests.push({ accountId: row.id, kind: "defaults", createdAt: now });
    else for (const [asset, amount] of funding.deposits) requests.push({ accountId: row.id, kind: "deposit", asset, amount, createdAt: now });
    if (funding.makerFeeBps !== undefined || funding.takerFeeBps !== undefined) {
      requests.push({ accountId: row.id, kind: "fees", makerFeeBps: funding.makerFeeBps ?? -1, takerFeeBps: funding.takerFeeBps ?? -1, createdAt: now });
    }
    if (requests.length) tx.insert(accountRequests).values(requests).run();
    return { id: row.id, name, apiKey };
  });
}

/**
 * Resolves API keys to accounts, caching hits by key (every request names its key: a hash per
 * request would cost more than the lookup). Misses are not cached: accounts are created by
 * another process too; `onFirstSeen` hears of each account the first time it is resolved.
 */
export class AccountDirectory {
  private readonly cache = new Map<string, Account>();
  onFirstSeen: (account: Account) => void = () => {};

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
    if (row) {
      this.cache.set(key, row);
      this.onFirstSeen(row);
    }
    return row;
  }
}
