/** The soak's comparison: two runs' feature tables, series by series, row by row. */
import { type Window, WINDOW_MS } from "../src/domain/candle.ts";
import { rowToCsv } from "../src/stores/feature_export.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";

export interface SeriesDifference {
  series: string;
  clean: number;
  faulty: number;
  missing: number;
  extra: number;
  different: number;
}

/**
 * Feature rows as CSV lines per series, up to the window holding the file's last trade at `until`
 * (the empty windows after it close only when the closing trade's own window does).
 */
export async function featureTable(
  dataDir: string,
  pairs: readonly string[],
  windows: readonly Window[],
  until: number,
): Promise<Map<string, string[]>> {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  try {
    const out = new Map<string, string[]>();
    for (const pair of pairs) {
      for (const w of windows) {
        const end = Math.floor(until / WINDOW_MS[w]) * WINDOW_MS[w] + WINDOW_MS[w];
        out.set(
          `${pair} ${w}`,
          (await store.range(pair, w)).filter((r) => r.window_end <= end).map(rowToCsv),
        );
      }
    }
    return out;
  } finally {
    store.close();
  }
}

/** Per series: rows missing from, added to or different in `got`, and the first difference seen. */
export function compareTables(
  want: Map<string, string[]>,
  got: Map<string, string[]>,
): { series: SeriesDifference[]; identical: boolean; firstDifference: string | null } {
  const series: SeriesDifference[] = [];
  let firstDifference: string | null = null;
  for (const [key, rows] of want) {
    const other = got.get(key) ?? [];
    const byStart = new Map(other.map((l) => [l.split(",")[2]!, l]));
    let missing = 0, different = 0;
    for (const line of rows) {
      const mine = byStart.get(line.split(",")[2]!);
      if (mine === undefined) missing++;
      else if (mine !== line) {
        different++;
        firstDifference ??= `${key}\n  clean:  ${line}\n  faulty: ${mine}`;
      }
    }
    series.push({
      series: key,
      clean: rows.length,
      faulty: other.length,
      missing,
      extra: Math.max(0, other.length - (rows.length - missing)),
      different,
    });
  }
  const identical = series.every((s) => s.missing === 0 && s.extra === 0 && s.different === 0);
  return { series, identical, firstDifference };
}
