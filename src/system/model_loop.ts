/**
 * The model loop of `start` and `demo`, after a series has its first model: every
 * `--retrain-every` of market time the series is retrained on its latest data (in a Worker, the
 * same search and gate as `train`); a version that passes the gate becomes a challenger and
 * predicts every live candle in shadow beside the champion; after `--shadow` realised rows it is
 * promoted on live evidence or retired. The champion falls back to naive when it is significantly
 * worse than naive live, or when it expires. The rules are in ./loop_state.ts; this applies them,
 * keeps the state in Deno KV, and writes every decision with its statistics to the log, the
 * experiment log and the version's `live_decision.json`.
 */
import type { Window } from "../domain/candle.ts";
import type { LoopStatus } from "../domain/model_loop.ts";
import type { FeatureHistory, WritableModelRegistry } from "../domain/ports.ts";
import type { Prediction } from "../domain/prediction.ts";
import { isoTime } from "../domain/time.ts";
import { type OnnxPredictor, VersionModel } from "../registry/predictor.ts";
import type { TrainReport } from "../registry/train_and_register.ts";
import { trainSeries } from "../registry/train_series.ts";
import type { ShadowLoop } from "../serve/live_predictions.ts";
import type { KvLoopStore } from "../stores/loop_store.ts";
import { type Logger, logger } from "../util/log.ts";
import {
  errorCap,
  fallbackReason,
  judge,
  liveSkill,
  type LoopEvent,
  type LoopOptions,
  recordRealised,
  retrainDue,
  type SeriesLoopState,
  withChallenger,
  withChampion,
} from "./loop_state.ts";
import { FIRST_MODEL_TRAINING } from "./training_policy.ts";

export interface ModelLoopOptions extends LoopOptions {
  predictors: readonly OnnxPredictor[];
  registry: WritableModelRegistry;
  history: Pick<FeatureHistory, "trainingRows" | "exportTrainingRows">;
  store: KvLoopStore;
  window: Window;
  /** The market's clock, epoch ms. */
  now: () => number;
  /** Market time a retraining reads back from now; 0 for all the history. */
  trainWindowMs: number;
  /** Trials of the hyperparameter search. */
  budget: number;
  log: Logger;
  onTraining?: (detail: string | null) => void;
  /** Trains a series and registers the result without promoting it (a Worker run by default). */
  train?: (pair: string, otherPairs: readonly string[]) => Promise<TrainReport>;
}

interface Series {
  predictor: OnnxPredictor;
  state: SeriesLoopState;
  challenger: VersionModel | null;
  running: boolean;
}

export class ModelLoop implements ShadowLoop {
  #series = new Map<string, Series>();
  #busy = false;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly o: ModelLoopOptions) {}

  /** The loop over `o.predictors`, resumed from the stored state (a challenger mid-shadow carries on). */
  static async open(o: ModelLoopOptions): Promise<ModelLoop> {
    const loop = new ModelLoop(o);
    for (const predictor of o.predictors) {
      const state = await o.store.get(predictor.pair, predictor.window);
      const s: Series = { predictor, state, challenger: null, running: false };
      loop.#series.set(key(predictor.pair, predictor.window), s);
      if (state.challenger) {
        try {
          s.challenger = await VersionModel.load(o.registry, predictor.name, state.challenger.version);
          o.log.info(
            `${predictor.pair}: challenger ${state.challenger.version} resumes its shadow ` +
              `(${state.challenger.errors.length} of ${o.shadow} realised)`,
          );
        } catch (e) {
          s.state = { ...state, challenger: null };
          o.log.warn(
            `${predictor.pair}: challenger ${state.challenger.version} dropped: ${(e as Error).message}`,
          );
        }
      }
      predictor.fallback = fallbackReason(s.state);
    }
    return loop;
  }

  /** True while a retraining runs. */
  get busy(): boolean {
    return this.#busy;
  }

  challenger(pair: string, window: string): VersionModel | null {
    return this.#series.get(key(pair, window))?.challenger ?? null;
  }

