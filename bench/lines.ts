/**
 * The line splitter of every file source: one 10 MB line arriving in 1 KB chunks against the same
 * bytes as short lines. Linear splitting keeps the two within a small factor; gluing each chunk to
 * the unfinished line and searching it again made the long line take half a minute.
 */
import { LineStream } from "../src/sources/files/line_stream.ts";
import type { BenchResult } from "./ws_frames.ts";

const MB = 1024 * 1024;

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

export async function benchLines(): Promise<BenchResult[]> {
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
  return [{
    name: "one 10 MB line in 1 KB chunks, split",
    value: longRate,
    unit: "MB/s",
    reference: "100-byte lines in the same chunks",
    referenceValue: shortRate,
    ratio: longRate / shortRate,
    target: "ratio >= 0.5 (linear in the line's length)",
    pass: longRate >= 0.5 * shortRate,
  }];
}
