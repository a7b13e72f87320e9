/** The LLM classifier's pure parts: the answer schema and its check, the specs, the pool, per-coin signals. */
import { assert, assertEquals } from "../assert.ts";
import { ANSWER_SCHEMA, checkAnswer, tickerOf } from "../../src/news_model/llm/answer_schema.ts";
import { parseLlmSpec } from "../../src/news_model/llm/llm_settings.ts";
import { ollama } from "../../src/news_model/llm/ollama.ts";
import { openAiCompatible } from "../../src/news_model/llm/openai_compat.ts";
import { forEachConcurrently } from "../../src/news_model/llm/pool.ts";
import { parseTeacherLine } from "../../src/news_model/teacher_data.ts";
import { signalsOf } from "../../src/transforms/news_signals.ts";

Deno.test("a well-formed answer is read with its coins as tickers", () => {
  const answer = checkAnswer(JSON.stringify({
    news_signals: [
      { coin: "btc", signal: 1, reason: " ETF inflows " },
      { coin: "Ethereum", signal: -1, reason: "hack" },
      { coin: "$SOL", signal: 0, reason: "mentioned" },
    ],
  }));
  assertEquals(answer, {
    ok: true,
    signals: [
      { coin: "BTC", signal: 1, reason: "ETF inflows" },
      { coin: "ETH", signal: -1, reason: "hack" },
      { coin: "SOL", signal: 0, reason: "mentioned" },
    ],
    dropped: 0,
  });
});

Deno.test("an empty list is an answer: the headline concerns no coin", () => {
  assertEquals(checkAnswer('{"news_signals":[]}'), { ok: true, signals: [], dropped: 0 });
});

Deno.test("an answer in a Markdown code fence is read as its content", () => {
  const answer = checkAnswer('```json\n{"news_signals":[{"coin":"XRP","signal":1,"reason":"win"}]}\n```');
  assert(answer.ok);
  assertEquals(answer.signals.map((s) => s.coin), ["XRP"]);
});

Deno.test("coins that are no ticker, or repeat one, are left out and counted", () => {
  const answer = checkAnswer(JSON.stringify({
    news_signals: [
      { coin: "S&P 500", signal: 1, reason: "stocks up" },
      { coin: "BTC", signal: 1, reason: "a" },
      { coin: "bitcoin", signal: -1, reason: "b" },
    ],
  }));
  assertEquals(answer, { ok: true, signals: [{ coin: "BTC", signal: 1, reason: "a" }], dropped: 2 });
});

Deno.test("truncated or non-JSON text is malformed", () => {
  for (const text of ['{"news_signals":[{"coin":"BT', "Bitcoin looks bullish", ""]) {
    const answer = checkAnswer(text);
    assertEquals(answer.ok ? "ok" : answer.kind, "malformed", text);
  }
});

Deno.test("JSON off the schema is named for what is wrong with it", () => {
  const cases: [unknown, string][] = [
    [[], "not an object"],
    [{ signals: [] }, "no news_signals list"],
    [{ news_signals: {} }, "no news_signals list"],
    [{ news_signals: ["BTC"] }, "news_signals[0] is not an object"],
    [{ news_signals: [{ coin: 1, signal: 1, reason: "" }] }, "news_signals[0].coin is not a string"],
    [
      { news_signals: [{ coin: "BTC", signal: "1", reason: "" }] },
      "news_signals[0].signal is not -1, 0 or 1",
    ],
    [{ news_signals: [{ coin: "BTC", signal: 2, reason: "" }] }, "news_signals[0].signal is not -1, 0 or 1"],
    [
      { news_signals: [{ coin: "BTC", signal: 0.5, reason: "" }] },
      "news_signals[0].signal is not -1, 0 or 1",
    ],
    [{ news_signals: [{ coin: "BTC", signal: 1 }] }, "news_signals[0].reason is not a string"],
  ];
  for (const [doc, reason] of cases) {
    const answer = checkAnswer(JSON.stringify(doc));
    assert(!answer.ok, JSON.stringify(doc));
    assertEquals(answer.kind, "off-schema");
    assert(answer.reason.startsWith(reason), `${answer.reason} vs ${reason}`);
  }
});

Deno.test("tickerOf reads names, $-tickers and case, and refuses what is no ticker", () => {
  assertEquals(
    ["btc", " $eth ", "Solana", "bitcoin cash", "USDT", "the market", "A", "TOOLONGTICKER1"].map(tickerOf),
    ["BTC", "ETH", "SOL", "BCH", "USDT", undefined, undefined, undefined],
  );
});

/** Every object closed and every property required: what OpenAI's strict mode demands. */
function strictProblems(schema: unknown, at = "$"): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  if (s.type === "object") {
    const props = Object.keys(s.properties as object);
    if (s.additionalProperties !== false) out.push(`${at}: additionalProperties is not false`);
    const required = (s.required ?? []) as string[];
    for (const p of props) if (!required.includes(p)) out.push(`${at}.${p} is not required`);
    for (const p of props) {
      out.push(...strictProblems((s.properties as Record<string, unknown>)[p], `${at}.${p}`));
    }
  }
  if (s.type === "array") out.push(...strictProblems(s.items, `${at}[]`));
  return out;
}

Deno.test("the answer schema is one OpenAI's strict structured outputs accept", () => {
  assertEquals(strictProblems(ANSWER_SCHEMA), []);
  assertEquals(strictProblems({ type: "object", properties: { a: { type: "string" } } }), [
    "$: additionalProperties is not false",
    "$.a is not required",
  ]);
});

