/**
 * The news classifier's speed through transformers.js: a model distilled from the real teacher
 * data in ../shared/data/signals, classifying the real headlines of the 2026-02 CryptoPanic
 * scrape. Throughput in batches of 64 (target ≥ 2,000 headlines/s), and per-headline latency
 * one at a time (p50/p99) beside the bare onnxruntime-web session on the same token ids (what
 * transformers.js adds: tokenising, tensors, softmax).
 */
import { DEFAULT_DISTILL, distill } from "../src/news_model/distill.ts";
import { loadNewsClassifier } from "../src/news_model/classifier.ts";
import { readTeacherData } from "../src/news_model/teacher_data.ts";
import { AutoTokenizer, configureFor } from "../src/news_model/transformers_env.ts";
import { openSession, ort } from "../src/onnx/runtime.ts";
import { newsFile } from "../src/sources/files/news_file.ts";
import type { BenchResult } from "./ws_frames.ts";

const SHARED = new URL("../../shared/data/", import.meta.url).pathname;
const TEACHER = `${SHARED}signals/instruction_dataset_claude_385_JanLeyva.jsonl`;
const HEADLINES = `${SHARED}news/cryptopanic_scrape_2026-02_mmarqx.json.gz`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export async function benchNews(): Promise<BenchResult[]> {
  try {
    await Deno.stat(TEACHER);
    await Deno.stat(HEADLINES);
  } catch {
    console.log("  ../shared/data absent: news benchmarks skipped");
    return [];
  }
  const dir = await Deno.makeTempDir({ prefix: "bench-news-" });
  try {
    const report = await distill(await readTeacherData([TEACHER]), `${dir}/model`, DEFAULT_DISTILL);
    const { model, lexicon, majority } = report.test;
    console.log(
      `  distilled from ${report.teachers.join(", ")}: held-out accuracy ${model.accuracy.toFixed(3)}, ` +
        `macro-F1 ${model.macro_f1.toFixed(3)} (lexicon ${lexicon.accuracy.toFixed(3)} / ` +
        `${lexicon.macro_f1.toFixed(3)}, majority ${majority.accuracy.toFixed(3)} / ${
          majority.macro_f1.toFixed(3)
        })`,
    );
    const titles = (await Array.fromAsync((await newsFile(HEADLINES)).stream)).map((n) => n.title);
    const classifier = await loadNewsClassifier(`${dir}/model`, { cacheDir: dir });

    await classifier.classify(titles.slice(0, 256));
    const t0 = performance.now();
    let done = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < titles.length; i += 64) {
        done += (await classifier.classify(titles.slice(i, i + 64))).length;
      }
    }
    const throughput = done / ((performance.now() - t0) / 1000);

    const sample = titles.slice(0, 2000);
    const latencies: number[] = [];
    for (const t of sample) {
      const s = performance.now();
      await classifier.classify([t]);
      latencies.push(performance.now() - s);
    }
    latencies.sort((a, b) => a - b);
    await classifier.dispose();

    // The same model run bare: pre-tokenised ids straight into an onnxruntime-web session.
    const { id } = await configureFor(`${dir}/model`, dir);
    const tokenizer = await AutoTokenizer.from_pretrained(id);
    const session = await openSession(await Deno.readFile(`${dir}/model/onnx/model.onnx`), "the news model");
    const encoded = sample.map((t) => BigInt64Array.from((tokenizer.encode(t) as number[]).map(BigInt)));
    const bare: number[] = [];
    for (const ids of encoded) {
      const s = performance.now();
      await session.run({
        input_ids: new ort.Tensor("int64", ids, [1, ids.length]),
        attention_mask: new ort.Tensor("int64", new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      });
      bare.push(performance.now() - s);
    }
    bare.sort((a, b) => a - b);
    await session.release();

    const p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99);
    const b50 = percentile(bare, 0.5), b99 = percentile(bare, 0.99);
    console.log(
      `  ${done.toLocaleString("en-US")} headlines in batches of 64: ${
        Math.round(throughput)
      }/s; one at a time ` +
        `p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (bare session p50 ${b50.toFixed(3)}, p99 ${
          b99.toFixed(3)
        })`,
    );
    return [
      {
        name: "news: headlines classified/s (transformers.js, batch 64)",
        value: throughput,
        unit: "headlines/s",
        reference: "target",
        referenceValue: 2000,
        ratio: throughput / 2000,
        target: ">= 2,000/s",
        pass: throughput >= 2000,
      },
      {
        name: "news: latency p50, one headline",
        value: p50,
        unit: "ms",
        reference: "bare onnxruntime-web p50",
        referenceValue: b50,
        ratio: p50 / b50,
        target: "reported",
        pass: true,
      },
      {
        name: "news: latency p99, one headline",
        value: p99,
        unit: "ms",
        reference: "bare onnxruntime-web p99",
        referenceValue: b99,
        ratio: p99 / b99,
        target: "reported",
        pass: true,
      },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
