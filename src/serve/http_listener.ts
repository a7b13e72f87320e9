/**
 * The HTTP/1.1 server `serve` runs the app on, with the limits an exposed server needs: a
 * connection that has sent no complete request within `headersTimeoutMs` of connecting (silent,
 * or sending its headers slowly) is closed, so is one left idle for `idleTimeoutMs` after a
 * response, and at most `maxConnections` are open at once.
 *
 * `Deno.serve` (Deno 2.9) has none of these: its options are port, host, signal and TLS, and a
 * silent connection stays open for good. Two mechanisms enforce them:
 * - `connections`: this process accepts each connection itself and hands it to Deno's HTTP
 *   engine, then closes it when it has been quiet too long (`conn_listener.ts`). As fast and as
 *   small as `Deno.serve`, but the per-connection entry point is one of the runtime's internals,
 *   so it is used only where the runtime has it;
 * - `node:http`: Deno's `node:http` server, whose `headersTimeout` and `keepAliveTimeout` it
 *   enforces itself, with a 408 (`node_listener.ts`). Public, but about half the requests/s and
 *   half again the memory under load; the fallback.
 * The Deno Deploy entry keeps `Deno.serve`: Deploy owns the connections there.
 */
import { listenOnConnections, serveOnConnection } from "./conn_listener.ts";
import { listenOnNodeHttp } from "./node_listener.ts";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface ListenOptions {
  port: number;
  hostname: string;
  /** Closes the server and every connection. */
  signal: AbortSignal;
  /** ms a new connection has to deliver its first request's headers. @default {10_000} */
  headersTimeoutMs?: number;
  /** ms a connection may stay idle after a response before it is closed. @default {5_000} */
  idleTimeoutMs?: number;
  /** Connections open at once. @default {1024} */
  maxConnections?: number;
  /** Which mechanism; by default `connections` where the runtime has it, else `node:http`. */
  server?: "connections" | "node:http";
  onListen?: (addr: { hostname: string; port: number }) => void;
  /** A connection closed by a timeout: `headers` (no complete request in time) or `idle`. */
  onTimeout?: (kind: "headers" | "idle") => void;
  /** The status of each answer given without the app (a request it could not parse, a crash). */
  onOwnAnswer?: (status: number) => void;
}

/** `ListenOptions` with every limit given. */
export type Limits =
  & ListenOptions
  & Required<Pick<ListenOptions, "headersTimeoutMs" | "idleTimeoutMs" | "maxConnections">>;

export interface Listening {
  hostname: string;
  port: number;
  /** Which mechanism serves. */
  server: "connections" | "node:http";
  /** The timeouts `onTimeout` reports here: `node:http` closes idle connections without a word. */
  timeouts: readonly ("headers" | "idle")[];
  /** Resolves once the server and its connections are closed. */
  finished: Promise<void>;
}

/**
 * Serves `handler` on `hostname:port` until `signal` aborts.
 *
 * @example
 * ```ts
 * const { port, finished } = await listen(app.fetch, { port: 8000, hostname: "127.0.0.1", signal });
 * await finished;
 * ```
 */
export async function listen(handler: Handler, o: ListenOptions): Promise<Listening> {
  const limits: Limits = {
    ...o,
    headersTimeoutMs: positive("headersTimeoutMs", o.headersTimeoutMs ?? 10_000),
    idleTimeoutMs: positive("idleTimeoutMs", o.idleTimeoutMs ?? 5_000),
    maxConnections: positive("maxConnections", o.maxConnections ?? 1024),
  };
  const serve = serveOnConnection();
  if (o.server === "connections" && !serve) {
    throw new Error("this Deno cannot serve one connection at a time: use server node:http");
  }
  try {
    if (serve && o.server !== "node:http") return listenOnConnections(serve, handler, limits);
    return await listenOnNodeHttp(handler, limits);
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse || (e as { code?: unknown }).code === "EADDRINUSE") {
      throw new Error(
        `${o.hostname}:${o.port} is already in use, by another serve or demo perhaps: stop it or choose another --port`,
        { cause: e },
      );
    }
    throw e;
  }
}

function positive(name: string, n: number): number {
  if (!(n > 0)) throw new RangeError(`${name} must be positive, got ${n}`);
  return n;
}
