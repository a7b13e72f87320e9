/**
 * The one way the project replaces a file it must never leave half-written (checkpoints, the
 * registry's cards and promotion pointer, the seen-news ids, the data dir's market): the bytes go
 * to a temporary file beside the target, are flushed to disk, and the temporary file is renamed
 * over the target. A kill at any moment leaves the old file or the new one; the flush before the
 * rename keeps a power cut from leaving the new name on an empty file.
 */

let written = 0;
const encoder = new TextEncoder();

/** The directory part of `path` ("" for a bare name). */
function dirOf(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf("/")));
}

/**
 * Writes `data` to `path` atomically, creating its directory when missing. Concurrent writers of
 * the same path each use their own temporary file, so the last rename wins whole.
 *
 * @example
 * ```ts
 * await writeFileAtomic("./data/checkpoints/ingest.json", JSON.stringify(state) + "\n");
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirOf(path);
  if (dir) await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${++written}`;
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  try {
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}
