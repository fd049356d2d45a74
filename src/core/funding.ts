// Funding a local venue: deposits, withdrawals and fee rates as journaled commands. What other
// processes asked for (account_requests: an account created by the CLI, with its deposits, or the
// venue's default balances) is journaled here, and deleted in the same commit.
import type { Account } from "../accounts";
import type { Markets } from "../markets";
import type { Queries } from "../store/queries";
import { Outcome } from "./outcomes";
import type { AccountCommand, Sequencer } from "./sequencer";

export interface FundingOptions {
  /** Whether an account may deposit to itself (POST /api/v1/account/deposits). */
  selfServiceDeposits: boolean;
}

export class FundingDesk {
  /** Requests queued and not yet committed: never journaled twice. */
  private readonly inFlight = new Set<number>();
  /** Per account, the funding queued for it and not yet committed (see `arrival`). */
  private readonly arriving = new Map<number, Promise<void>>();

  constructor(
    private readonly sequencer: Sequencer,
    private readonly queries: Queries,
    private readonly markets: Markets,
    readonly options: FundingOptions,
  ) {}

  /** Journals every pending request (of one account, or all); resolves once committed, and rejects
   *  if the markets cannot honour one (the caller never sees a throw). */
  fundPending(accountId?: number): Promise<void> {
    const rows = this.queries.accountRequests(accountId).filter((r) => !this.inFlight.has(r.id));
    if (rows.length === 0) return Promise.resolve();
    const commands: AccountCommand[] = [];
    const ids = rows.map((r) => r.id);
    let done: Promise<void>;
    try {
      for (const r of rows) {
        if (r.kind === "defaults") {
          for (const asset of this.markets.assets.list) {
            if (asset.defaultBalance > 0n) commands.push({ kind: "deposit", accountId: r.accountId, asset, units: asset.defaultBalance });
          }
        } else if (r.kind === "deposit") {
          commands.push({ kind: "deposit", accountId: r.accountId, ...this.markets.assets.amount(r.asset ?? "", r.amount ?? "", "amount") });
        } else {
          commands.push({ kind: "fees", accountId: r.accountId, makerBps: r.makerFeeBps ?? -1, takerBps: r.takerFeeBps ?? -1 });
        }
      }
      done = this.sequencer.accountCommands(commands, ids);
    } catch (error) {
      return Promise.reject(error);
    }
    for (const id of ids) this.inFlight.add(id);
    const settled = done.then(() => {}, () => {});
    const funded = new Set(rows.map((r) => r.accountId));
    for (const a of funded) this.arriving.set(a, settled);
    void settled.then(() => {
      for (const id of ids) this.inFlight.delete(id);
      for (const a of funded) if (this.arriving.get(a) === settled) this.arriving.delete(a);
    });
    return done;
  }

  /** The funding of an account created by another process while it is on its way to the journal
   *  (settled, never rejected), else undefined: a read of balances waits for it, so that an account
   *  the CLI has just created never shows empty. */
  arrival(accountId: number): Promise<void> | undefined {
    return this.arriving.get(accountId);
  }

  deposit(account: Account, asset: string, amount: string | number): Promise<void> {
    if (!this.options.selfServiceDeposits) throw new Outcome("DEPOSITS_DISABLED", "this venue does not take deposits through the API");
    return this.sequencer.accountCommands([{ kind: "deposit", accountId: account.id, ...this.markets.assets.amount(asset, amount, "amount") }]);
  }

  withdraw(account: Account, asset: string, amount: string | number): Promise<void> {
    return this.sequencer.accountCommands([{ kind: "withdraw", accountId: account.id, ...this.markets.assets.amount(asset, amount, "amount") }]);
  }
}
