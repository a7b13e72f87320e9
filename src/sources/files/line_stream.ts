import { fileText } from "./file_text.ts";
import { LineSplitter } from "./line_splitter.ts";

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
    let controller: TransformStreamDefaultController<Line>;
    const splitter = new LineSplitter((text, start, end, n) => {
      controller.enqueue({ n, text: start === 0 && end === text.length ? text : text.slice(start, end) });
    });
    super({
      transform(chunk, c) {
        controller = c;
        splitter.push(chunk);
      },
      flush(c) {
        controller = c;
        splitter.end();
      },
    });
  }
}

/** A file's lines, gunzipped when the name ends in `.gz`. */
export async function fileLines(path: string): Promise<ReadableStream<Line>> {
  return (await fileText(path)).pipeThrough(new LineStream());
}
