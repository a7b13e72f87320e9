/**
 * The dashboard: one page, no build step. Per tracked series, a candlestick chart of recent
 * candles with the predicted close drawn against the realised one, live MAE of the model and of
 * "no change" (flagged when the model's is worse), the model version and how fresh the features
 * are (saying so when they are older than /predict serves), the predictions' 80% interval as a band and how often realised closes fell inside it;
 * refreshed every two seconds from the API. Under `start` and `demo`, /health's `system` also
 * names the market (a SYNTHETIC one or a replayed file, in the demo) and says when a replay has
 * ended, and the page shows both. Every number is also in a `data-value` attribute, exactly as the
 * API gave it.
 *
 * Each series also draws its live skill, 1 − MAE(model) / MAE(naive), rolling over its latest
 * realised predictions (from /predictions, so under plain `serve` too; "model" is the champion's
 * own close, read from the shadow record while the series serves naive), and the challenger's
 * beside it. Where /health carries the
 * model loop's view of a series (`loop`, under `start` and `demo`), the page shows the champion
 * and its age, the challenger in shadow and its progress, the last decision and the retraining,
 * and a red banner while the series serves naive or its live skill is below zero; without it those
 * parts stay hidden. Text from the server is set with `textContent`, never parsed as HTML.
 */
import { GUARD_MARGIN } from "../system/loop_state.ts";

