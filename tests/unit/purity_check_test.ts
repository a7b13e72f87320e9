/** The purity check of `deno task check` (scripts/check_purity.ts), on the repository and on planted violations. */
import { assert, assertEquals } from "../assert.ts";
import { checkPurity, violationsIn } from "../../scripts/check_purity.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

const found = (path: string, source: string) =>
  violationsIn(path, source).map((v) => `${v.line}: ${v.message}`);

Deno.test("the repository's core imports no edge, does no I/O and reads no clock", async () => {
  const { files, violations } = await checkPurity(ROOT);
  assert(files > 20, `only ${files} core files found`);
  assertEquals(violations.map((v) => `${v.path}:${v.line}: ${v.message}`), []);
});

Deno.test("the purity check fails on a planted edge import and clock read, naming the file and line", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/src/model`, { recursive: true });
    await Deno.mkdir(`${root}/src/domain`, { recursive: true });
    await Deno.writeTextFile(`${root}/src/domain/candle.ts`, "export const WINDOW = 1;\n");
    await Deno.writeTextFile(
      `${root}/src/model/planted.ts`,
      [
        `import { WINDOW } from "../domain/candle.ts";`,
        `import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";`,
        `// Date.now() in a comment is fine, and so is "Deno.exit" in a string.`,
        `export const x = WINDOW + ${"`${DuckDbFeatureStore}`"}.length;`,
        `export const t = Date.now();`,
      ].join("\n"),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", `--allow-read=${root}`, `${ROOT}/scripts/check_purity.ts`, root],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assertEquals(stderr.trim().split("\n").slice(0, 2), [
      "src/model/planted.ts:2: imports an edge module src/stores/offline_duckdb.ts",
      "src/model/planted.ts:5: reads the clock (Date.now)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the purity check reports node:, packages with I/O, Deno, the clock, randomness and the network", () => {
  const source = [
    `import { readFile } from "node:fs/promises";`,
    `import { DuckDBInstance } from "@duckdb/node-api";`,
    `export * from "../serve/app.ts";`,
    `const kv = await Deno.openKv();`,
    `const a = new Date(), b = Date(), c = performance.now();`,
    `const r = Math.random() + crypto.randomUUID().length;`,
    `await fetch("https://example.org"); new WebSocket("wss://x");`,
    "const m = await import(`../${name}.ts`);",
  ].join("\n");
  assertEquals(found("src/transforms/x.ts", source), [
    "1: imports node:fs/promises",
    "2: imports the package @duckdb/node-api, which is not known to do no I/O",
    "3: imports an edge module src/serve/app.ts",
    "4: uses Deno.*",
    "5: reads the clock (new Date() without a time)",
    "5: reads the clock (Date() without new)",
    "5: reads the clock (performance.now)",
    "6: draws a random number (Math.random)",
    "6: draws a random number (crypto.randomUUID)",
    "7: does network I/O (fetch)",
    "7: does network I/O (WebSocket)",
    "8: imports a module chosen at run time",
  ]);
});

Deno.test("the purity check allows the core, pure packages, times passed in, and words in comments, strings and regexes", () => {
  const source = [
    `import type { Candle } from "../domain/candle.ts";`,
    `import { seededRandom } from "../util/random.ts";`,
    `import { RSI } from "technicalindicators";`,
    `/* Date.now() and Deno.exit in a comment */`,
    `const iso = new Date(ms).toISOString(), t0 = Date.UTC(2024, 0, 1), d: Date | null = null;`,
    "const s = `fetch(${x}) Math.random()` + 'new Date()';",
    `const re = /Date\\.now\\(\\)|"/g, half = a / 2 / b;`,
    `obj.fetch(1); this.now(); other.Date();`,
  ].join("\n");
  assertEquals(found("src/model/x.ts", source), []);
});
