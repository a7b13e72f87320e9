/**
 * The model registry, a directory (`--models-dir`): per model name (pair, window, horizon),
 * numbered versions each holding `model.onnx` and `card.json`, an append-only `experiments.jsonl`
 * of every training run, and `promoted.json` naming the version in service with the history of
 * promotions, so a rollback knows where to go back to. Files are written whole and renamed into
 * place, so a crash never leaves half a version or half a pointer.
 */
import type { Window } from "../domain/candle.ts";
import type { Compared, FoldReport } from "./metrics.ts";
import type { ModelConfig } from "./models.ts";

export interface ModelCard {
  name: string;
  version: string;
  pair: string;
  window: Window;
  horizon: number;
  /** The model's inputs, in order (see `model/features.ts`). */
  features: string[];
  other_pairs: string[];
  data: { rows: number; from: string; to: string; hash: string };
  model: ModelConfig & { rounds?: number };
  search: { budget: number; seed: number; trials: number; best_validation_mae_return: number };
  folds: FoldReport[];
  overall: Compared;
  onnx: { input: string; output: string; output_is: "log_return"; parity_max_rel_diff: number };
  decision: { promoted: boolean; reason: string };
  code_version: string;
  created_at: string;
}

export interface Promotion {
  version: string;
  at: string;
  by: "train" | "promote" | "rollback";
  reason: string;
}

export interface PromotedFile {
  current: string | null;
  /** Versions promoted and not rolled back, oldest first; the last is the current one. */
  stack: string[];
  history: Promotion[];
}

export function modelName(pair: string, window: Window, horizon: number): string {
  return `${pair.toLowerCase().replace("/", "-")}_${window}_h${horizon}`;
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  if (typeof data === "string") await Deno.writeTextFile(tmp, data);
  else await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw new Error(`${path} is unreadable: ${(e as Error).message}`);
  }
}

export class Registry {
  constructor(readonly dir: string) {}

  async versions(name: string): Promise<string[]> {
    try {
      const out: string[] = [];
      for await (const e of Deno.readDir(`${this.dir}/${name}`)) {
        if (e.isDirectory && /^v\d+$/.test(e.name)) out.push(e.name);
      }
      return out.sort();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
  }

  async names(): Promise<string[]> {
    try {
      const out: string[] = [];
      for await (const e of Deno.readDir(this.dir)) if (e.isDirectory) out.push(e.name);
      return out.sort();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
  }

  async card(name: string, version: string): Promise<ModelCard> {
    const card = await readJson<ModelCard>(`${this.dir}/${name}/${version}/card.json`);
    if (!card) throw new Error(`no version ${version} of model ${name} in ${this.dir}`);
    return card;
  }

  async modelBytes(name: string, version: string): Promise<Uint8Array> {
    return await Deno.readFile(`${this.dir}/${name}/${version}/model.onnx`);
  }

  async promotedFile(name: string): Promise<PromotedFile> {
    return (await readJson<PromotedFile>(`${this.dir}/${name}/promoted.json`)) ??
      { current: null, stack: [], history: [] };
  }

  async promoted(name: string): Promise<ModelCard | null> {
    const { current } = await this.promotedFile(name);
    return current ? await this.card(name, current) : null;
  }

  /** Reserves the next version number by creating its directory. */
  async reserve(name: string): Promise<string> {
    await Deno.mkdir(`${this.dir}/${name}`, { recursive: true });
    for (;;) {
      const last = (await this.versions(name)).at(-1);
      const version = `v${String((last ? Number(last.slice(1)) : 0) + 1).padStart(4, "0")}`;
      try {
        await Deno.mkdir(`${this.dir}/${name}/${version}`);
        return version;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
    }
  }

  async save(card: ModelCard, onnx: Uint8Array): Promise<void> {
    const dir = `${this.dir}/${card.name}/${card.version}`;
    await writeAtomic(`${dir}/model.onnx`, onnx);
    await writeAtomic(`${dir}/card.json`, JSON.stringify(card, null, 2) + "\n");
  }

  /** Appends one line to the experiment log (never rewritten). */
  async log(name: string, entry: Record<string, unknown>): Promise<void> {
    await Deno.mkdir(`${this.dir}/${name}`, { recursive: true });
    await Deno.writeTextFile(`${this.dir}/${name}/experiments.jsonl`, JSON.stringify(entry) + "\n", {
      append: true,
    });
  }

  async experiments(name: string): Promise<Record<string, unknown>[]> {
    try {
      const text = await Deno.readTextFile(`${this.dir}/${name}/experiments.jsonl`);
      return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
  }

  async promote(name: string, version: string, by: Promotion["by"], reason: string): Promise<void> {
    await this.card(name, version);
    const file = await this.promotedFile(name);
    file.current = version;
    file.stack.push(version);
    file.history.push({ version, at: new Date().toISOString(), by, reason });
    await this.#writePromoted(name, file);
  }

  async #writePromoted(name: string, file: PromotedFile): Promise<void> {
    await writeAtomic(`${this.dir}/${name}/promoted.json`, JSON.stringify(file, null, 2) + "\n");
  }

  /** Back to the version promoted before the current one; returns it. */
  async rollback(name: string): Promise<string> {
    const file = await this.promotedFile(name);
    if (!file.current) throw new Error(`model ${name} has no promoted version to roll back`);
    if (file.stack.length < 2) {
      throw new Error(`model ${name} has no version promoted before ${file.current}`);
    }
    const from = file.stack.pop()!;
    const to = file.stack.at(-1)!;
    file.current = to;
    file.history.push({
      version: to,
      at: new Date().toISOString(),
      by: "rollback",
      reason: `rolled back from ${from}`,
    });
    await this.#writePromoted(name, file);
    return to;
  }
}

/** The commit the code was built from, read from .git without running git. */
export async function codeVersion(root = new URL("../../", import.meta.url).pathname): Promise<string> {
  try {
    const head = (await Deno.readTextFile(`${root}.git/HEAD`)).trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    try {
      return (await Deno.readTextFile(`${root}.git/${ref}`)).trim().slice(0, 12);
    } catch {
      const packed = await Deno.readTextFile(`${root}.git/packed-refs`);
      const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
      return line ? line.slice(0, 12) : "unknown";
    }
  } catch {
    return "unknown";
  }
}
