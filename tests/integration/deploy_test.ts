/**
 * The Deno Deploy entry: its module graph holds nothing Deploy lacks, and it serves with only
 * network, environment, read access to the models and KV.
 */
import { assert, assertEquals } from "../assert.ts";
import { seed } from "../serve_fixtures.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ENTRY = `${ROOT}src/serve/deploy.ts`;
const FORBIDDEN = ["@duckdb/", "onnxruntime-node", "@huggingface/transformers", "sharp", "kafkajs", "ws@"];

Deno.test("deploy entry: no DuckDB, onnxruntime-node, native code or subprocess in its module graph", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", ENTRY],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert(out.success);
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string; local?: string }[];
    npmPackages: Record<string, { dependencies: string[] }>;
  };
  // npm packages reached from the graph, with their own dependencies.
  const reached = new Set<string>();
  const todo = info.modules.filter((m) => m.specifier.startsWith("npm:/")).map((m) =>
    m.specifier.slice(5).split("/").slice(0, m.specifier.includes("/@") ? 2 : 1).join("/")
  );
  while (todo.length) {
    const pkg = todo.pop()!;
    if (reached.has(pkg)) continue;
    reached.add(pkg);
    todo.push(...(info.npmPackages[pkg]?.dependencies ?? []));
  }
  for (const pkg of reached) {
    assert(!FORBIDDEN.some((f) => pkg.startsWith(f)), `the deploy graph reaches ${pkg}`);
  }
  assertEquals([...reached].filter((p) => p.startsWith("onnxruntime-web")).length, 1);
  for (const m of info.modules) {
    assert(!/^node:(child_process|fs|worker_threads)/.test(m.specifier), m.specifier);
    if (!m.specifier.startsWith("file:")) continue;
    const src = await Deno.readTextFile(new URL(m.specifier));
    for (const banned of ["Deno.Command", "Deno.run(", "Deno.dlopen", "@duckdb"]) {
      assert(!src.includes(banned), `${m.specifier} uses ${banned}`);
    }
  }
});

Deno.test("deploy entry: serves the API and a model with only --allow-net --allow-env --allow-read=<models>, no unstable flag and no write access", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir, { n: 800 });
  s.online.close();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = new Deno.Command(Deno.execPath(), {
    // No --unstable-* flag: Deploy takes none, so deno.json must enable what the entry needs.
    args: ["run", "--allow-net", "--allow-env", `--allow-read=${dir}/models`, ENTRY],
    cwd: ROOT,
    env: {
      DENO_KV_PATH: ":memory:",
      MODELS_DIR: `${dir}/models`,
      PAIRS: "BTC/USD",
      PORT: String(port),
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    let health: { series: { model: { version: string } | null; model_error: string | null }[] } | null = null;
    const deadline = Date.now() + 30_000;
    while (!health && Date.now() < deadline) {
      try {
        health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    assert(health, "the deploy entry did not start");
    assertEquals(health!.series[0]!.model?.version, "v0001", JSON.stringify(health));
    // An empty KV: the model is there, the features are not.
    const res = await fetch(`http://127.0.0.1:${port}/predict?pair=BTC/USD`);
    assertEquals([res.status, (await res.json()).error], [503, "no features"]);
    const models = await (await fetch(`http://127.0.0.1:${port}/models`)).json();
    assertEquals(models.models[0].promoted, "v0001");
    assertEquals((await fetch(`http://127.0.0.1:${port}/assets/lightweight-charts.js`)).status, 200);
  } finally {
    child.kill("SIGTERM");
    const { stderr } = await child.output();
    const log = new TextDecoder().decode(stderr);
    assert(!log.includes("NotCapable"), log);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deploy entry: a bad environment variable stops it with one line naming the variable, status 2", async () => {
  for (
    const [name, value, message] of [
      ["PAIRS", "FOO", "error: PAIRS: 'FOO' is not a pair like BTC/USD"],
      ["MAX_FEATURE_AGE", "abc", "error: MAX_FEATURE_AGE: 'abc' is not a number >= 0"],
    ]
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-env", "--allow-read", ENTRY],
      cwd: ROOT,
      env: { DENO_KV_PATH: ":memory:", PORT: "0", NO_COLOR: "1", [name!]: value! },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    assertEquals([out.code, err], [2, message]);
  }
});

Deno.test("deploy entry: a KV file it may not open stops it with one line naming the file, status 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-env", `--allow-read=${ROOT}models`, ENTRY],
      cwd: ROOT,
      env: { DENO_KV_PATH: `${dir}/online.kv`, PORT: "0", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    assertEquals(out.code, 1, err);
    assertEquals(err.split("\n").length, 1, err);
    assert(
      err.startsWith(`error: cannot open the online store '${dir}/online.kv' (ONLINE_KV or DENO_KV_PATH): `),
      err,
    );
    assert(err.includes("--allow-read"), err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
