/**
 * GET / (the dashboard page), GET /backtests (the backtests' equity curves) and
 * GET /assets/lightweight-charts.js (their charting library).
 */
import { Hono } from "hono";
import { backtestHtml } from "../backtest_page.ts";
import { dashboardHtml } from "../dashboard.ts";
import type { RouteContext } from "../route_context.ts";

export function pageRoutes(ctx: RouteContext): Hono {
  return new Hono()
    .get("/", (c) => c.html(dashboardHtml(ctx.predictors.map((p) => ({ pair: p.pair, window: p.window })))))
    .get("/backtests", (c) => c.html(backtestHtml()))
    .get("/assets/lightweight-charts.js", (c) => {
      if (!ctx.chartScript) return c.text("chart library not loaded", 404);
      return c.body(ctx.chartScript, 200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=86400",
      });
    });
}
