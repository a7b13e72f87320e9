import { assertEquals, assertThrows } from "../assert.ts";
import { backfillConfig, ConfigError, ingestConfig, simConfig, usage } from "../../src/config.ts";

const noEnv = () => undefined;

Deno.test("ingestConfig() has the documented defaults", () => {
  const c = ingestConfig([], noEnv);
  assertEquals(c.pairs, ["BTC/USD", "ETH/USD"]);
  assertEquals(c.dataDir, "./data");
  assertEquals(c.modelsDir, "./models");
  assertEquals(c.wsUrl, "wss://ws.kraken.com/v2");
  assertEquals(c.restUrl, "https://api.kraken.com");
  assertEquals(c.restRate, 1);
  assertEquals(c.from, undefined);
});

Deno.test("flags win over environment variables, which win over defaults", () => {
  const env = (n: string) =>
    ({ DATA_DIR: "/env/data", KRAKEN_WS_URL: "ws://127.0.0.1:1/v2", KRAKEN_REST_URL: "http://127.0.0.1:1" })[
      n
    ];
  const c = ingestConfig(["--data-dir", "/flag/data", "--pairs", "xbt-usd,ETH/USD,btcusd"], env);
  assertEquals(c.dataDir, "/flag/data");
  assertEquals(c.wsUrl, "ws://127.0.0.1:1/v2");
  assertEquals(c.restUrl, "http://127.0.0.1:1");
  assertEquals(c.pairs, ["BTC/USD", "ETH/USD"]);
});

Deno.test("a bad flag or value is one line naming it", () => {
  const cases: [() => unknown, string][] = [
    [() => ingestConfig(["--nope"], noEnv), "unknown flag --nope"],
    [() => ingestConfig(["--pairs", "BTC/USD,zz"], noEnv), "--pairs: 'zz' is not a pair like BTC/USD"],
    [() => ingestConfig(["--from", "yesterday"], noEnv), "--from: 'yesterday' is not a time"],
    [
      () => ingestConfig(["--ws-url", "http://x"], noEnv),
      "--ws-url: 'http://x' must start with ws:// or wss://",
    ],
    [() => ingestConfig(["--rest-rate", "0"], noEnv), "--rest-rate: '0' is not a positive number"],
    [() => ingestConfig(["--log-level", "loud"], noEnv), "--log-level: 'loud'"],
    [() => ingestConfig(["stray"], noEnv), "unexpected argument 'stray'"],
    [() => backfillConfig(["--pairs", "BTC/USD"], noEnv), "--from is required"],
    [() => backfillConfig(["--from", "2019-07-01"], noEnv), "--pairs is required"],
    [
      () => backfillConfig(["--pairs", "BTC/USD", "--from", "2019-07-02", "--to", "2019-07-01"], noEnv),
      "--to must be later than --from",
    ],
    [() => backfillConfig(["--file", "x", "--format", "xml"], noEnv), "--format: 'xml' is not one of"],
    [() => simConfig([], noEnv), "--file is required"],
    [() => simConfig(["--file", "x", "--port", "70000"], noEnv), "--port"],
    [
      () => simConfig(["--file", "x", "--malformed-every", "1.5"], noEnv),
      "--malformed-every: '1.5' is not an integer",
    ],
    [() => simConfig(["--file", "x", "--speed", "-2"], noEnv), "--speed"],
  ];
  for (const [fn, message] of cases) {
    const e = assertThrows(fn, ConfigError, message);
    assertEquals(e.message.includes("\n"), false, e.message);
  }
});

Deno.test("backfillConfig() needs no --from or --pairs for a file", () => {
  const c = backfillConfig(["--file", "t.csv", "--skip-bad-lines"], noEnv);
  assertEquals([c.file, c.pairs, c.skipBadLines], ["t.csv", [], true]);
});

Deno.test("usage() lists every flag with its default and env var", () => {
  const text = usage("ingest");
  for (const s of ["--pairs", "--from", "--ws-url", "--rest-url", "--record", "KRAKEN_WS_URL", "DATA_DIR"]) {
    assertEquals(text.includes(s), true, s);
  }
});
