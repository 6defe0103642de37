import type { IncomingHttpHeaders } from "node:http";
import { UnavailableError } from "./errors";
import type { ExportPage } from "./personal-data-contract";

/**
 * An export page as it travels (docs/decisions/0055): NDJSON, one record's JSON per line,
 * every line ending in "\n", with the record count and the next cursor in headers. The
 * archive's files hold records the same way (one per line), so governance writes and hashes
 * the body as it came, without serialising every record again (it parses each record once,
 * before the page is written: docs/decisions/0057).
 */
export interface ExportLines {
  /** `records` lines of JSON, each ending in "\n" (JSON.stringify never writes a raw newline). */
  ndjson: string;
  records: number;
  nextCursor: string | null;
}

/** A received export page: the body as it came, and what the headers say of it. */
export interface ReceivedExportLines {
  ndjson: Buffer;
  records: number;
  nextCursor: string | null;
}

export const EXPORT_CONTENT_TYPE = "application/x-ndjson";
/** The page's record count: governance checks it against the body's lines. */
export const EXPORT_RECORDS_HEADER = "x-dgg-export-records";
/** The cursor of the next page; absent on the last page. Cursors are base64url, safe in a header. */
export const EXPORT_NEXT_CURSOR_HEADER = "x-dgg-export-next-cursor";

/** A page of records as NDJSON (what an adapter that builds record objects returns through the route). */
export function exportLinesOf(page: ExportPage): ExportLines {
  let ndjson = "";
  for (const record of page.records) ndjson += `${JSON.stringify(record)}\n`;
  return { ndjson, records: page.records.length, nextCursor: page.nextCursor };
}

/** The headers an export page is answered with. */
export function exportHeaders(page: ExportLines): Record<string, string> {
  return { [EXPORT_RECORDS_HEADER]: String(page.records), ...(page.nextCursor === null ? {} : { [EXPORT_NEXT_CURSOR_HEADER]: page.nextCursor }) };
}

/** Counts the "\n" bytes of a body: its lines. */
function lineCount(body: Buffer): number {
  let lines = 0;
  for (let at = body.indexOf(10); at !== -1; at = body.indexOf(10, at + 1)) lines += 1;
  return lines;
}

/**
 * Reads an export page's answer. A body whose lines do not match the announced count, or
 * that does not end its last line, was cut or is not this contract's: UNAVAILABLE (the
 * export retries), so that a short page can never pass as a complete one.
 */
export function receivedExportLines(headers: IncomingHttpHeaders, body: Buffer, origin: string): ReceivedExportLines {
  const announced = headers[EXPORT_RECORDS_HEADER];
  const records = typeof announced === "string" && /^\d+$/.test(announced) ? Number(announced) : NaN;
  if (Number.isNaN(records)) throw new UnavailableError(`export page from ${origin} has no ${EXPORT_RECORDS_HEADER} header`);
  const lines = lineCount(body);
  if (lines !== records || (body.length > 0 && body[body.length - 1] !== 10)) {
    throw new UnavailableError(`export page from ${origin} announced ${records} records and holds ${lines} complete lines (${body.length} bytes)`);
  }
  const next = headers[EXPORT_NEXT_CURSOR_HEADER];
  return { ndjson: body, records, nextCursor: typeof next === "string" && next.length > 0 ? next : null };
}

/** The records of a received page, parsed (tests and tools; the export itself never parses them). */
export function exportRecordsIn(page: ReceivedExportLines): Record<string, unknown>[] {
  return page.ndjson
    .toString("utf8")
    .split("\n")
    .slice(0, -1)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
