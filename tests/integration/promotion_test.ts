/**
 * Broken models and the promotion stack: `models promote` refuses what the predictor would refuse,
 * and a serve started on a registry whose promoted version broke afterwards (a hand edit, a disk
 * corruption) keeps serving the newest earlier promoted version that loads.
 */
import { assert, assertEquals } from "../assert.ts";
import { prng, runPipeline } from "../helpers.ts";
import { seed } from "../serve_fixtures.ts";
import { ridgeOnnx } from "../../src/registry/onnx_export.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";
import { promoteBiasedModel } from "../../src/registry/biased_model.ts";
import type { RidgeModel } from "../../src/model/ridge.ts";
import type { ScaleModel } from "../../src/model/interval_scale.ts";
import type { ModelCard } from "../../src/domain/model_card.ts";
import type { Registry } from "../../src/registry/registry.ts";
import type { Logger } from "../../src/util/log.ts";

const NAME = "btc-usd_1m_h1";
const decoder = new TextDecoder();

/** A new version holding v0001's card (edited by `edit`) and `bytes` as its model.onnx (or v0001's own bytes). */
async function addVersion(
  registry: Registry,
  bytes?: Uint8Array,
  features?: (f: string[]) => string[],
  edit: (card: ModelCard) => ModelCard = (card) => card,
): Promise<string> {
  const version = await registry.reserve(NAME);
  const card = await registry.card(NAME, "v0001");
  await registry.save(
    edit({ ...card, version, features: features ? features(card.features) : card.features }),
    bytes ?? await registry.modelBytes(NAME, "v0001"),
  );
  return version;
}

/** v0001's card with its interval scale model changed by `change`. */
const scaleEdit = (change: (m: ScaleModel) => object) => (card: ModelCard): ModelCard => {
  const intervals = card.intervals!;
  const scale_model = change(intervals.model.scale_model!) as ScaleModel;
  return { ...card, intervals: { ...intervals, model: { ...intervals.model, scale_model } } };
};

/** A sound ridge model over `F` features: it opens and answers, but not on the store's features. */
function otherFeaturesOnnx(F: number): Uint8Array {
  const model: RidgeModel = {
    kind: "ridge",
    mean: Array(F).fill(0),
    std: Array(F).fill(1),
    weights: Array(F).fill(1e-3),
    intercept: 0,
    lambda: 1,
  };
  return ridgeOnnx(model, "other features", {});
}

/** Bytes of seeded noise, so every run sees the same garbage. */
function noise(n: number): Uint8Array {
  const rand = prng(7);
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}

