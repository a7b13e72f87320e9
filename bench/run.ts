/**
 * `deno task bench [SUITE...]`: every benchmark (or the suites named), each figure printed beside
 * its reference and the ratio between them, in one run. Exits 0 either way; the PASS/MISS column
 * says where a target is missed.
 */
import { ConfigError } from "../src/config.ts";
import { benchArgs, benchUsage } from "./bench_args.ts";
import { stopLocalBroker } from "./local_broker.ts";
import { type BenchResult, benchWsFrames } from "./ws_frames.ts";
import { benchFeatures } from "./features.ts";
import { benchLines } from "./lines.ts";
import { benchBus } from "./bus.ts";

const fmt = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString("en-US") : n >= 0.01 ? n.toFixed(3) : n.toExponential(2);

const suites: [string, () => Promise<BenchResult[]>][] = [
  ["ws_frames", benchWsFrames],
  ["features", benchFeatures],
  ["stores", async () => (await import("./stores.ts")).benchStores()],
  ["lines", benchLines],
  ["bus", benchBus],
  ["density", async () => (await import("./density.ts")).benchDensity()],
  ["bus_scaling", async () => (await import("./bus_scaling.ts")).benchBusScaling()],
  // Imported when its turn comes: transformers.js and its runtimes would otherwise sit in the
  // memory the replay benchmark measures. The classifier alone, then `news --file` end to end.
  ["news", async () => (await import("./news.ts")).benchNews()],
  ["train", async () => (await import("./train.ts")).benchTrain()],
  ["serve", async () => (await import("./serve.ts")).benchServe()],
  ["retrain", async () => (await import("./retrain.ts")).benchRetrain()],
];
// `deno task bench serve retrain`: only the suites named.
let chosen: string[] | "help";
try {
  chosen = benchArgs(Deno.args, suites.map(([name]) => name));
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(`error: ${e.message}`);
  Deno.exit(2);
}
if (chosen === "help") {
  console.log(benchUsage(suites.map(([name]) => name)));
  Deno.exit(0);
}
const results: BenchResult[] = [];
const failed: string[] = [];
// Ctrl-C stops the broker the run started, too: it runs detached and would otherwise stay up.
Deno.addSignalListener("SIGINT", () => {
  stopLocalBroker();
  Deno.exit(130);
});
try {
  for (const [name, run] of suites.filter(([n]) => chosen.includes(n))) {
    console.log(`${name}:`);
    // A suite that fails is reported and the rest still run: one error loses no other figure.
    try {
      results.push(...await run());
    } catch (e) {
      failed.push(name);
      console.log(`  ${name} failed: ${(e as Error)?.stack ?? e}`);
    }
  }
} finally {
  stopLocalBroker();
}
console.log("");
console.log(
  ["benchmark", "figure", "reference", "ratio", "target", ""].join(" | "),
);
for (const r of results) {
  console.log(
    [
      r.name,
      `${fmt(r.value)} ${r.unit}`,
      `${r.reference}: ${fmt(r.referenceValue)}`,
      r.ratio >= 0.01 ? r.ratio.toFixed(2) : r.ratio.toExponential(2),
      r.target,
      r.pass ? "PASS" : "MISS",
    ].join(" | "),
  );
}
if (failed.length > 0) {
  console.log(`\nfailed suites: ${failed.join(", ")} (their errors are above)`);
  Deno.exit(1);
}
