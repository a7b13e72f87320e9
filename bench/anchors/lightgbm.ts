/**
 * The LightGBM anchor: the same matrix and GBDT settings, fitted by LightGBM on one thread in the
 * anchors' venv (`lightgbm_fit.py`), for the bench to print beside the project's fit.
 */
import type { GbdtParams } from "../../src/model/gbdt.ts";
import { runAnchor } from "./python.ts";

export interface LightgbmResult {
  /** Binning and boosting, one figure per repeat. */
  fitSeconds: number[];
  testMae: number;
  trees: number;
  version: string;
}

/**
 * Fits rows `[0, trainRows)` of `X` (row-major, `n` × `F`) and scores the rest. `params` must
 * be complete (the project's defaults merged in), so both fitters read the same numbers.
 */
export async function lightgbmAnchor(
  python: string,
  m: { X: Float64Array; y: Float64Array; n: number; F: number },
  trainRows: number,
  params: GbdtParams,
  repeats: number,
): Promise<LightgbmResult> {
  const dir = await Deno.makeTempDir({ prefix: "bench-lightgbm-" });
  try {
    await Deno.writeTextFile(
      `${dir}/matrix.json`,
      JSON.stringify({ n: m.n, features: m.F, train_rows: trainRows, repeats, params }),
    );
    // Typed arrays are little-endian on every platform Deno runs on, as the script reads them.
    await Deno.writeFile(`${dir}/x.f64`, new Uint8Array(m.X.buffer, m.X.byteOffset, m.n * m.F * 8));
    await Deno.writeFile(`${dir}/y.f64`, new Uint8Array(m.y.buffer, m.y.byteOffset, m.n * 8));
    const r = await runAnchor(python, "lightgbm_fit.py", [dir]) as {
      fit_seconds: number[];
      test_mae: number;
      trees: number;
      lightgbm: string;
    };
    return { fitSeconds: r.fit_seconds, testMae: r.test_mae, trees: r.trees, version: r.lightgbm };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
