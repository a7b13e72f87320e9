/**
 * What a task says when it cannot do what it was asked: run as a user runs it (real subprocesses,
 * the tasks' own permissions), each failure is one line a user can act on, with the right exit code.
 */
import { assert, assertEquals } from "../assert.ts";
import { runPipeline, syntheticTrades, withSim } from "../helpers.ts";
import { newsFile } from "../../src/sources/files/news_file.ts";
import {
  closedPort,
  logUntilDashboard,
  output,
  printed,
  readUntil,
  serveTask,
  withTempDir,
} from "../task_process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("serve with a data dir outside its permissions prints, in one line, the command that runs it", async () => {
  await withTempDir(async (dir) => {
    const args = ["--data-dir", `${dir}/data`, "--models-dir", `${dir}/models`, "--port", "0"];
    const { code, stderr } = await output(serveTask(args));
    assertEquals(code, 2, stderr);
    const lines = printed(stderr);
    assertEquals(lines.length, 1, stderr);
    const prefix = `error: --data-dir ${dir}/data and --models-dir ${dir}/models are outside what ` +
      "`deno task serve` may read and write; run: ";
    assert(lines[0]!.startsWith(prefix), stderr);

    // The command it gives runs the server, as pasted in the project.
    const command = lines[0]!.slice(prefix.length).split(" ");
    assertEquals(command.slice(0, 2), ["deno", "run"]);
    const log = await logUntilDashboard(Deno.execPath(), command.slice(1));
    assert(!log.includes("Requires"), log);
  });
});

