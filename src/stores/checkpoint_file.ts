import type { FeatureState } from "../transforms/features.ts";
import { writeFileAtomic } from "./atomic_file.ts";

/**
 * Where a trade job stands, saved as a small JSON file that is replaced atomically (write to a
 * temporary file, then rename), so a kill at any moment leaves either the old or the new one.
 */
export interface PairCheckpoint {
  /** Event time of the last trade written, epoch ms (or the start time before any). */
  ts: number;
  trade_id: number | null;
  trades: number;
}

export interface TradeCheckpoint {
  version: 1;
  /** What the job is, e.g. `ingest` or `backfill BTC/USD 2019-07-01T00:00:00.000Z..`. */
  job: string;
  pairs: Record<string, PairCheckpoint>;
  /** The record file and its length when this checkpoint was taken. */
  record?: { path: string; bytes: number } | undefined;
  done?: boolean;
  /** Candle and indicator state as of the last trade written. */
  features?: FeatureState | undefined;
  updated_at: string;
}

export class CheckpointFile {
  constructor(readonly path: string) {}

  /** The saved checkpoint, `null` when there is none; a clear error when it cannot be read. */
  async load(): Promise<TradeCheckpoint | null> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
    try {
      const cp = JSON.parse(text) as TradeCheckpoint;
      if (cp.version !== 1 || typeof cp.pairs !== "object" || cp.pairs === null) {
        throw new Error("unknown layout");
      }
      return cp;
    } catch (cause) {
      throw new Error(
        `checkpoint ${this.path} is unreadable (${(cause as Error).message}); delete it to start over`,
        { cause },
      );
    }
  }

  async save(cp: TradeCheckpoint): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(cp) + "\n");
  }
}

/** A file-name-safe key for a job description. */
export function jobFileName(job: string): string {
  return job.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 180);
}
