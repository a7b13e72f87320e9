/**
 * The model loop's state per series in Deno KV, beside the predictions it judges, so a restart in
 * the middle of a shadow period resumes it instead of starting the count again.
 */
import { emptyState, type SeriesLoopState } from "../system/loop_state.ts";

export class KvLoopStore {
  constructor(readonly kv: Deno.Kv) {}

  async get(pair: string, window: string): Promise<SeriesLoopState> {
    const saved = (await this.kv.get<SeriesLoopState>(["loop", pair, window])).value;
    return saved ? { ...emptyState(), ...saved } : emptyState();
  }

  async set(pair: string, window: string, state: SeriesLoopState): Promise<void> {
    await this.kv.set(["loop", pair, window], state);
  }
}
