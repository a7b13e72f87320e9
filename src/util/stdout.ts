/**
 * Writes all of `bytes` to stdout. False when its reader has gone (`… | head` closed the pipe):
 * an export then stops quietly, as Unix tools do, rather than failing on "Broken pipe".
 */
export async function writeStdout(bytes: Uint8Array): Promise<boolean> {
  try {
    for (let done = 0; done < bytes.length;) done += await Deno.stdout.write(bytes.subarray(done));
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) return false;
    throw e;
  }
}
