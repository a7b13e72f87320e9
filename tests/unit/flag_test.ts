import { assertEquals, assertThrows } from "../assert.ts";
import { ConfigError } from "../../src/config/config_error.ts";
import { flag } from "../../src/config/flag.ts";
import { type Env, flagsByName, parseFlags } from "../../src/config/parse_flags.ts";

const noEnv: Env = () => undefined;

/** Compiles only when `A` and `B` are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function sameType<A, B>(_proof: Same<A, B>): void {}

const GRACE = flag.seconds("grace", {
  min: 0,
  env: "GRACE",
  default: "5",
  help: "seconds late trades count",
});

Deno.test("one declaration gives a flag its value type, default, environment fallback and check", () => {
  const flags = { graceMs: GRACE, from: flag.time("from", { help: "start" }) };
  const fromDefault = parseFlags(flags, [], noEnv);
  sameType<typeof fromDefault, { graceMs: number; from: number | undefined }>(true);
  assertEquals(fromDefault, { graceMs: 5000, from: undefined });
  const env: Env = (name) => (name === "GRACE" ? "2" : undefined);
  assertEquals(parseFlags(flags, [], env).graceMs, 2000);
  assertEquals(parseFlags(flags, ["--grace", "0.5", "--from", "1000"], env), { graceMs: 500, from: 1000 });
  assertEquals(GRACE.help, "seconds late trades count");
  assertThrows(
    () => parseFlags(flags, ["--grace", "-5"], noEnv),
    ConfigError,
    "--grace: '-5' is not a number >= 0",
  );
  assertThrows(
    () => parseFlags(flags, [], () => "soon"),
    ConfigError,
    "env GRACE (--grace): 'soon' is not a number >= 0",
  );
});

Deno.test("an empty environment variable counts as absent", () => {
  assertEquals(parseFlags({ graceMs: GRACE }, [], () => ""), { graceMs: 5000 });
});

Deno.test("each builder's bad value is one ConfigError line naming the flag", () => {
  const cases: [ReturnType<typeof flag.string> | { parse(raw: string): unknown }, string, string][] = [
    [flag.number("n", { min: 1, integer: true, help: "" }), "1.5", "--n: '1.5' is not an integer >= 1"],
    [flag.number("rate", { positive: true, help: "" }), "0", "--rate: '0' is not a positive number"],
    [flag.number("share", { positive: true, below: 1, help: "" }), "1", "--share: '1' must be below 1"],
    [flag.duration("history", { help: "" }), "2 days", "--history: '2 days' is not a duration such as 90m"],
    [flag.duration("history", { help: "" }), "0h", "--history: '0h' is not a positive duration"],
    [flag.port("port", { help: "" }), "70000", "--port: '70000' is not a port (0-65535)"],
    [flag.port("port", { help: "" }), "-1", "--port: '-1' is not an integer >= 0"],
    [flag.oneOf("bus", ["embedded", "kafka"], { help: "" }), "x", "--bus: 'x' is not one of embedded, kafka"],
    [
      flag.url("ws-url", ["ws:", "wss:"], { help: "" }),
      "http://x",
      "--ws-url: 'http://x' must start with ws://",
    ],
    [flag.url("ws-url", ["ws:"], { help: "" }), "nope", "--ws-url: 'nope' is not a URL"],
    [
      flag.time("from", { help: "" }),
      "yesterday",
      "--from: 'yesterday' is not a time (ISO 8601 or epoch ms)",
    ],
    [
      flag.pair("pair", { help: "" }),
      "BTC/USD,ETH/USD",
      "--pair: 'BTC/USD,ETH/USD' is not a pair like BTC/USD",
    ],
    [flag.pairs("pairs", { help: "" }), "BTC/USD,zz", "--pairs: 'zz' is not a pair like BTC/USD"],
    [flag.pairs("pairs", { help: "" }), " , ", "--pairs: no pair given"],
    [flag.window("window", { help: "" }), "2m", "--window: '2m' is not a window (one of 1m, 5m, 15m, 1h)"],
    [
      flag.windows("windows", { help: "" }),
      "1m,2m",
      "--windows: '2m' is not a window (one of 1m, 5m, 15m, 1h)",
    ],
    [
      flag.list("brokers", {
        help: "",
        item: (b) => {
          if (!b.includes(":")) throw new RangeError(`'${b}' is not host:port`);
          return b;
        },
      }),
      "a:1,b",
      "--brokers: 'b' is not host:port",
    ],
  ];
  for (const [f, raw, message] of cases) {
    const e = assertThrows(() => f.parse(raw), ConfigError, message);
    assertEquals(e.message.includes("\n"), false, e.message);
  }
});

Deno.test("each builder converts a good value to its type", () => {
  assertEquals(flag.seconds("s", { help: "" }).parse("1.5"), 1500);
  assertEquals(flag.duration("d", { help: "" }).parse("90m"), 5_400_000);
  assertEquals(flag.duration("d", { help: "" }).parse("30"), 30_000);
  assertEquals(flag.url("u", ["http:"], { help: "" }).parse("http://h:1/api//"), "http://h:1/api");
  assertEquals(flag.pairs("p", { help: "" }).parse("xbt-usd, ETH/USD,btcusd"), ["BTC/USD", "ETH/USD"]);
  assertEquals(flag.windows("w", { help: "" }).parse("5m,1m"), ["1m", "5m"]);
  assertEquals(flag.list("l", { help: "" }).parse(" a, ,b "), ["a", "b"]);
  assertEquals(flag.boolean("b", { help: "" }).parse(undefined), false);
  assertEquals(flag.boolean("b", { help: "" }).parse(true), true);
});

Deno.test("a required flag without a value is an error that adds its hint", () => {
  const out = flag.string("out", { required: " (a file, or - for stdout)", help: "" });
  sameType<ReturnType<typeof out.parse>, string>(true);
  assertThrows(
    () => parseFlags({ out }, [], noEnv),
    ConfigError,
    "--out is required (a file, or - for stdout)",
  );
  assertThrows(() => parseFlags({ out }, ["--out", ""], noEnv), ConfigError, "--out is required");
  // A flag with a default is never required: given empty, it is its value that is missing.
  const dir = flag.string("data-dir", { default: "./data", help: "" });
  assertEquals(assertThrows(() => dir.parse(""), ConfigError).message, "--data-dir needs a value");
});

Deno.test("with() gives a flag a task's own default and help, keeping its check", () => {
  const windows = flag.windows("windows", { help: "candle windows" });
  const one = windows.with({ default: "1m", help: "the first window predicts" });
  sameType<ReturnType<typeof windows.parse>, ("1m" | "5m" | "15m" | "1h")[] | undefined>(true);
  sameType<ReturnType<typeof one.parse>, ("1m" | "5m" | "15m" | "1h")[]>(true);
  assertEquals([one.name, one.default, one.help], ["windows", "1m", "the first window predicts"]);
  assertEquals(parseFlags({ w: one }, [], noEnv).w, ["1m"]);
  assertThrows(() => parseFlags({ w: one }, ["--windows", "2m"], noEnv), ConfigError, "--windows: '2m'");
  assertEquals(GRACE.with({ help: "other" }).env, "GRACE");
});

Deno.test("a flag given without a value says which flag needs one", () => {
  const e = assertThrows(() => parseFlags({ graceMs: GRACE }, ["--grace"], noEnv), ConfigError);
  assertEquals(e.message, "--grace needs a value");
  const followed = assertThrows(
    () =>
      parseFlags({ graceMs: GRACE, from: flag.time("from", { help: "start" }) }, [
        "--grace",
        "--from",
        "2024-01-01",
      ], noEnv),
    ConfigError,
  );
  assertEquals(followed.message, "--grace needs a value (one starting with '-' is written --grace=VALUE)");
});

Deno.test("a flag declared twice in one set of flags is refused", () => {
  assertThrows(() => flagsByName({ a: GRACE, b: GRACE.with({ help: "again" }) }), TypeError, "--grace");
});
