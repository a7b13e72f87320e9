/**
 * The HTTP listener over real loopback sockets, driven by a raw TCP client: silent, slow and idle
 * connections are closed by the configured timeouts, and ordinary requests reach the handler.
 * Each test runs on both mechanisms: the connections this process accepts, and `node:http`.
 */
import { assert, assertEquals } from "../assert.ts";
import { Hono } from "hono";
import { gate } from "../../src/serve/gate.ts";
import { type Handler, listen, type ListenOptions } from "../../src/serve/http_listener.ts";
import { Metrics } from "../../src/serve/metrics.ts";
import { silent } from "../../src/util/log.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const SERVERS = ["connections", "node:http"] as const;

/**
 * A listener with short timeouts, answering every request with the method and path it got (or as
 * `handler` does).
 */
async function serveShort(
  server: typeof SERVERS[number],
  { handler, ...extra }: Partial<ListenOptions> & { handler?: Handler } = {},
) {
  const controller = new AbortController();
  const own: number[] = [];
  const timeouts: string[] = [];
  const listening = await listen(
    handler ?? ((req) => Response.json({ method: req.method, path: new URL(req.url).pathname })),
    {
      port: 0,
      hostname: "127.0.0.1",
      signal: controller.signal,
      headersTimeoutMs: 300,
      idleTimeoutMs: 300,
      onOwnAnswer: (status) => own.push(status),
      onTimeout: (kind) => timeouts.push(kind),
      server,
      ...extra,
    },
  );
  assertEquals(listening.server, server);
  return {
    port: listening.port,
    own,
    timeouts,
    reported: listening.timeouts,
    async close() {
      controller.abort();
      await listening.finished;
    },
  };
}

/**
 * Everything the server sends on `conn` until it closes the connection, or `null` when it is
 * still open at `deadlineMs` (far beyond any timeout configured here).
 */
async function readUntilClosed(conn: Deno.Conn, deadlineMs = 6000): Promise<string | null> {
  let text = "";
  const timer = setTimeout(() => conn.close(), deadlineMs);
  const buf = new Uint8Array(4096);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) return text;
      text += decoder.decode(buf.subarray(0, n));
    }
  } catch (e) {
    // Closed here at the deadline (BadResource/Interrupted), or reset by the server.
    if (e instanceof Deno.errors.ConnectionReset) return text;
    return null;
  } finally {
    clearTimeout(timer);
  }
}

