import { assert, assertEquals } from "../assert.ts";
import {
  backfillConfig,
  backtestConfig,
  demoConfig,
  distillConfig,
  type Env,
  exportConfig,
  ingestConfig,
  labelConfig,
  modelsConfig,
  newsCommand,
  newsConfig,
  serveConfig,
  simConfig,
  startConfig,
  tailConfig,
  trainConfig,
  usage,
} from "../../src/config.ts";
import { busStatusConfig } from "../../src/config/bus_status.ts";
import { evalConfig } from "../../src/config/news_eval.ts";
import { newsExportConfig } from "../../src/config/news_export.ts";
import { soakConfig } from "../../src/config/soak.ts";
import { TASKS } from "../../src/config/usage.ts";

const withToken: Env = (name) => (name === "CRYPTOPANIC_TOKEN" ? "token" : undefined);

/** Each task's config, given the least it needs. */
const CONFIGS: Record<string, (more: string[]) => object> = {
  start: (more) => startConfig(more, withToken),
  demo: (more) => demoConfig(more, withToken),
  ingest: (more) => ingestConfig(more, withToken),
  backfill: (more) => backfillConfig(["--file", "t.csv", ...more], withToken),
  "features export": (more) => exportConfig(["--pair", "BTC/USD", "--out", "-", ...more], withToken),
  "features tail": (more) => tailConfig(["--pair", "BTC/USD", ...more], withToken),
  news: (more) => newsConfig(more, withToken),
  "news:distill": (more) => distillConfig(["--data", "d.jsonl", ...more], withToken),
  "news export": (more) => newsExportConfig(["--out", "-", ...more], withToken),
  "news:eval": (more) => evalConfig(["--data", "l.jsonl", "--news-model", "lexicon", ...more], withToken),
  "news:label": (more) =>
    labelConfig(["--file", "h.json", "--news-model", "ollama:m", "--out", "l.jsonl", ...more], withToken),
  train: (more) => trainConfig(["--pair", "BTC/USD", ...more], withToken),
  models: (more) => modelsConfig(more, withToken),
  backtest: (more) => backtestConfig(["--pair", "BTC/USD", ...more], withToken),
  serve: (more) => serveConfig(more, withToken),
  sim: (more) => simConfig(["--file", "t.csv", ...more], withToken),
  soak: (more) => soakConfig(more, withToken),
  "bus status": (more) => busStatusConfig(more, withToken),
};

function flagNames(task: string): string[] {
  return Object.values(TASKS[task]!.flags).map((f) => f.name);
}

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

Deno.test("every task has a config function and a help text", () => {
  assertEquals(Object.keys(CONFIGS).sort(), Object.keys(TASKS).sort());
  for (const [task, config] of Object.entries(CONFIGS)) {
    assertEquals(typeof config([]), "object", task);
  }
});

Deno.test("a flag several tasks take parses every value the same way in each", () => {
  const probes = ["0", "-5", "1", "2.5", "70000", "1m", "2m", "5m,1m", "BTC/USD", "xbt-usd,eth-usd", "zz"]
    .concat(["ws://127.0.0.1:1/v2/", "http://127.0.0.1:1/", "ftp://x", "debug", "12h", "csv", "v0003", "x"]);
  // backfill also reads candle files, so its --format has more choices than the trade replays';
  // news runs its own stages over the bus, so its --stage has other choices than the trade tasks';
  // the synthetic markets of demo and soak have lengths (and least lengths) of their own.
  const ownChoices = new Set(["format", "stage", "minutes"]);
  const byName = new Map<string, [string, (raw: string) => unknown][]>();
  for (const [task, { flags }] of Object.entries(TASKS)) {
    for (const f of Object.values(flags)) {
      if (ownChoices.has(f.name)) continue;
      byName.set(f.name, [...byName.get(f.name) ?? [], [task, (raw) => f.parse(raw)]]);
    }
  }
  const shared = [...byName].filter(([, tasks]) => tasks.length > 1);
  for (
    const name of ["ws-url", "rest-url", "news-model", "grace", "data-dir", "brokers", "horizon", "port"]
  ) {
    assert(shared.some(([n]) => n === name), name);
  }
  for (const [name, tasks] of shared) {
    for (const raw of probes) {
      const [first, ...others] = tasks.map(([task, parse]) => [task, outcome(() => parse(raw))] as const);
      for (const [task, got] of others) {
        assertEquals(got, first![1], `--${name} ${raw}: ${task} vs ${first![0]}`);
      }
    }
  }
});

