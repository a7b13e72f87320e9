/** GET /models: every model in the registry, its versions with their metrics, and which is promoted. */
import { Hono } from "hono";
import type { ModelRegistry } from "../../domain/ports.ts";
import type { RouteContext } from "../route_context.ts";

async function listing(registry: ModelRegistry): Promise<string> {
  const out = [];
  for (const name of await registry.names()) {
    const { current } = await registry.promotedFile(name);
    const versions = [];
    for (const v of await registry.versions(name)) {
      try {
        const card = await registry.card(name, v);
        versions.push({
          version: v,
          promoted: v === current,
          created_at: card.created_at,
          model: card.model.kind,
          rows: card.data.rows,
          overall: card.overall,
          decision: card.decision,
        });
      } catch {
        versions.push({ version: v, promoted: false, incomplete: true });
      }
    }
    out.push({ name, promoted: current, versions });
  }
  return JSON.stringify({ models: out });
}

export function modelRoutes(ctx: RouteContext): Hono {
  return new Hono().get("/models", async (c) => {
    const body = await ctx.reads.shared("models", () => listing(ctx.registry));
    return c.body(body, 200, { "content-type": "application/json" });
  });
}
