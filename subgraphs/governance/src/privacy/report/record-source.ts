import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { recordText } from "../archive/archive-layout";

/**
 * The first `limit` records of a category file, parsed one line at a time from its stream:
 * memory holds one record whatever the file's size, and the rest of the file is never
 * read (the stream is closed as soon as the limit is reached).
 */
export async function* readRecords(stream: Readable, format: "json" | "ndjson", limit: number): AsyncGenerator<unknown> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let read = 0;
  try {
    if (limit <= 0) return;
    for await (const line of lines) {
      const text = recordText(format, line);
      if (text === null) continue;
      yield JSON.parse(text) as unknown;
      read += 1;
      if (read >= limit) return;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
