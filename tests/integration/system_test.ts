/**
 * `deno task demo` end to end, offline: a synthetic market through the simulator, a cold start
 * (history, first models, live predictions), a clean stop on SIGTERM within seconds, and a warm
 * restart that continues the same series.
 */
import { assert, assertEquals } from "../assert.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { runPipeline } from "../helpers.ts";

function demo(
  dir: string,
  port: number,
  market = ["--minutes", "1800", "--history", "1440m", "--speed", "300"],
): Deno.ChildProcess {
  const args = ["--data-dir", `${dir}/data`, "--models-dir", `${dir}/models`, "--port", String(port)];
  return runPipeline("demo", [...args, ...market], dir, { LOG_FORMAT: "json" });
}

async function until<T>(what: string, ms: number, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await check();
      if (v !== null) return v;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(
  child: Deno.ChildProcess,
  sig: Deno.Signal,
): Promise<{ code: number; ms: number; log: { msg: string; level: string }[] }> {
  const t0 = Date.now();
  child.kill(sig);
  const out = await child.output();
  const lines = new TextDecoder().decode(out.stderr).split("\n").filter((l) => l.startsWith("{"));
  return { code: out.code, ms: Date.now() - t0, log: lines.map((l) => JSON.parse(l)) };
}

Deno.test("demo: cold start to live predictions, a clean stop within seconds, a warm restart on the same series", async () => {
  const dir = await Deno.makeTempDir();
  const port = 21_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  try {
    let child = demo(dir, port);
    const first = await until("a model's prediction", 90_000, async () => {
      const res = await fetch(`${base}/predict?pair=BTC/USD`);
      const body = await res.json();
      return res.status === 200 ? body : null;
    });
    assertEquals(first.model.version, "v0001");
    await until("every first model trained", 60_000, async () => {
      const h = await (await fetch(`${base}/health`)).json();
      return h.system.phase === "live" && h.series.every((x: { model: unknown }) => x.model) ? h : null;
    });
    await until("realised live predictions", 30_000, async () => {
      const p = await (await fetch(`${base}/predictions?pair=BTC/USD&limit=5`)).json();
      return p.live.n > 3 ? p : null;
    });
    const stopped = await stop(child, "SIGTERM");
    assertEquals(stopped.code, 0, JSON.stringify(stopped.log.slice(-5)));
    assert(stopped.ms < 5000, `stopped in ${stopped.ms} ms`);
    const msgs = stopped.log.map((l) => l.msg);
    assert(
      msgs.some((m) => m.startsWith("dashboard at http://127.0.0.1:")),
      "startup says where the dashboard is",
    );
    assert(msgs.some((m) => m.includes("cold start from")));
    assert(msgs.some((m) => m.includes("v0001 promoted")));
    assert(msgs.some((m) => m.startsWith("stopped;")));
    assert(stopped.log.every((l) => !JSON.stringify(l).includes("TOKEN=")));

    child = demo(dir, port);
    const later = await until("the series continuing", 60_000, async () => {
      const h = await (await fetch(`${base}/health`)).json();
      const last = h.series.find((s: { pair: string }) => s.pair === "BTC/USD").last_candle;
      return last && last > first.as_of && h.system.phase === "live" ? h : null;
    });
    assertEquals(later.series[0].model.version, "v0001");
    const again = await stop(child, "SIGINT");
    assertEquals(again.code, 0);
    assert(
      again.log.some((l) => l.msg.includes("warm start after")),
      "the second run continues the checkpoint",
    );
    assert(!again.log.some((l) => l.msg.includes("promoted (")), "no retraining on a warm start");

    // One series, no hole and no duplicate across the stop.
    const store = await DuckDbFeatureStore.open(`${dir}/data/offline.duckdb`, { readOnly: true });
    try {
      const rows = await store.range("BTC/USD", "1m");
      assert(rows.length > 1440);
      for (let i = 1; i < rows.length; i++) {
        assertEquals(rows[i]!.window_start - rows[i - 1]!.window_start, 60_000);
      }
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

interface Series {
  pair: string;
  last_candle: string | null;
  features_age_s: number | null;
}

Deno.test("demo: /health and the startup line name the SYNTHETIC market, ages are on its clock, and the replay's end is logged and reported", async () => {
  const dir = await Deno.makeTempDir();
  const port = 21_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  try {
    // Ten minutes of live market at 60x: the replay ends about ten seconds after the history.
    const child = demo(dir, port, ["--minutes", "120", "--history", "110m", "--speed", "60"]);
    const live = await until("live candles of every pair", 60_000, async () => {
      const h = await (await fetch(`${base}/health`)).json();
      const caughtUp = h.system.phase === "live" || h.system.phase === "training";
      return caughtUp && h.series.every((s: Series) => s.last_candle) ? h : null;
    });
    assert(live.system.market.includes("SYNTHETIC"), live.system.market);
    assert(live.system.market.includes(`${dir}/data/synthetic_trades.jsonl`), live.system.market);
    for (const s of live.series as Series[]) {
      // Measured on the simulator's clock: a minute or two, not the years since the market's dates.
      assert(s.features_age_s! >= 0 && s.features_age_s! < 600, `${s.pair}: ${s.features_age_s} s`);
    }
    const ended = await until("the replay's end", 60_000, async () => {
      const h = await (await fetch(`${base}/health`)).json();
      return h.system.replay_ended_at ? h : null;
    });
    assertEquals(ended.system.replay_ended_at.slice(0, 16), "2024-01-01T01:59");
    // The market's clock stops with the replay, so its final state stays put: 8 s later at 60x a
    // running clock would have aged the features by 8 minutes and closed empty candles.
    await new Promise((r) => setTimeout(r, 8000));
    const after = await (await fetch(`${base}/health`)).json();
    for (const s of after.series as Series[]) {
      assert(s.features_age_s! < 200, `${s.pair}: features ${s.features_age_s} s old after the replay's end`);
      assert(
        s.last_candle! <= "2024-01-01T02:00:00.000Z",
        `${s.pair}: a candle past the replay (${s.last_candle})`,
      );
    }
    const stopped = await stop(child, "SIGTERM");
    assertEquals(stopped.code, 0, JSON.stringify(stopped.log.slice(-5)));
    const msgs = stopped.log.map((l) => l.msg);
    assert(
      msgs.some((m) =>
        m.startsWith("dashboard at") && m.includes("market: the simulator replaying a SYNTHETIC market")
      ),
    );
    assert(
      msgs.some((m) =>
        m.startsWith(`the replay has ended: its last trade (${ended.system.replay_ended_at}) has passed`)
      ),
      JSON.stringify(msgs.slice(-10)),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("demo: only rows closed after the history has loaded get predictions, not the last batch of history", async () => {
  const dir = await Deno.makeTempDir();
  const port = 21_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  try {
    // Slow enough that the history's end is close to the time the source turns live.
    const child = demo(dir, port, ["--minutes", "150", "--history", "120m", "--speed", "10"]);
    const predictions = async (pair: string) =>
      (await (await fetch(`${base}/predictions?pair=${pair}&limit=1000`)).json()).predictions as {
        made_at: string;
      }[];
    const made = await until("live predictions of both pairs", 60_000, async () => {
      const [btc, eth] = [await predictions("BTC/USD"), await predictions("ETH/USD")];
      return btc.length >= 2 && eth.length >= 2 ? [...btc, ...eth] : null;
    });
    const stopped = await stop(child, "SIGTERM");
    assertEquals(stopped.code, 0, JSON.stringify(stopped.log.slice(-5)));
    const line = stopped.log.map((l) => l.msg).find((m) => m.includes("; history until "))!;
    const historyEnd = Date.parse(/history until (\S+),/.exec(line)![1]!);
    const early = made.filter((p) => Date.parse(p.made_at) <= historyEnd).map((p) => p.made_at);
    assertEquals(early, [], `predicted before the history's end (${new Date(historyEnd).toISOString()})`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
