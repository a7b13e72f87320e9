/**
 * One chat request to an LLM server, made to survive the server: HTTP 429 waits for `Retry-After`
 * (and holds every request of the client back meanwhile, through the shared rate limiter), 5xx,
 * 408 and time-outs are retried with exponential backoff up to a bounded number of attempts, and
 * each attempt is cut off by an `AbortSignal` after `timeoutMs`. A failure no retry can fix (a
 * refused key, an unknown model, a request the server rejects, a server that cannot be reached)
 * is a {@linkcode LlmFatalError}; a headline that got no answer within the attempts is an
 * {@linkcode LlmNoAnswerError}. The API key goes in a header and is never put in a message.
 */
import { backoffDelay, type BackoffOptions } from "../../sources/backoff.ts";
import { failureReason } from "../../sources/failure_reason.ts";
import { retryAfterMs } from "../../sources/kraken/rest_client.ts";
import { RateLimiter } from "../../sources/rate_limiter.ts";
import { isAbort, sleep } from "../../util/abortable.ts";
import { type Logger, silent } from "../../util/log.ts";
import type { ChatApi, ChatReply } from "./chat_api.ts";
import { isQuotaError } from "./openai_compat.ts";

/** A failure that retrying cannot fix: the task stops with this message. */
export class LlmFatalError extends Error {
  override name = "LlmFatalError";
}

/** No answer for this request within the attempts (server errors, time-outs, throttling). */
export class LlmNoAnswerError extends Error {
  override name = "LlmNoAnswerError";
}

export interface LlmClientOptions {
  api: ChatApi;
  /** The server's base URL (`--llm-url`). */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer`, when given. */
  apiKey?: string | undefined;
  /** How long one attempt may take, ms. */
  timeoutMs: number;
  /** Requests per second across all concurrent requests; none: no limit. */
  rate?: number | undefined;
  /** Attempts per request, the first included. @default 5 */
  maxAttempts?: number;
  /** @default { baseMs: 1000, maxMs: 30000 } */
  backoff?: BackoffOptions;
  log?: Logger | undefined;
}

export class LlmClient {
  readonly stats = { requests: 0, retries: 0, throttled: 0, serverErrors: 0, timeouts: 0 };
  readonly url: string;
  #o: LlmClientOptions;
  #limiter: RateLimiter;
  #backoff: BackoffOptions;
  #maxAttempts: number;
  #log: Logger;

  constructor(options: LlmClientOptions) {
    this.#o = options;
    this.url = options.api.endpoint(options.baseUrl);
    // Without a rate the limiter still carries a server's Retry-After to every request.
    this.#limiter = new RateLimiter(options.rate ?? Infinity);
    this.#backoff = { baseMs: 1000, maxMs: 30_000, ...options.backoff };
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#log = options.log ?? silent;
  }

  #redact(text: string): string {
    const key = this.#o.apiKey;
    return key ? text.split(key).join("REDACTED") : text;
  }

  /** Asks `user` under the `system` message, answered in `schema`; rejects when `signal` aborts. */
  async chat(system: string, user: string, schema: unknown, signal?: AbortSignal): Promise<ChatReply> {
    const { api, model, apiKey, timeoutMs } = this.#o;
    const body = JSON.stringify(api.body(model, system, user, schema));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
    };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    for (let attempt = 0;; attempt++) {
      await this.#limiter.take(signal);
      this.stats.requests++;
      const timeout = AbortSignal.timeout(timeoutMs);
      let problem: string;
      let waitMs: number | undefined;
      let unreachable = false;
      try {
        const res = await fetch(this.url, {
          method: "POST",
          headers,
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const text = await res.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        if (res.ok) {
          if (json === undefined) return { ok: false, reason: `the reply is not JSON: ${text.slice(0, 80)}` };
          return api.reply(json);
        }
        const said = this.#redact(api.errorMessage(json) ?? text.slice(0, 200)).trim();
        problem = `HTTP ${res.status}${said ? ` (${said})` : ""}`;
        if (res.status === 429) {
          if (isQuotaError(json)) {
            throw new LlmFatalError(`${this.url} answered ${problem}: the account has no quota left`);
          }
          this.stats.throttled++;
          waitMs = retryAfterMs(res.headers.get("retry-after"));
        } else if (res.status >= 500 || res.status === 408) {
          this.stats.serverErrors++;
          waitMs = retryAfterMs(res.headers.get("retry-after"));
        } else {
          throw new LlmFatalError(`${this.url} answered ${problem}${this.#hint(res.status)}`);
        }
      } catch (e) {
        if (e instanceof LlmFatalError) throw e;
        if (signal?.aborted && isAbort(e, signal)) throw signal.reason;
        if (timeout.aborted) {
          this.stats.timeouts++;
          problem = `no answer within ${timeoutMs / 1000} s`;
        } else {
          unreachable = true;
          problem = this.#redact(failureReason(e));
        }
      }
      if (attempt + 1 >= this.#maxAttempts) {
        const tries = `failed ${this.#maxAttempts} times, last: ${problem}`;
        // A server that never answered is down for every headline, not just this one.
        throw unreachable
          ? new LlmFatalError(
            `cannot reach ${this.url}: ${tries}; is the LLM server running there (--llm-url)?`,
          )
          : new LlmNoAnswerError(`${this.url} ${tries}`);
      }
      const delay = Math.max(waitMs ?? 0, backoffDelay(attempt, this.#backoff));
      this.stats.retries++;
      this.#log.warn(`${this.#o.api.kind}: ${problem}; retry ${attempt + 1} in ${delay} ms`);
      // A throttled server wants every request to wait, not just this one.
      if (waitMs !== undefined) this.#limiter.pause(delay);
      else await sleep(delay, signal);
    }
  }

  #hint(status: number): string {
    const { api, model } = this.#o;
    if (status === 401 || status === 403) return ": check the key in LLM_API_KEY (or OPENAI_API_KEY)";
    if (status === 404) {
      return api.kind === "ollama"
        ? `: is model ${model} pulled (ollama pull ${model}) and --llm-url an Ollama server?`
        : `: does the server serve model ${model}, and is --llm-url its base URL?`;
    }
    return "";
  }
}
