/**
 * Trains one series in a Worker from the offline history, as `start` and `demo` do, without holding
 * the serving thread: where the history can export its training rows to a file (DuckDB writes it on
 * its own threads), the Worker reads the file and builds the dataset itself; otherwise the rows are
 * read here. `from` keeps only the latest rows (the model loop's `--train-window`).
 */
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import { NO_OTHER_PAIRS } from "../domain/feature_row.ts";
import type { FeatureHistory } from "../domain/ports.ts";
import { datasetFromRows } from "../model/dataset.ts";
import { trainAndRegister, type TrainOptions, type TrainReport } from "./train_and_register.ts";

export async function trainSeries(
  history: Pick<FeatureHistory, "trainingRows" | "exportTrainingRows">,
  series: { pair: string; window: Window; horizon: number; fromMs?: number | undefined },
  opts: Omit<TrainOptions, "inWorker">,
): Promise<TrainReport> {
  const { pair, window, horizon, fromMs = 0 } = series;
  const horizonMs = horizon * WINDOW_MS[window];
  if (history.exportTrainingRows) {
    const file = await Deno.makeTempFile({ prefix: "training_rows_", suffix: ".csv" });
    try {
      await history.exportTrainingRows(file, pair, window, horizonMs, NO_OTHER_PAIRS, fromMs);
      return await trainAndRegister({ file, pair, window, horizon }, { ...opts, inWorker: true });
    } finally {
      await Deno.remove(file).catch(() => {});
    }
  }
  const rows = (await history.trainingRows(pair, window, horizonMs)).filter((r) => r.window_start >= fromMs);
  return await trainAndRegister(await datasetFromRows(rows, { pair, window, horizon }), {
    ...opts,
    inWorker: true,
  });
}