Deno.test("backfill --file that cannot be read names the flag and the path", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/adir`);
    await Deno.writeTextFile(`${dir}/fake.csv.gz`, "ts,price,qty\n");
    const lines = Array.from(
      { length: 3000 },
      (_, i) =>
        JSON.stringify({
          pair: "BTC/USD",
          price: 30_000 + (i % 50),
          qty: 0.1,
          side: "buy",
          ts: 1.7e12 + i * 1000,
        }),
    );
    const gz = await new Response(
      ReadableStream.from([new TextEncoder().encode(lines.join("\n"))])
        .pipeThrough(new CompressionStream("gzip")),
    ).bytes();
    await Deno.writeFile(`${dir}/cut.jsonl.gz`, gz.slice(0, Math.floor(gz.length / 2)));

    for (
      const [file, code, says] of [
        ["nope.csv", 2, "error: --file: no such file: nope.csv"],
        ["adir", 2, "error: --file: adir is a directory, not a file"],
        ["fake.csv.gz", 2, "error: --file: fake.csv.gz is not gzip, though its name ends in .gz"],
        ["cut.jsonl.gz", 1, "error: --file: cut.jsonl.gz: damaged or truncated gzip ("],
      ] as const
    ) {
      const out = await output(runPipeline("backfill", ["--file", file], dir));
      assertEquals(out.code, code, out.stderr);
      const last = out.stderr.trim().split("\n").filter((l) => l.startsWith("error:"));
      assertEquals(last.length, 1, out.stderr);
      assert(last[0]!.startsWith(says), out.stderr);
    }
  });
});

Deno.test("news --file with a null line fails naming the file and the line, before loading a model", async () => {
  await withTempDir(async (dir) => {
    const item = (id: string) =>
      JSON.stringify({
        id,
        title: `Bitcoin ${id}`,
        published_at: "2024-01-01T00:00:00Z",
        currencies: ["BTC"],
      });
    await Deno.writeTextFile(`${dir}/news.jsonl`, [item("a"), "", item("b"), "null", ""].join("\n"));
    const failure = await newsFile(`${dir}/news.jsonl`).then(() => undefined, (e: Error) => e.message);
    assertEquals(
      failure,
      `${dir}/news.jsonl: line 4: not a JSON object but null (--skip-bad-lines to skip such entries)`,
    );
    const { stats } = await newsFile(`${dir}/news.jsonl`, { skipBad: true });
    assertEquals([stats.items, stats.bad], [2, 1]);

    const { code, stderr } = await output(
      runPipeline("news", ["--file", "news.jsonl", "--news-model", `${dir}/no-model`], dir),
    );
    assertEquals(code, 1, stderr);
    assertEquals(printed(stderr), [
      "error: news.jsonl: line 4: not a JSON object but null (--skip-bad-lines to skip such entries)",
    ]);
  });
});

Deno.test("news --file with a bad API post fails naming it, as the other formats do; a media post is no bad entry", async () => {
  await withTempDir(async (dir) => {
    const post = { id: 1, title: "Bitcoin up", published_at: "2025-01-01T00:00:00Z" };
    const media = { kind: "media", id: 3, title: "Bitcoin video", published_at: "2025-01-01T00:01:00Z" };
    await Deno.writeTextFile(`${dir}/news.json`, JSON.stringify({ results: [post, media, { id: 2 }] }));
    const { code, stderr } = await output(
      runPipeline("news", ["--file", "news.json", "--news-model", `${dir}/no-model`], dir),
    );
    assertEquals(code, 1, stderr);
    assertEquals(printed(stderr), [
      "error: news.json: result 3: published_at is missing (--skip-bad-lines to skip such entries)",
    ]);
    const skipping = await newsFile(`${dir}/news.json`, { skipBad: true });
    assertEquals([skipping.stats.items, skipping.stats.bad, skipping.stats.otherKinds], [1, 1, 1]);

    await Deno.writeTextFile(`${dir}/media.json`, JSON.stringify({ results: [post, media] }));
    const { stats } = await newsFile(`${dir}/media.json`);
    assertEquals([stats.items, stats.bad, stats.otherKinds], [1, 0, 1]);
  });
});

Deno.test("a negative number after a flag gets that flag's own message and exit status 2", async () => {
  await withTempDir(async (dir) => {
    for (
      const [script, args, says] of [
        ["backfill", ["--file", "t.csv", "--grace", "-5"], "error: --grace: '-5' is not a number >= 0"],
        ["sim", ["--file", "t.csv", "--speed", "-1"], "error: --speed: '-1' is not a positive number"],
        ["serve", ["--port", "-1"], "error: --port: '-1' is not an integer >= 0"],
      ] as const
    ) {
      const { code, stderr } = await output(runPipeline(script, args, dir));
      assertEquals(code, 2, stderr);
      assertEquals(printed(stderr), [says]);
    }
  });
});

Deno.test("start and demo with a file as --data-dir or --models-dir exit 2 with one line naming the flag", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/afile`, "");
    const port = closedPort();
    const kraken = ["--ws-url", `ws://127.0.0.1:${port}/v2`, "--rest-url", `http://127.0.0.1:${port}`];
    for (
      const [script, args, says] of [
        ["start", [...kraken, "--data-dir", "afile", "--models-dir", "m"], "--data-dir: afile"],
        ["start", [...kraken, "--data-dir", "d", "--models-dir", "afile"], "--models-dir: afile"],
        ["demo", ["--minutes", "120", "--data-dir", "afile", "--models-dir", "m"], "--data-dir: afile"],
        ["demo", ["--minutes", "120", "--data-dir", "d", "--models-dir", "afile"], "--models-dir: afile"],
      ] as const
    ) {
      const child = runPipeline(script, ["--port", "0", ...args], dir);
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const { code, stderr } = await output(child).finally(() => clearTimeout(timer));
      assertEquals(code, 2, stderr);
      assertEquals(printed(stderr), [`error: ${says} is not a directory`]);
    }
  });
});

