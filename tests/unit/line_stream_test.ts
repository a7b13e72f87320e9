import { assert, assertEquals } from "../assert.ts";
import { type Line, LineStream } from "../../src/sources/files/line_stream.ts";

const split = (chunks: string[]): Promise<Line[]> =>
  Array.fromAsync(ReadableStream.from(chunks).pipeThrough(new LineStream()));

Deno.test("LineStream() joins a 10 MB line that arrives in 1 KB chunks, and numbers the lines after it", async () => {
  const piece = "0123456789abcdef".repeat(64);
  const count = 10 * 1024;
  const chunks = [...Array.from({ length: count }, () => piece), "\r\nnext\n", "last"];
  const lines = await split(chunks);
  assertEquals(lines.map((l) => [l.n, l.text.length]), [[1, piece.length * count], [2, 4], [3, 4]]);
  const long = (lines[0] as Line).text;
  assert(long.startsWith(piece) && long.endsWith(piece), "the long line keeps its content");
  assertEquals(lines.slice(1), [{ n: 2, text: "next" }, { n: 3, text: "last" }]);
});

Deno.test("LineStream() strips a CR whose LF comes in the next chunk, even when the CR is a chunk alone", async () => {
  assertEquals(await split(["a\r", "\nb", "\r", "\n", "c\r\n"]), [
    { n: 1, text: "a" },
    { n: 2, text: "b" },
    { n: 3, text: "c" },
  ]);
});

Deno.test("LineStream() skips empty lines, CRLF ones included, but counts them", async () => {
  assertEquals(await split(["\n\r\n", "x\n", "\n", "\r", "\ny\n\n"]), [{ n: 3, text: "x" }, {
    n: 6,
    text: "y",
  }]);
});

Deno.test("LineStream() keeps a CR that is not before a newline, and strips one at the very end", async () => {
  assertEquals(await split(["a\rb\n", "c\r"]), [{ n: 1, text: "a\rb" }, { n: 2, text: "c" }]);
});

Deno.test("LineStream() emits a last line without a newline that spans several chunks", async () => {
  assertEquals(await split(["x\nab", "cd", "ef"]), [{ n: 1, text: "x" }, { n: 2, text: "abcdef" }]);
});

Deno.test("LineStream() emits nothing for empty input or empty chunks", async () => {
  assertEquals(await split([]), []);
  assertEquals(await split(["", "", ""]), []);
});
