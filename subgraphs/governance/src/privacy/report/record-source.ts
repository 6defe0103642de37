import type { Readable } from "node:stream";
import { recordsOf } from "../archive/archive-records";

/**
 * The first `limit` records of a category file (`file` names it in errors), parsed one line
 * at a time from its stream: memory holds one record whatever the file's size, and the rest
 * of the file is never read (the stream is closed as soon as the limit is reached).
 */
export async function* readRecords(stream: Readable, format: "json" | "ndjson", limit: number, file: string): AsyncGenerator<unknown> {
  if (limit <= 0) {
    stream.destroy();
    return;
  }
  let read = 0;
  for await (const record of recordsOf(stream, format, file)) {
    yield record;
    read += 1;
    if (read >= limit) return;
  }
}
