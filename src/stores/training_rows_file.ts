/**
 * An exported training-rows file read a chunk of rows at a time, so the dataset is built as it is
 * read (`datasetFromChunks`): neither the file's text nor one object per row is ever held whole,
 * which keeps a retraining Worker's memory to the dataset's numbers on a long `--train-window`.
 */
import type { TrainingRow } from "../domain/feature_row.ts";
import { fileLines } from "../sources/files/line_stream.ts";
import { csvRowReader } from "./training_rows.ts";

/** Rows per chunk, as the offline store's own chunked read hands them. */
export const FILE_CHUNK_ROWS = 2048;

export async function* trainingRowChunksFromFile(
  file: string,
  others: readonly string[],
  size = FILE_CHUNK_ROWS,
): AsyncGenerator<TrainingRow[]> {
  let read: ((line: string) => TrainingRow) | null = null;
  let chunk: TrainingRow[] = [];
  for await (const { text } of await fileLines(file)) {
    if (read === null) {
      read = csvRowReader(text, others);
      continue;
    }
    chunk.push(read(text));
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
