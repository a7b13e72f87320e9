/**
 * A fake LLM server on loopback speaking both APIs the LLM classifier uses, in their real shapes:
 * Ollama's `POST /api/chat` (a JSON schema in `format`; `stream` left on gets NDJSON chunks, as
 * Ollama sends) and the OpenAI-compatible `POST /v1/chat/completions` (`response_format`
 * json_schema, an optional Bearer key). It answers each headline by a fixed word rule, or with a
 * scripted fault: 429 with Retry-After, a 5xx, a slow answer, malformed JSON, off-schema JSON.
 *
 * Run alone as a stand-in Ollama: `deno run --allow-net tests/fake_llm.ts --port 11434 --latency 20`
 * (`--throttle-every N`, `--error-every N`, `--malformed-every N`, `--off-schema-every N`: that
 * fault on every Nth request).
 */
import { sleep } from "../src/util/abortable.ts";

export type Fault =
  | { kind: "throttle"; retryAfter: string }
  | { kind: "server-error"; status?: number }
  | { kind: "slow"; ms: number }
  | { kind: "malformed" }
  | { kind: "off-schema" };

export interface FakeLlmRequest {
  api: "ollama" | "openai";
  headline: string;
  body: Record<string, unknown>;
  authorization: string | null;
}

export interface FakeLlmOptions {
  /** The answer's `news_signals` for a headline. @default {@linkcode ruleAnswer} */
  answer?: (headline: string) => unknown[];
  /** The fault for the n-th request (1-based) of `headline`; null answers it. */
  fault?: (n: number, headline: string) => Fault | null;
  /** Ollama's pulled models; another gets 404. @default ["llama3.2"] */
  models?: string[];
  /** The OpenAI key the server wants; none: any or no key. */
  apiKey?: string;
  /** Milliseconds every answer takes, as a model's generation would. @default 0 */
  latencyMs?: number;
}

