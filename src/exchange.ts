// Assembles the exchange: storage, engine, recovery, the core (sequencer, funding). Knows nothing
// of HTTP.
import { MatchingEngine } from "../native/engine";
import { VenueClock } from "./clock";
import { AccountDirectory } from "./accounts";
import { DEFAULT_LIMITS, type Limits } from "./core/admission";
import { FundingDesk, type FundingOptions } from "./core/funding";
import { Sequencer } from "./core/sequencer";
import { log } from "./log";
import { MarketStats, MAX_WINDOW_MS } from "./market-stats";
import { RecentTrades } from "./recent-trades";
import type { Market, Markets } from "./markets";
import type { OrderState } from "./orders/order";
import { replayJournal, replayUnwritten, verifyBalances, verifyBooks } from "./recovery";
import { openStorage, type Storage, type SyncMode } from "./store/database";
import { Queries } from "./store/queries";
import { checkLayout, SnapshotStore, type SnapshotPolicy } from "./store/snapshot-store";
import { JournalWriter } from "./store/journal-writer";
import { PROJECTION_PACE, type WriterOptions } from "./store/projection-writer";
import { Projector } from "./store/projector";

export interface ExchangeOptions {
  dbPath: string;
  markets: Markets;
  sync?: SyncMode;
  limits?: Limits;
  funding?: FundingOptions;
  /** How far behind the journal the orders, trades and balances tables may be written. */
  projection?: WriterOptions;
  snapshots?: SnapshotPolicy;
}

export interface Exchange {
  markets: Markets;
  storage: Storage;
  engine: MatchingEngine;
  queries: Queries;
  accounts: AccountDirectory;
  funding: FundingDesk;
  stats: MarketStats;
  /** Each market's newest trades, in memory. */
  recentTrades: RecentTrades;
  /** Every time the venue writes comes from it (the wall clock unless a simulation drives it). */
  clock: VenueClock;
  sequencer: Sequencer;
  /** Commits each batch's journal: the acknowledgement. */
  journal: JournalWriter;
  /** Writes the orders, trades, balances and ledger tables behind it, on a thread of its own. */
  projection: Projector;
  /** Returns once the tables hold every batch acknowledged so far (held ones are committed first). */
  writeTables(): void;
  /**
   * Resolves, without holding the server's thread, once the tables hold every batch acknowledged
   * so far, or those up to journal entry `upToSeq` (OrderRegistry.storedBy): the entry to give the
   * read then, so that it waits for nothing more.
   */
  readable(upToSeq?: number): Promise<number>;
  snapshots: SnapshotStore;
  recovered: { journalEntries: number; openOrders: number; snapshotSeq: number };
  close(): Promise<void>;
}

/** The fee rates (bps) an account pays in a market: its own where it has them (the engine keeps
 *  -1 for none), else the market's. */
export function feeRatesOf(ex: Exchange, accountId: number, m: Market): { maker: number; taker: number } {
  const own = ex.engine.feeRates(accountId);
  return { maker: own.maker >= 0 ? own.maker : m.makerFeeBps, taker: own.taker >= 0 ? own.taker : m.takerFeeBps };
}

/** An order list's orders, first to last, from the store (written up to `upToSeq`), those still
 *  open as they are in memory (OrderRegistry.current); none if there is no such list. */
export function orderListOf(ex: Exchange, listId: number, upToSeq?: number): OrderState[] {
  return ex.sequencer.registry.current(ex.queries.orderList(listId, upToSeq));
}

/** The engine for these markets: each market's assets, units per lot and per tick x lot, fees;
 *  restored from a snapshot's image when one is given. */
export function engineFor(markets: Markets, image?: Uint8Array): MatchingEngine {
  return new MatchingEngine(markets.list.map((m) => ({
    baseAsset: m.base.index, quoteAsset: m.quote.index, lotUnits: m.lotUnits, notionalUnits: m.notionalUnits,
    makerFeeBps: m.makerFeeBps, takerFeeBps: m.takerFeeBps,
  })), markets.assets.list.length, image);
}

export function openExchange(options: ExchangeOptions): Exchange {
  const storage = openStorage(options.dbPath, options.sync, { backgroundCheckpoints: true });
  try {
    return openOn(storage, options);
  } catch (error) {
    // A refused start lets go of the files: its checkpoint thread would go on with them, and with
    // a projection file made afresh at the same path.
    storage.abandon();
    throw error;
  }
}

