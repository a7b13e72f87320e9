/**
 * The app on Deno's `node:http` server, whose own timers enforce the limits: `headersTimeout`
 * answers 408 and closes a connection that has not sent a complete request's headers in time,
 * and `keepAliveTimeout` closes an idle one (Deno's `node:http` keeps it one second more, so a
 * client that honours the advertised `Keep-Alive: timeout` closes first). Beyond
 * `maxConnections`, a new connection is closed as it arrives.
 *
 * The API reads no request bodies: a body sent with a request is discarded, not forwarded.
 */
import http from "node:http";
import type { Socket } from "node:net";
import type { Handler, Limits, Listening } from "./http_listener.ts";

export async function listenOnNodeHttp(handler: Handler, o: Limits): Promise<Listening> {
  const headersTimeout = o.headersTimeoutMs;
  const server = http.createServer({
    headersTimeout,
    // node:http refuses a request timeout shorter than the headers'; bodies are not read anyway.
    requestTimeout: 3 * headersTimeout,
    keepAliveTimeout: o.idleTimeoutMs,
    // How often expired header timers are looked for: a fraction of the timeout.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, headersTimeout / 4)),
  }, (req, res) => void respond(handler, base, req, res, o.onOwnAnswer));
  server.maxConnections = o.maxConnections;
  server.on("clientError", (err: Error & { code?: string }, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const status = err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? 408
      : err.code === "HPE_HEADER_OVERFLOW"
      ? 431
      : 400;
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    if (status === 408) o.onTimeout?.("headers");
    else o.onOwnAnswer?.(status);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const base = `http://${o.hostname.includes(":") ? `[${o.hostname}]` : o.hostname}:${port}`;
  const finished = new Promise<void>((resolve) => server.once("close", () => resolve()));
  const stop = () => {
    server.close();
    server.closeAllConnections();
  };
  if (o.signal.aborted) stop();
  else o.signal.addEventListener("abort", stop, { once: true });
  o.onListen?.({ hostname: o.hostname, port });
  return { hostname: o.hostname, port, server: "node:http", timeouts: ["headers"], finished };
}

async function respond(
  handler: Handler,
  base: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  onOwnAnswer: ((status: number) => void) | undefined,
): Promise<void> {
  req.resume();
  let request: Request | null = null;
  try {
    const target = req.url ?? "/";
    const url = target.startsWith("/") ? base + target : new URL(target, base).href;
    // node:http has joined repeated headers already, as Headers would.
    const headers = req.headers as Record<string, string>;
    request = new Request(url, { method: req.method ?? "GET", headers });
  } catch {
    // A request target or a header that URL or Headers refuses: nothing the app could read.
  }
  let response: Response | null = null;
  try {
    if (request) response = await handler(request);
  } catch {
    // The app answers its own errors; this is one it could not.
  }
  if (!response) {
    response = new Response(null, { status: request ? 500 : 400 });
    onOwnAnswer?.(response.status);
  }
  // text(), not body: reading `body` would turn a string body into a stream to drain.
  const body = req.method === "HEAD" ? undefined : await response.text();
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => out[k] = v);
  res.writeHead(response.status, out);
  res.end(body);
}
