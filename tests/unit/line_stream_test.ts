import { assert, assertEquals } from "../assert.ts";
import { fileLines, type Line, LineStream } from "../../src/sources/files/line_stream.ts";
import { LineSplitter } from "../../src/sources/files/line_splitter.ts";

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

Deno.test("fileLines() decodes a file as one text: a bad byte or a character cut off at the end becomes U+FFFD", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.txt`;
    // "é" is C3 A9 and "€" is E2 82 AC: a lone A9 is a bad byte, and the file ends inside a "€".
    await Deno.writeFile(
      path,
      new Uint8Array([0xEF, 0xBB, 0xBF, 0x61, 0xA9, 0x0A, 0xC3, 0xA9, 0x0D, 0x0A, 0x62, 0xE2, 0x82]),
    );
    assertEquals(await Array.fromAsync(await fileLines(path)), [
      { n: 1, text: "a\uFFFD" },
      { n: 2, text: "é" },
      { n: 3, text: "b\uFFFD" },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LineSplitter() hands on lines in place, and says when a line comes from another string than the one before", () => {
  const seen: [string, number, boolean][] = [];
  const splitter = new LineSplitter((text, start, end, n, fresh) =>
    seen.push([text.slice(start, end), n, fresh])
  );
  splitter.push("a\nb");
  splitter.push("c\r\nd\n\nf\ne");
  splitter.push("\ng\nh");
  splitter.end();
  assertEquals(seen, [
    ["a", 1, true],
    ["bc", 2, true],
    ["d", 3, true],
    ["f", 5, false],
    ["e", 6, true],
    ["g", 7, true],
    ["h", 8, true],
  ]);
});