/** Realised predictions per point of the rolling live skill. */
export const SKILL_WINDOW = 60;
/** Realised predictions a live skill needs before it is drawn or can raise the banner. */
export const SKILL_MIN_ROWS = 30;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function dashboardHtml(series: readonly { pair: string; window: string }[]): string {
  const cards = series.map(({ pair, window }) => {
    const id = escapeHtml(`${pair}-${window}`);
    return `<section class="card" data-series="${id}">
  <h2>${escapeHtml(pair)} <small>${escapeHtml(window)}</small></h2>
  <p class="banner" data-testid="banner-${id}" hidden></p>
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
  <div class="stats loop" data-testid="loop-${id}" hidden>
    <div><span>champion</span><b data-testid="champion-${id}">–</b></div>
    <div><span>challenger (in shadow)</span><b data-testid="challenger-${id}">–</b>
      <div class="bar" data-testid="shadow-${id}" role="progressbar" aria-label="shadow progress" hidden><i></i></div></div>
    <div><span>retraining</span><b data-testid="retrain-${id}">–</b></div>
    <div class="decision"><span>last decision</span><b data-testid="decision-${id}">–</b></div>
  </div>
  <p class="worse" data-testid="worse-${id}"></p>
  <div class="chart" id="chart-${id}"></div>
  <p class="legend skill-legend">lower pane: live skill 1 − MAE(model) / MAE(naive), rolling over the last
    ${SKILL_WINDOW} realised predictions (drawn from ${SKILL_MIN_ROWS}); above the dashed zero line the model
    beats naive; blue dashed: the challenger in shadow. Now: <b data-testid="skill-${id}">–</b></p>
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
.status{color:#f0b429;min-height:1.2em;margin:.2rem 0} .chart{height:430px}
.legend{font-size:.8rem;color:#9aa0a6}
.market{font-weight:600;margin:0 0 .4rem} .ended{color:#f0b429;font-weight:600}
.worse{color:#f87171;margin:.2rem 0} .market:empty,.ended:empty,.worse:empty{display:none}
[hidden]{display:none!important}
.banner{background:#7f1d1d;border:1px solid #ef4444;color:#fff;font-weight:600;border-radius:6px;padding:.5rem .8rem;margin:.2rem 0 .6rem}
.loop{border-top:1px solid #222631;padding-top:.5rem} .decision{flex:1 1 100%} .decision b{font-weight:400;font-size:.95rem}
.bar{width:9rem;height:.45rem;background:#2a2f3a;border-radius:3px;margin-top:.3rem;overflow:hidden}
.bar i{display:block;height:100%;width:0;background:#60a5fa}
.skill-legend{margin:.5rem 0 0} .skill-legend b{color:#e6e6e6}
</style></head>
<body>
<h1>crypto-rt <small data-testid="updated">connecting…</small> <small><a href="/backtests">backtests</a></small></h1>
<p class="market" data-testid="market"></p>
<p class="ended" data-testid="replay-ended"></p>
<p class="legend">candles: the realised market · orange: predicted close (drawn at the time it is for), dashed: its 80% interval · blue: realised close</p>
${cards}
<script src="/assets/lightweight-charts.js"></script>
<script>
const SERIES = ${JSON.stringify(series).replace(/</g, "\\u003c")};
const SKILL_WINDOW = ${SKILL_WINDOW}, SKILL_MIN_ROWS = ${SKILL_MIN_ROWS};
const charts = {};
function fmt(v, digits) { return v === null || v === undefined ? "–" : Number(v).toFixed(digits); }
function byTestId(id) { return document.querySelector('[data-testid="' + CSS.escape(id) + '"]'); }
function put(id, value, text) {
  const el = byTestId(id);
  if (!el) return;
  el.dataset.value = value === null || value === undefined ? "" : String(value);
  el.textContent = text;
}
/** A duration in seconds, as "2d 3h", "3h 12m", "12m" or "40s". */
function span(s) {
  s = Math.max(0, Math.round(s));
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m ? m + "m" : s + "s";
}
/** An ISO time of the market clock, to the minute. */
function when(iso) { return String(iso).replace("T", " ").replace(/:\\d\\d(\\.\\d+)?Z$/, " UTC"); }
/**
 * 1 − MAE(model) / MAE(naive) over the last SKILL_WINDOW of the realised predictions (oldest first)
 * that \`close(x)\` gives a predicted close for, at each of them from the SKILL_MIN_ROWS-th on; none
 * where naive was exact throughout.
 */
function rollingSkill(realised, close) {
  const rows = realised.filter((x) => close(x) !== undefined);
  const out = [];
  for (let i = SKILL_MIN_ROWS - 1; i < rows.length; i++) {
    const from = Math.max(0, i - SKILL_WINDOW + 1);
    let model = 0, naive = 0;
    for (let j = from; j <= i; j++) {
      model += Math.abs(close(rows[j]) - rows[j].realised_close);
      naive += Math.abs(rows[j].current_close - rows[j].realised_close);
    }
    if (naive > 0) out.push({ at: rows[i], skill: 1 - model / naive, rows: i - from + 1 });
  }
  return out;
}
// The model's own close: the champion's, served or (while the series serves naive) in shadow.
const modelClose = (x) => x.shadow && x.shadow.champion ? x.shadow.champion.predicted_close : x.predicted_close;
const challengerClose = (x) => x.shadow && x.shadow.challenger ? x.shadow.challenger.predicted_close : undefined;
/** The model loop's view of a series, or hidden without one; the banner from it and the rolling skill. */
function showLoop(id, loop, rolling) {
  byTestId("loop-" + id).hidden = !loop;
  let banner = "", kind = "";
  if (loop && loop.fallback) {
    kind = "fallback";
    banner = "Serving naive: " + loop.fallback.reason + " (since " + when(loop.fallback.since) + ")";
  } else if (loop) {
    const own = loop.live_skill !== null && loop.live_skill !== undefined;
    const last = rolling[rolling.length - 1];
    const skill = own ? loop.live_skill : last ? last.skill : null;
    const rows = own ? loop.live_rows : last ? last.rows : 0;
    if (skill !== null && rows >= SKILL_MIN_ROWS && skill < 0) {
      kind = "worse";
      // The card's live MAEs cover every realised prediction, this only the latest: say which, and
      // that a lead this small can be noise the fallback (a significance test) waits out.
      banner = "Worse than naive lately: live skill " + fmt(skill, 3) + " over the last " + rows +
        " realised predictions; it falls back to naive once that is significant and over ${
    GUARD_MARGIN * 100
  }% worse";
    }
  }
  put("banner-" + id, kind, banner);
  byTestId("banner-" + id).hidden = !banner;
  if (!loop) return;
  const c = loop.champion;
  // Past --max-model-age a champion is retrained first; past twice that it expires.
  const max = loop.max_model_age_s;
  const aged = !c || !max ? "" : c.age_s >= 2 * max ? " (expired)" : c.age_s >= max ? " (past max age " + span(max) + ")" : "";
  put("champion-" + id, c ? c.version : null, c ? c.version + " · " + span(c.age_s) + " old" + aged : "none");
  if (c) byTestId("champion-" + id).title = "trained on data to " + when(c.trained_to) + (max ? "; max age " + span(max) : "");
  const ch = loop.challenger;
  put("challenger-" + id, ch ? ch.version : null,
    ch ? ch.version + " · " + ch.realised + " / " + ch.needed + " realised" : "no challenger");
  const bar = byTestId("shadow-" + id);
  bar.hidden = !ch;
  const done = ch && ch.needed > 0 ? Math.min(1, ch.realised / ch.needed) : 0;
  bar.dataset.value = ch ? String(done) : "";
  bar.setAttribute("aria-valuenow", String(Math.round(100 * done)));
  bar.firstElementChild.style.width = (100 * done) + "%";
  const r = loop.retrain || {};
  put("retrain-" + id, r.running ? "running" : r.next_at || "",
    r.running ? "running…" : r.next_at ? "next " + when(r.next_at) : "not scheduled");
  const d = loop.last_decision;
  put("decision-" + id, d ? d.at : null, d ? when(d.at) + ": " + d.text : "none yet");
}
function chartFor(id) {
  if (charts[id]) return charts[id];
  const el = document.getElementById("chart-" + id);
  const chart = LightweightCharts.createChart(el, {
    layout: {
      background: { color: "#171a21" },
      textColor: "#c9ccd1",
      panes: { separatorColor: "#2a2f3a", separatorHoverColor: "#3b4252" },
    },
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
  // The live skill in a lower pane of the same chart, so it lines up in time with the predictions.
  const skill = chart.addSeries(LightweightCharts.BaselineSeries, {
    baseValue: { type: "price", price: 0 },
    topLineColor: "#34d399", topFillColor1: "rgba(52,211,153,0.28)", topFillColor2: "rgba(52,211,153,0.04)",
    bottomLineColor: "#f87171", bottomFillColor1: "rgba(248,113,113,0.04)", bottomFillColor2: "rgba(248,113,113,0.28)",
    lineWidth: 2,
    priceFormat: { type: "price", precision: 3, minMove: 0.001 },
    // Keep zero (naive) in view, however far the skill is from it.
    autoscaleInfoProvider: (base) => {
      const r = base();
      if (!r || !r.priceRange) return r;
      return { ...r, priceRange: { minValue: Math.min(0, r.priceRange.minValue), maxValue: Math.max(0, r.priceRange.maxValue) } };
    },
  }, 1);
  const challengerSkill = chart.addSeries(LightweightCharts.LineSeries, {
    color: "#60a5fa", lineWidth: 1, lineStyle: 2, priceLineVisible: false,
  }, 1);
  chart.panes()[0].setStretchFactor(3);
  chart.panes()[1].setStretchFactor(1);
  skill.createPriceLine({ price: 0, color: "#9aa0a6", lineWidth: 1, lineStyle: 2, axisLabelVisible: true, title: "naive" });
  return charts[id] = { chart, candles, predicted, realised, upper, lower, skill, challengerSkill };
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
    const preds = p.predictions.slice().reverse();
    const realisedPreds = preds.filter((x) => x.realised_close !== null);
    const rolling = rollingSkill(realisedPreds, modelClose);
    const lastSkill = rolling[rolling.length - 1];
    put("skill-" + id, lastSkill ? lastSkill.skill : null, lastSkill
      ? fmt(lastSkill.skill, 3) + " over the last " + lastSkill.rows
      : "needs " + SKILL_MIN_ROWS + " realised predictions");
    showLoop(id, h.loop, rolling);
    const c0 = chartFor(id);
    const secs = (t) => Math.floor(t / 1000);
    c0.candles.setData(c.candles.map((k) => ({ time: secs(k.t), open: k.open, high: k.high, low: k.low, close: k.close })));
    // A prediction is drawn at the time it is for: the candle \`horizon\` windows after it was made.
    const at = (x) => secs(Date.parse(x.made_at)) + x.horizon_s;
    c0.predicted.setData(dedupe(preds.map((x) => ({ time: at(x), value: x.predicted_close }))));
    c0.realised.setData(dedupe(preds.filter((x) => x.realised_close !== null).map((x) => ({ time: at(x), value: x.realised_close }))));
    const banded = preds.filter((x) => x.interval_80);
    c0.upper.setData(dedupe(banded.map((x) => ({ time: at(x), value: x.interval_80[1] }))));
    c0.lower.setData(dedupe(banded.map((x) => ({ time: at(x), value: x.interval_80[0] }))));
    el0(id).dataset.band = String(banded.length);
    const skillPoints = dedupe(rolling.map((r) => ({ time: at(r.at), value: r.skill })));
    c0.skill.setData(skillPoints);
    const shadowed = rollingSkill(realisedPreds, challengerClose);
    c0.challengerSkill.setData(dedupe(shadowed.map((r) => ({ time: at(r.at), value: r.skill }))));
    el0(id).dataset.skill = String(skillPoints.length);
    const el = el0(id);
    if (!el.dataset.candles && c.candles.length) c0.chart.timeScale().fitContent();
    el.dataset.candles = String(c.candles.length);
    el.dataset.predictions = String(preds.length);
    const onFallback = h.loop && h.loop.fallback;
    put("version-" + id, h.model ? h.model.version + (onFallback ? "|naive" : "") : null, !h.model ? "naive (no model)"
      : onFallback ? "naive (" + h.model.version + " on fallback)" : h.model.name + " " + h.model.version);
    put("mae-model-" + id, p.live.mae_model, fmt(p.live.mae_model, 4));
    put("mae-naive-" + id, p.live.mae_naive, fmt(p.live.mae_naive, 4));
    put("realised-" + id, p.live.n, String(p.live.n));
    put("coverage-" + id, p.live.coverage_80, p.live.coverage_80 === null || p.live.coverage_80 === undefined ? "–"
      : fmt(100 * p.live.coverage_80, 1) + "% / " + fmt(100 * p.live.coverage_95, 1) + "%");
    const worse = p.live.n > 0 && p.live.mae_model > p.live.mae_naive;
    put("worse-" + id, worse, worse
      ? "The model's live MAE (" + fmt(p.live.mae_model, 4) + ") is worse than naive's (" + fmt(p.live.mae_naive, 4) + "): predicting 'no change' would have done better."
      : "");
    const age = h.features_age_s;
    // Seconds while fresh; a store left for days reads "3d 4h", not a nine-digit count of seconds.
    put("age-" + id, age, age === null || age === undefined ? "–" : age < 120 ? Math.round(age) + " s" : span(age));
    const last = p.predictions[0];
    put("prediction-" + id, last ? last.predicted_close : null, last ? fmt(last.predicted_close, 2) : "–");
    const sys = health.system && health.system.phase !== "live" ? health.system.phase + ": " + health.system.detail : "";
    // Live without a model, the system's notes on this pair say why (fewer candles than it needs, a
    // model that lost to naive, a training that failed) and when it tries again.
    const why = health.system && health.system.phase === "live" && !h.model
      ? health.system.detail.split("; ").filter((n) => n.includes(h.pair)).join("; ") : "";
    // /predict refuses features older than the limit /health gives: the page says so rather than
    // show a model and its last prediction as if they were being served.
    const limit = h.max_feature_age_s;
    const stale = typeof limit === "number" && typeof age === "number" && age > limit;
    const status = sys ? sys : !h.last_candle ? "waiting for the first candle (is ingest running?)"
      : !h.model ? (h.model_error || "no promoted model yet: predictions are the naive baseline" + (why ? " (" + why + ")" : ""))
      : stale ? "stale features: the latest candle closed " + span(age) + " ago (limit " + span(limit) +
        "), so /predict answers 503 until newer ones arrive (is ingest running?)"
      : "";
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
