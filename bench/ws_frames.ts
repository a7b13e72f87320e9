/**
 * WS v2 trade frames: parse + validate into domain trades, against a bare `JSON.parse` of the same
 * frames in the same run. Frames are built from the real recorded trades in ../shared/data when it
 * is there (grouped as Kraken groups them: one frame per symbol and timestamp), else synthesised in
 * the same shape.
 */
import { parseWsFrame } from "../src/sources/kraken/ws_messages.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import type { Trade } from "../src/domain/trade.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  reference: string;
  referenceValue: number;
  ratio: number;
  target: string;
  pass: boolean;
}

const SHARED = new URL(
  "../../shared/data/kraken/ws_v2_trades_multi_2024-11-12T0649_kracked.csv",
  import.meta.url,
);

function frameOf(trades: Trade[]): string {
  return JSON.stringify({
    channel: "trade",
    type: "update",
    data: trades.map((t) => ({
      symbol: t.pair,
      side: t.side,
      price: t.price,
      qty: t.qty,
      ord_type: t.ord_type ?? "limit",
      trade_id: t.trade_id ?? 1,
      timestamp: new Date(t.ts).toISOString().replace("Z", "417Z"),
    })),
  });
}

async function frames(): Promise<{ frames: string[]; trades: number; source: string }> {
  let trades: Trade[];
  let source: string;
  try {
    trades = await Array.fromAsync((await tradeFile(SHARED.pathname)).stream);
    source = "real recorded WS v2 trades (../shared/data)";
  } catch {
    trades = Array.from({ length: 200 }, (_, i) => ({
      pair: ["BTC/USD", "ETH/USD", "SOL/USD", "DOGE/USD"][i % 4] as string,
      price: 89_000 + i / 10,
      qty: 0.00123456 + i / 1e6,
      side: i % 3 ? "buy" : "sell",
      ts: 1_731_394_216_753 + i * 37,
      trade_id: 75_667_563 + i,
      ord_type: i % 2 ? "limit" : "market",
    }));
    source = "synthetic trades (../shared/data absent)";
  }
  const out: string[] = [];
  let group: Trade[] = [];
  for (const t of trades) {
    const last = group[group.length - 1];
    if (last && (last.pair !== t.pair || last.ts !== t.ts)) {
      out.push(frameOf(group));
      group = [];
    }
    group.push(t);
  }
  if (group.length) out.push(frameOf(group));
  return { frames: out, trades: trades.length, source };
}

/** Median seconds of `rounds` runs of `fn` over the frames, `reps` passes each. */
function time(fn: (s: string) => unknown, input: string[], reps: number, rounds = 7): number {
  const samples: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) {
      for (let i = 0; i < input.length; i++) sink += fn(input[i] as string) ? 1 : 0;
    }
    samples.push((performance.now() - t0) / 1000);
  }
  if (sink < 0) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

export async function benchWsFrames(): Promise<BenchResult[]> {
  const { frames: input, trades, source } = await frames();
  const reps = Math.max(1, Math.round(400_000 / trades));
  // Warm both paths up so the JIT has compiled them before timing.
  time(JSON.parse, input, reps, 2);
  time(parseWsFrame, input, reps, 2);
  const bare = time(JSON.parse, input, reps);
  const full = time(parseWsFrame, input, reps);
  const total = trades * reps;
  const perSec = total / full;
  const ratio = full / bare;
  console.log(
    `  ${input.length} frames, ${trades} trades (${
      (trades / input.length).toFixed(2)
    } per frame) from ${source}`,
  );
  return [
    {
      name: "WS v2 trade frames parsed + validated",
      value: perSec,
      unit: "trades/s",
      reference: "bare JSON.parse of the same frames",
      referenceValue: total / bare,
      ratio,
      target: "ratio <= 1.5",
      pass: ratio <= 1.5,
    },
    {
      name: "WS v2 trade frames parsed + validated (one core)",
      value: perSec,
      unit: "trades/s",
      reference: "target 500,000 trades/s",
      referenceValue: 500_000,
      ratio: perSec / 500_000,
      target: ">= 500,000 trades/s",
      pass: perSec >= 500_000,
    },
  ];
}
