/**
 * The LLM classifier against a fake Ollama and a fake OpenAI-compatible server on loopback, in
 * their real request and response formats, through throttling, server errors, time-outs and
 * malformed or off-schema answers.
 */
import { assert, assertEquals } from "../assert.ts";
import { loadNewsClassifier } from "../../src/news_model/classifier.ts";
import { loadLlmClassifier } from "../../src/news_model/llm/llm_classifier.ts";
import { LlmFatalError } from "../../src/news_model/llm/llm_client.ts";
import type { LlmSettings } from "../../src/news_model/llm/llm_settings.ts";
import { classifyBatch } from "../../src/transforms/news_signals.ts";
import type { Logger } from "../../src/util/log.ts";
import { closedPort } from "../task_process.ts";
import { type FakeLlm, fakeLlm, type FakeLlmOptions } from "../fake_llm.ts";

const KEY = "sk-test-0123456789abcdef";
const FAST = { backoff: { baseMs: 5, maxMs: 20 } };

/** A logger that keeps its lines. */
function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (m: string) => void lines.push(m);
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

async function withFake(options: FakeLlmOptions, fn: (fake: FakeLlm) => Promise<void>): Promise<void> {
  const fake = fakeLlm(options);
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

function settings(fake: FakeLlm, more: Partial<LlmSettings> = {}): LlmSettings {
  return { url: fake.url, concurrency: 2, timeoutMs: 5_000, ...more };
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

Deno.test("ollama: each headline becomes the per-coin signals the model names, asked with streaming off and the schema in format", async () => {
  await withFake({}, async (fake) => {
    const classifier = loadLlmClassifier("ollama:llama3.2", settings(fake), recorder(), FAST);
    const out = await classifier.classify([
      "Bitcoin ETF inflows hit a record",
      "Ethereum and Solana slide as regulators sue",
      "Markets wait for the Fed",
    ]);
    assertEquals(out.map((r) => r.coins), [
      [{ coin: "BTC", signal: 1, score: 1 }],
      [{ coin: "ETH", signal: -1, score: 1 }, { coin: "SOL", signal: -1, score: 1 }],
      [],
    ]);
    assertEquals(out.map((r) => r.signal), [1, -1, 0]);
    assertEquals(fake.requests.length, 3);
    const body = fake.requests[0]!.body;
    assertEquals(body.stream, false);
    assertEquals((body.format as { required: string[] }).required, ["news_signals"]);
    assertEquals((body.messages as { role: string }[]).map((m) => m.role), ["system", "user"]);
    await classifier.dispose();
  });
});

Deno.test("openai: the same through /v1/chat/completions with a json_schema response_format and the key as a Bearer token", async () => {
  await withFake({ apiKey: KEY, fault: (n) => n === 1 ? { kind: "server-error" } : null }, async (fake) => {
    const log = recorder();
    const classifier = loadLlmClassifier(
      "openai:gpt-4o-mini",
      settings(fake, { apiKey: KEY, url: `${fake.url}/v1` }),
      log,
      FAST,
    );
    const [r] = await classifier.classify(["XRP soars after court win"]);
    assertEquals(r!.coins, [{ coin: "XRP", signal: 1, score: 1 }]);
    const req = fake.requests[1]!;
    assertEquals([req.api, req.authorization], ["openai", `Bearer ${KEY}`]);
    assertEquals((req.body.response_format as { type: string }).type, "json_schema");
    assertEquals(classifier.name, "openai:gpt-4o-mini");
    await classifier.dispose();
    assert(log.lines.length >= 2, log.lines.join("\n"));
    assertEquals(log.lines.filter((l) => l.includes(KEY)), []);
  });
});

Deno.test("a refused key stops with a message naming LLM_API_KEY, and the key is not in it even when the server echoes it", async () => {
  await withFake({ apiKey: KEY }, async (fake) => {
    const wrong = "sk-wrong-key-9876543210";
    const classifier = loadLlmClassifier(
      "openai:gpt-4o-mini",
      settings(fake, { apiKey: wrong }),
      recorder(),
      FAST,
    );
    const e = await errorOf(classifier.classify(["Bitcoin up"]));
    assert(e instanceof LlmFatalError, String(e));
    assert(e.message.includes("HTTP 401") && e.message.includes("LLM_API_KEY"), e.message);
    assertEquals(e.message.includes(wrong), false, e.message);
  });
});

Deno.test("HTTP 429 waits for Retry-After before asking again, holding back every request", async () => {
  await withFake({ fault: (n) => n === 1 ? { kind: "throttle", retryAfter: "1" } : null }, async (fake) => {
    const log = recorder();
    const classifier = loadLlmClassifier("ollama:llama3.2", settings(fake, { concurrency: 1 }), log, FAST);
    const [r] = await classifier.classify(["Bitcoin surges"]);
    assertEquals(r!.coins, [{ coin: "BTC", signal: 1, score: 1 }]);
    assertEquals(fake.requests.length, 2);
    const retry = log.lines.find((l) => l.includes("HTTP 429"));
    const waited = Number(/retry 1 in (\d+) ms/.exec(retry ?? "")?.[1]);
    assert(waited >= 1000, `waited ${waited} ms: ${retry}`);
    assertEquals(classifier.labeller.client.stats.throttled, 1);
  });
});

Deno.test("a 5xx is retried with backoff; one that persists fails that headline only, with the reason", async () => {
  const down = "Solana outage drags on";
  await withFake({
    fault: (n, h) => h === down || n === 1 ? { kind: "server-error", status: n % 2 ? 500 : 503 } : null,
  }, async (fake) => {
    const classifier = loadLlmClassifier("ollama:llama3.2", settings(fake), recorder(), {
      ...FAST,
      maxAttempts: 3,
    });
    const out = await classifier.classify(["Bitcoin rally continues", down]);
    assertEquals(out[0]!.coins, [{ coin: "BTC", signal: 1, score: 1 }]);
    assertEquals(out[1]!.coins, []);
    assert(out[1]!.error?.includes("failed 3 times, last: HTTP 500"), out[1]!.error);
    assertEquals(fake.requests.filter((r) => r.headline === down).length, 3);
    assertEquals(classifier.labeller.stats.failed, 1);
  });
});

Deno.test("an answer slower than --llm-timeout is cut off and asked again", async () => {
  await withFake({ fault: (n) => n === 1 ? { kind: "slow", ms: 3_000 } : null }, async (fake) => {
    const classifier = loadLlmClassifier(
      "ollama:llama3.2",
      settings(fake, { timeoutMs: 200 }),
      recorder(),
      FAST,
    );
    const [r] = await classifier.classify(["Dogecoin jumps"]);
    assertEquals(r!.coins, [{ coin: "DOGE", signal: 1, score: 1 }]);
    assertEquals(classifier.labeller.client.stats.timeouts, 1);
    assertEquals(fake.requests.length, 2);
  });
});

Deno.test("a malformed or off-schema answer is asked again once, then recorded as an error, never guessed", async () => {
  const twiceBad = "Bitcoin crash deepens";
  const offTwice = "Ethereum gains";
  await withFake({
    fault: (n, h) => {
      if (h === twiceBad) return { kind: "malformed" };
      if (h === offTwice) return { kind: "off-schema" };
      return n === 1 ? { kind: "malformed" } : null;
    },
  }, async (fake) => {
    const log = recorder();
    const classifier = loadLlmClassifier("ollama:llama3.2", settings(fake), log, FAST);
    const out = await classifier.classify(["XRP rally", twiceBad, offTwice]);
    assertEquals(out[0]!.coins, [{ coin: "XRP", signal: 1, score: 1 }]);
    assertEquals([out[1]!.coins, out[2]!.coins], [[], []]);
    assert(out[1]!.error?.startsWith("malformed answer twice"), out[1]!.error);
    assert(out[2]!.error?.startsWith("off-schema answer twice"), out[2]!.error);
    assertEquals(fake.requests.length, 6);
    assertEquals(classifier.labeller.stats, {
      headlines: 3,
      labelled: 1,
      failed: 2,
      badReplies: 5,
      droppedCoins: 0,
    });
    await classifier.dispose();
    assert(log.lines.some((l) => l.includes("2 could not be classified")), log.lines.join("\n"));
    // Five bad replies, of which three were asked again: the summary must not say five were.
    assert(log.lines.some((l) => l.includes("5 bad replies, 0 non-ticker")), log.lines.join("\n"));
  });
});

Deno.test("an unknown Ollama model stops at once with how to pull it", async () => {
  await withFake({ models: ["llama3.2"] }, async (fake) => {
    const classifier = loadLlmClassifier("ollama:mistral", settings(fake), recorder(), FAST);
    const e = await errorOf(classifier.classify(["Bitcoin up", "Ethereum down", "XRP flat"]));
    assert(e instanceof LlmFatalError && e.message.includes("ollama pull mistral"), e.message);
    assert(fake.requests.length <= 2, `${fake.requests.length} requests after a fatal answer`);
  });
});

Deno.test("a server nobody listens on stops the classifier, naming the URL", async () => {
  const url = `http://127.0.0.1:${closedPort()}`;
  const classifier = loadLlmClassifier(
    "ollama:llama3.2",
    { url, concurrency: 1, timeoutMs: 1_000 },
    recorder(),
    {
      ...FAST,
      maxAttempts: 2,
    },
  );
  const e = await errorOf(classifier.classify(["Bitcoin up"]));
  assert(
    e instanceof LlmFatalError && e.message.startsWith(`cannot reach ${url}/api/chat: failed`),
    e.message,
  );
  assert(e.message.includes("--llm-url"), e.message);
});

Deno.test("--llm-concurrency bounds the requests in flight", async () => {
  await withFake({ latencyMs: 50 }, async (fake) => {
    const titles = Array.from({ length: 9 }, (_, i) => `Bitcoin headline ${i}`);
    const classifier = loadLlmClassifier(
      "ollama:llama3.2",
      settings(fake, { concurrency: 3 }),
      recorder(),
      FAST,
    );
    assertEquals((await classifier.classify(titles)).length, 9);
    assert(fake.maxInFlight <= 3 && fake.maxInFlight > 1, `${fake.maxInFlight} in flight`);
  });
});

Deno.test("news: classifyBatch writes the coins the LLM names, under the classifier's name", async () => {
  await withFake({}, async (fake) => {
    const classifier = await loadNewsClassifier("ollama:llama3.2", {
      cacheDir: "unused",
      llm: settings(fake),
    });
    const item = (id: string, title: string, currencies: string[]) => ({
      id,
      title,
      published_at: 1_700_000_000_000,
      source: null,
      currencies,
    });
    const { signals } = await classifyBatch([
      item("1", "Bitcoin and Ethereum rally", ["BTC"]),
      item("2", "Solana plunges after hack", []),
    ], classifier);
    assertEquals(signals.map((s) => [s.news_id, s.coin, s.signal, s.model]), [
      ["1", "BTC", 1, "ollama:llama3.2"],
      ["1", "ETH", 1, "ollama:llama3.2"],
      ["2", "SOL", -1, "ollama:llama3.2"],
    ]);
    await classifier.dispose();
  });
});
