// Funding a local venue: deposits, withdrawals and fee rates as journaled commands. What other
// processes asked for (account_requests: an account created by the CLI, with its deposits, or the
// venue's default balances) is journaled here, and deleted in the same commit.
import type { Account } from "../accounts";
import { maxEngineTotal } from "../../native/engine";
import type { Markets } from "../markets";
import type { Queries } from "../store/queries";
import { Outcome } from "./outcomes";
import type { AccountCommand, Sequencer } from "./sequencer";

export interface FundingOptions {
  /** Whether an account may deposit to itself (POST /api/v1/account/deposits). */
  selfServiceDeposits: boolean;
}

export class FundingDesk {
  private readonly maxUnits = maxEngineTotal();
  /** Requests queued and not yet committed: never journaled twice. */
  private readonly inFlight = new Set<number>();

  constructor(
    private readonly sequencer: Sequencer,
    private readonly queries: Queries,
    private readonly markets: Markets,
    readonly options: FundingOptions,
  ) {}

  /** Journals every pending request (of one account, or all); resolves once committed. */
  fundPending(accountId?: number): Promise<void> {
    const rows = this.queries.accountRequests(accountId).filter((r) => !this.inFlight.has(r.id));
    if (rows.length === 0) return Promise.resolve();
    const commands: AccountCommand[] = [];
    for (const r of rows) {
      if (r.kind === "defaults") {
        for (const asset of this.markets.assets.list) {
          if (asset.defaultBalance > 0n) commands.push({ kind: "deposit", accountId: r.accountId, asset, units: asset.defaultBalance });
        }
      } else if (r.kind === "deposit") {
        commands.push({ kind: "deposit", accountId: r.accountId, ...this.amount(r.asset ?? "", r.amount ?? "", "amount") });
      } else {
        commands.push({ kind: "fees", accountId: r.accountId, makerBps: r.makerFeeBps ?? -1, takerBps: r.takerFeeBps ?? -1 });
      }
    }
    const ids = rows.map((r) => r.id);
    for (const id of ids) this.inFlight.add(id);
    return this.sequencer.accountCommands(commands, ids).finally(() => {
      for (const id of ids) this.inFlight.delete(id);
    });
  }

  deposit(account: Account, asset: string, amount: string | number): Promise<void> {
    if (!this.options.selfServiceDeposits) throw new Outcome("DEPOSITS_DISABLED", "this venue does not take deposits through the API");
    return this.sequencer.accountCommands([{ kind: "deposit", accountId: account.id, ...this.amount(asset, amount, "amount") }]);
  }

  withdraw(account: Account, asset: string, amount: string | number): Promise<void> {
    return this.sequencer.accountCommands([{ kind: "withdraw", accountId: account.id, ...this.amount(asset, amount, "amount") }]);
  }

  /** An asset and an amount of it, checked: UNKNOWN_ASSET or VALIDATION naming `field`. */
  amount(symbol: string, amount: string | number, field: string) {
    const asset = this.markets.assets.get(symbol);
    if (!asset) throw new Outcome("UNKNOWN_ASSET", `asset "${symbol.slice(0, 32)}" is not traded here`);
    return { asset, units: asset.units(amount, field, this.maxUnits) };
  }
}