Deno.test("the requests carry the schema where each API wants it, with streaming off for Ollama", () => {
  const o = ollama.body("llama3.2", "sys", "Bitcoin up", ANSWER_SCHEMA) as Record<string, unknown>;
  assertEquals([o.model, o.stream, o.format], ["llama3.2", false, ANSWER_SCHEMA]);
  assertEquals(o.messages, [{ role: "system", content: "sys" }, { role: "user", content: "Bitcoin up" }]);
  const a = openAiCompatible.body("gpt-4o-mini", "sys", "Bitcoin up", ANSWER_SCHEMA) as Record<
    string,
    unknown
  >;
  assertEquals(a.response_format, {
    type: "json_schema",
    json_schema: { name: "news_signals", strict: true, schema: ANSWER_SCHEMA },
  });
  assertEquals(ollama.endpoint("http://h:11434/"), "http://h:11434/api/chat");
  assertEquals(openAiCompatible.endpoint("http://h:8000/v1"), "http://h:8000/v1/chat/completions");
  assertEquals(
    openAiCompatible.endpoint("https://api.openai.com"),
    "https://api.openai.com/v1/chat/completions",
  );
});

Deno.test("replies are read from each API's shape, and a refusal is no answer", () => {
  assertEquals(
    ollama.reply({ model: "llama3.2", message: { role: "assistant", content: "{}" }, done: true }),
    {
      ok: true,
      text: "{}",
      model: "llama3.2",
    },
  );
  assertEquals(ollama.reply({ done: true }).ok, false);
  const choice = (message: unknown) => ({
    model: "m",
    choices: [{ index: 0, message, finish_reason: "stop" }],
  });
  assertEquals(openAiCompatible.reply(choice({ content: "{}", refusal: null })), {
    ok: true,
    text: "{}",
    model: "m",
  });
  const refused = openAiCompatible.reply(choice({ content: null, refusal: "I can't help with that" }));
  assert(!refused.ok && refused.reason.includes("refused"));
  assertEquals(
    openAiCompatible.errorMessage({ error: { message: "bad key", code: "invalid_api_key" } }),
    "bad key",
  );
  assertEquals(ollama.errorMessage({ error: "model not found" }), "model not found");
});

Deno.test("an LLM --news-model names its API and model; anything else is no LLM", () => {
  assertEquals(parseLlmSpec("ollama:llama3.2:3b"), { api: "ollama", model: "llama3.2:3b" });
  assertEquals(parseLlmSpec("openai:gpt-4o-mini"), { api: "openai", model: "gpt-4o-mini" });
  assertEquals(parseLlmSpec("models/news-distilled"), undefined);
  assertEquals(parseLlmSpec("Xenova/distilbert"), undefined);
  let message = "";
  try {
    parseLlmSpec("ollama:");
  } catch (e) {
    message = (e as Error).message;
  }
  assert(message.includes("names no model"), message);
});

Deno.test("forEachConcurrently keeps at most N calls in flight and visits every item once", async () => {
  let inFlight = 0;
  let most = 0;
  const seen: number[] = [];
  await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    seen.push(item);
    inFlight--;
  });
  assertEquals(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
  assertEquals(most, 3);
});

Deno.test("forEachConcurrently stops at the first failure, aborts the calls in flight, and rejects with it", async () => {
  const started: number[] = [];
  let abortedInFlight = 0;
  const failure = new Error("server gone");
  let caught: unknown;
  try {
    await forEachConcurrently([1, 2, 3, 4, 5, 6], 2, async (item, _i, signal) => {
      started.push(item);
      if (item === 2) throw failure;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2_000);
        signal.addEventListener("abort", () => (abortedInFlight++, clearTimeout(t), resolve()));
      });
    });
  } catch (e) {
    caught = e;
  }
  assertEquals(caught, failure);
  assertEquals(started, [1, 2]);
  assertEquals(abortedInFlight, 1);
});

Deno.test("a classifier's per-coin signals are written as given, replacing one signal for the tagged coins", () => {
  const item = { id: "7", title: "t", published_at: 1000, source: null, currencies: ["BTC", "ETH"] };
  const perCoin = signalsOf(item, {
    signal: 1,
    score: 1,
    coins: [{ coin: "SOL", signal: -1, score: 1 }, { coin: "BTC", signal: 1, score: 1 }],
  }, "ollama:m");
  assertEquals(perCoin.map((s) => [s.coin, s.signal, s.model]), [["SOL", -1, "ollama:m"], [
    "BTC",
    1,
    "ollama:m",
  ]]);
  assertEquals(signalsOf(item, { signal: 0, score: 0, coins: [], error: "bad" }, "m"), []);
  assertEquals(signalsOf(item, { signal: 1, score: 0.8 }, "m").map((s) => s.coin), ["BTC", "ETH"]);
});

Deno.test("an answer's line reads back as teacher data", () => {
  const answer = checkAnswer('{"news_signals":[{"coin":"eth","signal":-1,"reason":"exploit"}]}');
  assert(answer.ok);
  const line = JSON.stringify({
    input: "Ethereum bridge exploited",
    output: JSON.stringify({ news_signals: answer.signals }),
    teacher_model_name: "llama3.2",
  });
  assertEquals(parseTeacherLine(line), {
    headline: "Ethereum bridge exploited",
    signals: [{ coin: "ETH", signal: -1 }],
    teacher: "llama3.2",
    currencies: [],
  });
});
