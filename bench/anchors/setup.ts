/**
 * `deno task bench:anchors`: makes the venv the bench's Python anchors run in
 * (`.cache/anchors-venv`, from `bench/anchors/requirements.txt`, with PyPI through pip). Run by
 * hand only; tests and CI never need it. `PYTHON` picks the interpreter (default `python3`).
 * Running it again brings an existing venv to the pinned versions.
 */
import { anchorPython, ANCHORS_VENV } from "./python.ts";

const REQUIREMENTS = new URL("requirements.txt", import.meta.url).pathname;

async function run(cmd: string, args: string[]): Promise<void> {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  let status: Deno.CommandStatus;
  try {
    status = await new Deno.Command(cmd, { args, stdout: "inherit", stderr: "inherit" }).spawn().status;
  } catch (err) {
    throw new Error(
      `cannot run ${cmd}: ${(err as Error).message} (set PYTHON to a Python 3.10+ interpreter)`,
    );
  }
  if (!status.success) throw new Error(`${cmd} ${args[0]} ${args[1] ?? ""} exited with ${status.code}`);
}

if (Deno.args.length > 0) {
  console.error(
    `bench:anchors takes no arguments (got ${Deno.args.join(" ")}); set PYTHON to choose the interpreter`,
  );
  Deno.exit(2);
}
try {
  const python = Deno.env.get("PYTHON") ?? "python3";
  const venvPython = `${ANCHORS_VENV}bin/python`;
  const exists = await Deno.stat(venvPython).then(() => true, () => false);
  if (exists) console.log(`[1/3] venv exists at ${ANCHORS_VENV}`);
  else {
    console.log(`[1/3] creating the venv at ${ANCHORS_VENV}`);
    await run(python, ["-m", "venv", ANCHORS_VENV]);
  }
  console.log(`[2/3] installing ${REQUIREMENTS} (quixstreams, lightgbm, TA-Lib, numpy, pandas)`);
  await run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "-r", REQUIREMENTS]);
  console.log("[3/3] checking the anchors' imports");
  const ready = await anchorPython();
  if (ready === null) throw new Error(`the venv at ${ANCHORS_VENV} cannot import the anchors' modules`);
  console.log(`anchors ready: ${ready}; deno task bench now runs them beside the project's figures`);
} catch (err) {
  console.error(`bench:anchors: ${(err as Error).message}`);
  Deno.exit(1);
}
