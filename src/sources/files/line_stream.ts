import { gunzip } from "./gunzip.ts";

/**
 * Splits text chunks into lines (`\n` or `\r\n`), numbered from 1. Flush emits the last line when
 * the text does not end with a newline; empty lines are skipped but still counted.
 */
export interface Line {
  n: number;
  text: string;
}

export class LineStream extends TransformStream<string, Line> {
  constructor() {
    let rest = "";
    let n = 0;
    super({
      transform(chunk, controller) {
        const text = rest + chunk;
        let start = 0;
        for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", start)) {
          n++;
          const end = i > start && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
          if (end > start) controller.enqueue({ n, text: text.slice(start, end) });
          start = i + 1;
        }
        rest = text.slice(start);
      },
      flush(controller) {
        n++;
        const text = rest.endsWith("\r") ? rest.slice(0, -1) : rest;
        if (text.length > 0) controller.enqueue({ n, text });
      },
    });
  }
}

/** A file's lines, gunzipped when the name ends in `.gz`. */
export async function fileLines(path: string): Promise<ReadableStream<Line>> {
  const file = await Deno.open(path);
  let bytes: ReadableStream<Uint8Array> = file.readable;
  if (path.endsWith(".gz")) bytes = gunzip(path, bytes);
  return bytes.pipeThrough(new TextDecoderStream()).pipeThrough(new LineStream());
}
