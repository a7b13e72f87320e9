/**
 * A file's text as a stream of large decoded chunks, gunzipped when the name ends in `.gz`. A plain
 * file is read 1 MiB at a time into one buffer (a file's own `readable` hands out 64 KiB chunks,
 * each a new array and a stream hop); UTF-8 split between reads is joined by the decoder, and a
 * leading byte order mark is dropped. Cancelling the stream, or reading it to the end, closes the file.
 */
import { gunzip } from "./gunzip.ts";

/**
 * The text of `path`, read `readBytes` at a time (1 MiB by default; a gzipped file comes in the
 * decompressor's chunks).
 */
export async function fileText(path: string, readBytes = 1 << 20): Promise<ReadableStream<string>> {
  if (!Number.isInteger(readBytes) || readBytes <= 0) {
    throw new RangeError(`readBytes must be a positive integer, not ${readBytes}`);
  }
  const file = await Deno.open(path);
  if (path.endsWith(".gz")) return gunzip(path, file.readable).pipeThrough(new TextDecoderStream());
  const buffer = new Uint8Array(readBytes);
  const decoder = new TextDecoder();
  let open = true;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  return new ReadableStream<string>({
    async pull(controller) {
      try {
        for (;;) {
          const n = await file.read(buffer);
          if (n === null) {
            close();
            const tail = decoder.decode();
            if (tail.length > 0) controller.enqueue(tail);
            controller.close();
            return;
          }
          const text = decoder.decode(buffer.subarray(0, n), { stream: true });
          if (text.length > 0) {
            controller.enqueue(text);
            return;
          }
        }
      } catch (e) {
        close();
        throw e;
      }
    },
    cancel: close,
  });
}
