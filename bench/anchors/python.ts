/**
 * The Python the bench's anchors run in: the venv `deno task bench:anchors` makes from
 * `bench/anchors/requirements.txt` under `.cache/anchors-venv`. Never a runtime dependency: an
 * anchor without it is skipped with a message, and tests never create it.
 *
 * @example
 * ```ts
 * const python = await anchorPython();
 * if (python === null) console.log(`  LightGBM anchor skipped: ${ANCHORS_HINT}`);
 * else console.log(await runAnchor(python, "lightgbm_fit.py", [dir]));
 * ```
 */

const ROOT = new URL("../../", import.meta.url);

/** Where the venv lives (ignored by git and by Deno's own tooling). */
export const ANCHORS_VENV: string = new URL(".cache/anchors-venv/", ROOT).pathname;

/** What to tell a user whose bench skipped an anchor. */
export const ANCHORS_HINT = "run deno task bench:anchors";

/** The modules every anchor script imports; a venv missing one is not used. */
const MODULES = ["lightgbm", "talib", "quixstreams", "numpy", "pandas"];

let cached: Promise<string | null> | undefined;

async function probe(): Promise<string | null> {
  const python = `${ANCHORS_VENV}bin/python`;
  try {
    await Deno.stat(python);
  } catch {
    return null;
  }
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", `import ${MODULES.join(", ")}`],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const why = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
      console.log(`  anchors venv at ${ANCHORS_VENV} cannot import the anchors' modules: ${why}`);
      return null;
    }
    return python;
  } catch {
    return null;
  }
}

/** The venv's python when it exists and imports every anchor module, else null (checked once per run). */
export function anchorPython(): Promise<string | null> {
  cached ??= probe();
  return cached;
}

/**
 * Runs `bench/anchors/<script>` with `args` and parses the JSON object it prints last on stdout.
 * Fails with the script's stderr when it exits non-zero.
 */
export async function runAnchor(python: string, script: string, args: readonly string[]): Promise<unknown> {
  const out = await new Deno.Command(python, {
    args: [new URL(script, import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONWARNINGS: "ignore", OMP_NUM_THREADS: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`${script} failed: ${new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)}`);
  }
  return JSON.parse(text.split("\n").at(-1) ?? "null");
}
