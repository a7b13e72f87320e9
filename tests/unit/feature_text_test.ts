import { assert, assertEquals } from "../assert.ts";
import {
  FEATURE_COLUMNS,
  type FeatureRowWithNews,
  MARKET_NEWS_COLUMNS,
  NEWS_COLUMNS,
} from "../../src/domain/feature_row.ts";
import { featureNames } from "../../src/model/features.ts";
import { exportSummary, exportText, tailLines } from "../../src/jobs/feature_text.ts";
import { EXPORT_COLUMNS, EXPORT_CSV_HEADER } from "../../src/stores/feature_export.ts";

const T0 = Date.UTC(2024, 2, 1);

/** A row of a flat series at minute `i`, with no indicator or news values. */
function row(i: number): FeatureRowWithNews {
  const empty = Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, null]));
  return {
    ...empty,
    pair: "BTC/USD",
    window: "1m",
    window_start: T0 + i * 60_000,
    window_end: T0 + (i + 1) * 60_000,
    open: 100,
    high: 100,
    low: 100,
    close: 100,
    volume: 1,
    trades: 1,
    warm: false,
  } as FeatureRowWithNews;
}

const rows = [row(0), row(1), row(2)];

Deno.test("an export has a line per row, ending in a newline; CSV starts with its header", () => {
  const csv = exportText(rows, "csv").split("\n");
  assertEquals([csv.length, csv[0], csv.at(-1)], [5, EXPORT_CSV_HEADER, ""]);
  const jsonl = exportText(rows, "jsonl").split("\n");
  assertEquals(jsonl.length, 4);
  assertEquals(JSON.parse(jsonl[0]!).window_start, rows[0]!.window_start);
});

Deno.test("an empty export is the CSV header alone, or nothing at all as JSONL", () => {
  assertEquals(exportText([], "csv"), EXPORT_CSV_HEADER + "\n");
  assertEquals(exportText([], "jsonl"), "");
});

Deno.test("an export's log line gives the rows' span and says stdout for -", () => {
  assertEquals(
    exportSummary(rows, { pair: "BTC/USD", window: "1m", out: "-" }),
    "3 BTC/USD 1m rows (2024-03-01T00:00:00.000Z .. 2024-03-01T00:02:00.000Z) written to stdout",
  );
  assertEquals(
    exportSummary([], { pair: "BTC/USD", window: "1m", out: "x.csv" }),
    "0 BTC/USD 1m rows written to x.csv",
  );
});

Deno.test("tail prints tab-separated rows, fractions to four places and times in ISO 8601", () => {
  const [head, line] = tailLines([{ ...rows[0]!, high: 101.123456, rsi_14: 55.5 }]);
  assertEquals(head, "window_start\topen\thigh\tlow\tclose\tvolume\ttrades\trsi_14\tmacd_hist\twarm");
  const cells = line!.split("\t");
  assertEquals([cells[0], cells[1], cells[2], cells[7], cells[8], cells[9]], [
    "2024-03-01T00:00:00.000Z",
    "100",
    "101.1235",
    "55.5000",
    "",
    "false",
  ]);
});

Deno.test("an export holds both sets of news columns a model reads, as the model reads them", () => {
  const exported = new Set<string>(EXPORT_COLUMNS);
  for (const c of [...NEWS_COLUMNS, ...MARKET_NEWS_COLUMNS]) assert(exported.has(c), c);
  const newsInputs = featureNames().filter((f) => f.includes("news_"));
  assertEquals(newsInputs.length, 20);
  for (const f of newsInputs) assert(exported.has(f), f);
  assert(FEATURE_COLUMNS.every((c) => exported.has(c)));
});
