/**
 * What `ingest` says while it runs: every `--stats-every`, trades written and their rate, feature
 * rows, where each pair stands and the live source's counters; a warning when trades arrive after
 * their window closed.
 */
import { isoTime } from "../domain/time.ts";
import type { LiveStats } from "../sources/kraken/live_trades.ts";
import type { Batch } from "../stages/batch.ts";
import type { TradeCheckpoint } from "../stores/checkpoint_file.ts";
import type { CandleState } from "../transforms/candles.ts";
import type { Logger } from "../util/log.ts";

export class IngestReport {
  #written = 0;
  #rows = 0;
  #late: number;
  #last = { at: Date.now(), written: 0 };
  #timer: ReturnType<typeof setInterval>;

  readonly pairs: readonly string[];

  /** `candles` is the live candle state; none when the trades go to Kafka. */
  constructor(
    cfg: { pairs: readonly string[]; statsEveryMs: number },
    readonly state: TradeCheckpoint,
    readonly stats: LiveStats,
    readonly candles: CandleState | undefined,
    readonly log: Logger,
  ) {
    this.pairs = cfg.pairs;
    this.#late = candles?.late ?? 0;
    this.#timer = setInterval(() => this.report(), cfg.statsEveryMs);
  }

  /** For `persist()`'s `onFlush`. */
  readonly onFlush = (batch: Batch): void => {
    this.#written += batch.trades.length;
    this.#rows += batch.rows.length;
    const late = this.candles?.late ?? 0;
    if (late > this.#late) {
      this.log.warn(`${late - this.#late} trades arrived after their window had closed (late: ${late})`);
      this.#late = late;
    }
  };

  report(): void {
    const { stats, candles } = this;
    const now = Date.now();
    const rate = (this.#written - this.#last.written) / Math.max(0.001, (now - this.#last.at) / 1000);
    this.#last = { at: now, written: this.#written };
    const pairs = this.pairs.map((p) => {
      const s = this.state.pairs[p];
      return s ? `${p} ${isoTime(s.ts)} #${s.trade_id ?? "-"}` : `${p} -`;
    }).join(", ");
    this.log.info(
      `${this.#written} trades (${rate.toFixed(1)}/s) · ${
        candles ? `${this.#rows} feature rows` : "to Kafka"
      } · ` +
        `${pairs} · connections ${stats.connections} · from REST ${stats.restTrades} · holes ${stats.gaps} · ` +
        `duplicates dropped ${stats.duplicates} · malformed ${stats.malformed}` +
        (candles ? ` · late ${candles.late}` : "") + (stats.missing ? ` · MISSING ${stats.missing}` : ""),
    );
  }

  /** Stops the timer and says where it ended. */
  stop(): void {
    clearInterval(this.#timer);
    this.report();
  }
}
