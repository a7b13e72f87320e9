/**
 * The file sources: trade files parsed from bytes on disk to the `ReadableStream<Trade>` the
 * pipeline consumes, and the line splitter under them.
 *
 * - trades-csv and trades-jsonl, 1M Kraken-shaped BTC/USD trades written to a temp dir (sequential
 *   ids, prices with 1–5 decimals, quantities with up to 8, ms times, both sides, both order types):
 *   trades/s, min/median/max of three reads, against the 1M/s target. Before the in-place fast
 *   paths (JSON.parse or split per line, a stream hop per line) this machine read 0.37–0.41M/s.
 * - the CSV file through `cut()`, as `backfill --file` drains it: what a stream hop per trade costs
 *   beside the parse alone.
 * - one 10 MB line in 1 KB chunks against the same bytes as short lines: linear splitting keeps the
 *   two within a small factor, where gluing each chunk to the unfinished line took half a minute.
 *
 * Run alone with `deno run --allow-read --allow-write bench/lines.ts`.
 */
import process from "node:process";
import { LineStream } from "../src/sources/files/line_stream.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import type { TradeFormat } from "../src/sources/files/trade_formats.ts";
import { cut } from "../src/stages/cut.ts";
import type { Trade } from "../src/domain/trade.ts";
import type { BenchResult } from "./ws_frames.ts";

const MB = 1024 * 1024;
const TRADES = 1_000_000;
const TARGET = 1_000_000;

/** MB/s through a `LineStream`, best of three. */
async function rate(chunks: readonly string[], bytes: number): Promise<number> {
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let chars = 0;
    for await (const line of ReadableStream.from(chunks).pipeThrough(new LineStream())) {
      chars += line.text.length;
    }
    if (chars === 0) throw new Error("no lines");
    best = Math.max(best, bytes / MB / ((performance.now() - t0) / 1000));
  }
  return best;
}

async function longLine(): Promise<BenchResult> {
  const piece = "0123456789abcdef".repeat(64);
  const long = [...Array.from({ length: (10 * MB) / piece.length }, () => piece), "\n"];
  const line = "x".repeat(99) + "\n";
  const shortChunk = line.repeat(piece.length / line.length);
  const short = Array.from({ length: (10 * MB) / shortChunk.length }, () => shortChunk);
  const shortRate = await rate(short, short.length * shortChunk.length);
  const longRate = await rate(long, 10 * MB);
  console.log(
    `  10 MB in 1 KB chunks: one line ${longRate.toFixed(0)} MB/s, 100-byte lines ${
      shortRate.toFixed(0)
    } MB/s`,
  );
  return {
    name: "one 10 MB line in 1 KB chunks, split",
    value: longRate,
    unit: "MB/s",
    reference: "100-byte lines in the same chunks",
    referenceValue: shortRate,
    ratio: longRate / shortRate,
    target: "ratio >= 0.5 (linear in the line's length)",
    pass: longRate >= 0.5 * shortRate,
  };
}

/**
 * Kraken-shaped BTC/USD trades as CSV and JSONL lines. Numbers are written as an exchange writes
 * them in CSV (plain decimals) and as the project writes them in JSONL (`JSON.stringify`, which
 * puts the smallest quantities in exponent form).
 */
function* krakenLines(n: number): Generator<{ csv: string; jsonl: string }> {
  let a = 7;
  const rnd = () => {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    return a / 2_147_483_648;
  };
  let ts = 1_561_939_203_172, cents = 1_074_940;
  for (let i = 0; i < n; i++) {
    ts += Math.floor(rnd() * rnd() * 1500);
    cents = Math.max(100_000, cents + Math.round((rnd() - 0.5) * 60));
    const price = (cents / 100 + Math.floor(rnd() * 1000) / 1e5).toFixed(1 + Math.floor(rnd() * 5));
    const qty = Math.max(rnd() ** 3 * 4, 1e-8).toFixed(1 + Math.floor(rnd() * 8)).replace(
      /^0\.0+$/,
      "0.00000001",
    );
    const side = rnd() < 0.55 ? "buy" : "sell";
    const ordType = rnd() < 0.7 ? "limit" : "market";
    const trade: Trade = { pair: "BTC/USD", price: Number(price), qty: Number(qty), side, ts };
    trade.trade_id = 75_666_635 + i;
    trade.ord_type = ordType;
    yield {
      csv: `${ts},BTC/USD,${price},${qty},${side},${ordType},${trade.trade_id}`,
      jsonl: JSON.stringify(trade),
    };
  }
}

