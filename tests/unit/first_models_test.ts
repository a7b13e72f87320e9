import { assert, assertEquals } from "../assert.ts";
import { FirstModels } from "../../src/system/first_models.ts";
import { silent } from "../../src/util/log.ts";
import { MemoryRegistry } from "../memory_ports.ts";

Deno.test("a series whose first training fails is reported as failed with the error, then retried", async () => {
  const errors: string[] = [];
  let rows = 300;
  const trainer = new FirstModels({
    predictors: [{ pair: "BTC/USD", current: null, refresh: () => Promise.resolve(null) }],
    // No rows to train on: the dataset cannot be built, so the run fails rather than loses.
    history: {
      counts: () => Promise.resolve([{ pair: "BTC/USD", window: "1m", rows, first: 0, last: 0 }]),
      trainingRows: () => Promise.resolve([]),
    },
    registry: new MemoryRegistry(),
    window: "1m",
    horizon: 1,
    minRows: 200,
    budget: 1,
    log: { ...silent, error: (m: string) => errors.push(m) },
    onTraining: () => {},
  });
  assertEquals(await trainer.step(), []);
  assertEquals(errors.length, 1);
  const failure = errors[0]!.replace("BTC/USD: training failed: ", "");
  const [why] = await trainer.step();
  assertEquals(why, `BTC/USD's training failed on 300 candles: ${failure} (retrying at 450 candles)`);
  rows = 450;
  assertEquals(await trainer.step(), []);
  assert(errors[1]?.startsWith("BTC/USD: training failed: "), errors[1]);
});
