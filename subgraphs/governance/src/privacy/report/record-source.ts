import type { Readable } from "node:stream";
import { archiveLines } from "../archive/archive-lines";
import { recordText } from "../archive/archive-layout";

/**
 * The first `limit` records of a category file (`file` names it in errors), parsed one line
 * at a time from its stream: memory holds one record whatever the file's size, and the rest
 * of the file is never read (the stream is closed as soon as the limit is reached).
 */
export async function* readRecords(stream: Readable, format: "json" | "ndjson", limit: number, file: string): AsyncGenerator<unknown> {
  const lines = archiveLines(stream);
  let read = 0;
  let lineNo = 0;
  try {
    if (limit <= 0) return;
    for await (const line of lines) {
      lineNo += 1;
      const text = recordText(format, line);
      if (text === null) continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch {
        // Pages go into the archive as the data subgraph sent them: a broken one is named, and nothing is erased.
        throw new Error(`${file} line ${lineNo} is not a JSON record`);
      }
      yield record;
      read += 1;
      if (read >= limit) return;
    }
  } finally {
    stream.destroy();
  }
}
