import { assert, assertEquals } from "../assert.ts";
import { emptyStats, type StageRun } from "../../src/bus/consumer_stage.ts";
import { reportStages } from "../../src/bus/stage_progress.ts";
import type { Logger } from "../../src/util/log.ts";

const run = (name: string): StageRun => ({
  name,
  stats: emptyStats(),
  done: Promise.resolve(),
  stop: () => Promise.resolve(),
});

Deno.test("a stage run alone logs its progress while it consumes, and nothing while it is idle", async () => {
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m) } as unknown as Logger;
  const candles = run("candles"), features = run("features");
  const stop = reportStages([candles, features], log, 20);
  try {
    candles.stats.messages = 1500;
    candles.stats.batches = 2;
    candles.stats.dlq = 1;
    await new Promise((r) => setTimeout(r, 35));
    assertEquals(lines.length, 1, lines.join("\n"));
    assert(
      /^candles stage: 1,500 messages consumed, [\d,]+\/s over the last 0 s; 2 slices committed, 1 to the DLQ$/
        .test(lines[0]!),
      lines[0],
    );
    await new Promise((r) => setTimeout(r, 45));
    assertEquals(lines.length, 1, "no new messages, no line");
  } finally {
    stop();
  }
});
