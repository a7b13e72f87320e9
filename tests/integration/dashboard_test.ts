/**
 * The dashboard in a real browser: Debian's chromium, headless, loads the page from the app on
 * loopback, runs its scripts against the API, and the rendered DOM is read back. Ignored, with a
 * warning, on a machine without chromium (.ci/run installs it).
 */
import { assert, assertEquals } from "../assert.ts";
import { seed, serveSeeded } from "../serve_fixtures.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { Predictor } from "../../src/model/predictor.ts";

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
    const predictor = new Predictor(s.registry, "BTC/USD", "1m", 1);
    await predictor.refresh();
    const live = new LivePredictions([predictor], s.online, s.predictions);
    await live.onRows(s.rows.slice(-30));
    await predictor.close();
    const srv = await serveSeeded(s);
    try {
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
          `${srv.base}/`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dom = new TextDecoder().decode(out.stdout);
      assert(out.success && dom.includes("</html>"), new TextDecoder().decode(out.stderr).slice(-2000));

      const api = await (await fetch(`${srv.base}/predictions?pair=BTC/USD&window=1m&limit=1`)).json();
      const health = await (await fetch(`${srv.base}/health`)).json();
      const id = "BTC/USD-1m";
      assertEquals(attr(dom, `mae-model-${id}`).value, String(api.live.mae_model));
      assertEquals(attr(dom, `mae-naive-${id}`).value, String(api.live.mae_naive));
      assertEquals(attr(dom, `realised-${id}`).value, String(api.live.n));
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
