/**
 * What the LLM is asked and what it must answer, in the course's instruction shape: one headline
 * in, `{"news_signals":[{"coin":"BTC","signal":1,"reason":"..."}]}` out, the same shape as the
 * teacher files `news:distill` reads (src/news_model/teacher_data.ts). The JSON schema goes to the
 * server (Ollama's `format`, OpenAI's `response_format`) so a server that constrains decoding
 * cannot produce anything else; every answer is still checked here, because not every
 * OpenAI-compatible server enforces the schema and a truncated answer is valid for none.
 */
import { COINS } from "../../transforms/coins.ts";

/**
 * The answer's JSON schema, in the subset OpenAI's strict mode accepts: every object closed
 * (`additionalProperties: false`) and every property required.
 */
export const ANSWER_SCHEMA = {
  type: "object",
  properties: {
    news_signals: {
      type: "array",
      items: {
        type: "object",
        properties: {
          coin: { type: "string", description: "the asset's ticker in upper case, e.g. BTC" },
          signal: { type: "integer", enum: [-1, 0, 1], description: "1 bullish, -1 bearish, 0 neutral" },
          reason: { type: "string", description: "a few words why" },
        },
        required: ["coin", "signal", "reason"],
        additionalProperties: false,
      },
    },
  },
  required: ["news_signals"],
  additionalProperties: false,
} as const;

/** The system message: the course's task, with the reason the schema asks for. */
export const INSTRUCTION =
  `You are a crypto market analyst. You read one news headline and judge how it is likely to move the prices of the crypto assets it concerns, directly or indirectly.

Answer with JSON only, in this shape:
{"news_signals":[{"coin":"BTC","signal":1,"reason":"..."}]}
- coin: the asset's ticker in upper case (BTC, ETH, SOL, ...), never its name;
- signal: 1 if the news is bullish for that asset, -1 if bearish, 0 if relevant but neutral;
- reason: a few words saying why.
List only the assets the headline is relevant to, each once. If it moves the crypto market as a whole rather than particular assets (regulation, macroeconomics, an exchange), answer one item with coin "MARKET". If it concerns no crypto asset and not the market, answer {"news_signals":[]}.

Example headline: "Goldman Sachs wants to invest in Bitcoin and Ethereum, but not in XRP"
Example answer: {"news_signals":[{"coin":"BTC","signal":1,"reason":"a large bank wants to buy"},{"coin":"ETH","signal":1,"reason":"a large bank wants to buy"},{"coin":"XRP","signal":-1,"reason":"left out by a large bank"}]}`;

/** One coin of an answer. */
export interface AnswerSignal {
  coin: string;
  signal: -1 | 0 | 1;
  reason: string;
}

/** A checked answer, or why it is not one. */
export type CheckedAnswer =
  | { ok: true; signals: AnswerSignal[]; /** Coins left out: not tickers, or named twice. */ dropped: number }
  | { ok: false; kind: "malformed" | "off-schema"; reason: string };

const TICKER = /^[A-Z0-9]{2,10}$/;

const BY_NAME: ReadonlyMap<string, string> = new Map(
  Object.entries(COINS).flatMap(([ticker, names]) => names.map((name) => [name, ticker] as const)),
);

/**
 * The ticker an answer's `coin` stands for: upper case, without a `$`, a known coin name
 * ("Bitcoin") read as its ticker; undefined when it is no ticker at all ("S&P 500").
 *
 * @example
 * ```ts
 * tickerOf(" $btc "); // "BTC"
 * tickerOf("Ethereum"); // "ETH"
 * tickerOf("the stock market"); // undefined
 * ```
 */
export function tickerOf(raw: string): string | undefined {
  const text = raw.trim().replace(/^\$/, "");
  const ticker = BY_NAME.get(text.toLowerCase()) ?? text.toUpperCase();
  return TICKER.test(ticker) ? ticker : undefined;
}

/** A model's reply without a Markdown code fence around it, which some servers add. */
function unfenced(text: string): string {
  const m = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?\s*```\s*$/.exec(text);
  return m ? m[1]! : text;
}

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 60) ?? String(value);
}

/**
 * Checks a model's reply against {@linkcode ANSWER_SCHEMA}. Coins are read as tickers
 * ({@linkcode tickerOf}); an item whose coin is no ticker, or repeats one, is left out and
 * counted, since the rest of the answer still stands. Anything else off the schema fails the
 * whole answer: nothing is guessed.
 *
 * @example
 * ```ts
 * checkAnswer('{"news_signals":[{"coin":"btc","signal":1,"reason":"ETF inflows"}]}');
 * // { ok: true, signals: [{ coin: "BTC", signal: 1, reason: "ETF inflows" }], dropped: 0 }
 * ```
 */
export function checkAnswer(text: string): CheckedAnswer {
  let doc: unknown;
  try {
    doc = JSON.parse(unfenced(text));
  } catch (e) {
    return {
      ok: false,
      kind: "malformed",
      reason: `not JSON (${(e as Error).message}): ${text.slice(0, 80)}`,
    };
  }
  const off = (reason: string): CheckedAnswer => ({ ok: false, kind: "off-schema", reason });
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return off(`not an object: ${describe(doc)}`);
  }
  const list = (doc as { news_signals?: unknown }).news_signals;
  if (!Array.isArray(list)) return off(`no news_signals list in ${describe(doc)}`);
  const signals: AnswerSignal[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const [i, item] of list.entries()) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      return off(`news_signals[${i}] is not an object: ${describe(item)}`);
    }
    const { coin, signal, reason } = item as Record<string, unknown>;
    if (typeof coin !== "string") return off(`news_signals[${i}].coin is not a string: ${describe(coin)}`);
    if (signal !== -1 && signal !== 0 && signal !== 1) {
      return off(`news_signals[${i}].signal is not -1, 0 or 1: ${describe(signal)}`);
    }
    if (typeof reason !== "string") {
      return off(`news_signals[${i}].reason is not a string: ${describe(reason)}`);
    }
    const ticker = tickerOf(coin);
    if (ticker === undefined || seen.has(ticker)) {
      dropped++;
      continue;
    }
    seen.add(ticker);
    signals.push({ coin: ticker, signal, reason: reason.trim() });
  }
  return { ok: true, signals, dropped };
}