Deno.test("a shared flag's bad value gets the same one-line error from every task that takes it", () => {
  const cases: [string, string, string][] = [
    ["grace", "-5", "--grace: '-5' is not a number >= 0"],
    ["ws-url", "http://x", "--ws-url: 'http://x' must start with ws:// or wss://"],
    ["rest-url", "ws://x", "--rest-url: 'ws://x' must start with http:// or https://"],
    ["api-url", "ftp://x", "--api-url: 'ftp://x' must start with http:// or https://"],
    ["poll", "0", "--poll: '0' is not a positive number"],
    ["log-level", "loud", "--log-level: 'loud' is not one of debug, info, warn, error"],
    ["horizon", "0", "--horizon: '0' is not an integer >= 1"],
  ];
  for (const [name, bad, message] of cases) {
    const tasks = Object.keys(CONFIGS).filter((t) => flagNames(t).includes(name));
    assert(tasks.length > 1, name);
    for (const task of tasks) {
      assertEquals(outcome(() => CONFIGS[task]!([`--${name}`, bad])), `ConfigError: ${message}`, task);
    }
  }
});

Deno.test("the news model and Kraken URLs reach each task's config the same way", () => {
  const args = [
    "--news-model",
    "./m",
    "--ws-url",
    "ws://127.0.0.1:1/v2/",
    "--rest-url",
    "http://127.0.0.1:2/",
  ];
  const start = startConfig(args, withToken);
  const ingest = ingestConfig(args.slice(2), withToken);
  const news = newsConfig(args.slice(0, 2), withToken);
  assertEquals([start.news?.model, start.wsUrl, start.restUrl], [
    "./m",
    "ws://127.0.0.1:1/v2",
    "http://127.0.0.1:2",
  ]);
  assertEquals([news.newsModel, ingest.wsUrl, ingest.restUrl], [
    start.news?.model,
    start.wsUrl,
    start.restUrl,
  ]);
});

Deno.test("no task's config carries --help: the task runner answers it before any config is read", () => {
  for (const [task, config] of Object.entries(CONFIGS)) assertEquals("help" in config([]), false, task);
});

Deno.test("--help lists each flag once with its real default and env var, and no empty default", () => {
  for (const task of Object.keys(TASKS)) {
    const text = usage(task);
    assert(text.startsWith(`usage: deno task ${task} [flags]\n`), text);
    for (const name of [...flagNames(task), "help"]) {
      assertEquals(
        text.split("\n").filter((l) => l.startsWith(`  --${name} `)).length,
        1,
        `${task} --${name}`,
      );
    }
    assertEquals(text.includes("default ,"), false, text);
    assertEquals(/default \)/.test(text), false, text);
  }
  const ingest = usage("ingest");
  assert(ingest.includes("(default wss://ws.kraken.com/v2, env KRAKEN_WS_URL)"), ingest);
  assert(
    ingest.includes("--topic-prefix     prefix of every topic and group name (env KAFKA_TOPIC_PREFIX)"),
    ingest,
  );
  assert(usage("demo").includes("(default ./data/demo, env DEMO_DATA_DIR)"));
  assert(
    usage("models").endsWith(
      "commands: list (default), promote --name N --version V, rollback --name N [--version V]",
    ),
  );
});

Deno.test("a task with subcommands shows the help of the one named, or of all", () => {
  assertEquals(usage("features", ["export", "--help"]), usage("features export"));
  assertEquals(usage("features", ["tail", "-h"]), usage("features tail"));
  assertEquals(usage("features", ["--help"]), `${usage("features export")}\n\n${usage("features tail")}`);
});

Deno.test("--help marks the flags a task cannot run without, and only those", () => {
  for (const [task, { flags }] of Object.entries(TASKS)) {
    const text = usage(task);
    for (const f of Object.values(flags)) {
      const line = text.split("\n").find((l) => l.startsWith(`  --${f.name} `))!;
      assertEquals(/\((required|required, [^)]*)\)$/.test(line), f.required, `${task}: ${line}`);
    }
  }
  assert(usage("train").includes("--pair             the pair, e.g. BTC/USD (required)\n"));
  assert(usage("news:eval").includes("(required, env NEWS_MODEL)\n"));
  // A flag a task needs without a value: its config says so, as its help does.
  assertEquals(outcome(() => trainConfig([], withToken)), "ConfigError: --pair is required");
  assertEquals(outcome(() => simConfig([], withToken)), "ConfigError: --file is required");
});

Deno.test("an empty --from/--to range gets the same one-line error from every task that takes both", () => {
  const tasks = Object.keys(CONFIGS).filter((t) =>
    flagNames(t).includes("from") && flagNames(t).includes("to")
  );
  assertEquals(tasks.sort(), ["backfill", "features export", "news export"]);
  for (const task of tasks) {
    for (const to of ["2025-02-01", "2025-02-02"]) {
      assertEquals(
        outcome(() => CONFIGS[task]!(["--from", "2025-02-02", "--to", to])),
        "ConfigError: --to must be later than --from",
        `${task} --to ${to}`,
      );
    }
  }
});