Deno.test("the offline tasks with a file as --data-dir or --models-dir exit 2 with one line naming the flag", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/afile`, "");
    await Deno.writeTextFile(`${dir}/t.csv`, "time_ms,symbol,price,qty,side\n1000,BTC/USD,1,1,buy\n");
    const series = ["--pair", "BTC/USD", "--window", "1m"];
    for (
      const [script, args, says] of [
        ["backfill", ["--file", "t.csv", "--data-dir", "afile"], "--data-dir: afile"],
        ["backfill", ["--file", "t.csv", "--data-dir", "afile/sub"], "--data-dir: afile/sub"],
        ["train", [...series, "--data-dir", "afile"], "--data-dir: afile"],
        ["train", [...series, "--data-dir", "d", "--models-dir", "afile"], "--models-dir: afile"],
        [
          "backtest",
          [...series, "--horizon", "1", "--version", "v0001", "--models-dir", "afile"],
          "--models-dir: afile",
        ],
        ["models", ["--models-dir", "afile"], "--models-dir: afile"],
        [
          "models",
          ["promote", "--name", "n", "--version", "v0001", "--models-dir", "afile"],
          "--models-dir: afile",
        ],
        ["features", ["tail", "--pair", "BTC/USD", "--data-dir", "afile"], "--data-dir: afile"],
      ] as const
    ) {
      const { code, stderr } = await output(runPipeline(script, args, dir));
      assertEquals(code, 2, `${script} ${args.join(" ")}: ${stderr}`);
      assertEquals(printed(stderr), [`error: ${says} is not a directory`]);
    }
  });
});

Deno.test("backfill of a consumer-only stage asks for no source flags", async () => {
  await withTempDir(async (dir) => {
    const { code, stderr } = await output(runPipeline("backfill", [
      "--bus",
      "kafka",
      "--stage",
      "candles",
      "--brokers",
      `127.0.0.1:${closedPort()}`,
      "--bus-deadline",
      "1",
    ], dir));
    // It gets as far as the broker, which is not there.
    assertEquals(code, 1, stderr);
    const errors = stderr.trim().split("\n").filter((l) => l.startsWith("error:"));
    assertEquals(errors.length, 1, stderr);
    assert(errors[0]!.includes("Kafka unreachable"), stderr);
  });
});

Deno.test("backfill with REST unreachable logs why each retry is needed", async () => {
  await withTempDir(async (dir) => {
    const port = closedPort();
    const child = runPipeline("backfill", [
      "--rest-url",
      `http://127.0.0.1:${port}`,
      "--pairs",
      "BTC/USD",
      "--from",
      "2024-01-01",
      "--to",
      "2024-01-02",
    ], dir);
    const log = await readUntil(child.stderr, (t) => t.includes("retry 1 in"), 20_000);
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    const line = log.split("\n").find((l) => l.includes("retry 1 in"))!;
    assert(line.includes(`Trades: fetch failed: tcp connect error: Connection refused`), line);
    assert(line.includes(`(http://127.0.0.1:${port})`), line);
  });
});

/** Runs `start` until `/predict` answers with a reason that `done` accepts; that reason. */
async function startUntil(args: string[], dir: string, done: (reason: string) => boolean): Promise<string> {
  const child = runPipeline("start", [
    "--pairs",
    "BTC/USD",
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    "--data-dir",
    `${dir}/data`,
    "--models-dir",
    `${dir}/models`,
    ...args,
  ], dir);
  try {
    const log = await readUntil(child.stderr, (t) => /dashboard at http:\/\/[^:]+:\d+\//.test(t), 30_000);
    const port = /dashboard at http:\/\/[^:]+:(\d+)\//.exec(log)![1];
    const deadline = Date.now() + 20_000;
    let last = "";
    while (Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${port}/predict?pair=BTC/USD`);
      const body = await res.json();
      assertEquals([res.status, body.error], [503, "no model"]);
      last = body.reason;
      if (done(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`/predict never said why; last reason: ${last}`);
  } finally {
    child.kill("SIGINT");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
  }
}

Deno.test("start with the WebSocket unreachable answers /predict with the network cause", async () => {
  await withTempDir(async (dir) => {
    const port = closedPort();
    const reason = await startUntil(
      [
        "--ws-url",
        `ws://127.0.0.1:${port}/v2`,
        "--rest-url",
        `http://127.0.0.1:${port}`,
      ],
      dir,
      (r) => r.includes("unreachable"),
    );
    assert(
      reason.startsWith(`catching up: WebSocket unreachable: cannot connect to ws://127.0.0.1:${port}/v2`),
      reason,
    );
  });
});

