/**
 * Distillation into a transformers.js model directory, and classification through
 * transformers.js with it: everything local, the hub never contacted.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { DEFAULT_DISTILL, distill } from "../../src/news_model/distill.ts";
import { loadNewsClassifier } from "../../src/news_model/classifier.ts";
import { readTeacherData } from "../../src/news_model/teacher_data.ts";
import { classifyBatch } from "../../src/transforms/news_signals.ts";
import type { NewsItem } from "../../src/domain/news.ts";
import { teacherLines, writeTeacherFile } from "../news_fixtures.ts";
import { env as transformersEnv } from "@huggingface/transformers";
import { ort } from "../../src/onnx/runtime.ts";

const quick = { ...DEFAULT_DISTILL, epochs: 150 };

async function tinyModel(dir: string): Promise<string> {
  const data = await readTeacherData([await writeTeacherFile(dir)]);
  const report = await distill(data, `${dir}/model`, quick);
  assert(report.kept, "the tiny model is kept");
  return `${dir}/model`;
}

Deno.test("news:distill: a tiny model from written fixtures beats both baselines and loads in transformers.js", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = await readTeacherData([await writeTeacherFile(dir)]);
    assert(data.noCoin > 0 && data.examples.length > 150);
    assertEquals(data.teachers, ["test-teacher"]);
    const report = await distill(data, `${dir}/model`, quick);
    assert(report.beats_baselines, JSON.stringify(report.test));
    const { model, lexicon, majority } = report.test;
    assert(model.accuracy > lexicon.accuracy && model.accuracy > majority.accuracy);
    assert(model.macro_f1 > lexicon.macro_f1 && model.macro_f1 > majority.macro_f1);
    assertEquals(report.split.train_examples + report.split.test_examples, data.examples.length);
    for (const f of ["onnx/model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json"]) {
      assert((await Deno.stat(`${dir}/model/${f}`)).size > 0, f);
    }

    const classifier = await loadNewsClassifier(`${dir}/model`, { cacheDir: `${dir}/cache` });
    try {
      // transformers.js runs on the project's onnxruntime-web, not on onnxruntime-node.
      assert(transformersEnv.backends.onnx === ort.env, "transformers.js is not on onnxruntime-web");
      assertEquals(classifier.name, "model");
      const out = await classifier.classify([
        "Cardano soars after a major exchange listing",
        "Ethereum plunges after an exchange hack drains wallets",
        "What is Solana? A beginner guide to the network",
      ]);
      assertEquals(out.map((o) => o.signal), [1, -1, 0]);
      for (const o of out) assert(o.score > 1 / 3 && o.score <= 1);
    } finally {
      await classifier.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news:distill: a model the baselines beat is not written, and the old one stays", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await tinyModel(dir);
    const before = await Deno.readFile(`${dir}/model/onnx/model.onnx`);
    // Labels unrelated to the words: nothing to learn, so the majority class wins.
    const noise = teacherLines(200, 9).map((line, i) => {
      const row = JSON.parse(line);
      row.output = JSON.stringify({ news_signals: [{ coin: "BTC", signal: i % 5 === 0 ? -1 : 1 }] });
      return JSON.stringify(row);
    });
    await Deno.writeTextFile(`${dir}/noise.jsonl`, noise.join("\n"));
    const report = await distill(await readTeacherData([`${dir}/noise.jsonl`]), `${dir}/model`, quick);
    assertEquals([report.beats_baselines, report.kept], [false, false]);
    assertEquals(await Deno.readFile(`${dir}/model/onnx/model.onnx`), before);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes("partial")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news model: a corrupt file, unknown labels and an unreachable hub are refused clearly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = await tinyModel(dir);
    await Deno.mkdir(`${dir}/corrupt/onnx`, { recursive: true });
    for (const f of ["tokenizer.json", "tokenizer_config.json", "config.json"]) {
      await Deno.copyFile(`${model}/${f}`, `${dir}/corrupt/${f}`);
    }
    await Deno.writeFile(`${dir}/corrupt/onnx/model.onnx`, new TextEncoder().encode("not a model"));
    await assertRejects(
      () => loadNewsClassifier(`${dir}/corrupt`, { cacheDir: dir }),
      Error,
      "cannot load news model",
    );

    const config = JSON.parse(await Deno.readTextFile(`${model}/config.json`));
    config.id2label = { 0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2" };
    await Deno.writeTextFile(`${model}/config.json`, JSON.stringify(config));
    await assertRejects(
      () => loadNewsClassifier(model, { cacheDir: dir }),
      Error,
      "every label must read as",
    );

    await assertRejects(
      () => loadNewsClassifier(`${dir}/missing-dir/`, { cacheDir: dir }),
      Error,
      "not a model directory",
    );
    Deno.env.set("HF_HUB_OFFLINE", "1");
    try {
      const e = await assertRejects(
        () => loadNewsClassifier("Xenova/some-model", { cacheDir: `${dir}/cache` }),
        Error,
        "pass --news-model with a local directory",
      );
      assert(e.message.includes("HF_HUB_OFFLINE is set"), e.message);
    } finally {
      Deno.env.delete("HF_HUB_OFFLINE");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a hub model downloaded once into the cache loads with HF_HUB_OFFLINE=1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = await tinyModel(dir);
    // The cache holds a hub model's files under its id, as a download leaves them.
    const cached = `${dir}/cache/Xenova/cached-model`;
    await Deno.mkdir(`${cached}/onnx`, { recursive: true });
    for (const f of ["onnx/model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json"]) {
      await Deno.copyFile(`${model}/${f}`, `${cached}/${f}`);
    }
    Deno.env.set("HF_HUB_OFFLINE", "1");
    try {
      const classifier = await loadNewsClassifier("Xenova/cached-model", { cacheDir: `${dir}/cache` });
      assertEquals(classifier.name, "Xenova/cached-model");
      assertEquals((await classifier.classify(["Bitcoin surges to a record"])).length, 1);
      await classifier.dispose();
    } finally {
      Deno.env.delete("HF_HUB_OFFLINE");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news signals: tagged coins, else dictionary coins; a headline about no coin is a MARKET signal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const classifier = await loadNewsClassifier(await tinyModel(dir), { cacheDir: dir });
    const item = (id: string, title: string, currencies: string[] = []): NewsItem => ({
      id,
      title,
      published_at: Date.UTC(2025, 1, 26),
      source: null,
      currencies,
    });
    const calls: number[] = [];
    const counting = {
      ...classifier,
      name: classifier.name,
      classify: (t: readonly string[]) => (calls.push(t.length), classifier.classify(t)),
    };
    const { items, signals } = await classifyBatch([
      item("1", "Bitcoin and Ethereum rally to a new high as ETF inflows jump"),
      item("2", "Central bank meeting minutes released"),
      item("3", "Exchange hack drains wallets", ["XRP", "US"]),
    ], counting);
    assertEquals(items.length, 3);
    assertEquals(calls, [3]);
    assertEquals(signals.map((s) => [s.news_id, s.coin]), [["1", "BTC"], ["1", "ETH"], ["2", "MARKET"], [
      "3",
      "XRP",
    ]]);
    assertEquals(signals.filter((s) => s.news_id !== "2").map((s) => s.signal), [1, 1, -1]);
    assert(signals.every((s) => s.model === "model" && s.published_at === Date.UTC(2025, 1, 26)));
    await classifier.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