export interface FakeLlm {
  /** The base URL (for `--llm-url`). */
  url: string;
  /** Every chat request, in arrival order. */
  requests: FakeLlmRequest[];
  /** The most requests that were in flight at once. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

const COIN_WORDS: [RegExp, string][] = [
  [/\b(bitcoin|btc)\b/i, "BTC"],
  [/\b(ethereum|ether|eth)\b/i, "ETH"],
  [/\b(solana|sol)\b/i, "SOL"],
  [/\b(xrp|ripple)\b/i, "XRP"],
  [/\b(dogecoin|doge)\b/i, "DOGE"],
];
const BULLISH = /\b(surges?|soars?|rall(y|ies)|record|inflows?|approv\w*|gains?|jumps?)\b/i;
const BEARISH = /\b(slides?|crash\w*|plunges?|hack\w*|sues?|bans?|outflows?|falls?|drops?)\b/i;

/** The fake's own judgement: coins by name, bullish or bearish by a few words, else neutral. */
export function ruleAnswer(headline: string): unknown[] {
  const signal = BULLISH.test(headline) ? 1 : BEARISH.test(headline) ? -1 : 0;
  return COIN_WORDS.filter(([re]) => re.test(headline)).map(([, coin]) => ({
    coin,
    signal,
    reason: signal === 1 ? "good news" : signal === -1 ? "bad news" : "no clear direction",
  }));
}

function faultContent(fault: Fault | null, answer: unknown[]): string {
  if (fault?.kind === "malformed") return JSON.stringify({ news_signals: answer }).slice(0, 20);
  if (fault?.kind === "off-schema") return JSON.stringify({ signals: "bullish" });
  return JSON.stringify({ news_signals: answer });
}

function ollamaReply(model: string, content: string): Record<string, unknown> {
  return {
    model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", content },
    done_reason: "stop",
    done: true,
    total_duration: 1_200_000,
    load_duration: 100_000,
    prompt_eval_count: 120,
    prompt_eval_duration: 500_000,
    eval_count: 30,
    eval_duration: 600_000,
  };
}

function openAiReply(model: string, content: string): Record<string, unknown> {
  return {
    id: `chatcmpl-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{
      index: 0,
      message: { role: "assistant", content, refusal: null },
      logprobs: null,
      finish_reason: "stop",
    }],
    usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
  };
}

function openAiError(status: number, message: string, code: string | null): Response {
  return Response.json({ error: { message, type: "invalid_request_error", param: null, code } }, { status });
}

/** Starts the fake on a free loopback port (or `port`). */
export function fakeLlm(options: FakeLlmOptions = {}, port = 0): FakeLlm {
  const answer = options.answer ?? ruleAnswer;
  const models = options.models ?? ["llama3.2"];
  const requests: FakeLlmRequest[] = [];
  const asked = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  // Slow answers end when the fake closes; a client that gave up on one never reads it anyway.
  const closing = new AbortController();

  const handle = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    const api = path === "/api/chat" ? "ollama" : path === "/v1/chat/completions" ? "openai" : undefined;
    if (api === undefined || req.method !== "POST") {
      return new Response("404 page not found", { status: 404 });
    }
    let body: Record<string, unknown>;
    try {
      body = await req.json();
    } catch (e) {
      return api === "ollama"
        ? Response.json({ error: (e as Error).message }, { status: 400 })
        : openAiError(400, "We could not parse the JSON body of your request.", null);
    }
    const messages = Array.isArray(body.messages)
      ? body.messages as { role?: string; content?: string }[]
      : [];
    const headline = messages.findLast((m) => m.role === "user")?.content ?? "";
    const authorization = req.headers.get("authorization");
    requests.push({ api, headline, body, authorization });
    const model = String(body.model ?? "");

    if (api === "ollama") {
      if (!models.includes(model)) {
        return Response.json({ error: `model "${model}" not found, try pulling it first` }, { status: 404 });
      }
      const format = body.format as { type?: string } | undefined;
      if (typeof format !== "object" || format?.type !== "object") {
        return Response.json({ error: "this fake wants a JSON schema in format" }, { status: 400 });
      }
    } else {
      if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) {
        const given = authorization?.replace(/^Bearer /, "") ?? "";
        return openAiError(401, `Incorrect API key provided: ${given}.`, "invalid_api_key");
      }
      const format = body.response_format as
        | { type?: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } }
        | undefined;
      if (format?.type !== "json_schema" || typeof format.json_schema?.name !== "string") {
        return openAiError(400, "response_format must be json_schema with a name", null);
      }
    }

    const n = (asked.get(headline) ?? 0) + 1;
    asked.set(headline, n);
    const fault = options.fault?.(n, headline) ?? null;
    if (fault?.kind === "throttle") {
      const headers = { "retry-after": fault.retryAfter };
      return api === "ollama"
        ? Response.json({ error: "rate limited" }, { status: 429, headers })
        : Response.json({
          error: {
            message: "Rate limit reached",
            type: "requests",
            param: null,
            code: "rate_limit_exceeded",
          },
        }, { status: 429, headers });
    }
    if (fault?.kind === "server-error") {
      const status = fault.status ?? 500;
      return api === "ollama"
        ? Response.json({ error: "llama runner process has terminated" }, { status })
        : openAiError(status, "The server had an error while processing your request.", null);
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const wait = (fault?.kind === "slow" ? fault.ms : 0) + (options.latencyMs ?? 0);
      if (wait > 0) await sleep(wait, closing.signal);
    } finally {
      inFlight--;
    }
    const content = faultContent(fault, answer(headline));
    if (api === "openai") return Response.json(openAiReply(model, content));
    const reply = ollamaReply(model, content);
    if (body.stream === false) return Response.json(reply);
    // Ollama streams by default: one NDJSON object per token, the last with done: true.
    const chunks = [
      { ...reply, message: { role: "assistant", content }, done: false },
      { ...reply, message: { role: "assistant", content: "" } },
    ];
    return new Response(chunks.map((c) => JSON.stringify(c)).join("\n") + "\n", {
      headers: { "content-type": "application/x-ndjson" },
    });
  };

  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    try {
      return await handle(req);
    } catch (e) {
      // The client went away mid-answer (it timed out): nothing to send.
      return new Response(String(e), { status: 499 });
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () => {
      closing.abort();
      return server.shutdown();
    },
  };
}

if (import.meta.main) {
  const arg = (name: string, fallback: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] ?? fallback : fallback;
  };
  const models = arg("models", "llama3.2").split(",");
  // Faults by arrival order, so a run shows the client's handling of each: every Nth request.
  const every = (name: string) => Number(arg(name, "0"));
  let count = 0;
  const fault = (): Fault | null => {
    count++;
    const hits = (n: number) => n > 0 && count % n === 0;
    if (hits(every("throttle-every"))) return { kind: "throttle", retryAfter: "1" };
    if (hits(every("error-every"))) return { kind: "server-error" };
    if (hits(every("malformed-every"))) return { kind: "malformed" };
    if (hits(every("off-schema-every"))) return { kind: "off-schema" };
    return null;
  };
  const fake = fakeLlm(
    { models, latencyMs: Number(arg("latency", "0")), fault },
    Number(arg("port", "11434")),
  );
  console.log(`fake LLM (Ollama and OpenAI-compatible) on ${fake.url}, models ${models.join(", ")}`);
}