Deno.test("start with REST unreachable answers /predict with the network cause", async () => {
  await withTempDir(async (dir) => {
    const port = closedPort();
    await withSim(syntheticTrades(200, { seed: 3 }), { speed: 1 }, async (sim) => {
      const reason = await startUntil(
        ["--ws-url", sim.wsUrl, "--rest-url", `http://127.0.0.1:${port}`],
        dir,
        (r) => r.includes("unreachable"),
      );
      assert(
        reason.startsWith(
          `catching up: REST unreachable: fetch failed: tcp connect error: Connection refused`,
        ),
        reason,
      );
      assert(reason.includes(`(http://127.0.0.1:${port})`), reason);
    });
  });
});

Deno.test("backfill --file skips and counts the rows of pairs not in --pairs", async () => {
  await withTempDir(async (dir) => {
    const rows = [
      ...syntheticTrades(40, { seed: 4, spanMs: 300_000 }),
      ...syntheticTrades(3, { seed: 5, spanMs: 60_000, pairs: ["DOGE/XYZ"] }),
    ].sort((a, b) => a.ts - b.ts);
    await Deno.writeTextFile(`${dir}/mixed.jsonl`, rows.map((t) => JSON.stringify(t)).join("\n") + "\n");
    const { code, stderr } = await output(
      runPipeline("backfill", ["--file", "mixed.jsonl", "--pairs", "BTC/USD", "--record", "out.jsonl"], dir),
    );
    assertEquals(code, 0, stderr);
    assert(stderr.includes("43 trades, 40 of them loaded → "), stderr);
    assert(stderr.includes("3 trades of pairs not in --pairs skipped (DOGE/XYZ 3)"), stderr);
    assert(!stderr.includes("offline store: DOGE/XYZ"), stderr);
    const recorded = (await Deno.readTextFile(`${dir}/out.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assertEquals(recorded.length, 40);
    assert(recorded.every((t) => t.pair === "BTC/USD"));

    // Trades before --from are read, and the summary says how many of them were loaded.
    const from = rows.filter((t) => t.pair === "BTC/USD")[30]!.ts;
    const inRange = rows.filter((t) => t.pair === "BTC/USD" && t.ts >= from).length;
    const late = await output(
      runPipeline("backfill", ["--file", "mixed.jsonl", "--pairs", "BTC/USD", "--from", String(from)], dir),
    );
    assertEquals(late.code, 0, late.stderr);
    assert(late.stderr.includes(`43 trades, ${inRange} of them loaded → `), late.stderr);
  });
});

Deno.test("backfill of a 5m candle file with the default windows stops, naming its interval and --windows", async () => {
  await withTempDir(async (dir) => {
    const t0 = 1_561_939_200;
    const lines = Array.from({ length: 100 }, (_, i) => `${t0 + i * 300},100,101,99,100.5,2,10`);
    await Deno.writeTextFile(`${dir}/bars.csv`, lines.join("\n") + "\n");
    const args = ["--file", "bars.csv", "--format", "kraken-ohlcvt", "--pairs", "BTC/USD"];
    const refused = await output(runPipeline("backfill", args, dir));
    assertEquals(refused.code, 2, refused.stderr);
    assert(
      refused.stderr.includes("it holds 5m candles") && refused.stderr.includes("--windows 5m"),
      refused.stderr,
    );
    const loaded = await output(runPipeline("backfill", [...args, "--windows", "5m,15m"], dir));
    assertEquals(loaded.code, 0, loaded.stderr);
    assert(loaded.stderr.includes("BTC/USD 5m: 100 rows"), loaded.stderr);
  });
});

Deno.test("backfill of a 1m candle file read as 5m stops, even with --skip-bad-lines, and leaves no stores", async () => {
  await withTempDir(async (dir) => {
    const t0 = 1_561_939_200;
    const lines = Array.from({ length: 100 }, (_, i) => `${t0 + i * 60},100,101,99,100.5,2,10`);
    await Deno.writeTextFile(`${dir}/bars.csv`, lines.join("\n") + "\n");
    const args = ["--file", "bars.csv", "--format", "kraken-ohlcvt", "--pairs", "BTC/USD", "--windows", "5m"];
    for (const skip of [[], ["--skip-bad-lines"]]) {
      const refused = await output(runPipeline("backfill", [...args, ...skip, "--data-dir", "d"], dir));
      assertEquals(refused.code, 2, refused.stderr);
      assertEquals(printed(refused.stderr), [
        "error: bars.csv: it holds 1m candles, smaller than the smallest of --windows (5m); pass --windows " +
        "starting with its interval, e.g. --windows 1m,5m (bigger windows are merged from the file's candles)",
      ]);
      assert(!(await exists(`${dir}/d`)), "the refused run made the data dir");
    }
    const loaded = await output(
      runPipeline("backfill", [...args.slice(0, -1), "1m,5m", "--data-dir", "d"], dir),
    );
    assertEquals(loaded.code, 0, loaded.stderr);
    assert(loaded.stderr.includes("BTC/USD 5m: 20 rows"), loaded.stderr);
  });
});

Deno.test("backfill of a file it cannot read as given exits 2, saying why, and leaves no data dir", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/what.csv`, "a,b,c,d\n1,2,3,4\n");
    await Deno.writeTextFile(
      `${dir}/ws.csv`,
      "timestamp,symbol,open,high,low,close,volume,vwap,trades,tstart,ttrue\n" +
        "2024-11-12T06:15:00.000000Z,BTC/USD,88412.7,88425.0,88285.7,88425.0,9.89,88322.9,196," +
        "2024-11-12T06:10:00.000000000Z,2024-11-12T06:50:45.490940032Z\n",
    );
    await Deno.writeTextFile(
      `${dir}/ohlc.csv`,
      "time,open,high,low,close,vwap,volume,count\n1561939200,1,1,1,1,1,1,1\n",
    );
    const capture = "it is a capture of Kraken's WebSocket v2 ohlc channel, which backfill does not read";
    for (
      const [args, says] of [
        [
          ["--file", "what.csv"],
          "error: cannot tell the format of what.csv; pass --format (one of kraken-trades, " +
          "trades-csv, trades-jsonl, kraken-ohlcvt, kraken-ohlc)",
        ],
        [["--file", "ws.csv"], `error: ws.csv: ${capture}`],
        [
          ["--file", "ws.csv", "--format", "kraken-ohlc", "--pairs", "BTC/USD"],
          `error: ws.csv: ${capture}`,
        ],
        [
          ["--file", "ohlc.csv", "--format", "kraken-trades", "--pairs", "BTC/USD", "--skip-bad-lines"],
          "error: --format kraken-trades: ohlc.csv is not a kraken-trades file; its first line reads as " +
          "kraken-ohlc. Leave --format out to detect the format, or pass --format kraken-ohlc",
        ],
        [
          ["--file", "ohlc.csv"],
          "error: ohlc.csv is a kraken-ohlc file: the candles of one pair, which it does " +
          "not name; give that pair with --pairs",
        ],
      ] as const
    ) {
      const { code, stderr } = await output(runPipeline("backfill", [...args, "--data-dir", "d"], dir));
      assertEquals(code, 2, stderr);
      assertEquals(printed(stderr).length, 1, stderr);
      assert(printed(stderr)[0]!.startsWith(says), stderr);
      assert(!(await exists(`${dir}/d`)), `${args.join(" ")} made the data dir`);
    }
  });
});

Deno.test("sim and demo of a file they cannot read as trades exit 2, saying why, and claim no data dir", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/what.csv`, "a,b,c,d\n1,2,3,4\n");
    await Deno.writeTextFile(
      `${dir}/bars.csv`,
      "1561939200,10000,10010,9990,10005,1.5,12\n1561939260,10005,10015,9995,10010,2.5,9\n",
    );
    await Deno.writeTextFile(`${dir}/trades.csv`, "ts,pair,price,qty,side\n1561939203172,BTC/USD,1,1,buy\n");
    await Deno.writeTextFile(`${dir}/empty.csv`, "");
    const unknown = "error: cannot tell the format of what.csv; pass --format (one of kraken-trades, " +
      "trades-csv, trades-jsonl)";
    for (
      const [task, file, says] of [
        ["sim", "what.csv", unknown],
        ["demo", "what.csv", unknown],
        ["demo", "bars.csv", "error: bars.csv holds candles (kraken-ohlcvt), not trades"],
        [
          "sim",
          "bars.csv --format kraken-trades",
          "error: bars.csv holds candles (kraken-ohlcvt), not trades",
        ],
        [
          "demo",
          "trades.csv --format kraken-trades",
          "error: --format kraken-trades: trades.csv is not a kraken-trades file; its first line reads as " +
          "trades-csv. Leave --format out to detect the format, or pass --format trades-csv",
        ],
        ["sim", "nope.csv", "error: --file: no such file: nope.csv"],
        ["sim", "empty.csv", "error: --file: empty.csv is empty: there are no trades to replay"],
        ["demo", "nope.csv", "error: --file: no such file: nope.csv"],
      ] as const
    ) {
      const args = ["--file", ...file.split(" "), "--port", "0"];
      const own = task === "sim" ? [] : ["--data-dir", "d", "--models-dir", "m"];
      const { code, stderr } = await output(runPipeline(task, [...args, ...own], dir));
      assertEquals(code, 2, stderr);
      assertEquals(printed(stderr), [says]);
      assert(!(await exists(`${dir}/d`)), `${task} ${file} made the data dir`);
    }
  });
});

Deno.test("backfill of a trade file that runs newest-first exits 2, saying how to reverse it, and leaves no data dir", async () => {
  await withTempDir(async (dir) => {
    const rows = syntheticTrades(300, { seed: 6, spanMs: 1_800_000 }).sort((a, b) => b.ts - a.ts);
    const csv = [
      "ts,pair,price,qty,side",
      ...rows.map((t) => `${t.ts},${t.pair},${t.price},${t.qty},${t.side}`),
    ];
    await Deno.writeTextFile(`${dir}/rev.csv`, csv.join("\n") + "\n");
    const { code, stderr } = await output(
      runPipeline("backfill", ["--file", "rev.csv", "--data-dir", "d"], dir),
    );
    assertEquals(code, 2, stderr);
    assertEquals(printed(stderr), [
      "error: rev.csv runs newest-first (its first trades go back in time), and trades are read oldest first: " +
      "most would be dropped as late. Reverse its lines, keeping the header, e.g. " +
      "(head -n 1 rev.csv; tail -n +2 rev.csv | tac) > sorted.csv",
    ]);
    assert(!(await exists(`${dir}/d`)), "the refused run made the data dir");
  });
});

Deno.test("backfill of a trade file that drops many trades as late warns with their count and share", async () => {
  await withTempDir(async (dir) => {
    // In order at first, then half an hour earlier again: each of the second part is late.
    const later = syntheticTrades(200, { seed: 7, spanMs: 1_800_000 }).map((t) => ({
      ...t,
      ts: t.ts + 3_600_000,
    }));
    const earlier = syntheticTrades(100, { seed: 8, spanMs: 1_800_000 });
    const lines = [...later, ...earlier].map((t) => JSON.stringify(t));
    await Deno.writeTextFile(`${dir}/mixed.jsonl`, lines.join("\n") + "\n");
    const { code, stderr } = await output(
      runPipeline("backfill", ["--file", "mixed.jsonl", "--data-dir", "d"], dir),
    );
    assertEquals(code, 0, stderr);
    const warning = stderr.split("\n").find((l) => l.includes("dropped as late")) ?? "";
    assert(warning.includes(`"level":"warn"`), stderr);
    assert(warning.includes("100 of 300 trades (33%) were dropped as late"), warning);
  });
});

Deno.test("sim on a port already in use exits 1 with one line naming the address and --port", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/trades.csv`, "ts,pair,price,qty,side\n1561939203172,BTC/USD,1,1,buy\n");
    using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (taken.addr as Deno.NetAddr).port;
    const { code, stderr } = await output(
      runPipeline("sim", ["--file", "trades.csv", "--port", String(port)], dir),
    );
    assertEquals(code, 1, stderr);
    assertEquals(printed(stderr).filter((l) => l.startsWith("error:")), [
      `error: 127.0.0.1:${port} is already in use, by another sim perhaps: stop it or choose another --port`,
    ]);
  });
});

