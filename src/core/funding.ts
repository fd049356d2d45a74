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

  constructor(
    private readonly sequencer: Sequencer,
    private readonly queries: Queries,
    private readonly markets: Markets,
    readonly options: FundingOptions,
  ) {}

  /** Journals every pending request (of one account, or all); resolves once committed. Async, so
   *  that a request the markets cannot honour rejects the promise rather than throwing to the caller. */
  async fundPending(accountId?: number): Promise<void> {
    const rows = this.queries.accountRequests(accountId).filter((r) => !this.inFlight.has(r.id));
    if (rows.length === 0) return;
    const commands: AccountCommand[] = [];
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
    const ids = rows.map((r) => r.id);
    for (const id of ids) this.inFlight.add(id);
    try {
      await this.sequencer.accountCommands(commands, ids);
    } finally {
      for (const id of ids) this.inFlight.delete(id);
    }
  }

  deposit(account: Account, asset: string, amount: string | number): Promise<void> {
    if (!this.options.selfServiceDeposits) throw new Outcome("DEPOSITS_DISABLED", "this venue does not take deposits through the API");
    return this.sequencer.accountCommands([{ kind: "deposit", accountId: account.id, ...this.markets.assets.amount(asset, amount, "amount") }]);
  }

  withdraw(account: Account, asset: string, amount: string | number): Promise<void> {
    return this.sequencer.accountCommands([{ kind: "withdraw", accountId: account.id, ...this.markets.assets.amount(asset, amount, "amount") }]);
  }
}
