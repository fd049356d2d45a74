// Assembles the exchange: storage, engine, recovery, sequencer. Knows nothing of HTTP.
import { MatchingEngine } from "../native/engine";
import { AccountDirectory } from "./accounts";
import { MarketStats } from "./market-stats";
import type { Markets } from "./markets";
import { replayJournal, verifyBooks } from "./recovery";
import { DEFAULT_LIMITS, Sequencer, type SequencerLimits } from "./sequencer";
import { openStorage, type Storage, type SyncMode } from "./store/database";
import { Queries } from "./store/queries";
import { BatchWriter } from "./store/writer";

export interface ExchangeOptions {
  dbPath: string;
  markets: Markets;
  sync?: SyncMode;
  limits?: SequencerLimits;
}

export interface Exchange {
  markets: Markets;
  storage: Storage;
  engine: MatchingEngine;
  queries: Queries;
  accounts: AccountDirectory;
  stats: MarketStats;
  sequencer: Sequencer;
  recovered: { journalEntries: number; openOrders: number };
  close(): Promise<void>;
}

export function openExchange(options: ExchangeOptions): Exchange {
  const { markets } = options;
  const storage = openStorage(options.dbPath, options.sync, { backgroundCheckpoints: true });
  const queries = new Queries(storage.db, markets);
  const engine = new MatchingEngine(markets.list.length);

  const journalEntries = replayJournal(engine, queries, markets);
  const openOrders = queries.openOrders();
  verifyBooks(engine, openOrders);

  const stats = new MarketStats(markets.list.length);
  for (const { symbol, price } of queries.lastTradePrices()) {
    const market = markets.get(symbol);
    if (market) stats.setLastPrice(market.index, price);
  }
  for (const t of queries.tradesSince(Date.now() - 24 * 3600_000)) {
    const market = markets.get(t.symbol);
    if (market) stats.recordTrade(market.index, t.price, t.quantity, t.time);
  }

  const sequencer = new Sequencer(engine, new BatchWriter(storage.sqlite), queries, markets, stats,
    queries.counters(), openOrders, options.limits ?? DEFAULT_LIMITS);

  return {
    markets, storage, engine, queries, stats, sequencer,
    accounts: new AccountDirectory(storage.db),
    recovered: { journalEntries, openOrders: openOrders.length },
    async close() {
      engine.close();
      await storage.close();
    },
  };
}
