/**
 * The local Kraken-compatible exchange: WS v2 at `/v2` and REST at `/0/public/...` on one port,
 * replaying a trade file on a clock that runs at real time × speed, with injected faults.
 *
 * It is built on `node:http` and `ws` rather than `Deno.serve` for one reason: a dropped
 * connection must be dropped abruptly (TCP torn down, no close frame), as a real network does it,
 * and only a raw socket can do that.
 */
import http from "node:http";
// @deno-types="@types/ws"
import { type WebSocket as NodeWebSocket, WebSocketServer } from "ws";
import { type Logger, silent } from "../util/log.ts";
import { type BookTrade, TradeBook } from "./book.ts";
import { SimClock } from "./clock.ts";
import { restApp, type RestStats } from "./rest_app.ts";
import { ackFrame, garbageFrame, HEARTBEAT, statusFrame, tradeFrame } from "./ws_frames.ts";

export interface SimOptions {
  book: TradeBook;
  /** Simulated seconds per real second. @default 1 */
  speed?: number;
  /** 0 picks a free port. @default 8787 */
  port?: number;
  /** @default "127.0.0.1" */
  hostname?: string;
  /** Drop every WS connection abruptly every this many real seconds; 0 disables. */
  dropEverySec?: number;
  /** Send a broken frame before every Nth frame of a connection; 0 disables. */
  malformedEvery?: number;
  /** Answer every Nth REST call with `EGeneral:Too many requests`; 0 disables. */
  throttleEvery?: number;
  /** Every this many real seconds, current connections go silent without closing; 0 disables. */
  stallEverySec?: number;
  /** @default 1000 */
  heartbeatMs?: number;
  /**
   * Where the simulated clock starts (default: the first trade). Starting later makes the trades
   * before it history, served at once by REST (a cold start's backfill, in the demo).
   */
  startAt?: number | undefined;
  /** Where the simulated clock stops and stays (default: it runs on); at least `startAt`. */
  stopAt?: number | undefined;
  log?: Logger;
}

export interface SimStats {
  connections: number;
  drops: number;
  stalls: number;
  malformed: number;
  tradesSent: number;
  rest: RestStats;
}

export interface SimServer {
  port: number;
  wsUrl: string;
  restUrl: string;
  clock: SimClock;
  stats: SimStats;
  /** Resolves when the clock has passed the file's last trade. */
  replayed: Promise<void>;
  close(): Promise<void>;
}

interface Session {
  ws: NodeWebSocket;
  pairs: Set<string>;
  stalled: boolean;
}

const TICK_MS = 20;
const MAX_TRADES_PER_FRAME = 100;

/**
 * Starts the simulator.
 *
 * @example
 * ```ts
 * const sim = await startSim({ book: new TradeBook(trades), speed: 60, port: 0 });
 * console.log(sim.wsUrl, sim.restUrl);
 * await sim.close();
 * ```
 */