Deno.test("ingest and backfill with a --record they cannot write exit 2 naming it, and leave no data dir", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/adir`);
    await Deno.writeTextFile(`${dir}/trades.csv`, "ts,pair,price,qty,side\n1561939203172,BTC/USD,1,1,buy\n");
    const rest = `http://127.0.0.1:${closedPort()}`;
    const runs = [
      ["ingest", "--rest-url", rest, "--ws-url", `ws://127.0.0.1:${closedPort()}/v2`, "--pairs", "BTC/USD"],
      ["backfill", "--rest-url", rest, "--pairs", "BTC/USD", "--from", "2019-07-01T00:00:00Z"],
      ["backfill", "--file", "trades.csv"],
    ];
    for (const [task, ...args] of runs) {
      for (
        const [record, says] of [
          ["nodir/live.jsonl", "error: --record: no such directory: nodir"],
          ["adir", "error: --record: adir is a directory, not a file"],
        ]
      ) {
        const { code, stderr } = await output(
          runPipeline(task!, [...args, "--record", record!, "--data-dir", "d"], dir),
        );
        assertEquals(code, 2, stderr);
        assertEquals(printed(stderr), [says], stderr);
        assert(!(await exists(`${dir}/d`)), `${task} ${args[0]} --record ${record} made the data dir`);
      }
    }
  });
});

