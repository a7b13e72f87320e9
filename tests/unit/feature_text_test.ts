import { assert, assertEquals } from "../assert.ts";
import {
  FEATURE_COLUMNS,
  type FeatureRowWithNews,
  MARKET_NEWS_COLUMNS,
  NEWS_COLUMNS,
} from "../../src/domain/feature_row.ts";
import { featureNames } from "../../src/model/features.ts";
import {
  EMPTY_SPAN,
  exportHeader,
  exportLines,
  exportSummary,
  extendSpan,
  TAIL_HEADER,
  tailText,
} from "../../src/jobs/feature_text.ts";
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

Deno.test("an export is its header (CSV only) then a line per row, each ending in a newline", () => {
  assertEquals(exportHeader("csv"), EXPORT_CSV_HEADER + "\n");
  assertEquals(exportHeader("jsonl"), "");
  const csv = exportLines(rows, "csv").split("\n");
  assertEquals([csv.length, csv[0]!.startsWith("BTC/USD,1m,"), csv.at(-1)], [4, true, ""]);
  const jsonl = exportLines(rows, "jsonl").split("\n");
  assertEquals(jsonl.length, 4);
  assertEquals(JSON.parse(jsonl[0]!).window_start, rows[0]!.window_start);
  assertEquals(exportLines([], "csv"), "");
});

Deno.test("an export's lines, chunk by chunk, are the lines of all its rows at once", () => {
  const many = Array.from({ length: 10 }, (_, i) => row(i));
  for (const format of ["csv", "jsonl"] as const) {
    const chunked = [many.slice(0, 3), many.slice(3, 4), [], many.slice(4)].map((c) =>
      exportLines(c, format)
    );
    assertEquals(chunked.join(""), exportLines(many, format));
  }
});

Deno.test("an export's log line gives the rows' span, gathered chunk by chunk, and says stdout for -", () => {
  const span = [[rows[0]!], [], rows.slice(1)].reduce(extendSpan, EMPTY_SPAN);
  assertEquals(
    exportSummary(span, { pair: "BTC/USD", window: "1m", out: "-" }),
    "3 BTC/USD 1m rows (2024-03-01T00:00:00.000Z .. 2024-03-01T00:02:00.000Z) written to stdout",
  );
  assertEquals(
    exportSummary(EMPTY_SPAN, { pair: "BTC/USD", window: "1m", out: "x.csv" }),
    "0 BTC/USD 1m rows written to x.csv",
  );
});

Deno.test("tail prints tab-separated rows, fractions to four places and times in ISO 8601", () => {
  assertEquals(
    TAIL_HEADER,
    "window_start\topen\thigh\tlow\tclose\tvolume\ttrades\trsi_14\tmacd_hist\twarm\n",
  );
  const [line, end] = tailText([{ ...rows[0]!, high: 101.123456, rsi_14: 55.5 }]).split("\n");
  assertEquals(end, "");
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
