/**
 * What the simulator answers a client's WebSocket requests, bad ones included: a request it cannot
 * read gets Kraken's error frame on that connection, and the exchange goes on serving.
 */
import { assertEquals } from "../assert.ts";
import { syntheticTrades, withSim } from "../helpers.ts";

/** Opens a socket and returns a function that sends a text and resolves with the next non-heartbeat frame. */
async function client(
  url: string,
): Promise<{ ask: (text: string) => Promise<Record<string, unknown>>; close: () => void }> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  let wake: () => void = () => {};
  ws.onmessage = (e) => {
    const frame = JSON.parse(String(e.data));
    if (frame.channel === "heartbeat" || frame.channel === "status") return;
    frames.push(frame);
    wake();
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const next = async () => {
    while (frames.length === 0) await new Promise<void>((resolve) => wake = resolve);
    return frames.shift()!;
  };
  return {
    ask: (text) => {
      ws.send(text);
      return next();
    },
    close: () => ws.close(),
  };
}

Deno.test("the simulator answers JSON that is not an object as a malformed request and goes on serving", async () => {
  await withSim(syntheticTrades(10), { heartbeatMs: 60_000 }, async (sim) => {
    const c = await client(sim.wsUrl);
    try {
      for (const text of ["null", "7", "[]", '"subscribe"', "not json"]) {
        const frame = await c.ask(text);
        assertEquals([frame.error, frame.success], ["Malformed request", false], text);
      }
      const pong = await c.ask('{"method":"ping","req_id":3}');
      assertEquals([pong.method, pong.req_id], ["pong", 3]);
    } finally {
      c.close();
    }
  });
});
