/**
 * Which feature rows are live, and so get a prediction: those whose window closed after the
 * source last became live (caught up through REST), on the market's clock.
 *
 * Asking "is the source live?" when rows are stored is not enough. The trade sink writes in
 * batches, so the last batch of the REST history is stored just after the source turns live; and
 * the trades of the pairs caught up first, queued on the WebSocket while the others loaded, close
 * candles of the past once they drain. Every such row closed before the moment the source turned
 * live, which is what is compared.
 */
export class LiveRows {
  #since: number | undefined;

  /**
   * @param isLive whether the source is live now (connected and caught up)
   * @param now the market's clock, epoch ms
   */
  constructor(readonly isLive: () => boolean, readonly now: () => number) {}

  /** Notes when the source turned live (or stopped being); call it for every trade handed on. */
  observe(): void {
    if (!this.isLive()) this.#since = undefined;
    else this.#since ??= this.now();
  }

  /** True for a row whose window closed while the source was live. */
  includes(row: { window_end: number }): boolean {
    this.observe();
    return this.#since !== undefined && row.window_end > this.#since;
  }
}

/**
 * Live rows judged on the market's own clock, the time of its latest trade (a replayed market's
 * dates are in the past): `observe` is called with each trade as it is taken in.
 */
export function liveRowsOnTradeTime(
  isLive: () => boolean,
): { rows: LiveRows; observe(t: { ts: number }): void } {
  let marketNow = 0;
  const rows = new LiveRows(isLive, () => marketNow);
  return {
    rows,
    observe(t) {
      marketNow = t.ts;
      rows.observe();
    },
  };
}