Deno.test("backfill --file with itself as --record exits 2 and leaves the file whole", async () => {
  await withTempDir(async (dir) => {
    const text = syntheticTrades(50, { seed: 6 }).map((t) => JSON.stringify(t)).join("\n") + "\n";
    await Deno.writeTextFile(`${dir}/t.jsonl`, text);
    const { code, stderr } = await output(
      runPipeline("backfill", ["--file", "t.jsonl", "--record", "./t.jsonl", "--data-dir", "d"], dir),
    );
    assertEquals(code, 2, stderr);
    assertEquals(printed(stderr), [
      "error: --record ./t.jsonl is the --file being read; give another --record",
    ]);
    assertEquals(await Deno.readTextFile(`${dir}/t.jsonl`), text);
    assert(!(await exists(`${dir}/d`)), "made the data dir");
  });
});

Deno.test("features export and backfill with a store of the data dir as --out or --record exit 2 and leave it whole", async () => {
  await withTempDir(async (dir) => {
    const text = syntheticTrades(200, { seed: 7 }).map((t) => JSON.stringify(t)).join("\n") + "\n";
    await Deno.writeTextFile(`${dir}/t.jsonl`, text);
    const loaded = await output(runPipeline("backfill", ["--file", "t.jsonl", "--data-dir", "d"], dir));
    assertEquals(loaded.code, 0, loaded.stderr);
    const stores = ["d/offline.duckdb", "d/online.kv"];
    const before = await Promise.all(stores.map((f) => Deno.readFile(`${dir}/${f}`)));
    for (
      const [script, args, says] of [
        [
          "features",
          ["export", "--pair", "BTC/USD", "--out", "d/offline.duckdb"],
          "--out d/offline.duckdb is the offline store of --data-dir d: give another --out",
        ],
        [
          "features",
          ["export", "--pair", "BTC/USD", "--out", "./d/../d/online.kv"],
          "--out ./d/../d/online.kv is the online store of --data-dir d: give another --out",
        ],
        [
          "backfill",
          ["--file", "t.jsonl", "--record", "d/offline.duckdb"],
          "--record d/offline.duckdb is the offline store of --data-dir d: give another --record",
        ],
      ] as const
    ) {
      const { code, stderr } = await output(runPipeline(script, [...args, "--data-dir", "d"], dir));
      assertEquals(code, 2, stderr);
      assertEquals(printed(stderr), [`error: ${says}`]);
    }
    const after = await Promise.all(stores.map((f) => Deno.readFile(`${dir}/${f}`)));
    assertEquals(after, before);
  });
});

