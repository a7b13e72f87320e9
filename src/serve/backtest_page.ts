/**
 * The backtest page: per model version with a stored backtest (`deno task backtest --version V`),
 * the equity curves of the model's rule, buy-and-hold and one-candle momentum on the same
 * out-of-sample candles at the same costs, and their overall figures. Every figure is also in a
 * `data-value` attribute, exactly as the API gave it.
 */

export function backtestHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crypto-rt backtests</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;background:#0f1115;color:#e6e6e6}
h1{font-size:1.3rem;margin:0 0 1rem} h2{margin:.2rem 0 .6rem;font-size:1.1rem} small{color:#9aa0a6}
a{color:#93c5fd}
.card{background:#171a21;border-radius:8px;padding:1rem;margin-bottom:1.2rem}
table{border-collapse:collapse;margin:.4rem 0 .8rem} td,th{padding:.2rem .8rem;text-align:right}
th:first-child,td:first-child{text-align:left} th{color:#9aa0a6;font-weight:500}
.chart{height:300px} .legend{font-size:.8rem;color:#9aa0a6}
</style></head>
<body>
<h1>crypto-rt backtests <small><a href="/">dashboard</a></small></h1>
<p class="legend">walk-forward out-of-sample predictions traded at the next candle's open, after fees and slippage ·
orange: the model's rule · blue: buy-and-hold · grey: one-candle momentum</p>
<p data-testid="none"></p>
<div id="cards"></div>
<script src="/assets/lightweight-charts.js"></script>
<script>
const RULES = [["model", "#f59e0b"], ["buy_and_hold", "#3b82f6"], ["momentum", "#9ca3af"]];
const pct = (x) => x === null || x === undefined ? "–" : (100 * x).toFixed(2) + "%";
const num = (x) => x === null || x === undefined ? "–" : Number(x).toFixed(2);
function cell(id, value, text) {
  return '<td data-testid="' + id + '" data-value="' + (value === null || value === undefined ? "" : value) + '">' + text + "</td>";
}
async function json(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ": " + r.status);
  return await r.json();
}
async function load() {
  const { models } = await json("/models");
  const cards = document.getElementById("cards");
  let shown = 0;
  for (const m of models) {
    for (const v of m.versions) {
      if (!v.backtest) continue;
      const b = await json("/models/" + encodeURIComponent(m.name) + "/" + v.version + "/backtest");
      const id = m.name + "-" + v.version;
      const rows = RULES.map(([rule]) => {
        const s = b.overall[rule];
        return "<tr><td>" + rule.replace(/_/g, " ") + "</td>" + cell("net-" + rule + "-" + id, s.net_return, pct(s.net_return)) +
          cell("sharpe-" + rule + "-" + id, s.sharpe, num(s.sharpe)) + cell("drawdown-" + rule + "-" + id, s.max_drawdown, pct(s.max_drawdown)) +
          cell("trades-" + rule + "-" + id, s.trades, String(s.trades)) + cell("hit-" + rule + "-" + id, s.hit_rate, pct(s.hit_rate)) +
          cell("exposure-" + rule + "-" + id, s.exposure, pct(s.exposure)) + "</tr>";
      }).join("");
      const section = document.createElement("section");
      section.className = "card";
      section.dataset.backtest = id;
      section.innerHTML = "<h2>" + m.name + " <small>" + v.version + (v.promoted ? " (promoted)" : "") + " · " + b.model +
        " · fee " + b.costs.fee_bps + " bp, slippage " + b.costs.slippage_bps + " bp, threshold " + b.threshold +
        (b.long_only ? ", long only" : "") + "</small></h2>" +
        "<table><tr><th>rule</th><th>net return</th><th>Sharpe</th><th>max drawdown</th><th>trades</th><th>hit rate</th><th>exposure</th></tr>" +
        rows + "</table>" + '<div class="chart" id="equity-' + id + '"></div>';
      cards.appendChild(section);
      const el = document.getElementById("equity-" + id);
      const chart = LightweightCharts.createChart(el, {
        layout: { background: { color: "#171a21" }, textColor: "#c9ccd1" },
        grid: { vertLines: { color: "#222631" }, horzLines: { color: "#222631" } },
        timeScale: { timeVisible: true, secondsVisible: false },
        autoSize: true,
      });
      for (const [rule, color] of RULES) {
        const line = chart.addSeries(LightweightCharts.LineSeries, { color, lineWidth: rule === "model" ? 2 : 1 });
        line.setData(b.equity.at.map((t, i) => ({ time: Math.floor(t / 1000), value: b.equity[rule][i] })));
      }
      chart.timeScale().fitContent();
      el.dataset.points = String(b.equity.at.length);
      shown++;
    }
  }
  const none = document.querySelector('[data-testid="none"]');
  none.dataset.value = String(shown);
  none.textContent = shown ? "" : "No backtest stored yet: run deno task backtest --pair P --window W --horizon H --version V.";
}
load().catch((e) => {
  const none = document.querySelector('[data-testid="none"]');
  none.textContent = "offline: " + e.message;
});
</script>
</body></html>`;
}