async function models(dir: string, args: string[]) {
  const { code, stdout, stderr } = await runPipeline(
    "models",
    [...args, "--models-dir", `${dir}/models`],
    dir,
  )
    .output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

const promote = (dir: string, version: string) =>
  models(dir, ["promote", "--name", NAME, "--version", version]);

Deno.test("models promote refuses a zero-byte, truncated, garbage, other-features or broken-interval model in one line and leaves the registry as it was", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  s.online.close();
  try {
    const good = await s.registry.modelBytes(NAME, "v0001");
    const broken: [string, string][] = [
      [await addVersion(s.registry, new Uint8Array()), "is zero bytes"],
      [await addVersion(s.registry, good.slice(0, Math.floor(good.length * 0.6))), "is truncated"],
      [await addVersion(s.registry, new TextEncoder().encode("garbage, not a model")), "is corrupt"],
      [await addVersion(s.registry, noise(good.length)), "is corrupt"],
      [await addVersion(s.registry, otherFeaturesOnnx(5)), "features mismatch"],
      [await addVersion(s.registry, undefined, (f) => [...f, "made_up"]), "features mismatch"],
      [
        await addVersion(
          s.registry,
          undefined,
          undefined,
          scaleEdit((m) => ({ ...m, terms: ["atr", "made_up"] })),
        ),
        "bad interval scale in card.json: unknown terms: made_up",
      ],
      [
        await addVersion(
          s.registry,
          undefined,
          undefined,
          scaleEdit((m) => ({ ...m, weights: m.weights.slice(1) })),
        ),
        "bad interval scale in card.json: weights is not",
      ],
      [
        await addVersion(s.registry, undefined, undefined, scaleEdit((m) => ({ ...m, base_floor: null }))),
        "bad interval scale in card.json: base_floor is not a positive number",
      ],
    ];
    const promotedJson = `${dir}/models/${NAME}/promoted.json`;
    const before = await Deno.readTextFile(promotedJson);
    for (const [version, says] of broken) {
      const { code, stderr } = await promote(dir, version);
      assert(code !== 0, `${version} (${says}) was promoted`);
      const printed = stderr.trim().split("\n");
      assertEquals(printed.length, 1, stderr);
      assert(printed[0]!.includes(`${NAME} ${version}`) && printed[0]!.includes(says), stderr);
      assertEquals(await Deno.readTextFile(promotedJson), before, `${version} changed promoted.json`);
    }
    // A sound copy still goes through.
    const sound = await addVersion(s.registry);
    const ok = await promote(dir, sound);
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals((await s.registry.promotedFile(NAME)).stack, ["v0001", sound]);
    // Promoting the version in service again changes nothing, so a rollback still leaves it.
    const again = await promote(dir, sound);
    assertEquals(again.code, 0, again.stderr);
    assert(again.stdout.includes(`${sound} is already the promoted version; nothing changed`), again.stdout);
    assertEquals((await s.registry.promotedFile(NAME)).stack, ["v0001", sound]);
    // A version or model the registry does not hold is a bad flag, named with what it holds.
    const versions = await s.registry.versions(NAME);
    const missing = await promote(dir, "v0099");
    assertEquals(missing.code, 2, missing.stderr);
    assertEquals(
      missing.stderr.trim(),
      `error: --version v0099: model ${NAME} in ${dir}/models has no such version (it has v0001 to ${
        versions.at(-1)
      }, ${versions.length} in all)`,
    );
    const other = await runPipeline("models", [
      "list",
      "--name",
      "eth-usd_1m_h1",
      "--models-dir",
      `${dir}/models`,
    ], dir)
      .output();
    assertEquals(other.code, 2);
    assertEquals(
      decoder.decode(other.stderr).trim(),
      `error: --name eth-usd_1m_h1: no such model in ${dir}/models (it holds ${NAME})`,
    );
    assertEquals(await s.registry.rollback(NAME), "v0001");
    // `models list` says which version was rolled back, and which serves.
    const list = await runPipeline("models", ["list", "--name", NAME, "--models-dir", `${dir}/models`], dir)
      .output();
    const lines = decoder.decode(list.stdout).split("\n");
    const line = (v: string) => lines.find((l) => l.includes(` ${v} `)) ?? "";
    assert(line(sound).trimEnd().endsWith("promoted, then rolled back"), line(sound));
    assert(
      line("v0001").trimStart().startsWith("*") && line("v0001").trimEnd().endsWith("promoted"),
      line("v0001"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Starts the serve task on `dir`, returns its base URL and a function that stops it and returns its log. */
async function startServe(dir: string): Promise<{ base: string; stop(): Promise<string> }> {
  const child = runPipeline(
    "serve",
    [
      "--port",
      "0",
      "--pairs",
      "BTC/USD",
      "--max-feature-age",
      "0",
      "--data-dir",
      dir,
      "--models-dir",
      `${dir}/models`,
    ],
    dir,
    { LOG_FORMAT: "text" },
  );
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const deadline = Date.now() + 30_000;
  let port: string | undefined;
  while (!port) {
    const { value, done } = await reader.read();
    if (done || Date.now() > deadline) throw new Error(`serve did not start:\n${log}`);
    log += value;
    port = /dashboard at http:\/\/localhost:(\d+)\//.exec(log)?.[1];
  }
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        log += value;
      }
      await child.status;
      await child.stdout.cancel();
      return log;
    },
  };
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

Deno.test("a card.json without a card's fields is named: models lists its version as incomplete, promote refuses it in one line", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  s.online.close();
  try {
    const version = await addVersion(s.registry);
    const path = `${dir}/models/${NAME}/${version}/card.json`;
    await Deno.writeTextFile(path, "{}\n");
    const list = await models(dir, ["list"]);
    assertEquals(list.code, 0, list.stderr);
    assert(new RegExp(`${version}\\s+\\(incomplete\\)`).test(list.stdout), list.stdout);
    const refused = await promote(dir, version);
    assertEquals(refused.code, 1, refused.stderr);
    assertEquals(
      refused.stderr.trim(),
      `error: cannot promote ${NAME} ${version}: ${path} is not a model card: ` +
        "it has no pair, window, horizon, features, data, model, overall, decision",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("models rollback passes over a drill's forced version and one that no longer loads, naming each; --version picks", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  s.online.close();
  try {
    const r = s.registry;
    const v2 = await addVersion(r);
    await r.promote(NAME, v2, "promote", "test");
    const forced = await promoteBiasedModel(r, NAME, 0.01, "2026-01-01T00:00:00.000Z");
    const v4 = await addVersion(r);
    await r.promote(NAME, v4, "promote", "test");
    const stack = [...(await r.promotedFile(NAME)).stack];
    assertEquals(stack, ["v0001", v2, forced, v4]);

    // Named on the stack: that version, forced or not.
    const named = await models(dir, ["rollback", "--name", NAME, "--version", forced]);
    assertEquals(named.code, 0, named.stderr);
    assertEquals(named.stdout.trim(), `${NAME}: rolled back to ${forced}`);
    assertEquals((await r.promotedFile(NAME)).stack, ["v0001", v2, forced]);
    await r.promote(NAME, v4, "promote", "test");

    // Not on the stack below: a bad flag, with the way to put it in service.
    const off = await models(dir, ["rollback", "--name", NAME, "--version", v4]);
    assertEquals(off.code, 2, off.stderr);
    assert(
      off.stderr.includes(`--version ${v4} is not on ${NAME}'s promotion stack below ${v4}`),
      off.stderr,
    );
    assert(off.stderr.includes(`models promote --name ${NAME} --version ${v4}`), off.stderr);

    // v0002 breaks on disk: the rollback goes past it and the forced version to v0001.
    const good = await r.modelBytes(NAME, v2);
    await Deno.writeFile(`${dir}/models/${NAME}/${v2}/model.onnx`, good.slice(0, good.length >> 1));
    const back = await models(dir, ["rollback", "--name", NAME]);
    assertEquals(back.code, 0, back.stderr);
    const lines = back.stdout.trim().split("\n");
    assertEquals(lines[0], `${NAME}: passed over ${forced} (forced by a drill)`);
    assert(lines[1]!.startsWith(`${NAME}: passed over ${v2} (`) && lines[1]!.includes("truncated"), lines[1]);
    assertEquals(lines[2], `${NAME}: rolled back to v0001`);
    const file = await r.promotedFile(NAME);
    assertEquals([file.current, file.stack], ["v0001", ["v0001"]]);
    assertEquals(file.history.at(-1)!.reason, `rolled back from ${v4}, passing over ${forced}, ${v2}`);
    // Nothing below v0001 at all: a named version is still a bad flag, with the way to serve it.
    const bottom = await models(dir, ["rollback", "--name", NAME, "--version", v2]);
    assertEquals(bottom.code, 2, bottom.stderr);
    assertEquals(
      bottom.stderr.trim(),
      `error: --version ${v2} is not on ${NAME}'s promotion stack below v0001 (nothing is): ` +
        `models promote --name ${NAME} --version ${v2} puts any version in service`,
    );

    // Nothing under v0001 that can serve: an error naming why, the registry as it was.
    await r.promote(NAME, v2, "promote", "test");
    await r.promote(NAME, v4, "promote", "test");
    await Deno.writeFile(`${dir}/models/${NAME}/v0001/model.onnx`, new Uint8Array());
    const none = await models(dir, ["rollback", "--name", NAME]);
    assertEquals(none.code, 1);
    assert(none.stderr.includes(`no version promoted before ${v4} that can serve: ${v2} (`), none.stderr);
    assert(none.stderr.includes("v0001 (") && none.stderr.includes("zero bytes"), none.stderr);
    assertEquals((await r.promotedFile(NAME)).stack, ["v0001", v2, v4]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve started on a registry whose promoted version is broken serves the newest earlier promoted version that loads, and says so", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  s.online.close();
  try {
    const r = s.registry;
    const v2 = await addVersion(r);
    const v3 = await addVersion(r);
    const v4 = await addVersion(r);
    for (const v of [v2, v3, v4]) await r.promote(NAME, v, "promote", "test");
    // v0004 is sound but rolled back, so no longer on the promotion stack: it must not be picked.
    await r.rollback(NAME);
    // Then the disk loses the end of v0003, the promoted version.
    const good = await r.modelBytes(NAME, v3);
    await Deno.writeFile(
      `${dir}/models/${NAME}/${v3}/model.onnx`,
      good.slice(0, Math.floor(good.length * 0.7)),
    );
    assertEquals((await r.promotedFile(NAME)).current, v3);

    const srv = await startServe(dir);
    let log: string;
    try {
      const predict = await getJson(`${srv.base}/predict?pair=BTC/USD`);
      assertEquals(predict.status, 200, JSON.stringify(predict.body));
      assertEquals(predict.body.model, { name: NAME, version: v2 });
      const health = await getJson(`${srv.base}/health`);
      const series = (health.body.series as { model: { version: string } | null; model_error: string }[])[0]!;
      assertEquals(series.model?.version, v2);
      assert(series.model_error.includes(`${v3} refused`), series.model_error);
      assert(series.model_error.includes("truncated"), series.model_error);
      assert(series.model_error.includes(`serving ${v2}`), series.model_error);
      assertEquals(health.body.ready, true);
    } finally {
      log = await srv.stop();
    }
    assert(log.includes(`${NAME} ${v3} refused`) && log.includes("truncated"), log);
    assert(log.includes(`falling back to ${v2}`), log);
    // The registry itself is left for a human to fix.
    assertEquals((await r.promotedFile(NAME)).current, v3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a predictor skips every broken earlier version, and forgets the refusal once the registry is fixed", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  s.online.close();
  try {
    const r = s.registry;
    const v2 = await addVersion(r, new Uint8Array());
    const v3 = await addVersion(r);
    await r.promote(NAME, v2, "promote", "hand edit");
    await r.promote(NAME, v3, "promote", "test");
    await Deno.writeFile(`${dir}/models/${NAME}/${v3}/model.onnx`, new TextEncoder().encode("garbage"));
    const lines: string[] = [];
    const log: Logger = {
      debug: () => {},
      info: (m) => lines.push(m),
      warn: (m) => lines.push(m),
      error: (m) => lines.push(m),
    };
    const p = new OnnxPredictor(r, "BTC/USD", "1m", 1, log);
    try {
      await p.refresh();
      assertEquals(p.current?.version, "v0001");
      assert(p.lastError!.includes(`${v3} refused`) && p.lastError!.includes("serving v0001"), p.lastError!);
      assert(lines.some((l) => l.includes(`${v2} refused`) && l.includes("zero bytes")), lines.join("\n"));
      // Looking again changes nothing and logs nothing new.
      const logged = lines.length;
      await p.refresh();
      assertEquals([p.current?.version, lines.length], ["v0001", logged]);
      // Rolled back twice by a human: the promoted version is the serving one, and nothing is wrong.
      await r.rollback(NAME);
      await r.rollback(NAME);
      assertEquals(await p.refresh(), "unchanged");
      assertEquals(p.lastError, null);
    } finally {
      await p.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
