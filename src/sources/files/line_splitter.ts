/**
 * The line splitter under every file source. Lines end at `\n`, with one `\r` before it (or at
 * the very end of the text) dropped; they are numbered from 1, and empty ones are counted but not
 * handed on.
 *
 * A line inside a chunk is handed on as a range of that chunk, so the caller can read it in place
 * without copying it. Only a line that spans chunks is glued into a string of its own, once, from
 * the pieces kept for it: gluing the rest of a chunk onto the next one and searching it again would
 * cost a copy per chunk, and time quadratic in the length of a line that arrives in many chunks.
 */

/**
 * Receives one non-empty line: `text.slice(start, end)`, numbered `n`; `fresh` when `text` is
 * not the string of the line before, so that what was learnt about that string can be dropped.
 */
export type LineSink = (text: string, start: number, end: number, n: number, fresh: boolean) => void;

export class LineSplitter {
  #pending: string[] = [];
  #n = 0;
  #fresh = true;
  readonly #sink: LineSink;

  constructor(sink: LineSink) {
    this.#sink = sink;
  }

  /** Hands on every line that `chunk` completes; keeps the unfinished end for the next chunk. */
  push(chunk: string): void {
    let i = chunk.indexOf("\n");
    if (i < 0) {
      if (chunk.length > 0) this.#pending.push(chunk);
      return;
    }
    let start = 0;
    if (this.#pending.length > 0) {
      this.#pending.push(chunk.slice(0, i));
      const line = this.#pending.join("");
      this.#pending = [];
      start = i + 1;
      i = chunk.indexOf("\n", start);
      this.#fresh = true;
      this.#line(line, 0, line.length);
    }
    this.#fresh = true;
    for (; i >= 0; i = chunk.indexOf("\n", start)) {
      const from = start;
      start = i + 1;
      this.#line(chunk, from, i);
    }
    if (start < chunk.length) this.#pending.push(start === 0 ? chunk : chunk.slice(start));
  }

  /** Hands on the last line when the text does not end with a newline. */
  end(): void {
    const line = this.#pending.join("");
    this.#pending = [];
    this.#fresh = true;
    this.#line(line, 0, line.length);
  }

  #line(text: string, start: number, end: number): void {
    const n = ++this.#n;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end > start) {
      const fresh = this.#fresh;
      this.#fresh = false;
      this.#sink(text, start, end, n, fresh);
    }
  }
}