export async function startSim(options: SimOptions): Promise<SimServer> {
  const { book } = options;
  const log = options.log ?? silent;
  const clock = new SimClock(options.startAt ?? book.firstTs, options.speed ?? 1, Date.now, options.stopAt);
  const { app, stats: restStats } = restApp(book, () => clock.now(), {
    throttleEvery: options.throttleEvery ?? 0,
  });
  const stats: SimStats = {
    connections: 0,
    drops: 0,
    stalls: 0,
    malformed: 0,
    tradesSent: 0,
    rest: restStats,
  };
  const sessions = new Set<Session>();
  const timers: ReturnType<typeof setInterval>[] = [];

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const response = await app.fetch(new Request(url, { method: req.method ?? "GET" }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
    }
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (!(req.url ?? "").startsWith("/v2")) {
      socket.end();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  let connectionSeq = 0n;
  const accept = (ws: NodeWebSocket) => {
    const session: Session = { ws, pairs: new Set(), stalled: false };
    sessions.add(session);
    stats.connections++;
    ws.on("close", () => sessions.delete(session));
    ws.on("error", () => sessions.delete(session));
    ws.on("message", (data) => onMessage(session, String(data)));
    connectionSeq++;
    send(session, statusFrame(14_281_233_948_163_174_045n + connectionSeq));
  };

  const send = (s: Session, text: string) => {
    if (!s.stalled && s.ws.readyState === 1) s.ws.send(text);
  };

  // Counted across connections, so the fault fires even when drops keep connections short.
  let framesSent = 0;
  const sendCounted = (s: Session, text: string) => {
    framesSent++;
    const n = options.malformedEvery ?? 0;
    if (n > 0 && framesSent % n === 0) {
      stats.malformed++;
      send(s, garbageFrame(stats.malformed, text));
    }
    send(s, text);
  };

  const onMessage = (s: Session, text: string) => {
    if (s.stalled) return;
    const timeIn = new Date().toISOString();
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = undefined;
    }
    // JSON that is not an object (`null`, a number, a list) is no request either: a client's bad
    // message gets an error frame, and never takes the exchange down for every other client.
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
      return send(s, ackFrame("unknown", undefined, undefined, timeIn, "Malformed request"));
    }
    return answer(s, msg as Record<string, unknown>, timeIn);
  };

  const answer = (s: Session, msg: Record<string, unknown>, timeIn: string) => {
    const method = String(msg.method);
    const params = (msg.params ?? {}) as Record<string, unknown>;
    if (method === "ping") {
      return send(s, ackFrame("pong", undefined, msg.req_id, timeIn).replace(',"success":true', ""));
    }
    if (method !== "subscribe" && method !== "unsubscribe") {
      return send(s, ackFrame(method, undefined, msg.req_id, timeIn, "Method not found"));
    }
    if (params.channel !== "trade") {
      return send(
        s,
        ackFrame(method, undefined, msg.req_id, timeIn, `Channel ${params.channel} not supported`),
      );
    }
    const symbols = Array.isArray(params.symbol) ? params.symbol.map(String) : [];
    const snapshot = params.snapshot !== false;
    for (const symbol of symbols) {
      if (!book.byPair.has(symbol)) {
        send(
          s,
          ackFrame(method, undefined, msg.req_id, timeIn, `Currency pair not supported ${symbol}`, symbol),
        );
        continue;
      }
      if (method === "unsubscribe") s.pairs.delete(symbol);
      else s.pairs.add(symbol);
      send(s, ackFrame(method, { channel: "trade", snapshot, symbol }, msg.req_id, timeIn));
      if (method === "subscribe" && snapshot) {
        const recent = book.latest(symbol, clock.now(), 50);
        if (recent.length > 0) sendCounted(s, tradeFrame(recent, "snapshot"));
      }
    }
  };

  let next = 0;
  let resolveReplayed: () => void = () => {};
  const replayed = new Promise<void>((r) => resolveReplayed = r);
  timers.push(setInterval(() => {
    const now = clock.now();
    const byPair = new Map<string, BookTrade[]>();
    while (next < book.all.length && (book.all[next] as BookTrade).ts <= now) {
      const t = book.all[next++] as BookTrade;
      let list = byPair.get(t.pair);
      if (!list) byPair.set(t.pair, list = []);
      list.push(t);
    }
    for (const [pair, trades] of byPair) {
      stats.tradesSent += trades.length;
      for (let i = 0; i < trades.length; i += MAX_TRADES_PER_FRAME) {
        const frame = tradeFrame(trades.slice(i, i + MAX_TRADES_PER_FRAME), "update");
        for (const s of sessions) if (s.pairs.has(pair)) sendCounted(s, frame);
      }
    }
    if (next === book.all.length && byPair.size > 0) {
      log.info(`replay passed the last trade (${book.all.length} trades)`);
      resolveReplayed();
    }
  }, TICK_MS));

  timers.push(setInterval(() => {
    for (const s of sessions) if (s.pairs.size > 0) send(s, HEARTBEAT);
  }, options.heartbeatMs ?? 1000));

  if (options.dropEverySec) {
    timers.push(setInterval(() => {
      for (const s of sessions) {
        stats.drops++;
        s.ws.terminate();
        sessions.delete(s);
      }
      log.info(`fault: dropped every connection (${stats.drops} drops so far)`);
    }, options.dropEverySec * 1000));
  }
  if (options.stallEverySec) {
    timers.push(setInterval(() => {
      for (const s of sessions) {
        if (!s.stalled) stats.stalls++;
        s.stalled = true;
      }
      log.info(`fault: stalled every connection (${stats.stalls} stalls so far)`);
    }, options.stallEverySec * 1000));
  }

  const hostname = options.hostname ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 8787, hostname, () => resolve());
    });
  } catch (e) {
    for (const t of timers) clearInterval(t);
    wss.close();
    if ((e as { code?: unknown }).code === "EADDRINUSE") {
      const address = `${hostname}:${options.port ?? 8787}`;
      throw new Error(
        `${address} is already in use, by another sim perhaps: stop it or choose another --port`,
        { cause: e },
      );
    }
    throw e;
  }
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port ?? 8787;

  return {
    port,
    wsUrl: `ws://${hostname}:${port}/v2`,
    restUrl: `http://${hostname}:${port}`,
    clock,
    stats,
    replayed,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sessions) s.ws.terminate();
      sessions.clear();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would otherwise hold close() open until they time out.
      server.closeAllConnections();
      await closed;
    },
  };
}