Deno.test("every task that reads the offline store exits 2 naming --data-dir when it has none", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/empty`);
    const readers: [string, string[], string][] = [
      ["train", ["--pair", "BTC/USD"], "ingest or backfill"],
      ["backtest", ["--pair", "BTC/USD"], "ingest or backfill"],
      ["features", ["export", "--pair", "BTC/USD", "--out", "-"], "ingest or backfill"],
      ["features", ["tail", "--pair", "BTC/USD"], "ingest or backfill"],
      ["news", ["export", "--out", "-"], "news"],
    ];
    for (const [task, args, fill] of readers) {
      for (
        const [dataDir, says] of [
          ["missing", "error: --data-dir: no such directory: missing"],
          [
            "empty",
            `error: --data-dir: empty has no offline store (offline.duckdb): run deno task ${fill} first`,
          ],
        ]
      ) {
        const { code, stderr } = await output(runPipeline(task, [...args, "--data-dir", dataDir!], dir));
        assertEquals([code, printed(stderr)], [2, [says]], `${task} ${args[0]} --data-dir ${dataDir}`);
      }
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["empty"]);
    assertEquals([...Deno.readDirSync(`${dir}/empty`)], []);
  });
});

Deno.test("a file flag naming no file exits 2 with one line naming it, in every task that reads one", async () => {
  await withTempDir(async (dir) => {
    const missing = `${dir}/missing.jsonl`;
    const says = `error: --%s: no such file: ${missing}`;
    const runs: [string, string[], string][] = [
      ["news:distill", ["--data", missing], "data"],
      ["news:eval", ["--data", missing, "--news-model", "lexicon"], "data"],
      ["news:label", ["--file", missing, "--news-model", "ollama:m", "--out", `${dir}/l.jsonl`], "file"],
      ["news", ["--file", missing], "file"],
      ["sim", ["--file", missing, "--port", "0"], "file"],
      ["backfill", ["--file", missing, "--data-dir", `${dir}/d`], "file"],
      ["soak", ["--file", missing], "file"],
    ];
    for (const [task, args, flag] of runs) {
      const { code, stderr } = await output(
        new Deno.Command(Deno.execPath(), {
          args: ["task", "-q", "--config", `${ROOT}deno.json`, task, ...args],
          cwd: ROOT,
          stdout: "null",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }).spawn(),
      );
      assertEquals([code, printed(stderr)], [2, [says.replace("%s", flag)]], task);
    }
  });
});

Deno.test("backfill of a candle file with --record exits 2 naming it, and leaves no data dir or record", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/bars.csv`,
      "1561939200,10000,10010,9990,10005,1.5,12\n1561939260,10005,10015,9995,10010,2.5,9\n",
    );
    const args = ["--file", "bars.csv", "--pairs", "BTC/USD", "--record", "r.jsonl", "--data-dir", "d"];
    const { code, stderr } = await output(runPipeline("backfill", args, dir));
    assertEquals([code, printed(stderr)], [
      2,
      ["error: --record: bars.csv holds candles (kraken-ohlcvt), no trades to record"],
    ]);
    assertEquals([await exists(`${dir}/d`), await exists(`${dir}/r.jsonl`)], [false, false]);
  });
});