  /** Records a realised prediction and acts on the verdicts it makes due; serialised per process. */
  onRealised(p: Prediction): Promise<void> {
    const run = this.#queue.then(async () => {
      const s = this.#series.get(key(p.pair, p.window));
      if (!s) return;
      this.#syncChampion(s);
      s.state = recordRealised(s.state, p, errorCap(this.o));
      await this.#judge(s);
    });
    this.#queue = run.catch((e) => this.o.log.error(`model loop: ${(e as Error).message}`));
    return this.#queue as Promise<void>;
  }

  /**
   * Checks ages and starts a due retraining (one at a time; returns at once while one runs). Call
   * it on a timer once the first models are in.
   */
  tick(): Promise<void> {
    const run = this.#queue.then(async () => {
      for (const s of this.#series.values()) {
        this.#syncChampion(s);
        await this.#judge(s);
      }
    });
    this.#queue = run.catch((e) => this.o.log.error(`model loop: ${(e as Error).message}`));
    return this.#queue.then(() => {
      if (this.#busy) return;
      const now = this.o.now();
      const due = [...this.#series.values()].find((s) => retrainDue(s.state, this.o, now, trainedTo(s)));
      if (due) void this.#retrain(due);
    });
  }

  /** Waits for queued work and a running retraining, then releases the challengers. */
  async close(): Promise<void> {
    while (this.#busy) await new Promise((r) => setTimeout(r, 50));
    await this.#queue;
    for (const s of this.#series.values()) await s.challenger?.close();
  }

  status(pair: string, window: string): LoopStatus | null {
    const s = this.#series.get(key(pair, window));
    if (!s) return null;
    const now = this.o.now();
    const current = s.predictor.current;
    const to = trainedTo(s);
    const reason = fallbackReason(s.state);
    const skill = liveSkill(s.state, this.o.guard);
    const last = s.state.lastRetrainAt ?? to;
    return {
      champion: current && to !== null
        ? { version: current.version, trained_to: isoTime(to), age_s: (now - to) / 1000 }
        : null,
      challenger: s.state.challenger
        ? {
          version: s.state.challenger.version,
          realised: s.state.challenger.errors.length,
          needed: this.o.shadow,
        }
        : null,
      fallback: reason !== null ? { reason, since: isoTime(s.state.fallbackSince ?? now) } : null,
      live_skill: skill.skill,
      live_rows: skill.rows,
      last_decision: s.state.lastDecision
        ? { at: isoTime(s.state.lastDecision.at), text: s.state.lastDecision.text }
        : null,
      retrain: {
        running: s.running,
        next_at: current && last !== null && !s.state.challenger
          ? isoTime(last + this.o.retrainEveryMs)
          : null,
      },
      max_model_age_s: this.o.maxAgeMs / 1000,
    };
  }

  /** Notices a champion promoted from outside (the first model, `models promote`, a rollback). */
  #syncChampion(s: Series): void {
    const version = s.predictor.current?.version;
    if (version === undefined || version === s.state.champion?.version) return;
    const had = s.state.champion?.version;
    s.state = withChampion(s.state, version);
    if (had) this.#decided(s, `champion ${version} serving (was ${had}); its live record starts now`);
  }

  async #judge(s: Series): Promise<void> {
    const now = this.o.now();
    const before = s.state;
    const { state, events } = judge(s.state, this.o, now, trainedTo(s));
    s.state = state;
    for (const e of events) await this.#act(s, e);
    s.predictor.fallback = fallbackReason(s.state);
    if (s.state !== before || events.length) {
      await this.o.store.set(s.predictor.pair, s.predictor.window, s.state);
    }
  }

  async #act(s: Series, e: LoopEvent): Promise<void> {
    const { predictor: p, state } = s;
    const { registry, log } = this.o;
    const at = isoTime(this.o.now());
    switch (e.kind) {
      case "promote":
      case "retire": {
        const stats = { vs_champion: e.vsChampion, vs_naive: e.vsNaive, against: e.against };
        const text = `challenger ${e.version} ${e.kind === "promote" ? "promoted" : "retired"}: ${e.reason}`;
        this.#decided(s, text);
        await registry.log(p.name, { at, event: e.kind, version: e.version, reason: e.reason, ...stats });
        await registry.saveFile(
          p.name,
          e.version,
          "live_decision.json",
          JSON.stringify({ at, decision: e.kind, reason: e.reason, alpha: this.o.alpha, ...stats }, null, 2),
        );
        const challenger = s.challenger;
        s.challenger = null;
        if (e.kind === "promote") {
          await registry.promote(p.name, e.version, "shadow", e.reason);
          await p.refresh();
        }
        await challenger?.close();
        return;
      }
      case "fallback":
      case "expire":
        this.#decided(s, `falls back to naive: ${e.reason}`);
        await registry.log(p.name, { at, event: e.kind, version: state.champion?.version, reason: e.reason });
        // A champion on fallback serves again once a later window is no longer worse (the guard's
        // hysteresis); an expired one only gives way to a challenger.
        log.warn(
          `${p.pair}: serving naive (labelled naive) until ${
            e.kind === "fallback" ? "the champion's live MAE is back at or below naive's, or " : ""
          }a challenger earns promotion`,
        );
        return;
      case "recover":
        this.#decided(s, `champion serves again: ${e.reason}`);
        await registry.log(p.name, { at, event: e.kind, version: state.champion?.version, reason: e.reason });
        return;
    }
  }

  #decided(s: Series, text: string): void {
    s.state = { ...s.state, lastDecision: { at: this.o.now(), text } };
    this.o.log.info(`${s.predictor.pair}: ${text}`);
  }

  async #retrain(s: Series): Promise<void> {
    const { o } = this;
    const p = s.predictor;
    this.#busy = true;
    s.running = true;
    const at = o.now();
    s.state = { ...s.state, lastRetrainAt: at };
    await o.store.set(p.pair, p.window, s.state);
    o.onTraining?.(`retraining ${p.pair} ${p.window}`);
    o.log.info(`${p.pair}: retraining on its latest data (champion ${s.state.champion?.version})`);
    try {
      // The challenger reads what the champion reads: its other pairs' columns too.
      const others = p.current?.card.other_pairs ?? [];
      const report = await (o.train ?? ((pair, with_) => this.#trainInWorker(pair, with_)))(p.pair, others);
      const text = report.passed
        ? `retrained ${report.version} passed the gate (${report.reason}); a challenger in shadow`
        : `retrained ${report.version} is no challenger: ${report.reason}`;
      await this.#enqueue(async () => {
        this.#decided(s, text);
        if (!report.passed) return;
        const model = await VersionModel.load(o.registry, p.name, report.version);
        await s.challenger?.close();
        s.challenger = model;
        s.state = withChallenger(s.state, report.version, o.now());
        await o.store.set(p.pair, p.window, s.state);
      });
    } catch (e) {
      await this.#enqueue(() =>
        Promise.resolve(this.#decided(s, `retraining failed: ${(e as Error).message}`))
      );
    } finally {
      s.running = false;
      this.#busy = false;
      o.onTraining?.(null);
    }
  }

  #enqueue(f: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(f);
    this.#queue = run.catch((e) => this.o.log.error(`model loop: ${(e as Error).message}`));
    return this.#queue as Promise<void>;
  }

  #trainInWorker(pair: string, otherPairs: readonly string[]): Promise<TrainReport> {
    const { o } = this;
    return trainSeries(o.history, {
      pair,
      window: o.window,
      horizon: o.horizon,
      fromMs: o.trainWindowMs > 0 ? o.now() - o.trainWindowMs : 0,
      otherPairs,
    }, {
      ...FIRST_MODEL_TRAINING,
      budget: o.budget,
      registry: o.registry,
      promote: false,
      vsPromoted: false,
      onStep: (m) => logger("train").info(m),
    });
  }
}

const key = (pair: string, window: string) => `${pair}|${window}`;

/** The end of the champion's training data, epoch ms. */
function trainedTo(s: Series): number | null {
  const to = s.predictor.current?.card.data.to;
  return to === undefined ? null : Date.parse(to);
}
