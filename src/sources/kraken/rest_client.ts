/**
 * A client for the few public Kraken REST endpoints the system reads. Every call goes through a
 * shared {@linkcode RateLimiter}; throttling (`EGeneral:Too many requests`, HTTP 429), outages (5xx,
 * network errors, time-outs) are retried with backoff; anything else fails at once with a message
 * that names the URL.
 */
import { krakenRestPair } from "../../domain/pair.ts";
import { backoffDelay, type BackoffOptions } from "../backoff.ts";
import { failureReason } from "../failure_reason.ts";
import { RateLimiter } from "../rate_limiter.ts";
import { isAbort } from "../../util/abortable.ts";
import { type Logger, silent } from "../../util/log.ts";
import { KrakenApiError, parseServerTime, parseTradesPage, type TradesPage } from "./rest_messages.ts";

export const KRAKEN_REST_URL = "https://api.kraken.com";

export interface KrakenRestOptions {
  /** Base URL without the `/0/public` part. @default "https://api.kraken.com" */
  baseUrl?: string;
  /** Requests per second across all calls of this client. @default 1 */
  rate?: number;
  /** Shared limiter; overrides `rate`. */
  limiter?: RateLimiter;
  backoff?: BackoffOptions;
  /** Attempts per call before giving up. @default 10 */
  maxAttempts?: number;
  /** Per-request time-out, ms. @default 15000 */
  timeoutMs?: number;
  log?: Logger;
}

/** Counters a caller can report. */
export interface RestStats {
  requests: number;
  retries: number;
  throttled: number;
  /** Why the latest attempt failed, until one succeeds (throttling aside), e.g. for a status line. */
  lastError: string | undefined;
}

/** A failed HTTP exchange. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(message: string, readonly status: number, readonly retryAfterMs: number | undefined) {
    super(message);
  }
}

/** Trades per page: Kraken's maximum. */
export const PAGE_SIZE = 1000;

export class KrakenRest {
  readonly baseUrl: string;
  readonly stats: RestStats = { requests: 0, retries: 0, throttled: 0, lastError: undefined };
  #limiter: RateLimiter;
  #backoff: BackoffOptions;
  #maxAttempts: number;
  #timeoutMs: number;
  #log: Logger;

  constructor(options: KrakenRestOptions = {}) {
    this.baseUrl = (options.baseUrl ?? KRAKEN_REST_URL).replace(/\/+$/, "");
    this.#limiter = options.limiter ?? new RateLimiter(options.rate ?? 1);
    this.#backoff = { baseMs: 1000, maxMs: 60_000, ...options.backoff };
    this.#maxAttempts = options.maxAttempts ?? 10;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#log = options.log ?? silent;
  }

  /**
   * One page of trades for `pair` from `sinceNs` (nanoseconds since epoch, as Kraken's `last`);
   * the most recent page when `sinceNs` is absent.
   */
  async trades(pair: string, sinceNs: string | undefined, signal?: AbortSignal): Promise<TradesPage> {
    const params: Record<string, string> = { pair: krakenRestPair(pair), count: String(PAGE_SIZE) };
    if (sinceNs !== undefined) params.since = sinceNs;
    return await this.#get("Trades", params, (body) => parseTradesPage(body, pair), signal);
  }

  /** The exchange's clock, epoch ms. */
  async serverTime(signal?: AbortSignal): Promise<number> {
    return await this.#get("Time", {}, parseServerTime, signal);
  }

  async #get<T>(
    endpoint: string,
    params: Record<string, string>,
    parse: (body: unknown) => T,
    signal?: AbortSignal,
  ): Promise<T> {
    const url = `${this.baseUrl}/0/public/${endpoint}?${new URLSearchParams(params)}`;
    for (let attempt = 0;; attempt++) {
      await this.#limiter.take(signal);
      let error: unknown;
      let why = "";
      let waitMs: number | undefined;
      try {
        this.stats.requests++;
        const result = parse(await this.#fetchJson(url, signal));
        this.stats.lastError = undefined;
        return result;
      } catch (e) {
        if (isAbort(e, signal) && signal?.aborted) throw e;
        error = e;
        if (e instanceof KrakenApiError && !e.retryable) {
          throw new KrakenApiError(`Kraken ${endpoint} (${url}): ${e.message}`, false, { cause: e });
        }
        if (e instanceof HttpError && e.status < 500 && e.status !== 429 && e.status !== 408) throw e;
        if (e instanceof SyntaxError) {
          throw new Error(`Kraken ${endpoint} (${url}) sent a body that is not JSON`);
        }
        // A network error says only "fetch failed": its cause and the host are what a user can act on.
        why = e instanceof HttpError || e instanceof KrakenApiError
          ? e.message
          : `${failureReason(e)} (${this.baseUrl})`;
        if ((e instanceof HttpError && e.status === 429) || e instanceof KrakenApiError) {
          this.stats.throttled++;
          waitMs = e instanceof HttpError ? e.retryAfterMs : undefined;
        } else {
          this.stats.lastError = why;
        }
      }
      if (attempt + 1 >= this.#maxAttempts) {
        throw new Error(`Kraken ${endpoint} failed ${this.#maxAttempts} times, last: ${why}`, {
          cause: error,
        });
      }
      const delay = Math.max(waitMs ?? 0, backoffDelay(attempt, this.#backoff));
      this.stats.retries++;
      this.#log.warn(`${endpoint}: ${why}; retry ${attempt + 1} in ${delay} ms`);
      this.#limiter.pause(delay);
    }
  }

  async #fetchJson(url: string, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const res = await fetch(url, { signal: combined, headers: { accept: "application/json" } });
    if (!res.ok) {
      await res.body?.cancel();
      throw new HttpError(
        `HTTP ${res.status} from ${url}`,
        res.status,
        retryAfterMs(res.headers.get("retry-after")),
      );
    }
    return await res.json();
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
