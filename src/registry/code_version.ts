/** The commit the code was built from (a model card's `code_version`), read from .git without running git. */
export async function codeVersion(root = new URL("../../", import.meta.url).pathname): Promise<string> {
  try {
    const head = (await Deno.readTextFile(`${root}.git/HEAD`)).trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    try {
      return (await Deno.readTextFile(`${root}.git/${ref}`)).trim().slice(0, 12);
    } catch {
      const packed = await Deno.readTextFile(`${root}.git/packed-refs`);
      const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
      return line ? line.slice(0, 12) : "unknown";
    }
  } catch {
    return "unknown";
  }
}
