import type { Readable } from "node:stream";
import { archiveLines } from "./archive-lines";
import { recordText } from "./archive-layout";

/**
 * A line of a category file that is not a JSON record. Pages go into the archive as the data
 * subgraph sent them (docs/decisions/0055): a broken one is named by file and line, and the
 * request goes no further, so nothing is erased.
 */
export class NotARecordError extends Error {
  constructor(file: string, line: number) {
    super(`${file} line ${line} is not a JSON record`);
  }
}

/** The record on line `line` of `file`, parsed. */
export function parseRecord(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new NotARecordError(file, line);
  }
}

/** The file's line number of a page's first record, after `recordsBefore` records: a JSON array file's line 1 is its "[". */
export function firstLineOfPage(format: "json" | "ndjson", recordsBefore: number): number {
  return recordsBefore + (format === "json" ? 2 : 1);
}

/**
 * Parses every record of an export page (NDJSON of complete lines, as received) before it is
 * written: what the archive holds was each a JSON record when it went in. `firstLine` is the
 * file's line number of the page's first record.
 */
export function checkPageRecords(ndjson: Buffer, file: string, firstLine: number): void {
  let line = firstLine;
  let start = 0;
  for (let end = ndjson.indexOf(0x0a); end !== -1; end = ndjson.indexOf(0x0a, start)) {
    parseRecord(ndjson.toString("utf8", start, end), file, line);
    line += 1;
    start = end + 1;
  }
}

/**
 * The records of a category file read as a stream, parsed one at a time (memory holds one,
 * whatever the file's size); `onChunk` sees every byte first. Stops reading when the reader
 * stops.
 */
export async function* recordsOf(stream: Readable, format: "json" | "ndjson", file: string, onChunk?: (chunk: Buffer) => void): AsyncGenerator<unknown> {
  let line = 0;
  try {
    for await (const text of archiveLines(stream, onChunk)) {
      line += 1;
      const record = recordText(format, text);
      if (record !== null) yield parseRecord(record, file, line);
    }
  } finally {
    stream.destroy();
  }
}
