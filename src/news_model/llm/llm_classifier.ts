/**
 * The LLM behind the `NewsClassifier` port: `--news-model ollama:MODEL` (Ollama's chat API) or
 * `openai:MODEL` (any OpenAI-compatible server). Each headline is one chat request, at most
 * `concurrency` in flight and `rate` per second; its answer names the coins itself, so each
 * result carries per-coin signals (`Classified.coins`) and `news` writes those instead of one
 * signal for the headline's tagged coins. An LLM gives no probability: its signals have score 1.
 * A headline it could not classify gives no signal; the failures are logged (the first few with
 * their reason) and summed up when the classifier is disposed.
 */
import type { Classified, NewsClassifier } from "../../domain/ports.ts";
import { type Logger, logger } from "../../util/log.ts";
import type { AnswerSignal } from "./answer_schema.ts";
import type { ChatApi } from "./chat_api.ts";
import { HeadlineLabeller } from "./headline_labeller.ts";
import { LlmClient, type LlmClientOptions } from "./llm_client.ts";
import { type LlmSettings, parseLlmSpec } from "./llm_settings.ts";
import { ollama } from "./ollama.ts";
import { openAiCompatible } from "./openai_compat.ts";
import { forEachConcurrently } from "./pool.ts";

const APIS: Record<"ollama" | "openai", ChatApi> = { ollama, openai: openAiCompatible };

/** Failures logged one by one before only the count goes on. */
const FAILURES_LOGGED = 5;

/** The labeller a `--news-model ollama:M` or `openai:M` stands for; throws a RangeError for another. */
export function llmLabeller(
  spec: string,
  settings: LlmSettings,
  log: Logger,
  tuning: Pick<LlmClientOptions, "maxAttempts" | "backoff"> = {},
): HeadlineLabeller {
  const parsed = parseLlmSpec(spec);
  if (parsed === undefined) throw new RangeError(`'${spec}' is not ollama:MODEL or openai:MODEL`);
  const api = APIS[parsed.api];
  const client = new LlmClient({
    api,
    baseUrl: settings.url ?? api.defaultUrl,
    model: parsed.model,
    apiKey: settings.apiKey,
    timeoutMs: settings.timeoutMs,
    rate: settings.rate,
    log,
    ...tuning,
  });
  return new HeadlineLabeller(client, parsed.model);
}

/** The headline's overall lean: the sign of its coins' signals summed. */
function lean(signals: readonly AnswerSignal[]): -1 | 0 | 1 {
  return Math.sign(signals.reduce((sum, s) => sum + s.signal, 0)) as -1 | 0 | 1;
}

export interface LlmClassifier extends NewsClassifier {
  readonly labeller: HeadlineLabeller;
}

/**
 * @example
 * ```ts
 * const classifier = loadLlmClassifier("ollama:llama3.2", { concurrency: 4, timeoutMs: 60_000 });
 * const [r] = await classifier.classify(["Bitcoin ETF inflows hit a record"]);
 * // r.coins: [{ coin: "BTC", signal: 1, score: 1 }]
 * ```
 */
export function loadLlmClassifier(
  spec: string,
  settings: LlmSettings,
  log: Logger = logger("llm"),
  tuning: Pick<LlmClientOptions, "maxAttempts" | "backoff"> = {},
): LlmClassifier {
  const labeller = llmLabeller(spec, settings, log, tuning);
  const disposed = new AbortController();
  let logged = 0;
  return {
    name: spec,
    labeller,
    async classify(titles) {
      const out: Classified[] = new Array(titles.length);
      await forEachConcurrently(titles, settings.concurrency, async (title, i, signal) => {
        const label = await labeller.label(title, signal);
        if (label.ok) {
          const coins = label.signals.map(({ coin, signal }) => ({ coin, signal, score: 1 }));
          out[i] = { signal: lean(label.signals), score: 1, coins };
          return;
        }
        out[i] = { signal: 0, score: 0, coins: [], error: label.error };
        if (logged++ < FAILURES_LOGGED) {
          log.warn(`${spec} could not classify ${JSON.stringify(title)}: ${label.error}`);
        }
      }, disposed.signal);
      return out;
    },
    dispose() {
      disposed.abort(new DOMException("classifier disposed", "AbortError"));
      const { headlines, failed, badReplies, droppedCoins } = labeller.stats;
      const { requests, retries, throttled } = labeller.client.stats;
      if (headlines > 0) {
        const line =
          `${spec}: ${headlines} headlines, ${failed} could not be classified (no signal written); ` +
          `${requests} requests, ${retries} retries (${throttled} throttled), ${badReplies} bad replies, ` +
          `${droppedCoins} non-ticker coins left out`;
        if (failed > 0) log.warn(line);
        else log.info(line);
      }
      return Promise.resolve();
    },
  };
}
