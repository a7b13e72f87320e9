/**
 * `deno task news:eval` as a user runs it: a distilled model scored on the split news:distill
 * held back (the same examples, the same scores), the lexicon, JSON for tools, seeded intervals,
 * and bad input refused with exit status 2.
 */
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { usage } from "../../src/config.ts";
import { DEFAULT_DISTILL, distill, MAX_MODEL_BYTES } from "../../src/news_model/distill.ts";
import { readTeacherData } from "../../src/news_model/teacher_data.ts";
import { runPipeline } from "../helpers.ts";
import { writeTeacherFile } from "../news_fixtures.ts";

async function evaluate(args: string[], cwd: string) {
  const { code, stdout, stderr } = await runPipeline("news_eval", args, cwd).output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

Deno.test("news:eval --split heldout scores exactly the examples news:distill held back, with its scores", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = await writeTeacherFile(dir);
    const report = await distill(await readTeacherData([file]), `${dir}/model`, {
      ...DEFAULT_DISTILL,
      epochs: 150,
    });
    assert(
      report.kept && report.size_bytes > 0 && report.size_bytes <= MAX_MODEL_BYTES,
      String(report.size_bytes),
    );
    const args = [
      "--data",
      file,
      "--news-model",
      `${dir}/model`,
      "--split",
      "heldout",
      "--json",
      "--resamples",
      "300",
    ];
    const run = await evaluate(args, dir);
    assertEquals(run.code, 0, run.stderr);
    const r = JSON.parse(run.stdout);
    assertEquals(r.examples, report.split.test_examples);
    assertAlmostEquals(r.scores.model.accuracy, report.test.model.accuracy, 1e-12);
    assertAlmostEquals(r.scores.model.macro_f1, report.test.model.macro_f1, 1e-12);
    assertAlmostEquals(r.scores.lexicon.macro_f1, report.test.lexicon.macro_f1, 1e-12);
    assertEquals(r.scores.model.confusion, report.test.model.confusion);
    // The templated fixtures are easy: the model is far ahead of the lexicon.
    const gain = r.gains.lexicon.macro_f1;
    assert(gain.low > 0 && gain.low <= gain.gain && gain.gain <= gain.high, JSON.stringify(gain));
    assertEquals(r.bootstrap, { resamples: 300, seed: 1, level: 0.95, unit: "headline" });

    // The same seed gives the same intervals; another seed other ones.
    assertEquals(JSON.parse((await evaluate(args, dir)).stdout).gains, r.gains);
    const reseeded = JSON.parse((await evaluate([...args, "--seed", "9"], dir)).stdout);
    assert(JSON.stringify(reseeded.gains) !== JSON.stringify(r.gains));

    // The training side is the rest.
    const train = JSON.parse(
      (await evaluate([...args.slice(0, 4), "--split", "train", "--json"], dir)).stdout,
    );
    assertEquals(train.examples, report.split.train_examples);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news:eval prints tables for people: the lexicon scored against itself gains nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = await writeTeacherFile(dir);
    const run = await evaluate(["--data", file, "--news-model", "lexicon", "--resamples", "200"], dir);
    assertEquals(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    assert(lines[0]!.startsWith("model lexicon on "), lines[0]);
    assert(lines[0]!.includes("(all headlines, labels reconciled)"), lines[0]);
    assert(
      lines.some((l) => l.includes("over lexicon (AFINN)") && l.includes("accuracy +0.000 [+0.000, +0.000]")),
      run.stdout,
    );
    assert(/classified \d+ headlines in \d+ ms/.test(lines.at(-1)!), lines.at(-1));
    assert(run.stderr.includes("lists every coin"), run.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news:eval refuses a missing file, an empty split and a missing model with a clear message", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await evaluate(["--data", `${dir}/nope.jsonl`, "--news-model", "lexicon"], dir);
    assertEquals(missing.code, 2);
    assert(missing.stderr.includes(`--data: no such file: ${dir}/nope.jsonl`), missing.stderr);

    await Deno.writeTextFile(
      `${dir}/one.jsonl`,
      JSON.stringify({ input: "Bitcoin rallies", output: { news_signals: [{ coin: "BTC", signal: 1 }] } }) +
        "\n",
    );
    const split = await evaluate(
      [
        "--data",
        `${dir}/one.jsonl`,
        "--news-model",
        "lexicon",
        "--split",
        "heldout",
        "--test-fraction",
        "0.001",
      ],
      dir,
    );
    assertEquals(split.code, 2);
    assert(split.stderr.includes("no labelled (headline, coin) examples in the heldout split"), split.stderr);

    const model = await evaluate(["--data", `${dir}/one.jsonl`, "--news-model", `${dir}/no-model/`], dir);
    assertEquals(model.code, 1);
    assert(model.stderr.includes("not a model directory"), model.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news:eval --help prints its help", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = await evaluate(["--help"], dir);
    assertEquals([run.code, run.stdout.trimEnd()], [0, usage("news:eval")]);
    assert(run.stdout.includes("--split") && run.stdout.includes("--seed"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
