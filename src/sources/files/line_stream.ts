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
    // The unfinished line, kept in pieces: gluing it to each chunk and searching the glued text
    // again costs time quadratic in a line's length when a long line arrives in many chunks.
    let pending: string[] = [];
    let n = 0;
    const emit = (line: string, controller: TransformStreamDefaultController<Line>) => {
      n++;
      const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
      if (text.length > 0) controller.enqueue({ n, text });
    };
    super({
      transform(chunk, controller) {
        let start = 0;
        for (let i = chunk.indexOf("\n"); i >= 0; i = chunk.indexOf("\n", start)) {
          let line = chunk.slice(start, i);
          if (pending.length > 0) {
            pending.push(line);
            line = pending.join("");
            pending = [];
          }
          emit(line, controller);
          start = i + 1;
        }
        if (start < chunk.length) pending.push(start === 0 ? chunk : chunk.slice(start));
      },
      flush(controller) {
        emit(pending.join(""), controller);
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
