import { assertEquals, assertThrows } from "../assert.ts";
import { deployConfig } from "../../src/config/deploy.ts";
import { ConfigError } from "../../src/config/config_error.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("deployConfig() has the documented defaults", () => {
  assertEquals(deployConfig(envOf({})), {
    pairs: ["BTC/USD", "ETH/USD"],
    window: "1m",
    horizon: 1,
    maxFeatureAgeS: undefined,
    corsOrigins: undefined,
    modelsDir: "./models",
    port: 8000,
    onlineKv: undefined,
  });
});

Deno.test("deployConfig() reads every variable, normalising pairs as serve does", () => {
  const c = deployConfig(envOf({
    PAIRS: "xbt-usd,SOL/USD",
    WINDOW: "5m",
    HORIZON: "3",
    MAX_FEATURE_AGE: "0",
    CORS_ORIGINS: "https://a.example,",
    MODELS_DIR: "/m",
    PORT: "9000",
    DENO_KV_PATH: ":memory:",
  }));
  assertEquals(
    [c.pairs, c.window, c.horizon, c.maxFeatureAgeS, c.corsOrigins, c.modelsDir, c.port, c.onlineKv],
    [["BTC/USD", "SOL/USD"], "5m", 3, 0, ["https://a.example"], "/m", 9000, ":memory:"],
  );
  assertEquals(
    deployConfig(envOf({ ONLINE_KV: "https://kv.example", DENO_KV_PATH: "x" })).onlineKv,
    "https://kv.example",
  );
});

Deno.test("deployConfig() rejects a bad value with an error naming its variable", () => {
  const cases: [Record<string, string>, string][] = [
    [{ PAIRS: "FOO" }, "PAIRS: 'FOO' is not a pair like BTC/USD"],
    [{ WINDOW: "2m" }, "WINDOW: '2m' is not a window (one of 1m, 5m, 15m, 1h)"],
    [{ HORIZON: "0" }, "HORIZON: '0' is not an integer >= 1"],
    // A number that is not one would turn the staleness check off without a word.
    [{ MAX_FEATURE_AGE: "abc" }, "MAX_FEATURE_AGE: 'abc' is not a number >= 0"],
    [{ PORT: "http" }, "PORT: 'http' is not an integer >= 0"],
  ];
  for (const [vars, message] of cases) {
    assertThrows(() => deployConfig(envOf(vars)), ConfigError, message);
  }
});
