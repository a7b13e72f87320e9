import { assert, assertEquals } from "../assert.ts";
import kafkajs from "kafkajs";
import { BusProducer, worthRetrying } from "../../src/bus/producer.ts";
import { BusUnavailableError } from "../../src/bus/kafka.ts";

// The error classes kafkajs itself throws (a CommonJS module: its exports come with the default).
const {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} = kafkajs;
// kafkajs's typings lag its constructors, which take a cause and a protocol error's fields.
const Wrapped = KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error;
const Protocol = KafkaJSProtocolError as unknown as new (
  e: { message: string; type: string; code: number; retriable: boolean },
) => Error;

Deno.test("a send kafkajs gave up retrying through an outage is worth retrying; a rejected one is not", () => {
  const outage = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
  const exhausted = new KafkaJSNumberOfRetriesExceeded(outage, { retryCount: 8, retryTime: 5000 });
  assertEquals(exhausted.retriable, false, "kafkajs marks it so");
  assertEquals(worthRetrying(exhausted), true);
  // An outer retrier wraps the inner one's verdict once more.
  assertEquals(worthRetrying(new Wrapped(exhausted, { cause: exhausted })), true);
  assertEquals(worthRetrying(outage), true);

  assertEquals(worthRetrying(new KafkaJSNonRetriableError("Invalid topic")), false);
  const tooLarge = new Protocol({
    message: "The request included a message larger than the max message size the server will accept",
    type: "MESSAGE_TOO_LARGE",
    code: 10,
    retriable: false,
  });
  assertEquals(worthRetrying(tooLarge), false);
  assertEquals(
    worthRetrying(new KafkaJSNumberOfRetriesExceeded(tooLarge, { retryCount: 0, retryTime: 0 })),
    false,
  );
  assertEquals(worthRetrying(new TypeError("x is undefined")), false);
});

/** A client whose sends never get an answer, as from a broker that holds the connection silently. */
function silentBroker(): Parameters<typeof BusProducer.connect>[0] {
  const producer = { connect: () => Promise.resolve(), send: () => new Promise(() => {}) };
  return { producer: () => producer } as unknown as Parameters<typeof BusProducer.connect>[0];
}

Deno.test("a send the broker never answers fails at the deadline, saying it got no answer", async () => {
  const producer = await BusProducer.connect(silentBroker(), { deadlineMs: 300 });
  const t0 = Date.now();
  const error = await producer.send("trades", [{ key: "BTC/USD", value: "{}" }]).then(
    () => undefined,
    (e) => e,
  );
  const took = Date.now() - t0;
  assert(error instanceof BusUnavailableError, String(error));
  assertEquals(error.message, "cannot produce to trades for 0 s: no answer");
  assert(took >= 300 && took < 1000, `${took} ms`);
});
