// Assembles the exchange: storage, engine, recovery, sequencer. Knows nothing of HTTP.
import { MatchingEngine } from "../native/engine";
import { AccountDirectory } from "./accounts";
import { MarketStats } from "./market-stats";
import type { Markets } from "./markets";
import { replayJournal, replayUnwritten, verifyBooks } from "./recovery";
import { DEFAULT_LIMITS, Sequencer, type SequencerLimits } from "./sequencer";
import { openStorage, type Storage, type SyncMode } from "./store/database";
import { Queries } from "./store/queries";
import { BatchWriter, type WriterOptions } from "./store/writer";

export interface ExchangeOptions {
  dbPath: string;
  markets: Markets;
  sync?: SyncMode;
  limits?: SequencerLimits;
  /** How far behind the journal the orders and trades tables may be written. */
  writer?: WriterOptions;
}

export interface Exchange {
  markets: Markets;
  storage: Storage;
  engine: MatchingEngine;
  queries: Queries;
  accounts: AccountDirectory;
  stats: MarketStats;
  sequencer: Sequencer;
  writer: BatchWriter;
  recovered: { journalEntries: number; openOrders: number };
  close(): Promise<void>;
}

export function openExchange(options: ExchangeOptions): Exchange {
  const { markets } = options;
  const storage = openStorage(options.dbPath, options.sync, { backgroundCheckpoints: true });
  const queries = new Queries(storage.db, markets);
  const engine = new MatchingEngine(markets.list.length);

  // The books up to where orders and trades are written; those must agree with them.
  const projected = queries.projectedSeq();
  let journalEntries = replayJournal(engine, queries, markets, projected);
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

  const writer = new BatchWriter(storage.sqlite, projected, options.writer);
  const sequencer = new Sequencer(engine, writer, queries, markets, stats,
    queries.counters(), openOrders, options.limits ?? DEFAULT_LIMITS);
  // The rest of the journal: acknowledged before a crash, its orders and trades not yet written.
  journalEntries += replayUnwritten(sequencer, queries, projected);
  writer.flush();
  queries.beforeRead = () => {
    if (writer.buffered > 0) writer.flush();
  };
  writer.onFatal = (error) => sequencer.onFatal(error);
  const open = sequencer.openOrders();
  verifyBooks(engine, open);

  return {
    markets, storage, engine, queries, stats, sequencer,
    accounts: new AccountDirectory(storage.db),
    writer,
    recovered: { journalEntries, openOrders: open.length },
    async close() {
      writer.flush();
      engine.close();
      await storage.close();
    },
  };
}
