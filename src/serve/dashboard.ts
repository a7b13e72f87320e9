/**
 * The dashboard: one page, no build step. Per tracked series, a candlestick chart of recent
 * candles with the predicted close drawn against the realised one, live MAE of the model and of
 * "no change" (flagged when the model's is worse), the model version and how fresh the features
 * are, the predictions' 80% interval as a band and how often realised closes fell inside it;
 * refreshed every two seconds from the API. Under `start` and `demo`, /health's `system` also
 * names the market (a SYNTHETIC one or a replayed file, in the demo) and says when a replay has
 * ended, and the page shows both. Every number is also in a `data-value` attribute, exactly as the
 * API gave it.
 */

export function dashboardHtml(series: readonly { pair: string; window: string }[]): string {
  const cards = series.map(({ pair, window }) => {
    const id = `${pair}-${window}`;
    return `<section class="card" data-series="${id}">
  <h2>${pair} <small>${window}</small></h2>
  <div class="stats">
    <div><span>model</span><b data-testid="version-${id}">–</b></div>
    <div><span>live MAE model</span><b data-testid="mae-model-${id}">–</b></div>
    <div><span>live MAE naive</span><b data-testid="mae-naive-${id}">–</b></div>
    <div><span>realised</span><b data-testid="realised-${id}">–</b></div>
    <div><span>live coverage 80% / 95%</span><b data-testid="coverage-${id}">–</b></div>
    <div><span>features age</span><b data-testid="age-${id}">–</b></div>
    <div><span>last prediction</span><b data-testid="prediction-${id}">–</b></div>
  </div>
  <p class="status" data-testid="status-${id}"></p>
  <p class="worse" data-testid="worse-${id}"></p>
  <div class="chart" id="chart-${id}"></div>
</section>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crypto-rt</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;background:#0f1115;color:#e6e6e6}
h1{font-size:1.3rem;margin:0 0 1rem} a{color:#93c5fd} h2{margin:.2rem 0 .6rem;font-size:1.1rem} small{color:#9aa0a6}
.card{background:#171a21;border-radius:8px;padding:1rem;margin-bottom:1.2rem}
.stats{display:flex;flex-wrap:wrap;gap:1.4rem;margin-bottom:.6rem}
.stats span{display:block;font-size:.75rem;color:#9aa0a6} .stats b{font-size:1.05rem}
.status{color:#f0b429;min-height:1.2em;margin:.2rem 0} .chart{height:320px}
.legend{font-size:.8rem;color:#9aa0a6}
.market{font-weight:600;margin:0 0 .4rem} .ended{color:#f0b429;font-weight:600}
.worse{color:#f87171;margin:.2rem 0} .market:empty,.ended:empty,.worse:empty{display:none}
</style></head>
<body>
<h1>crypto-rt <small data-testid="updated">connecting…</small> <small><a href="/backtests">backtests</a></small></h1>
<p class="market" data-testid="market"></p>
<p class="ended" data-testid="replay-ended"></p>
<p class="legend">candles: the realised market · orange: predicted close (drawn at the time it is for), dashed: its 80% interval · blue: realised close</p>
${cards}
<script src="/assets/lightweight-charts.js"></script>
<script>
const SERIES = ${JSON.stringify(series)};
const charts = {};
function fmt(v, digits) { return v === null || v === undefined ? "–" : Number(v).toFixed(digits); }
function put(id, value, text) {
  const el = document.querySelector('[data-testid="' + id + '"]');
  if (!el) return;
  el.dataset.value = value === null || value === undefined ? "" : String(value);
  el.textContent = text;
}
function chartFor(id) {
  if (charts[id]) return charts[id];
  const el = document.getElementById("chart-" + id);
  const chart = LightweightCharts.createChart(el, {
    layout: { background: { color: "#171a21" }, textColor: "#c9ccd1" },
    grid: { vertLines: { color: "#222631" }, horzLines: { color: "#222631" } },
    timeScale: { timeVisible: true, secondsVisible: false },
    autoSize: true,
  });
  const candles = chart.addSeries(LightweightCharts.CandlestickSeries, {});
  const predicted = chart.addSeries(LightweightCharts.LineSeries, { color: "#f59e0b", lineWidth: 2 });
  const realised = chart.addSeries(LightweightCharts.LineSeries, { color: "#3b82f6", lineWidth: 1 });
  const band = { color: "rgba(245,158,11,0.55)", lineWidth: 1, lineStyle: 2, lastValueVisible: false, priceLineVisible: false };
  const upper = chart.addSeries(LightweightCharts.LineSeries, band);
  const lower = chart.addSeries(LightweightCharts.LineSeries, band);
  return charts[id] = { chart, candles, predicted, realised, upper, lower };
}
async function json(url) {
  const r = await fetch(url);
  return await r.json();
}
async function refresh() {
  const health = await json("/health");
  const system = health.system || {};
  put("market", system.market, system.market ? "market: " + system.market : "");
  put("replay-ended", system.replay_ended_at, system.replay_ended_at
    ? "The replay has ended: its last trade (" + system.replay_ended_at + ") has passed and no more will arrive. This is its final state."
    : "");
  for (const s of SERIES) {
    const id = s.pair + "-" + s.window;
    const q = "pair=" + encodeURIComponent(s.pair) + "&window=" + s.window;
    const h = health.series.find((x) => x.pair === s.pair && x.window === s.window) || {};
    const [c, p] = await Promise.all([json("/candles?" + q + "&limit=200"), json("/predictions?" + q + "&limit=200")]);
    const c0 = chartFor(id);
    const secs = (t) => Math.floor(t / 1000);
    c0.candles.setData(c.candles.map((k) => ({ time: secs(k.t), open: k.open, high: k.high, low: k.low, close: k.close })));
    const preds = p.predictions.slice().reverse();
    // A prediction is drawn at the time it is for: the candle \`horizon\` windows after it was made.
    const at = (x) => secs(Date.parse(x.made_at)) + x.horizon_s;
    c0.predicted.setData(dedupe(preds.map((x) => ({ time: at(x), value: x.predicted_close }))));
    c0.realised.setData(dedupe(preds.filter((x) => x.realised_close !== null).map((x) => ({ time: at(x), value: x.realised_close }))));
    const banded = preds.filter((x) => x.interval_80);
    c0.upper.setData(dedupe(banded.map((x) => ({ time: at(x), value: x.interval_80[1] }))));
    c0.lower.setData(dedupe(banded.map((x) => ({ time: at(x), value: x.interval_80[0] }))));
    el0(id).dataset.band = String(banded.length);
    const el = el0(id);
    if (!el.dataset.candles && c.candles.length) c0.chart.timeScale().fitContent();
    el.dataset.candles = String(c.candles.length);
    el.dataset.predictions = String(preds.length);
    put("version-" + id, h.model ? h.model.version : null, h.model ? h.model.name + " " + h.model.version : "naive (no model)");
    put("mae-model-" + id, p.live.mae_model, fmt(p.live.mae_model, 4));
    put("mae-naive-" + id, p.live.mae_naive, fmt(p.live.mae_naive, 4));
    put("realised-" + id, p.live.n, String(p.live.n));
    put("coverage-" + id, p.live.coverage_80, p.live.coverage_80 === null || p.live.coverage_80 === undefined ? "–"
      : fmt(100 * p.live.coverage_80, 1) + "% / " + fmt(100 * p.live.coverage_95, 1) + "%");
    const worse = p.live.n > 0 && p.live.mae_model > p.live.mae_naive;
    put("worse-" + id, worse, worse
      ? "The model's live MAE (" + fmt(p.live.mae_model, 4) + ") is worse than naive's (" + fmt(p.live.mae_naive, 4) + "): predicting 'no change' would have done better."
      : "");
    put("age-" + id, h.features_age_s, h.features_age_s === null || h.features_age_s === undefined ? "–" : Math.round(h.features_age_s) + " s");
    const last = p.predictions[0];
    put("prediction-" + id, last ? last.predicted_close : null, last ? fmt(last.predicted_close, 2) : "–");
    const sys = health.system && health.system.phase !== "live" ? health.system.phase + ": " + health.system.detail : "";
    const status = sys ? sys : !h.last_candle ? "waiting for the first candle (is ingest running?)"
      : !h.model ? (h.model_error || "no promoted model yet: predictions are the naive baseline") : "";
    put("status-" + id, status, status);
  }
  put("updated", Date.now(), "updated " + new Date().toLocaleTimeString());
}
function el0(id) { return document.getElementById("chart-" + id); }
function dedupe(points) {
  const out = [];
  for (const p of points) {
    if (out.length && out[out.length - 1].time >= p.time) continue;
    out.push(p);
  }
  return out;
}
async function loop() {
  try { await refresh(); } catch (e) { put("updated", null, "offline: " + e.message); }
  setTimeout(loop, 2000);
}
loop();
</script>
</body></html>`;
}
