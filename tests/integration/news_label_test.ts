/**
 * `deno task news:label` as a user runs it, against a fake Ollama on loopback: labels a news file
 * into the teacher JSONL `news:distill` reads, resumes after a crash without asking again for
 * what it has, and records the headlines the LLM could not label.
 */
import { assert, assertEquals } from "../assert.ts";
import { usage } from "../../src/config.ts";
import { readTeacherData } from "../../src/news_model/teacher_data.ts";
import { runPipeline } from "../helpers.ts";
import { output, withTempDir } from "../task_process.ts";
import { type FakeLlm, fakeLlm, type FakeLlmOptions } from "../fake_llm.ts";

const TITLES = [
  "Bitcoin ETF inflows hit a record",
  "Ethereum slides as regulators sue",
  "Solana network outage resolved, SOL jumps",
  "XRP rally stalls",
  "Dogecoin plunges after exchange hack",
  "Markets wait for the Fed",
  "Bitcoin miners sell as price falls",
  "Ether staking approval lifts ETH",
  "Ripple wins court case, XRP soars",
  "Solana DeFi protocol hacked",
  "Bitcoin holds steady",
  "Ethereum gas fees drop",
];

async function writeHeadlines(dir: string): Promise<string> {
  const path = `${dir}/headlines.jsonl`;
  const lines = TITLES.map((title, i) =>
    JSON.stringify({ id: `h${i + 1}`, title, published_at: Date.UTC(2026, 1, 1, 0, i), source: "x.com" })
  );
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

async function withFake(options: FakeLlmOptions, fn: (fake: FakeLlm) => Promise<void>): Promise<void> {
  const fake = fakeLlm(options);
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

function label(dir: string, fake: FakeLlm, more: string[] = []): Deno.ChildProcess {
  return runPipeline("news_label", [
    "--file",
    `${dir}/headlines.jsonl`,
    "--news-model",
    "ollama:llama3.2",
    "--llm-url",
    fake.url,
    // A test's own --out replaces this one: a flag given twice is refused.
    ...(more.includes("--out") ? [] : ["--out", `${dir}/labels.jsonl`]),
    ...more,
  ], dir);
}

async function rows(path: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("news:label: an --out or --errors in a directory that does not exist exits 2 naming the flag, before asking anything", async () => {
  await withTempDir(async (dir) => {
    await writeHeadlines(dir);
    await withFake({}, async (fake) => {
      const out = await output(label(dir, fake, ["--out", `${dir}/missing/labels.jsonl`]));
      assertEquals(out.code, 2, out.stderr);
      assert(out.stderr.includes(`--out: no such directory: ${dir}/missing`), out.stderr);
      const errors = await output(label(dir, fake, ["--errors", `${dir}/missing/errors.jsonl`]));
      assertEquals(errors.code, 2, errors.stderr);
      assert(errors.stderr.includes(`--errors: no such directory: ${dir}/missing`), errors.stderr);
      assertEquals(fake.requests.length, 0);
    });
  });
});

Deno.test("news:label appends only to a file of labels: the news file itself, or a file of other lines, exits 2 untouched", async () => {
  await withTempDir(async (dir) => {
    const headlines = await writeHeadlines(dir);
    const before = await Deno.readTextFile(headlines);
    await withFake({}, async (fake) => {
      const itself = await output(label(dir, fake, ["--out", headlines]));
      assertEquals(itself.code, 2, itself.stderr);
      assert(itself.stderr.includes("--out names the --file being labelled"), itself.stderr);
      const errorsItself = await output(label(dir, fake, ["--errors", `${dir}/./headlines.jsonl`]));
      assertEquals(errorsItself.code, 2, errorsItself.stderr);
      assert(errorsItself.stderr.includes("--errors names the --file being labelled"), errorsItself.stderr);

      const news = `${dir}/other_news.jsonl`;
      await Deno.writeTextFile(news, before);
      const other = await output(label(dir, fake, ["--out", news]));
      assertEquals(other.code, 2, other.stderr);
      assert(
        other.stderr.includes(`--out: ${news}:1 is not a labelled headline (no input or output)`),
        other.stderr,
      );
      assertEquals(await Deno.readTextFile(news), before);
      const otherErrors = await output(label(dir, fake, ["--errors", news]));
      assertEquals(otherErrors.code, 2, otherErrors.stderr);
      assert(
        otherErrors.stderr.includes(`--errors: ${news}:1 is not a headline news:label could not label`),
        otherErrors.stderr,
      );
      assertEquals(await Deno.readTextFile(news), before);
      assertEquals(await Deno.readTextFile(headlines), before);
      assertEquals(fake.requests.length, 0);

      // Another teacher's instruction dataset, whose lines carry no id, is added to.
      const dataset = `${dir}/dataset.jsonl`;
      const theirs = JSON.stringify({ instruction: "x", input: "Bitcoin rallies", output: "[]" }) + "\n";
      await Deno.writeTextFile(dataset, theirs);
      const added = await output(label(dir, fake, ["--out", dataset]));
      assertEquals(added.code, 0, added.stderr);
      const lines = await rows(dataset);
      assertEquals(lines.length, 1 + TITLES.length);
      assertEquals(JSON.stringify(lines[0]) + "\n", theirs);
    });
  });
});

Deno.test("news:label writes each headline once as a teacher line news:distill reads", async () => {
  await withTempDir(async (dir) => {
    await writeHeadlines(dir);
    await withFake({}, async (fake) => {
      const { code, stderr } = await output(label(dir, fake));
      assertEquals(code, 0, stderr);
      assert(stderr.includes("done: 12 headlines labelled"), stderr);
      const lines = await rows(`${dir}/labels.jsonl`);
      assertEquals(lines.map((l) => l.id).sort(), TITLES.map((_, i) => `h${i + 1}`).sort());
      const first = lines.find((l) => l.id === "h1")!;
      assertEquals(first.input, TITLES[0]);
      assertEquals(JSON.parse(first.output as string), {
        news_signals: [{ coin: "BTC", signal: 1, reason: "good news" }],
      });
      assertEquals(first.teacher_model_name, "llama3.2");
      assert(typeof first.instruction === "string" && first.instruction.includes("news_signals"));

      const data = await readTeacherData([`${dir}/labels.jsonl`]);
      assertEquals([data.lines, data.skipped, data.teachers], [12, 0, ["llama3.2"]]);
      assertEquals(data.noCoin, 1); // "Markets wait for the Fed"
      assertEquals(fake.requests.length, 12);
      // A clean run leaves no errors file.
      assertEquals(await Deno.stat(`${dir}/labels.errors.jsonl`).then(() => true, () => false), false);

      // Run again: everything is there, so nothing is asked.
      const again = await output(label(dir, fake));
      assertEquals(again.code, 0, again.stderr);
      assert(again.stderr.includes("12 already in"), again.stderr);
      assertEquals(fake.requests.length, 12);
    });
  });
});

Deno.test("news:label killed mid-run resumes where it stopped, asking again for no headline it wrote", async () => {
  await withTempDir(async (dir) => {
    await writeHeadlines(dir);
    const out = `${dir}/labels.jsonl`;
    await withFake({ latencyMs: 150 }, async (fake) => {
      const child = label(dir, fake, ["--llm-concurrency", "2"]);
      const lineCount = async () => {
        try {
          return (await Deno.readTextFile(out)).split("\n").filter(Boolean).length;
        } catch {
          return 0;
        }
      };
      await waitFor(async () => await lineCount() >= 4, 30_000);
      child.kill("SIGKILL");
      await child.output();
      // Whole lines only: the kill may have torn the last one.
      const text = await Deno.readTextFile(out);
      const whole = text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter(Boolean);
      const written = new Set(whole.map((l) => JSON.parse(l).input));
      // A crash mid-write leaves a torn last line; the next run must cut it, not choke on it.
      await Deno.writeTextFile(out, '{"id":"h12","input":"Ethereum g', { append: true });
      const firstRun = fake.requests.length;
      assert(firstRun < TITLES.length, `${firstRun} requests before the kill`);

      const { code, stderr } = await output(label(dir, fake, ["--llm-concurrency", "2"]));
      assertEquals(code, 0, stderr);
      assert(stderr.includes("cut off a torn last line"), stderr);
      const lines = await rows(out);
      assertEquals(lines.map((l) => l.id).sort(), TITLES.map((_, i) => `h${i + 1}`).sort());
      const askedAgain = fake.requests.slice(firstRun).map((r) => r.headline);
      assertEquals(askedAgain.filter((h) => written.has(h)), []);
      assertEquals(askedAgain.length, TITLES.length - written.size);
    });
  });
});

Deno.test("news:label records the headlines the LLM answers badly twice, and a rerun asks only for them", async () => {
  await withTempDir(async (dir) => {
    await writeHeadlines(dir);
    let broken = true;
    const fault: FakeLlmOptions["fault"] = (n, h) => {
      if (broken && h === TITLES[1]) return { kind: "malformed" };
      if (broken && h === TITLES[4]) return { kind: "off-schema" };
      if (h === TITLES[2] && n === 1) return { kind: "malformed" };
      return null;
    };
    await withFake({ fault }, async (fake) => {
      const { code, stderr } = await output(label(dir, fake));
      assertEquals(code, 0, stderr);
      assert(stderr.includes("10 headlines labelled"), stderr);
      assert(stderr.includes("2 failed (recorded in"), stderr);
      const labelled = await rows(`${dir}/labels.jsonl`);
      assertEquals(labelled.length, 10);
      assertEquals(labelled.some((l) => l.id === "h2" || l.id === "h5"), false);
      const errors = await rows(`${dir}/labels.errors.jsonl`);
      assertEquals(errors.map((e) => [e.id, e.kind]).sort(), [["h2", "malformed"], ["h5", "off-schema"]]);
      assert(String(errors[0]!.error).includes("answer twice"), String(errors[0]!.error));

      broken = false;
      const before = fake.requests.length;
      const again = await output(label(dir, fake));
      assertEquals(again.code, 0, again.stderr);
      assertEquals(fake.requests.slice(before).map((r) => r.headline).sort(), [TITLES[1], TITLES[4]].sort());
      assertEquals((await rows(`${dir}/labels.jsonl`)).length, 12);
    });
  });
});

Deno.test("news:label refuses a --news-model that is no LLM, and answers --help", async () => {
  await withTempDir(async (dir) => {
    await writeHeadlines(dir);
    const bad = await output(runPipeline("news_label", [
      "--file",
      `${dir}/headlines.jsonl`,
      "--news-model",
      "models/news-distilled",
      "--out",
      `${dir}/l.jsonl`,
    ], dir));
    assertEquals(bad.code, 2, bad.stderr);
    assert(
      bad.stderr.includes("--news-model: 'models/news-distilled' is not ollama:MODEL or openai:MODEL"),
      bad.stderr,
    );
    const help = await runPipeline("news_label", ["--help"], dir).output();
    assertEquals(help.code, 0);
    assertEquals(new TextDecoder().decode(help.stdout).trimEnd(), usage("news:label"));
  });
});
