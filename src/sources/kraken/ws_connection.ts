/**
 * One WebSocket connection with a watchdog. Frames are queued as they arrive (so the consumer may
 * be busy, e.g. filling a gap over REST, without the watchdog firing); when nothing at all has
 * arrived for half the idle time a ping is sent, and after the full idle time the connection is
 * closed as dead. Every way a connection ends is reported once, as a `closed` event.
 */
import { AsyncQueue } from "../../util/async_queue.ts";
import { pingRequest } from "./ws_messages.ts";

export type ConnectionEvent = { type: "frame"; text: string } | { type: "closed"; reason: string };

export interface ConnectionOptions {
  /** Close the connection when nothing arrives for this long, ms. @default 10000 */
  idleTimeoutMs?: number;
  /** Give up opening after this long, ms. @default 10000 */
  openTimeoutMs?: number;
  signal?: AbortSignal | undefined;
}

export class WsConnection {
  readonly events: AsyncQueue<ConnectionEvent> = new AsyncQueue();
  #ws: WebSocket;
  #lastAt = Date.now();
  #pinged = false;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #reqId = 1_000_000;
  #closed = false;

  private constructor(ws: WebSocket, idleTimeoutMs: number) {
    this.#ws = ws;
    ws.onmessage = (e) => {
      this.#lastAt = Date.now();
      this.#pinged = false;
      this.events.push({ type: "frame", text: typeof e.data === "string" ? e.data : String(e.data) });
    };
    ws.onclose = (e) => this.#end(`closed by the server (code ${e.code}${e.reason ? `, ${e.reason}` : ""})`);
    ws.onerror = (e) => this.#end(`connection error: ${(e as ErrorEvent).message ?? "unknown"}`);
    this.#watchdog = setInterval(() => {
      const idle = Date.now() - this.#lastAt;
      if (idle > idleTimeoutMs) {
        this.close(`no data for ${Math.round(idle / 1000)} s`);
      } else if (idle > idleTimeoutMs / 2 && !this.#pinged) {
        this.#pinged = true;
        this.send(pingRequest(this.#reqId++));
      }
    }, Math.max(50, Math.min(1000, idleTimeoutMs / 4)));
  }

  /** Opens a connection; rejects with a message naming the URL when it cannot. */
  static open(url: string, options: ConnectionOptions = {}): Promise<WsConnection> {
    const idle = options.idleTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch (cause) {
        return reject(new TypeError(`cannot open WebSocket ${url}: ${(cause as Error).message}`, { cause }));
      }
      const fail = (why: string) => {
        cleanup();
        try {
          ws.close();
        } catch { /* already closed */ }
        reject(new Error(`cannot connect to ${url}: ${why}`));
      };
      const timer = setTimeout(() => fail("timed out"), options.openTimeoutMs ?? 10_000);
      const onAbort = () => fail("aborted");
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
      };
      ws.onopen = () => {
        cleanup();
        resolve(new WsConnection(ws, idle));
      };
      ws.onerror = (e) => fail((e as ErrorEvent).message ?? "error");
      ws.onclose = (e) => fail(`closed (code ${e.code})`);
    });
  }

  send(text: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  /** Closes the connection; the consumer sees a `closed` event with `reason`. */
  close(reason = "closed by the client"): void {
    this.#end(reason);
  }

  #end(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    this.#ws.onmessage = null;
    this.#ws.onclose = null;
    this.#ws.onerror = null;
    try {
      this.#ws.close();
    } catch { /* already closing */ }
    this.events.push({ type: "closed", reason });
    this.events.close();
  }
}
