/**
 * GET /models: every model in the registry, its versions with their metrics (and whether their lead
 * over naive could be luck), feature importance,
 * interval coverage and latest backtest (overall figures of the rule, buy-and-hold and momentum),
 * which is promoted, the model loop's verdict on each version it ran in shadow, and (under
 * `start`/`demo`) the loop's state of the series: champion, challenger, fallback, last decision;
 * GET /models/:name/:version/backtest: a version's stored backtest whole.
 */
import { Hono } from "hono";
import { cardOtherPairs } from "../../domain/model_card.ts";
import type { ModelRegistry } from "../../domain/ports.ts";
import type { BacktestReport } from "../../model/backtest.ts";
import type { RouteContext } from "../route_context.ts";

function backtestSummary(b: BacktestReport | null) {
  if (!b) return null;
  const { created_at, costs, threshold, long_only, overall } = b;
  return { created_at, costs, threshold, long_only, folds: b.folds.length, overall };
}

async function listing(ctx: RouteContext): Promise<string> {
  const registry: ModelRegistry = ctx.registry;
  const out = [];
  for (const name of await registry.names()) {
    const { current } = await registry.promotedFile(name);
    const versions = [];
    for (const v of await registry.versions(name)) {
      try {
        const card = await registry.card(name, v);
        const backtest = await registry.backtest?.(name, v).catch(() => null) ?? null;
        versions.push({
          version: v,
          promoted: v === current,
          created_at: card.created_at,
          model: card.model.kind,
          // The other pairs whose columns it reads, and from how many windows back.
          other_pairs: cardOtherPairs(card),
          rows: card.data.rows,
          overall: card.overall,
          vs_naive: card.vs_naive ?? null,
          vs_drift: card.vs_drift ?? null,
          decision: card.decision,
          backtest: backtestSummary(backtest),
          live_decision: await registry.liveDecision?.(name, v).catch(() => null) ?? null,
          // The ten inputs that matter most, and the intervals' coverage over the test folds.
          importance: card.importance
            ? { method: card.importance.method, features: card.importance.features.slice(0, 10) }
            : null,
          intervals: card.intervals ? { q: card.intervals.model.q, overall: card.intervals.overall } : null,
        });
      } catch {
        versions.push({ version: v, promoted: false, incomplete: true });
      }
    }
    const series = ctx.predictors.find((p) => p.name === name);
    const loop = series && ctx.loop ? ctx.loop(series.pair, series.window) : undefined;
    out.push({ name, promoted: current, ...(loop ? { loop } : {}), versions });
  }
  return JSON.stringify({ models: out });
}

export function modelRoutes(ctx: RouteContext): Hono {
  return new Hono()
    .get("/models", async (c) => {
      const body = await ctx.reads.shared("models", () => listing(ctx));
      return c.body(body, 200, { "content-type": "application/json" });
    })
    // The whole stored backtest of a version, equity curves included.
    .get("/models/:name/:version/backtest", async (c) => {
      const { name, version } = c.req.param();
      // A malformed name or version is no version either; it is never used as a path.
      if (!/^[a-z0-9-]+_\w+_h\d+$/.test(name) || !/^v\d+$/.test(version)) {
        return c.json({ error: `no such model version: ${name} ${version}` }, 404);
      }
      const report = await ctx.registry.backtest?.(name, version).catch(() => null) ?? null;
      if (!report) {
        const exists = (await ctx.registry.versions(name).catch((): string[] => [])).includes(version);
        const error = exists
          ? `no backtest stored for ${name} ${version}: run deno task backtest with --version ${version}`
          : `no such model version: ${name} ${version}`;
        return c.json({ error }, 404);
      }
      return c.json(report);
    });
}
