/**
 * The news task's speed. The classifier through transformers.js: a model distilled from the real
 * teacher data in ../shared/data/signals, classifying the real headlines of the 2026-02 CryptoPanic
 * scrape; throughput in batches of 64 (target ≥ 2,000 headlines/s), and per-headline latency one
 * at a time (p50/p99) beside the bare onnxruntime-web session on the same token ids (what
 * transformers.js adds: tokenising, tensors, softmax). Then, in the same run, `news --file` end
 * to end on the same file: the real job (src/jobs/news_job.ts) with its real stores in a temp
 * dir, timed from the call to the last signal written (file read, model load and store opening
 * included; target ≥ 2,000 headlines/s). Without ../shared/data, both run on SYNTHETIC
 * headlines and a model distilled from a SYNTHETIC teacher (./news_headlines.ts).
 */
import { newsConfig } from "../src/config.ts";
import { classifyNews } from "../src/jobs/news_job.ts";
import { DEFAULT_DISTILL, distill } from "../src/news_model/distill.ts";
import { loadNewsClassifier } from "../src/news_model/classifier.ts";
import { readTeacherData } from "../src/news_model/teacher_data.ts";
import { AutoTokenizer, configureFor } from "../src/news_model/transformers_env.ts";
import { openSession, ort } from "../src/onnx/runtime.ts";
import { newsFile } from "../src/sources/files/news_file.ts";
import { silent } from "../src/util/log.ts";
import { writeSyntheticNews, writeSyntheticTeacher } from "./news_headlines.ts";
import type { BenchResult } from "./ws_frames.ts";

const SHARED = new URL("../../shared/data/", import.meta.url).pathname;
const TEACHER = `${SHARED}signals/instruction_dataset_claude_385_JanLeyva.jsonl`;
const HEADLINES = `${SHARED}news/cryptopanic_scrape_2026-02_mmarqx.json.gz`;
/** Headlines in the SYNTHETIC file: about as many as the real scrape holds. */
const SYNTHETIC_HEADLINES = 3_300;
/** End-to-end runs, each into a fresh data dir; the median is reported. */
const E2E_RUNS = 3;

/** The teacher file and headline file to use: ../shared's, else SYNTHETIC ones written to `dir`. */
async function inputs(dir: string): Promise<{ teacher: string; headlines: string; real: boolean }> {
  try {
    await Deno.stat(TEACHER);
    await Deno.stat(HEADLINES);
    return { teacher: TEACHER, headlines: HEADLINES, real: true };
  } catch {
    const teacher = `${dir}/teacher.jsonl`, headlines = `${dir}/headlines.jsonl`;
    await writeSyntheticTeacher(teacher, 600);
    await writeSyntheticNews(headlines, SYNTHETIC_HEADLINES);
    console.log("  ../shared/data absent: SYNTHETIC headlines and teacher (bench/news_headlines.ts)");
    return { teacher, headlines, real: false };
  }
}

/** `news --file` through the real job into a fresh data dir: headlines per second of wall time. */
async function endToEnd(file: string, model: string, dataDir: string, headlines: number): Promise<number> {
  const cfg = newsConfig(["--file", file, "--news-model", model, "--data-dir", dataDir], () => undefined);
  const t0 = performance.now();
  await classifyNews(cfg, silent, new AbortController().signal);
  return headlines / ((performance.now() - t0) / 1000);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export async function benchNews(): Promise<BenchResult[]> {
  const dir = await Deno.makeTempDir({ prefix: "bench-news-" });
  try {
    const { teacher, headlines, real } = await inputs(dir);
    const report = await distill(await readTeacherData([teacher]), `${dir}/model`, {
      ...DEFAULT_DISTILL,
      keepWorse: !real,
    });
    const { model, lexicon, majority } = report.test;
    console.log(
      `  distilled from ${report.teachers.join(", ")}: held-out accuracy ${model.accuracy.toFixed(3)}, ` +
        `macro-F1 ${model.macro_f1.toFixed(3)} (lexicon ${lexicon.accuracy.toFixed(3)} / ` +
        `${lexicon.macro_f1.toFixed(3)}, majority ${majority.accuracy.toFixed(3)} / ${
          majority.macro_f1.toFixed(3)
        })`,
    );
    const titles = (await Array.fromAsync((await newsFile(headlines)).stream)).map((n) => n.title);
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

    const e2e: number[] = [];
    for (let run = 0; run < E2E_RUNS; run++) {
      e2e.push(await endToEnd(headlines, `${dir}/model`, `${dir}/data-${run}`, titles.length));
    }
    const endToEndRate = percentile(e2e.toSorted((a, b) => a - b), 0.5);
    console.log(
      `  news --file end to end, ${titles.length.toLocaleString("en-US")} ${
        real ? "real" : "SYNTHETIC"
      } headlines into fresh stores: ${e2e.map((r) => Math.round(r)).join(", ")}/s (median ${
        Math.round(endToEndRate)
      }/s; classifier alone ${Math.round(throughput)}/s)`,
    );
    return [
      {
        name: "news: classifier alone, headlines/s (transformers.js, batch 64)",
        value: throughput,
        unit: "headlines/s",
        reference: "target",
        referenceValue: 2000,
        ratio: throughput / 2000,
        target: ">= 2,000/s",
        pass: throughput >= 2000,
      },
      {
        name: "news: `news --file` end to end, headlines/s into both stores",
        value: endToEndRate,
        unit: "headlines/s",
        reference: "target",
        referenceValue: 2000,
        ratio: endToEndRate / 2000,
        target: ">= 2,000/s",
        pass: endToEndRate >= 2000,
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
