import { assertEquals, assertThrows } from "../assert.ts";
import { backtestConfig, ConfigError, trainConfig } from "../../src/config.ts";

const noEnv = () => undefined;
const base = ["--pair", "BTC/USD", "--window", "5m", "--horizon", "1"];

Deno.test("train blends every setting the default budget searches and shrinks them unless told otherwise", () => {
  const c = trainConfig(base, noEnv);
  assertEquals([c.blend, c.shrink, c.budget], [20, "auto", 20]);
  const d = trainConfig([...base, "--blend", "1", "--shrink", "off"], noEnv);
  assertEquals([d.blend, d.shrink], [1, "off"]);
});

Deno.test("a bad --blend or --shrink is one line naming the flag", () => {
  for (
    const [args, message] of [
      [["--blend", "0"], "--blend"],
      [["--blend", "2.5"], "--blend"],
      [["--shrink", "0.5"], "--shrink"],
    ] as const
  ) {
    const e = assertThrows(() => trainConfig([...base, ...args], noEnv), ConfigError, message);
    assertEquals(e.message.includes("\n"), false, e.message);
  }
});

Deno.test("--with-pairs naming the pair itself is an error, not dropped without a word", () => {
  assertEquals(trainConfig([...base, "--with-pairs", "ETH/USD,SOL/USD"], noEnv).withPairs, [
    "ETH/USD",
    "SOL/USD",
  ]);
  for (const config of [trainConfig, backtestConfig]) {
    assertThrows(
      () => config([...base, "--with-pairs", "ETH/USD,BTC/USD"], noEnv),
      ConfigError,
      "--with-pairs names BTC/USD, the pair itself",
    );
  }
});
