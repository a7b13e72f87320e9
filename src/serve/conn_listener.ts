/**
 * The app on connections this process accepts itself: `Deno.listen` accepts each one and Deno's
 * HTTP engine serves it (`serveHttpOnConnection`, the per-connection entry point `Deno.serve` is
 * built on, which Deno 2.9 keeps among its internals), so requests cost what they cost under
 * `Deno.serve`. What `Deno.serve` cannot do, this can: a sweep closes every connection that has
 * no request in flight and has been quiet too long — since connecting (`headersTimeoutMs`: silent,
 * or its headers still incomplete) or since its last answer (`idleTimeoutMs`). While
 * `maxConnections` are open, accepting pauses and new connections wait in the kernel's backlog.
 *
 * A request costs the sweep two counters and no clock read or promise: the sweep itself notes,
 * each time round, which connections have had a request since it last looked or have one in
 * flight, and measures their quiet from then on (so a connection is closed at least the timeout
 * after its last answer, and at most two sweeps later). A request is in flight until the handler's
 * answer is in hand: the engine sends a body given whole (a string or bytes, as the app's all are)
 * at once. Watching each response out through `info.completed` instead costs a promise chain per
 * request, about a quarter of what a bare `Deno.serve` spends on one.
 */
import type { Handler, Limits, Listening } from "./http_listener.ts";

type ServeOne = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>,
  onError: (error: unknown) => Response,
  onListen: () => void,
) => { finished: Promise<void> };

/** The runtime's per-connection HTTP entry point, where it has one. */
export function serveOnConnection(): ServeOne | undefined {
  const deno = Deno as unknown as { internal?: symbol } & Record<symbol, Record<string, unknown> | undefined>;
  const serve = deno.internal === undefined ? undefined : deno[deno.internal]?.serveHttpOnConnection;
  return typeof serve === "function" ? serve as ServeOne : undefined;
}

interface Connection {
  stop: AbortController;
  inFlight: number;
  /** Requests it has sent. */
  requests: number;
  /** Requests it has sent and answers given it after they were awaited: any moves its quiet on. */
  activity: number;
  /** `activity` when the sweep last looked. */
  seen: number;
  /** Since when it has been quiet, as far as the sweep knows: accepted, or last seen busy. */
  quietSince: number;
}

export function listenOnConnections(serve: ServeOne, handler: Handler, o: Limits): Listening {
  const listener = Deno.listen({ port: o.port, hostname: o.hostname });
  const open = new Set<Connection>();
  const closing = new Set<Promise<void>>();
  let room: (() => void) | null = null;
  let stopped = false;

  const sweep = setInterval(() => {
    const now = performance.now();
    for (const c of open) {
      if (c.activity !== c.seen || c.inFlight > 0) {
        c.seen = c.activity;
        c.quietSince = now;
        continue;
      }
      const answered = c.requests > 0;
      const limit = answered ? o.idleTimeoutMs : o.headersTimeoutMs;
      if (now - c.quietSince < limit || c.stop.signal.aborted) continue;
      c.stop.abort();
      o.onTimeout?.(answered ? "idle" : "headers");
    }
  }, Math.max(10, Math.min(1000, Math.min(o.headersTimeoutMs, o.idleTimeoutMs) / 4)));

  const onError = () => {
    o.onOwnAnswer?.(500);
    return new Response(null, { status: 500 });
  };
  const accepting = (async () => {
    for (;;) {
      if (open.size >= o.maxConnections) await new Promise<void>((r) => room = r);
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (stopped || e instanceof Deno.errors.BadResource) return;
        // Out of file descriptors, say: the connections open now will close, so try again soon.
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const c: Connection = {
        stop: new AbortController(),
        inFlight: 0,
        requests: 0,
        activity: 0,
        seen: 0,
        quietSince: performance.now(),
      };
      open.add(c);
      const answered = () => {
        c.inFlight--;
        c.activity++;
      };
      const served = serve(
        conn,
        c.stop.signal,
        (request) => {
          c.requests++;
          c.activity++;
          c.inFlight++;
          let answer: Response | Promise<Response>;
          try {
            answer = handler(request);
          } catch (e) {
            c.inFlight--;
            throw e;
          }
          if (answer instanceof Response) c.inFlight--;
          else answer.then(answered, answered);
          return answer;
        },
        onError,
        () => {},
      );
      // A reset by the peer rejects `finished`; the connection is gone either way.
      const closed: Promise<void> = served.finished.catch(() => {}).finally(() => {
        open.delete(c);
        closing.delete(closed);
        room?.();
        room = null;
      });
      closing.add(closed);
    }
  })();

  const stop = () => {
    stopped = true;
    clearInterval(sweep);
    listener.close();
    for (const c of open) c.stop.abort();
    room?.();
  };
  if (o.signal.aborted) stop();
  else o.signal.addEventListener("abort", stop, { once: true });
  const port = (listener.addr as Deno.NetAddr).port;
  o.onListen?.({ hostname: o.hostname, port });
  const finished = accepting.then(async () => void await Promise.all([...closing]));
  return { hostname: o.hostname, port, server: "connections", timeouts: ["headers", "idle"], finished };
}