function openOn(storage: Storage, options: ExchangeOptions): Exchange {
  const { markets } = options;
  const queries = new Queries(storage.db, storage.tablesDb, markets);
  // The newest snapshot, then the books and balances up to where orders, trades and balances are
  // written; those must agree.
  const projected = queries.projectedSeq();
  const counters = queries.counters();
  const journalEnd = counters.lastSeq;
  if (projected > journalEnd) {
    throw new Error(`${storage.tablesPath} is written up to journal entry ${projected}, but the journal in ${options.dbPath} ends at ${journalEnd}: ` +
      "it belongs to another database (was only the database file removed?). Remove it too to start afresh.");
  }
  // A snapshot newer than the tables is of no use here (their rows would come from replaying
  // the engine before it): the one before it is kept, with its journal, until they pass it.
  const snapshot = queries.latestSnapshot(projected);
  if (snapshot) checkLayout(snapshot.layout, markets, snapshot.seq);
  const engine = engineFor(markets, snapshot?.image);
  let journalEntries = replayJournal(engine, queries, markets, projected, snapshot?.seq ?? 0);
  const openOrders = queries.openOrders();
  verifyBooks(engine, openOrders);
  verifyBalances(engine, queries, markets);

  // Never earlier than what is stored: an accelerated run may have left times ahead of the wall.
  const clock = new VenueClock(queries.lastJournalTime());
  // The tickers' figures: the snapshot's, then the trades after it; without one, a week of trades.
  const stats = new MarketStats(markets.list.length);
  const restored = snapshot?.stats ? stats.restore(snapshot.stats) : false;
  if (!restored) {
    for (const market of markets.list) {
      const price = queries.lastTradePrice(market.symbol);
      if (price !== undefined) stats.setLastPrice(market.index, price);
    }
  }
  queries.eachTradeSince(clock.now() - MAX_WINDOW_MS, restored ? snapshot!.lastTradeId : 0, (symbol, id, price, quantity, time) => {
    const market = markets.get(symbol);
    if (market) stats.recordTrade(market.index, id, price, quantity, time);
  });

  // From here on the tables are written by the projector's thread, from where they stand now.
  const projection = new Projector({
    path: storage.tablesPath, sync: options.sync ?? "NORMAL", markets: markets.specs, defaultBalances: markets.defaultBalances,
    projectedSeq: projected, pace: options.projection ?? PROJECTION_PACE,
  });
  const journal = new JournalWriter(storage.sqlite, counters.lastSeq, (batch) => projection.follow(batch));
  const sequencer = new Sequencer(engine, journal, queries, markets, stats, counters, openOrders, options.limits ?? DEFAULT_LIMITS, clock);
  projection.onFatal = (error) => sequencer.onFatal(error);
  // The rest of the journal: acknowledged before a crash, its effects not yet written.
  journalEntries += replayUnwritten(sequencer, queries, projected);
  projection.waitFor(journal.committedSeq);
  // A read of the tables sees every batch acknowledged (held ones are committed, and the projector
  // has written them), or, if it names what it needs, that only (OrderRegistry.storedBy). The seqs
  // it names are the last given out when a batch was applied; a batch whose last commands were
  // refused (not journaled) is written up to an earlier one, so they count up to the last
  // committed entry at most.
  const readPoint = (upToSeq?: number) => {
    if (upToSeq === undefined || upToSeq > journal.committedSeq) sequencer.commitHeld();
    return upToSeq === undefined ? journal.committedSeq : Math.min(upToSeq, journal.committedSeq);
  };
  const writeTables = () => projection.waitFor(readPoint());
  const snapshots = new SnapshotStore(storage.sqlite, journal, projection, stats, markets, options.snapshots, journalEntries);
  queries.beforeRead = (upToSeq) => {
    projection.waitFor(readPoint(upToSeq));
    snapshots.prunePassed();
  };
  const readable = async (upToSeq?: number) => {
    const seq = readPoint(upToSeq);
    await projection.whenWritten(seq);
    return seq;
  };
  sequencer.onCommitted((r) => {
    if (r.journal.length) snapshots.afterBatch(r.journal.length, engine, sequencer.position());
  });
  // (The store holds every trade now: recovery has written them.)
  const recentTrades = new RecentTrades(markets, (symbol, limit) => queries.trades(symbol, limit));
  sequencer.onCommitted((r) => recentTrades.record(r.trades));
  const open = sequencer.openOrders();
  verifyBooks(engine, open);
  verifyBalances(engine, queries, markets);

  const funding = new FundingDesk(sequencer, queries, markets, options.funding ?? { selfServiceDeposits: true });
  const accounts = new AccountDirectory(storage.db);
  // Accounts created by another process (the CLI) are funded at start and when first seen: the
  // funding job is queued before anything the account sends, so it is in an earlier or the same batch.
  const fund = (accountId?: number) => funding.fundPending(accountId)
    .catch((error) => log("warn", "funding from account_requests failed", { accountId, error: String(error) }));
  accounts.onFirstSeen = (account) => void fund(account.id);
  void fund();

  return {
    markets, storage, engine, queries, stats, recentTrades, clock, sequencer, accounts, funding, journal, projection,
    snapshots, recovered: { journalEntries, openOrders: open.length, snapshotSeq: snapshot?.seq ?? 0 },
    writeTables,
    readable,
    async close() {
      writeTables();
      // A clean stop leaves a snapshot, so that the next start replays nothing.
      snapshots.takeIfBehind(engine, sequencer.position());
      await projection.close();
      engine.close();
      await storage.close();
    },
  };
}
