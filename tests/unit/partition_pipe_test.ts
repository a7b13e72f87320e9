import { assertEquals, assertRejects } from "./../assert.ts";
import { PartitionPipe, type PipelineOf } from "../../src/bus/partition_pipe.ts";
import type { Checkpoint } from "../../src/bus/stage_checkpoints.ts";
import { emptyBatch } from "../../src/stages/batch.ts";
import { batchOf, trade } from "./stages/stage_helpers.ts";

type Count = { trades: number };
/** Counts trades; the sink fails on a batch holding trade id 13. */
const counting: PipelineOf<Count> = (slices, state, saved) =>
  slices.pipeTo(
    new WritableStream({
      async write(batch) {
        if (batch.trades.some((t) => t.trade_id === 13)) throw new Error("store unavailable");
        state.trades += batch.trades.length;
        await saved(batch, { ...state });
      },
    }),
  );

function pipeFrom(from: Checkpoint<Count>) {
  const saves: Checkpoint<Count>[] = [];
  const pipe = new PartitionPipe(counting, from, (cp) => {
    saves.push(structuredClone(cp));
    return Promise.resolve();
  });
  return { pipe, saves };
}

Deno.test("a partition pipe saves each slice's checkpoint, with its offset, before acknowledging it", async () => {
  const { pipe, saves } = pipeFrom({ offset: 4n, state: { trades: 5 } });
  await pipe.send(batchOf([trade("BTC/USD", 0, 1, 1), trade("BTC/USD", 1, 1, 2)]), 6n);
  assertEquals(saves, [{ offset: 6n, state: { trades: 7 } }]);
  await pipe.send(emptyBatch(), 9n);
  assertEquals(saves.at(-1), { offset: 9n, state: { trades: 7 } });
  pipe.close();
});

Deno.test("a partition pipe whose sink fails rejects that slice and every later one, saving nothing more", async () => {
  const { pipe, saves } = pipeFrom({ offset: -1n, state: { trades: 0 } });
  await assertRejects(() => pipe.send(batchOf([trade("BTC/USD", 0, 1, 13)]), 0n), Error, "store unavailable");
  await assertRejects(() => pipe.send(batchOf([trade("BTC/USD", 1, 1, 14)]), 1n), Error, "store unavailable");
  assertEquals(saves, []);
});

Deno.test("a closed partition pipe refuses slices", async () => {
  const { pipe } = pipeFrom({ offset: -1n, state: { trades: 0 } });
  pipe.close();
  await assertRejects(() => pipe.send(emptyBatch(), 0n), Error, "closed");
});
