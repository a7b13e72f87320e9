/**
 * The dashboard in a real browser: Debian's chromium, headless, loads the page from the app on
 * loopback, runs its scripts against the API, and the rendered DOM is read back. Ignored, with a
 * warning, on a machine without chromium (.ci/run installs it).
 */
import { assert, assertEquals } from "../assert.ts";
import { seed, serveSeeded } from "../serve_fixtures.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";
import type { SystemState } from "../../src/system/system.ts";

function findChromium(): string | null {
  for (
    const path of [
      Deno.env.get("CHROMIUM_PATH"),
      "/usr/bin/chromium",
      "/usr/bin/chromium-browser",
      "/usr/bin/google-chrome",
    ]
  ) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* next */ }
  }
  return null;
}

const chromium = findChromium();
if (!chromium) {
  console.warn("WARNING: no chromium found (set CHROMIUM_PATH): the dashboard browser test is ignored");
}

/** The page at `url` as headless chromium renders it after its scripts have run. */
async function renderedDom(url: string, dir: string): Promise<string> {
  const out = await new Deno.Command(chromium!, {
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      `--user-data-dir=${dir}/chromium`,
      "--virtual-time-budget=8000",
      "--dump-dom",
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dom = new TextDecoder().decode(out.stdout);
  assert(out.success && dom.includes("</html>"), new TextDecoder().decode(out.stderr).slice(-2000));
  return dom;
}

function attr(dom: string, testid: string): { value: string; text: string } {
  const m = new RegExp(
    `data-testid="${testid.replace(/[/]/g, "\\/")}"[^>]*data-value="([^"]*)"[^>]*>([^<]*)<`,
  ).exec(dom);
  if (!m) throw new Error(`no rendered value for ${testid}`);
  return { value: m[1]!, text: m[2]! };
}

Deno.test({
  name: "dashboard: in headless chromium the chart renders with data and the numbers equal the API's",
  // Under CI a missing browser is a failure, not a skip.
  ignore: !chromium && !Deno.env.get("CI"),
  async fn() {
    if (!chromium) throw new Error("chromium is required under CI (apt-get install chromium)");
    const dir = await Deno.makeTempDir();
    const s = await seed(dir);
    const predictor = new OnnxPredictor(s.registry, "BTC/USD", "1m", 1);
    await predictor.refresh();
    const live = new LivePredictions([predictor], s.online, s.predictions);
    await live.onRows(s.rows.slice(-30));
    await predictor.close();
    const srv = await serveSeeded(s);
    try {
      const dom = await renderedDom(`${srv.base}/`, dir);

      const api = await (await fetch(`${srv.base}/predictions?pair=BTC/USD&window=1m&limit=1`)).json();
      const health = await (await fetch(`${srv.base}/health`)).json();
      const id = "BTC/USD-1m";
      assertEquals(attr(dom, `mae-model-${id}`).value, String(api.live.mae_model));
      assertEquals(attr(dom, `mae-naive-${id}`).value, String(api.live.mae_naive));
      assertEquals(attr(dom, `realised-${id}`).value, String(api.live.n));
      // Live interval coverage as the API gives it, and the 80% band drawn for every prediction.
      assert(api.live.coverage_80 !== null, JSON.stringify(api.live));
      assertEquals(attr(dom, `coverage-${id}`).value, String(api.live.coverage_80));
      assert(/data-band="30"/.test(dom.slice(dom.indexOf(`id="chart-${id}"`))), "no interval band");
      assertEquals(attr(dom, `worse-${id}`).value, String(api.live.mae_model > api.live.mae_naive));
      assertEquals(attr(dom, `prediction-${id}`).value, String(api.predictions[0].predicted_close));
      assertEquals(attr(dom, `version-${id}`).value, health.series[0].model.version);
      assertEquals(attr(dom, `version-${id}`).text, "btc-usd_1m_h1 v0001");
      assertEquals(attr(dom, `version-ETH/USD-1m`).text, "naive (no model)");
      const plotted = /id="chart-BTC\/USD-1m"[^>]*data-candles="(\d+)"[^>]*data-predictions="(\d+)"/.exec(
        dom,
      );
      assertEquals(plotted?.slice(1), ["200", "30"]);
      // The chart library drew into its canvases inside the series' chart element.
      const chart = dom.slice(dom.indexOf(`id="chart-${id}"`));
      assert(
        chart.indexOf("<canvas") > 0 && chart.indexOf("<canvas") < chart.indexOf("</section>"),
        "no canvas in the chart",
      );
      assert(!attr(dom, "updated").text.startsWith("offline"), attr(dom, "updated").text);
    } finally {
      await srv.close();
      s.online.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "dashboard: the page names the market, says when the replay has ended, and flags a model worse than naive",
  ignore: !chromium && !Deno.env.get("CI"),
  async fn() {
    if (!chromium) throw new Error("chromium is required under CI (apt-get install chromium)");
    const dir = await Deno.makeTempDir();
    const s = await seed(dir, { n: 300, train: false });
    // Predictions 1% above every close: further from the realised close than "no change".
    const rows = s.rows.slice(-6);
    for (const [i, row] of rows.entries()) {
      await s.predictions.put({
        pair: "BTC/USD",
        window: "1m",
        made_at: row.window_end,
        horizon: 1,
        horizon_s: 60,
        current_close: row.close,
        predicted_close: row.close * 1.01,
        model: { name: "btc-usd_1m_h1", version: "v0001" },
        realised_close: null,
      });
      const next = rows[i + 1];
      if (next) await s.predictions.realise("BTC/USD", "1m", row.window_end, next.close);
    }
    const state: SystemState = {
      phase: "live",
      detail: "predicting with the promoted models",
      market: "the simulator replaying a SYNTHETIC market (data/demo/synthetic_trades.jsonl)",
      replay_ended_at: "2024-01-02T23:59:59.289Z",
    };
    const srv = await serveSeeded(s, { status: () => state });
    try {
      const api = await (await fetch(`${srv.base}/predictions?pair=BTC/USD&window=1m&limit=1`)).json();
      assert(api.live.n === 5 && api.live.mae_model > api.live.mae_naive, JSON.stringify(api.live));
      const dom = await renderedDom(`${srv.base}/`, dir);

      const market = attr(dom, "market");
      assertEquals(market.value, state.market);
      assertEquals(market.text, `market: ${state.market}`);
      const ended = attr(dom, "replay-ended");
      assertEquals(ended.value, state.replay_ended_at);
      assert(ended.text.startsWith("The replay has ended") && ended.text.includes(state.replay_ended_at!));
      const worse = attr(dom, "worse-BTC/USD-1m");
      assertEquals(worse.value, "true");
      assert(
        worse.text.includes(api.live.mae_model.toFixed(4)) &&
          worse.text.includes(api.live.mae_naive.toFixed(4)),
        worse.text,
      );
      assertEquals(attr(dom, "worse-ETH/USD-1m").value, "false");
    } finally {
      await srv.close();
      s.online.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "backtests page: in headless chromium each stored backtest draws its three equity curves and its figures equal the API's",
  ignore: !chromium && !Deno.env.get("CI"),
  async fn() {
    if (!chromium) throw new Error("chromium is required under CI (apt-get install chromium)");
    const dir = await Deno.makeTempDir();
    const s = await seed(dir, { n: 600 });
    const card = await s.registry.card("btc-usd_1m_h1", "v0001");
    const rule = (net: number) => ({
      candles: 3,
      net_return: net,
      sharpe: 1.5,
      max_drawdown: 0.02,
      trades: 2,
      hit_rate: 0.5,
      exposure: 0.6,
      turnover: 4,
    });
    const overall = { model: rule(0.0123), buy_and_hold: rule(-0.045), momentum: rule(0.002) };
    const t = Date.UTC(2024, 0, 1);
    await s.registry.saveBacktest({
      name: card.name,
      version: "v0001",
      pair: card.pair,
      window: card.window,
      horizon: card.horizon,
      model: "ridge",
      data: { rows: card.data.rows, from: card.data.from, to: card.data.to, hash: card.data.hash },
      costs: { fee_bps: 26, slippage_bps: 2 },
      threshold: "auto",
      long_only: false,
      folds: [],
      overall,
      equity: {
        at: [t, t + 60_000, t + 120_000],
        model: [1.01, 1.005, 1.0123],
        buy_and_hold: [0.99, 0.97, 0.955],
        momentum: [1, 1.001, 1.002],
      },
      created_at: new Date(t).toISOString(),
    });
    const srv = await serveSeeded(s);
    try {
      const api = await (await fetch(`${srv.base}/models/btc-usd_1m_h1/v0001/backtest`)).json();
      assertEquals(api.overall, overall);
      assertEquals((await fetch(`${srv.base}/models/btc-usd_1m_h1/v0002/backtest`)).status, 404);
      assertEquals((await fetch(`${srv.base}/models/..%2Fx/v0001/backtest`)).status, 400);
      const dom = await renderedDom(`${srv.base}/backtests`, dir);
      const id = "btc-usd_1m_h1-v0001";
      assertEquals(attr(dom, "none").value, "1");
      for (const r of ["model", "buy_and_hold", "momentum"] as const) {
        assertEquals(attr(dom, `net-${r}-${id}`).value, String(overall[r].net_return));
      }
      assertEquals(attr(dom, `net-model-${id}`).text, "1.23%");
      const chart = dom.slice(dom.indexOf(`id="equity-${id}"`));
      assert(/^id="equity-[^"]+"[^>]*data-points="3"/.test(chart), chart.slice(0, 200));
      assert(chart.indexOf("<canvas") > 0, "no canvas in the equity chart");
    } finally {
      await srv.close();
      s.online.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
