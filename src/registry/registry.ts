/**
 * The model registry, a directory (`--models-dir`): per model name (pair, window, horizon),
 * numbered versions each holding `model.onnx` and `card.json` (and `backtest.json` once `deno task
 * backtest` has replayed it), an append-only `experiments.jsonl` of every training run, and
 * `promoted.json` naming the version in service with the history of promotions, so a rollback
 * knows where to go back to. Files are written whole and renamed into place, so a crash never
 * leaves half a version or half a pointer.
 */
import { type ModelCard, modelCardProblem, type PromotedFile, type Promotion } from "../domain/model_card.ts";
import type { Clock, WritableModelRegistry } from "../domain/ports.ts";
import { writeFileAtomic } from "../stores/atomic_file.ts";
import { rollbackEntry } from "./rollback.ts";
import { systemClock } from "../util/clock.ts";
import type { BacktestReport } from "../model/backtest.ts";

const BACKTEST_FILE = "backtest.json";

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw new Error(`${path} is unreadable: ${(e as Error).message}`, { cause: e });
  }
}

export class Registry implements WritableModelRegistry {
  /** `clock` dates promotions and rollbacks. */
  constructor(readonly dir: string, readonly clock: Clock = systemClock) {}

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
    const path = `${this.dir}/${name}/${version}/card.json`;
    const card = await readJson<unknown>(path);
    if (!card) throw new Error(`no version ${version} of model ${name} in ${this.dir}`);
    const problem = modelCardProblem(card);
    if (problem !== null) throw new Error(`${path} is not a model card: ${problem}`);
    return card as ModelCard;
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
    await writeFileAtomic(`${dir}/model.onnx`, onnx);
    await writeFileAtomic(`${dir}/card.json`, JSON.stringify(card, null, 2) + "\n");
  }

  async saveFile(name: string, version: string, file: string, text: string): Promise<void> {
    if (file.includes("/") || file.startsWith(".")) {
      throw new RangeError(`'${file}' is not a plain file name`);
    }
    await writeFileAtomic(`${this.dir}/${name}/${version}/${file}`, text);
  }

  /** Stores a version's backtest beside its card (`backtest.json`), replacing an earlier one. */
  async saveBacktest(report: BacktestReport & { version: string }): Promise<void> {
    await this.card(report.name, report.version);
    await this.saveFile(report.name, report.version, BACKTEST_FILE, JSON.stringify(report, null, 2) + "\n");
  }

  /** A version's stored backtest; null when it has none. */
  async backtest(name: string, version: string): Promise<BacktestReport | null> {
    return await readJson<BacktestReport>(`${this.dir}/${name}/${version}/${BACKTEST_FILE}`);
  }

  /** The model loop's verdict on a version it ran in shadow (`live_decision.json`); null when none. */
  async liveDecision(name: string, version: string): Promise<Record<string, unknown> | null> {
    return await readJson<Record<string, unknown>>(`${this.dir}/${name}/${version}/live_decision.json`);
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

  /** Puts `version` in service; resolves false, changing nothing, when it already is. */
  async promote(name: string, version: string, by: Promotion["by"], reason: string): Promise<boolean> {
    await this.card(name, version);
    const file = await this.promotedFile(name);
    // Stacking it twice would make the next rollback land on the version it leaves.
    if (file.current === version) return false;
    file.current = version;
    file.stack.push(version);
    file.history.push({ version, at: new Date(this.clock.now()).toISOString(), by, reason });
    await this.#writePromoted(name, file);
    return true;
  }

  async #writePromoted(name: string, file: PromotedFile): Promise<void> {
    await writeFileAtomic(`${this.dir}/${name}/promoted.json`, JSON.stringify(file, null, 2) + "\n");
  }

  /** See `WritableModelRegistry.rollback`. */
  async rollback(name: string, to?: string): Promise<string> {
    const file = await this.promotedFile(name);
    if (!file.current) throw new Error(`model ${name} has no promoted version to roll back`);
    file.history.push(rollbackEntry(name, file, to, this.clock.now()));
    file.current = file.stack.at(-1)!;
    await this.#writePromoted(name, file);
    return file.current;
  }
}
