/**
 * Which market a data dir holds. Candles of different markets (Kraken, the simulator replaying a
 * file, a synthetic market) must never mix in one set of stores: the live dashboard would show the
 * replay, and training would learn from it. The first task that writes a data dir records its
 * market in `market.json`; a task on another market refuses with one line naming `--data-dir`.
 * A data dir from before the record existed is judged by its checkpoints, whose job names say
 * which exchange they followed.
 */
import { resolve } from "node:path";
import { checkOutputDir, ConfigError } from "../config.ts";
import { KRAKEN_REST_URL } from "../sources/kraken/rest_client.ts";
import { writeFileAtomic } from "./atomic_file.ts";
import { CheckpointFile } from "./checkpoint_file.ts";

export interface Market {
  /** What is compared: `exchange <REST URL>` or `replay <file>` (`replay synthetic` for the demo's own). */
  id: string;
  /** What the startup line, `/health` and the dashboard say the market is. */
  description: string;
  /**
   * What a models dir compares, where it differs from `id`: every synthetic market is one market to
   * the data dir that holds it, but their models differ (another --minutes, --pairs or regime).
   */
  modelsId?: string;
}

/**
 * A Kraken-compatible exchange, known by its REST URL as the ingest checkpoint is.
 *
 * @example
 * ```ts
 * exchangeMarket("https://api.kraken.com", "wss://ws.kraken.com/v2").description; // "Kraken (wss://ws.kraken.com/v2)"
 * ```
 */
export function exchangeMarket(restUrl: string, wsUrl?: string): Market {
  return {
    id: `exchange ${restUrl}`,
    description: wsUrl === undefined ? exchangeName(restUrl) : `${exchangeName(restUrl)} (${wsUrl})`,
  };
}

function exchangeName(restUrl: string): string {
  return restUrl === KRAKEN_REST_URL ? "Kraken" : `the exchange at ${restUrl}`;
}

/** The demo's simulator replaying `file`, or the SYNTHETIC market it generated there. */
export function replayMarket(file: string, synthetic: boolean): Market {
  return synthetic
    ? {
      id: "replay synthetic",
      description: `the simulator replaying a SYNTHETIC market (${file})`,
      modelsId: `replay synthetic ${resolve(file)}`,
    }
    : { id: `replay ${resolve(file)}`, description: `the simulator replaying ${file}` };
}

/**
 * Records `market` as the market of `dataDir`, or throws a {@linkcode ConfigError} (exit 2) when the
 * data dir already holds another one.
 *
 * @example
 * ```ts
 * await claimMarket("./data", exchangeMarket(cfg.restUrl, cfg.wsUrl));
 * ```
 */
export async function claimMarket(dataDir: string, market: Market): Promise<void> {
  await checkOutputDir("data-dir", dataDir);
  const path = `${dataDir}/market.json`;
  const held = await recorded(path) ?? await fromCheckpoints(dataDir);
  if (held && !sameMarket(held.id, market.id)) {
    throw new ConfigError(
      `--data-dir ${dataDir} holds ${held.description}, not ${market.description}, as ${held.from} records: ` +
        `give this task another --data-dir`,
    );
  }
  if (held?.from === path) return;
  const record = { id: market.id, description: market.description, recorded_at: new Date().toISOString() };
  await writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n");
}

/**
 * Records `market` as the market whose models `modelsDir` holds, or throws a {@linkcode ConfigError}
 * (exit 2) when it holds another's. `start` and `demo` serve the promoted models of their models
 * dir at once: a model trained on one market (the demo's synthetic one, say) would otherwise
 * predict another's candles as if it were theirs. A models dir without a record is claimed as is.
 *
 * @example
 * ```ts
 * await claimModelsMarket("./models", exchangeMarket(cfg.restUrl, cfg.wsUrl));
 * ```
 */
export async function claimModelsMarket(modelsDir: string, market: Market): Promise<void> {
  await checkOutputDir("models-dir", modelsDir);
  const path = `${modelsDir}/market.json`;
  const id = market.modelsId ?? market.id;
  const held = await recorded(path);
  if (held && held.id !== id) {
    throw new ConfigError(
      `--models-dir ${modelsDir} holds the models of ${held.description}, not of ${market.description}, as ` +
        `${path} records: give this task another --models-dir`,
    );
  }
  if (held) return;
  const record = { id, description: market.description, recorded_at: new Date().toISOString() };
  await writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n");
}

/**
 * The market `dataDir` holds, as its record (or its checkpoints) says, or null when it holds none
 * yet: for a task whose input names no market (a file), to say where its rows are going.
 */
export async function heldMarket(dataDir: string): Promise<Held | null> {
  return await recorded(`${dataDir}/market.json`) ?? await fromCheckpoints(dataDir);
}

/** A demo's checkpoint from before the record does not say which file it replayed. */
function sameMarket(held: string, wanted: string): boolean {
  return held === wanted || (held === "replay" && wanted.startsWith("replay "));
}

export type Held = Market & { from: string };

async function recorded(path: string): Promise<Held | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const m = JSON.parse(text) as Partial<Market>;
    if (typeof m.id !== "string" || typeof m.description !== "string") throw new Error("no id");
    return { id: m.id, description: m.description, from: path };
  } catch (cause) {
    throw new Error(
      `${path} is unreadable (${(cause as Error).message}); delete it to record the market again`,
      {
        cause,
      },
    );
  }
}

/** The market of the first checkpoint whose job names one (`ingest URL`, `backfill URL ...`, `demo`). */
async function fromCheckpoints(dataDir: string): Promise<Held | null> {
  const dir = `${dataDir}/checkpoints`;
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  for (const name of names.sort()) {
    const path = `${dir}/${name}`;
    // Other layouts share the folder (the Kafka stages' offsets); a file that is not a trade job's
    // checkpoint says nothing about the market, and the job that owns it reports its own damage.
    const job = (await new CheckpointFile(path).load().catch(() => null))?.job ?? "";
    const url = /^(?:ingest|backfill) (\S+)/.exec(job)?.[1];
    if (url !== undefined && /^https?:\/\//.test(url)) {
      return { id: `exchange ${url}`, description: exchangeName(url), from: path };
    }
    if (job === "demo") return { id: "replay", description: "the demo's replayed market", from: path };
  }
  return null;
}
