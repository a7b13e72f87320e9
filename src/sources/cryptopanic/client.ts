/**
 * A CryptoPanic posts client. The token (env `CRYPTOPANIC_TOKEN`) goes in the query string, as the
 * API wants, and is never logged or echoed: every URL in a message is redacted. 401/403 stop with a
 * clear message (retrying cannot fix a token); 429 honours `Retry-After`; 5xx and network errors are
 * retried with backoff.
 */
import { backoffDelay, type BackoffOptions } from "../backoff.ts";
import { RateLimiter } from "../rate_limiter.ts";
import { retryAfterMs } from "../kraken/rest_client.ts";
import { failureReason } from "../failure_reason.ts";
import { isAbort } from "../../util/abortable.ts";
import { type Logger, silent } from "../../util/log.ts";
import { parsePostsPage, type PostsPage } from "./api_messages.ts";

export const CRYPTOPANIC_URL = "https://cryptopanic.com/api/developer/v2";

/** A CryptoPanic failure that retrying cannot fix. */
export class CryptoPanicError extends Error {
  override name = "CryptoPanicError";
}

/** CryptoPanic refused the credentials or the plan. */
export class CryptoPanicAuthError extends CryptoPanicError {
  override name = "CryptoPanicAuthError";
}

export interface CryptoPanicOptions {
  /** API base up to the version, e.g. `https://cryptopanic.com/api/free/v1`. */
  baseUrl?: string;
  token: string;
  /** Only posts about these tickers. */
  currencies?: readonly string[] | undefined;
  /** Requests per second. @default 0.5 */
  rate?: number;
  backoff?: BackoffOptions;
  /** @default 8 */
  maxAttempts?: number;
  log?: Logger | undefined;
}

export class CryptoPanic {
  readonly stats = { requests: 0, retries: 0, throttled: 0 };
  #base: string;
  #token: string;
  #currencies: readonly string[] | undefined;
  #limiter: RateLimiter;
  #backoff: BackoffOptions;
  #maxAttempts: number;
  #log: Logger;

  constructor(options: CryptoPanicOptions) {
    if (!options.token) throw new RangeError("a CryptoPanic token is needed (CRYPTOPANIC_TOKEN)");
    this.#base = (options.baseUrl ?? CRYPTOPANIC_URL).replace(/\/+$/, "");
    this.#token = options.token;
    this.#currencies = options.currencies;
    this.#limiter = new RateLimiter(options.rate ?? 0.5);
    this.#backoff = { baseMs: 1000, maxMs: 60_000, ...options.backoff };
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#log = options.log ?? silent;
  }

  /** The first page of the newest public news posts. */
  firstPageUrl(): string {
    const q = new URLSearchParams({ auth_token: this.#token, public: "true", kind: "news" });
    if (this.#currencies?.length) q.set("currencies", this.#currencies.join(","));
    return `${this.#base}/posts/?${q}`;
  }

  /** The URL with the token replaced, for messages. */
  redact(text: string): string {
    return text.split(this.#token).join("REDACTED");
  }

  /** Fetches one page (the first, or a `next` URL the API returned). */
  async page(url: string = this.firstPageUrl(), signal?: AbortSignal): Promise<PostsPage> {
    for (let attempt = 0;; attempt++) {
      await this.#limiter.take(signal);
      this.stats.requests++;
      let waitMs: number | undefined;
      let problem: string;
      try {
        const res = await fetch(url, {
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(15_000)])
            : AbortSignal.timeout(15_000),
          headers: { accept: "application/json" },
        });
        if (res.ok) {
          try {
            return parsePostsPage(await res.json());
          } catch (e) {
            throw new CryptoPanicError(
              `CryptoPanic sent an unreadable page (${this.redact(url)}): ${
                this.redact((e as Error).message)
              }`,
            );
          }
        }
        await res.body?.cancel();
        if (res.status === 401 || res.status === 403) {
          throw new CryptoPanicAuthError(
            `CryptoPanic refused the request (HTTP ${res.status}): check CRYPTOPANIC_TOKEN and that the plan allows ${this.#base}`,
          );
        }
        if (res.status !== 429 && res.status < 500) {
          throw new CryptoPanicError(`CryptoPanic answered HTTP ${res.status} for ${this.redact(url)}`);
        }
        if (res.status === 429) {
          this.stats.throttled++;
          waitMs = retryAfterMs(res.headers.get("retry-after"));
        }
        problem = `HTTP ${res.status}`;
      } catch (e) {
        if (e instanceof CryptoPanicError) throw e;
        if (signal?.aborted && isAbort(e, signal)) throw e;
        problem = this.redact(failureReason(e));
      }
      if (attempt + 1 >= this.#maxAttempts) {
        throw new Error(
          `CryptoPanic failed ${this.#maxAttempts} times for ${this.redact(url)}, last: ${problem}`,
        );
      }
      const delay = Math.max(waitMs ?? 0, backoffDelay(attempt, this.#backoff));
      this.stats.retries++;
      this.#log.warn(`CryptoPanic: ${problem}; retry ${attempt + 1} in ${delay} ms`);
      this.#limiter.pause(delay);
    }
  }
}