Deno.test("serve on a --host outside its permissions exits 2 naming it, with the command that listens there", async () => {
  await withTempDir(async (dir) => {
    const serve = (args: string[]) => output(serveTask(args));
    const alone = await serve(["--host", "::1", "--port", "0"]);
    assertEquals(alone.code, 2, alone.stderr);
    assertEquals(printed(alone.stderr).length, 1, alone.stderr);
    assert(
      printed(alone.stderr)[0]!.startsWith(
        "error: --host ::1 is outside what `deno task serve` may listen on; run: deno run " +
          "'--allow-net=0.0.0.0,127.0.0.1,localhost,[::1]' --allow-read=./data,./models",
      ),
      alone.stderr,
    );

    // With its directories outside too, the one command it gives allows both, and serves.
    const dirs = ["--data-dir", `${dir}/data`, "--models-dir", `${dir}/models`];
    const both = await serve([...dirs, "--host", "::1", "--port", "0"]);
    assertEquals(both.code, 2, both.stderr);
    const command = printed(both.stderr)[0]!.split("; run: ")[1]!;
    // exec: the signal that stops it must reach the server, not a shell waiting on it.
    const log = await logUntilDashboard("sh", [
      "-c",
      `exec ${command.replace(/^deno /, `'${Deno.execPath()}' `)}`,
    ]);
    assert(log.includes("dashboard at http://::1:"), log);
  });
});
