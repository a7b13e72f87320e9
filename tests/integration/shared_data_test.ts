/** The real recorded Kraken files in ../shared/data; skipped, loudly, when that folder is absent. */
import { assertEquals } from "../assert.ts";
import { essence, hasSharedData, sharedFile, take, withSim } from "../helpers.ts";
import { tradeFile } from "../../src/sources/files/trade_file.ts";
import { KrakenRest } from "../../src/sources/kraken/rest_client.ts";
import { liveTrades } from "../../src/sources/kraken/live_trades.ts";

const ignore = !hasSharedData();

Deno.test({
  name: "the real Kraken trade files in ../shared/data are read in full",
  ignore,
  async fn() {
    const files: [string, number, Record<string, number>][] = [
      ["kraken/trades_btcusd_2019-07-01T00_1h_kraken.csv", 2_672, { "BTC/USD": 2_672 }],
      ["kraken/ws_v2_trades_2024-11-12T0643_kracked.csv", 123, { "BTC/USD": 63, "DOGE/USD": 60 }],
      [
        "kraken/ws_v2_trades_multi_2024-11-12T0649_kracked.csv",
        200,
        { "BTC/USD": 50, "ETH/USD": 50, "SOL/USD": 50, "DOGE/USD": 50 },
      ],
    ];
    for (const [path, count, perPair] of files) {
      const { stream, stats } = await tradeFile(sharedFile(path));
      const trades = await Array.fromAsync(stream);
      assertEquals([trades.length, stats.badLines, stats.format], [count, 0, "trades-csv"], path);
      const byPair: Record<string, number> = {};
      for (const t of trades) byPair[t.pair] = (byPair[t.pair] ?? 0) + 1;
      assertEquals(byPair, perPair, path);
    }
  },
});

Deno.test({
  name: "the real 1-hour BTC/USD file replayed through drops and malformed frames arrives exactly",
  ignore,
  async fn() {
    const { stream } = await tradeFile(sharedFile("kraken/trades_btcusd_2019-07-01T00_1h_kraken.csv"));
    const trades = await Array.fromAsync(stream);
    await withSim(
      trades,
      { speed: 600, dropEverySec: 1.5, malformedEvery: 50, heartbeatMs: 200 },
      async (sim, book) => {
        const controller = new AbortController();
        const live = liveTrades({
          pairs: ["BTC/USD"],
          rest: new KrakenRest({ baseUrl: sim.restUrl, rate: 50 }),
          wsUrl: sim.wsUrl,
          cursors: new Map([["BTC/USD", { ts: Date.parse("2019-07-01T00:00:00Z"), tradeId: null }]]),
          reconnect: { baseMs: 20, maxMs: 200 },
          signal: controller.signal,
        });
        const got = await take(live.stream, 2_672, 30_000);
        const strays = await take(live.stream, 1, 500);
        controller.abort();
        assertEquals([...got, ...strays].map(essence), book.all.map(essence));
        assertEquals(got.length, 2_672);
      },
    );
  },
});
