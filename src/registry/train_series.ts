/**
 * Trains one series in a Worker from the offline history, as `start` and `demo` do, without holding
 * the serving thread: where the history can export its training rows to a file (DuckDB writes it on
 * its own threads), the Worker reads the file and builds the dataset itself; otherwise the rows are
 * read here. `from` keeps only the latest rows (the model loop's `--train-window`).
 */
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import { otherPairs } from "../domain/feature_row.ts";
import type { FeatureHistory } from "../domain/ports.ts";
import { datasetFromRows } from "../model/dataset.ts";
import { trainAndRegister, type TrainOptions, type TrainReport } from "./train_and_register.ts";

export async function trainSeries(
  history: Pick<FeatureHistory, "trainingRows" | "exportTrainingRows">,
  series: {
    pair: string;
    window: Window;
    horizon: number;
    fromMs?: number | undefined;
    /** Other pairs whose columns (of the window before, `OTHER_PAIRS_LAG`) join each row. */
    otherPairs?: readonly string[];
  },
  opts: Omit<TrainOptions, "inWorker">,
): Promise<TrainReport> {
  const { pair, window, horizon, fromMs = 0 } = series;
  const horizonMs = horizon * WINDOW_MS[window];
  const others = otherPairs(series.otherPairs ?? []);
  const options = { pair, window, horizon, otherPairs: others.pairs };
  const trainOptions = { ...opts, otherPairs: others.pairs, inWorker: true };
  if (history.exportTrainingRows) {
    const file = await Deno.makeTempFile({ prefix: "training_rows_", suffix: ".csv" });
    try {
      await history.exportTrainingRows(file, pair, window, horizonMs, others, fromMs);
      return await trainAndRegister({ file, ...options }, trainOptions);
    } finally {
      await Deno.remove(file).catch(() => {});
    }
  }
  const rows = (await history.trainingRows(pair, window, horizonMs, others)).filter((r) =>
    r.window_start >= fromMs
  );
  return await trainAndRegister(await datasetFromRows(rows, options), trainOptions);
}
