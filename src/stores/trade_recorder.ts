/**
 * Appends trades to a file in the project's JSONL trade format. Opening it against a checkpoint
 * first cuts off anything written after that checkpoint (a process killed between writing trades
 * and saving the checkpoint), so a resumed job neither loses nor repeats a line.
 */
import type { Trade } from "../domain/trade.ts";
import { tradeToJsonLine } from "../domain/trade.ts";

const encoder = new TextEncoder();

export class TradeRecorder {
  #file: Deno.FsFile;
  #bytes: number;

  private constructor(readonly path: string, file: Deno.FsFile, bytes: number) {
    this.#file = file;
    this.#bytes = bytes;
  }

  /**
   * Opens `path` for appending. When `checkpointBytes` is given and the file is longer, it is
   * truncated to that length; `trimmed` says how many bytes went.
   */
  static async open(
    path: string,
    checkpointBytes?: number,
  ): Promise<{ recorder: TradeRecorder; trimmed: number }> {
    let size = 0;
    try {
      size = (await Deno.stat(path)).size;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    let trimmed = 0;
    if (checkpointBytes !== undefined && size > checkpointBytes) {
      await Deno.truncate(path, checkpointBytes);
      trimmed = size - checkpointBytes;
      size = checkpointBytes;
    }
    const file = await Deno.open(path, { append: true, create: true });
    return { recorder: new TradeRecorder(path, file, size), trimmed };
  }

  /** Bytes in the file after the last write. */
  get bytes(): number {
    return this.#bytes;
  }

  async write(trades: readonly Trade[]): Promise<void> {
    if (trades.length === 0) return;
    let text = "";
    for (const t of trades) text += tradeToJsonLine(t) + "\n";
    const data = encoder.encode(text);
    let written = 0;
    while (written < data.length) written += await this.#file.write(data.subarray(written));
    this.#bytes += data.length;
  }

  close(): void {
    this.#file.close();
  }
}
