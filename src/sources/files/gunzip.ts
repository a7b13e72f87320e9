/**
 * Gunzipping a file's bytes with the file named in what goes wrong: the platform's
 * `DecompressionStream` says only "corrupt gzip stream ..." or "invalid gzip header".
 */

/** A file whose content cannot be read as its name promises (a damaged or fake `.gz`). */
export class DamagedFileError extends Error {
  override name = "DamagedFileError";
  constructor(readonly path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
  }
}

/** The gunzipped `bytes` of `path`; a decompression failure errors the stream with a {@linkcode DamagedFileError}. */
export function gunzip(path: string, bytes: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = bytes
    .pipeThrough(new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>)
    .getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (e) {
        controller.error(
          new DamagedFileError(path, `damaged or truncated gzip (${(e as Error).message})`, { cause: e }),
        );
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
