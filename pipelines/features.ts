/**
 * `deno task features export|tail`: reading the offline store.
 * - `export --pair P --window W [--from T --to T] --format csv|jsonl --out PATH`: one row per candle.
 * - `tail --pair P [--window W] [--n N]`: the newest rows, and the online store's latest.
 */
import { ConfigError, exportConfig, tailConfig, usage } from "../src/config.ts";
import { isoTime } from "../src/domain/time.ts";
import { EXPORT_CSV_HEADER, exportCsv, exportJson } from "../src/stores/feature_export.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { KvFeatureStore } from "../src/stores/online_kv.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

const [command, ...args] = Deno.args;

await runTask("features", async () => {
  if (command === "export") return await exportRows(args);
  if (command === "tail") return await tail(args);
  if (command === undefined) {
    console.log(usage("features"));
    return 0;
  }
  throw new ConfigError(`unknown command '${command}' (export or tail)`);
});

async function exportRows(argv: string[]): Promise<number> {
  const cfg = exportConfig(argv);
  setLogLevel(cfg.logLevel);
  const log = logger("features");
  const store = await DuckDbFeatureStore.open(`${cfg.dataDir}/offline.duckdb`, { readOnly: true });
  try {
    const rows = await store.rangeWithNews(cfg.pair, cfg.window, cfg.from, cfg.to);
    const lines = cfg.format === "csv" ? [EXPORT_CSV_HEADER, ...rows.map(exportCsv)] : rows.map(exportJson);
    const text = lines.join("\n") + (lines.length ? "\n" : "");
    if (cfg.out === "-") await Deno.stdout.write(new TextEncoder().encode(text));
    else await Deno.writeTextFile(cfg.out, text);
    const span = rows.length
      ? ` (${isoTime(rows[0]!.window_start)} .. ${isoTime(rows.at(-1)!.window_start)})`
      : "";
    log.info(
      `${rows.length} ${cfg.pair} ${cfg.window} rows${span} written to ${
        cfg.out === "-" ? "stdout" : cfg.out
      }`,
    );
    if (rows.length === 0) {
      log.warn(`no ${cfg.pair} ${cfg.window} rows in ${cfg.dataDir}/offline.duckdb for that range`);
    }
  } finally {
    store.close();
  }
  return 0;
}

async function tail(argv: string[]): Promise<number> {
  const cfg = tailConfig(argv);
  setLogLevel(cfg.logLevel);
  const store = await DuckDbFeatureStore.open(`${cfg.dataDir}/offline.duckdb`, { readOnly: true });
  try {
    const rows = await store.tail(cfg.pair, cfg.window, cfg.n);
    const cols = [
      "window_start",
      "open",
      "high",
      "low",
      "close",
      "volume",
      "trades",
      "rsi_14",
      "macd_hist",
      "warm",
    ];
    console.log(cols.join("\t"));
    for (const r of rows) {
      console.log(
        cols.map((c) => {
          const v = r[c as keyof typeof r];
          if (c === "window_start") return isoTime(v as number);
          return typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : String(v ?? "");
        }).join("\t"),
      );
    }
  } finally {
    store.close();
  }
  try {
    const online = await KvFeatureStore.open(`${cfg.dataDir}/online.kv`);
    const latest = await online.latest(cfg.pair, cfg.window);
    online.close();
    console.log(
      latest
        ? `online store latest: ${isoTime(latest.window_start)} close ${latest.close}`
        : "online store: empty",
    );
  } catch (e) {
    console.log(`online store: unavailable (${(e as Error).message})`);
  }
  return 0;
}