for (const server of SERVERS) {
  Deno.test(`${server}: a connection that sends nothing is closed after the header timeout`, async () => {
    const srv = await serveShort(server);
    try {
      const conn = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
      const got = await readUntilClosed(conn);
      assert(got !== null, "the silent connection was still open");
      // node:http can still say why; the engine behind `connections` has nothing to answer.
      assertEquals(got.split("\r\n")[0], server === "node:http" ? "HTTP/1.1 408 Request Timeout" : "");
      assertEquals([srv.timeouts, srv.own], [["headers"], []]);
    } finally {
      await srv.close();
    }
  });

  Deno.test(`${server}: a client sending its headers slowly is cut off before it finishes them`, async () => {
    const srv = await serveShort(server);
    try {
      const conn = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
      await conn.write(encoder.encode("GET /slow HTTP/1.1\r\nHost: x\r\n"));
      let sent = 0;
      // One header line every 100 ms for 30 s, unless the server closes first.
      const dribble = setInterval(() => {
        sent++;
        conn.write(encoder.encode(`X-Slow-${sent}: 1\r\n`)).catch(() => clearInterval(dribble));
        if (sent >= 300) clearInterval(dribble);
      }, 100);
      const got = await readUntilClosed(conn);
      clearInterval(dribble);
      assert(got !== null, `still open after ${sent} header lines`);
      assertEquals(got.split("\r\n")[0], server === "node:http" ? "HTTP/1.1 408 Request Timeout" : "");
      assert(sent < 300, `${sent} header lines were read`);
      assertEquals(srv.timeouts, ["headers"]);
    } finally {
      await srv.close();
    }
  });

  Deno.test(`${server}: a kept-alive connection left idle after its response is closed`, async () => {
    const srv = await serveShort(server);
    try {
      const conn = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
      await conn.write(encoder.encode("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"));
      const got = await readUntilClosed(conn);
      assert(got !== null, "the idle connection was still open");
      assert(got.startsWith("HTTP/1.1 200"), got);
      assert(got.includes('{"method":"GET","path":"/first"}'), got);
      // node:http closes idle connections without telling, and says it does not report them.
      assertEquals([srv.timeouts, srv.own], [server === "node:http" ? [] : ["idle"], []]);
      assertEquals(srv.reported, server === "node:http" ? ["headers"] : ["headers", "idle"]);
    } finally {
      await srv.close();
    }
  });

  Deno.test(`${server}: a request answered after longer than the idle timeout is not cut off, nor is its connection right after`, async () => {
    const srv = await serveShort(server, {
      handler: async (req) => {
        if (new URL(req.url).pathname === "/slow") await new Promise((r) => setTimeout(r, 900));
        return Response.json({ path: new URL(req.url).pathname });
      },
    });
    try {
      const conn = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
      await conn.write(encoder.encode("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
      const buf = new Uint8Array(4096);
      const first = decoder.decode(buf.subarray(0, (await conn.read(buf)) ?? 0));
      assert(first.includes('{"path":"/slow"}'), first);
      // Well inside the idle timeout after the answer: the connection still serves.
      await new Promise((r) => setTimeout(r, 100));
      await conn.write(encoder.encode("GET /next HTTP/1.1\r\nHost: x\r\n\r\n"));
      const next = await readUntilClosed(conn);
      assert(next?.includes('{"path":"/next"}'), String(next));
      assertEquals(srv.own, []);
    } finally {
      await srv.close();
    }
  });

  Deno.test(`${server}: each request reaches the handler, HEAD is answered without a body, what is not HTTP with 400`, async () => {
    const srv = await serveShort(server, { idleTimeoutMs: 5000 });
    try {
      const base = `http://127.0.0.1:${srv.port}`;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${base}/n/${i}?q=1`, {
          method: i === 1 ? "POST" : "GET",
          body: i === 1 ? "x" : null,
        });
        assertEquals([res.status, await res.json()], [200, {
          method: i === 1 ? "POST" : "GET",
          path: `/n/${i}`,
        }]);
      }
      const head = await fetch(`${base}/h`, { method: "HEAD" });
      assertEquals([head.status, await head.text()], [200, ""]);
      const conn = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
      await conn.write(encoder.encode("NOT A REQUEST\r\n\r\n"));
      const bad = await readUntilClosed(conn);
      assert(bad?.startsWith("HTTP/1.1 400"), String(bad));
      assertEquals(srv.own, server === "node:http" ? [400] : []);
    } finally {
      await srv.close();
    }
  });
}

for (const server of SERVERS) {
  Deno.test(`${server}: the app answers HEAD with the length of the body GET gets, and no body`, async () => {
    const app = new Hono().get("/x", (c) => c.json({ answer: "forty-two" }));
    const fetch_ = gate(app.fetch, { metrics: new Metrics(), log: silent, routeOf: () => "/x" });
    const srv = await serveShort(server, { handler: (req) => fetch_(req) });
    try {
      const base = `http://127.0.0.1:${srv.port}`;
      const get = await fetch(`${base}/x`);
      const length = String(new TextEncoder().encode(await get.text()).byteLength);
      const head = await fetch(`${base}/x`, { method: "HEAD" });
      assertEquals(
        [
          head.status,
          head.headers.get("content-length"),
          head.headers.get("content-type"),
          await head.text(),
        ],
        [200, length, "application/json", ""],
      );
    } finally {
      await srv.close();
    }
  });
}

Deno.test("connections: while maxConnections are open, a new connection waits for one to close", async () => {
  const srv = await serveShort("connections", { maxConnections: 2, headersTimeoutMs: 10_000 });
  const first = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
  const second = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
  const third = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
  try {
    await third.write(encoder.encode("GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const answer = readUntilClosed(third);
    const early = await Promise.race([answer, new Promise((r) => setTimeout(() => r("waiting"), 500))]);
    assertEquals(early, "waiting");
    first.close();
    const got = await answer;
    assert(got?.includes('{"method":"GET","path":"/third"}'), String(got));
  } finally {
    second.close();
    await srv.close();
  }
});

Deno.test("node:http: beyond maxConnections a new connection is closed unanswered", async () => {
  const srv = await serveShort("node:http", { maxConnections: 1, headersTimeoutMs: 10_000 });
  const first = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const second = await Deno.connect({ port: srv.port, hostname: "127.0.0.1" });
    await second.write(encoder.encode("GET /second HTTP/1.1\r\nHost: x\r\n\r\n")).catch(() => {});
    assertEquals(await readUntilClosed(second), "");
  } finally {
    first.close();
    await srv.close();
  }
});

Deno.test("the listener refuses a limit that is not positive, naming it", async () => {
  const signal = new AbortController().signal;
  for (const name of ["headersTimeoutMs", "idleTimeoutMs", "maxConnections"] as const) {
    let message = "";
    try {
      await listen(() => new Response(), { port: 0, hostname: "127.0.0.1", signal, [name]: 0 });
    } catch (e) {
      message = (e as Error).message;
    }
    assert(message.startsWith(`${name} must be positive`), message);
  }
});

for (const server of SERVERS) {
  Deno.test(`${server}: a port already in use is an error naming the address and --port`, async () => {
    const first = await serveShort(server);
    try {
      const controller = new AbortController();
      let message = "";
      try {
        const second = await listen(() => new Response("no"), {
          port: first.port,
          hostname: "127.0.0.1",
          signal: controller.signal,
          server,
        });
        controller.abort();
        await second.finished;
      } catch (e) {
        message = (e as Error).message;
      }
      assertEquals(
        message,
        `127.0.0.1:${first.port} is already in use, by another serve or demo perhaps: stop it or choose another --port`,
      );
    } finally {
      await first.close();
    }
  });
}