Deno.test("soak takes its duration as the other duration flags do, with units, and a least length", () => {
  assertEquals(soakConfig(["--duration", "5m"], withToken).durationMs, 300_000);
  assertEquals(soakConfig(["--duration", "40"], withToken).durationMs, 40_000);
  assertEquals(
    outcome(() => soakConfig(["--duration", "9s"], withToken)),
    "ConfigError: --duration: '9s' is shorter than 10s",
  );
  assert(usage("soak").startsWith("usage: deno task soak [flags]\n  --log-level "), usage("soak"));
});

Deno.test("news names its export subcommand in its help, and a mistyped subcommand as one", () => {
  assert(
    usage("news").endsWith(
      "\n\ncommands: export --out FILE writes the classified headlines of the offline store (news export --help)",
    ),
  );
  assertEquals(newsCommand(["export", "--out", "-"]), ["export", ["--out", "-"]]);
  assertEquals(newsCommand(["--file", "n.json"]), ["classify", ["--file", "n.json"]]);
  assertEquals(newsCommand([]), ["classify", []]);
  assertEquals(
    outcome(() => newsCommand(["exprot", "--out", "-"])),
    "ConfigError: unknown command 'exprot' (export; without one, news classifies headlines)",
  );
});

Deno.test("models refuses a flag its command does not read, rather than ignore it", () => {
  const models = (args: string[]) => outcome(() => modelsConfig(args, withToken));
  assertEquals(
    models(["--version", "v0003"]),
    "ConfigError: --version is for promote and rollback; list shows every version",
  );
  assertEquals(models(["list", "--reason", "x"]), "ConfigError: --reason is for promote");
  assertEquals(models(["rollback", "--name", "m", "--reason", "x"]), "ConfigError: --reason is for promote");
  assertEquals(models(["lsit"]), "ConfigError: unknown command 'lsit' (list, promote or rollback)");
  const promote = modelsConfig(["promote", "--name", "m", "--version", "v0003"], withToken);
  assertEquals([promote.command, promote.version, promote.reason], ["promote", "v0003", "promoted by hand"]);
  const rollback = modelsConfig(["rollback", "--name", "m", "--version", "v0002"], withToken);
  assertEquals([rollback.command, rollback.version], ["rollback", "v0002"]);
  assertEquals(modelsConfig(["--name", "m"], withToken).command, "list");
});

Deno.test("backtest refuses train's search flags beside --version, whose own setting is replayed", () => {
  const base = ["--pair", "BTC/USD"];
  assertEquals(
    outcome(() =>
      backtestConfig([...base, "--version", "v0001", "--model", "gbdt", "--seed", "3"], withToken)
    ),
    "ConfigError: --model, --seed: for a backtest without --version; --version v0001 replays that version's own setting",
  );
  const search = backtestConfig(base, withToken);
  const train = trainConfig(base, withToken);
  assertEquals([search.model, search.budget, search.seed], [train.model, train.budget, train.seed]);
  const given = backtestConfig([...base, "--model", "ridge", "--budget", "4", "--seed", "0"], withToken);
  assertEquals([given.model, given.budget, given.seed], ["ridge", 4, 0]);
  const version = backtestConfig([...base, "--version", "v0001", "--folds", "3"], withToken);
  assertEquals([version.version, version.folds], ["v0001", 3]);
});

Deno.test("every task that serves the API and dashboard takes its port from PORT when --port is absent", () => {
  const env: Env = (name) => ({ PORT: "8123", CRYPTOPANIC_TOKEN: "token" })[name];
  const serving = ["start", "demo", "serve"] as const;
  for (const task of serving) {
    assertEquals(TASKS[task]!.flags.port?.env, "PORT", task);
  }
  assertEquals(
    [startConfig([], env).port, demoConfig([], env).port, serveConfig([], env).port],
    [8123, 8123, 8123],
  );
  assertEquals(demoConfig(["--port", "0"], env).port, 0);
});

Deno.test("--host is checked as a name or address by every task that listens, before any work", () => {
  const tasks = Object.keys(CONFIGS).filter((t) => flagNames(t).includes("host"));
  assertEquals(tasks.sort(), ["serve", "sim", "start"]);
  for (const task of tasks) {
    assertEquals(
      outcome(() => CONFIGS[task]!(["--host", "bad host"])),
      "ConfigError: --host: 'bad host' is not a host name or address",
      task,
    );
    for (const host of ["127.0.0.1", "localhost", "::1", "my-box.local", "0.0.0.0"]) {
      assertEquals((CONFIGS[task]!(["--host", host]) as { host: string }).host, host, `${task} ${host}`);
    }
  }
});