async function writeFiles(dir: string): Promise<Record<"trades-csv" | "trades-jsonl", string>> {
  const paths = { "trades-csv": `${dir}/trades.csv`, "trades-jsonl": `${dir}/trades.jsonl` };
  const csv = await Deno.open(paths["trades-csv"], { write: true, create: true });
  const jsonl = await Deno.open(paths["trades-jsonl"], { write: true, create: true });
  const encoder = new TextEncoder();
  let c = "time_ms,symbol,price,qty,side,ord_type,trade_id\n", j = "";
  const flush = async () => {
    await csv.write(encoder.encode(c));
    await jsonl.write(encoder.encode(j));
    c = j = "";
  };
  for (const line of krakenLines(TRADES)) {
    c += line.csv + "\n";
    j += line.jsonl + "\n";
    if (c.length > MB) await flush();
  }
  await flush();
  csv.close();
  jsonl.close();
  return paths;
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * Trades/s from opening the file to the end of its stream, min/median/max of three reads; and the
 * best rate per CPU-second, which other work on a shared machine disturbs less.
 */
async function readRates(
  path: string,
  format: TradeFormat,
  drain: (s: ReadableStream<Trade>) => Promise<number>,
): Promise<{ rates: [number, number, number]; perCpuSecond: number }> {
  const rates: number[] = [];
  let perCpuSecond = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now(), c0 = cpuSeconds();
    const n = await drain((await tradeFile(path, { format })).stream);
    if (n !== TRADES) throw new Error(`${path}: read ${n} trades, wrote ${TRADES}`);
    rates.push(n / ((performance.now() - t0) / 1000));
    perCpuSecond = Math.max(perCpuSecond, n / (cpuSeconds() - c0));
  }
  return { rates: rates.sort((x, y) => x - y) as [number, number, number], perCpuSecond };
}

async function consume(stream: ReadableStream<Trade>): Promise<number> {
  let n = 0, volume = 0;
  for await (const t of stream) {
    n++;
    volume += t.qty;
  }
  if (!(volume > 0)) throw new Error("no volume");
  return n;
}

async function throughCut(stream: ReadableStream<Trade>): Promise<number> {
  let n = 0;
  await stream.pipeThrough(cut({ size: 20_000, ms: 1000 })).pipeTo(
    new WritableStream({ write: (batch) => void (n += batch.trades.length) }),
  );
  return n;
}

const k = (r: number) => `${(r / 1000).toFixed(0)}k`;

async function tradeFiles(): Promise<BenchResult[]> {
  const dir = await Deno.makeTempDir({ prefix: "bench_lines_" });
  try {
    const paths = await writeFiles(dir);
    const results: BenchResult[] = [];
    for (const format of ["trades-csv", "trades-jsonl"] as const) {
      const { rates: [min, median, max], perCpuSecond } = await readRates(paths[format], format, consume);
      const mb = (await Deno.stat(paths[format])).size / MB;
      console.log(
        `  ${format}: ${TRADES.toLocaleString("en-US")} trades (${mb.toFixed(0)} MB) at ${k(min)} / ${
          k(median)
        } / ${k(max)} trades/s (min / median / max), ${k(perCpuSecond)} per CPU-second`,
      );
      results.push({
        name: `${format} file parsed to a Trade stream (1M Kraken-shaped trades)`,
        value: median,
        unit: "trades/s",
        reference: "target",
        referenceValue: TARGET,
        ratio: median / TARGET,
        target: ">= 1M trades/s (median of 3; 0.37-0.41M before)",
        pass: median >= TARGET,
      });
      if (format === "trades-csv") {
        const { rates: cutRates, perCpuSecond: cutPerCpu } = await readRates(
          paths[format],
          format,
          throughCut,
        );
        console.log(
          `  trades-csv through cut(): ${k(cutRates[0])} / ${k(cutRates[1])} / ${k(cutRates[2])} trades/s, ${
            k(cutPerCpu)
          } per CPU-second`,
        );
        results.push({
          name: "trades-csv file through cut() (a stream hop per trade)",
          value: cutRates[1],
          unit: "trades/s",
          reference: "the parse alone",
          referenceValue: median,
          ratio: cutRates[1] / median,
          target: "informational",
          pass: true,
        });
      }
    }
    return results;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export async function benchLines(): Promise<BenchResult[]> {
  return [...await tradeFiles(), await longLine()];
}

if (import.meta.main) await benchLines();