/** Each `deno task ...` command of the README's code blocks, continuation lines included. */
function readmeCommands(): { task: string; text: string }[] {
  const readme = Deno.readTextFileSync(new URL("../../README.md", import.meta.url));
  const blocks = [...readme.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block.split(/\n(?=deno task )/).flatMap((text) => {
      const words = /^deno task ([\w:]+)(?: ([a-z]+))?/.exec(text);
      if (!words) return [];
      const [, task, sub] = words;
      const name = TASKS[`${task} ${sub}`] ? `${task} ${sub}` : task!;
      return TASKS[name] ? [{ task: name, text: text.replace(/#.*$/gm, "") }] : [];
    })
  );
}

Deno.test("every flag a README command gives is one its task takes, and the README names every flag and variable", () => {
  const commands = readmeCommands();
  assert(commands.length > 40, `${commands.length} commands`);
  for (const { task, text } of commands) {
    const names = new Set([...flagNames(task), "help"]);
    for (const [, name] of text.matchAll(/--([a-z][a-z-]*[a-z])\b(?!-)/g)) {
      assert(names.has(name!), `README: deno task ${task} ... --${name}: not a flag of ${task}`);
    }
  }
  const readme = Deno.readTextFileSync(new URL("../../README.md", import.meta.url));
  for (const [task, { flags }] of Object.entries(TASKS)) {
    for (const f of Object.values(flags)) {
      assert(new RegExp(`--${f.name}\\b`).test(readme), `${task} --${f.name} is not in the README`);
      if (f.env) assert(readme.includes(f.env), `${task} --${f.name}: env ${f.env} is not in the README`);
    }
  }
});

Deno.test("--window and --windows read one window's text alike, and say the same of a bad one", () => {
  for (const raw of ["2m", "1M", "60m"]) {
    const one = outcome(() => serveConfig(["--window", raw], withToken));
    const many = outcome(() => ingestConfig(["--windows", raw], withToken));
    assertEquals(one, `ConfigError: --window: '${raw}' is not a window (one of 1m, 5m, 15m, 1h)`);
    assertEquals(many, `ConfigError: --windows: '${raw}' is not a window (one of 1m, 5m, 15m, 1h)`);
  }
  assertEquals(serveConfig(["--window", " 5m"], withToken).window, "5m");
  assertEquals(ingestConfig(["--windows", " 5m"], withToken).windows, ["5m"]);
});

Deno.test("a README usage line writes a required flag bare and an optional one in brackets", () => {
  // Flags a usage line shows for one form of the task, in which they are needed.
  const formRequired: Record<string, string[]> = {
    serve: ["bus"],
    news: ["file", "news-model"],
    models: ["name", "version"],
  };
  for (const { task, text } of readmeCommands().filter((c) => c.text.includes("["))) {
    for (const f of Object.values(TASKS[task]!.flags)) {
      let depth = 0, at = -1;
      for (let i = 0; i < text.length && at < 0; i++) {
        if (text[i] === "[") depth++;
        else if (text[i] === "]") depth--;
        else if (text.startsWith(`--${f.name}`, i) && !/[a-z-]/.test(text[i + 2 + f.name.length] ?? "")) {
          at = depth;
        }
      }
      const line = text.split("\n")[0];
      if (f.required) assertEquals(at, 0, `${task}: required --${f.name} not bare in: ${line}`);
      else if (at === 0) {
        assert(formRequired[task]?.includes(f.name), `${task}: optional --${f.name} bare in: ${line}`);
      }
    }
  }
});

Deno.test("a README usage line's [--flag VALUE] shows the flag's real default, or a placeholder when it has none", () => {
  for (const { task, text } of readmeCommands().filter((c) => c.text.includes("["))) {
    const flags = new Map(Object.values(TASKS[task]!.flags).map((f) => [f.name, f]));
    for (const [, name, value] of text.matchAll(/\[--([a-z-]+) ([^\s\]|]+)[\]\s]/g)) {
      const f = flags.get(name!);
      // A placeholder (N, DIR, H:P,...) or the mode a line is about (--bus kafka) says nothing of defaults.
      if (!f || /^[A-Z]/.test(value!) || name === "bus") continue;
      assertEquals(value, f.default, `README: deno task ${task} ... [--${name} ${value}]`);
    }
  }
});

Deno.test("demo refuses a --regime-change the synthetic market never reaches, or one given with a --file", () => {
  assertEquals(
    outcome(() => demoConfig(["--minutes", "150", "--regime-change", "200h"], withToken)),
    "ConfigError: --regime-change 12000m is past the synthetic market's end (--minutes 150): its momentum would " +
      "never turn",
  );
  assertEquals(
    outcome(() => demoConfig(["--file", "t.csv", "--regime-change", "1h"], withToken)),
    "ConfigError: --regime-change shapes the synthetic market: it does not apply to a --file",
  );
  assertEquals(
    demoConfig(["--minutes", "150", "--regime-change", "149m"], withToken).regimeChangeMs,
    149 * 60_000,
  );
});
