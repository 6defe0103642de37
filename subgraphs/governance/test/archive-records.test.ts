/**
 * Records are parsed before they go into a category file, and read back as records when a
 * resumed attempt rebuilds its hash: the line numbers an error names must be the file's own,
 * in both layouts (NDJSON, and the JSON array whose line 1 is "["), and reading a file back,
 * whole or cut at a checkpoint, must give every record written so far.
 */
import { Readable } from "node:stream";
import fc from "fast-check";
import { JSON_CLOSING, JSON_OPENING, pageBytes } from "../src/privacy/archive/archive-layout";
import { checkPageRecords, firstLineOfPage, NotARecordError, recordsOf } from "../src/privacy/archive/archive-records";

const ndjsonOf = (records: unknown[]) => Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join(""), "utf8");

/** A category file as the export writes it, page by page, with the file line of each page's first record. */
function writtenFile(format: "json" | "ndjson", pages: unknown[][], closed: boolean): { bytes: Buffer; firstLines: number[] } {
  const parts: Buffer[] = format === "json" ? [Buffer.from(JSON_OPENING)] : [];
  const firstLines: number[] = [];
  let written = 0;
  for (const page of pages) {
    firstLines.push(firstLineOfPage(format, written));
    parts.push(pageBytes(format, ndjsonOf(page), written));
    written += page.length;
  }
  if (closed && format === "json") parts.push(Buffer.from(JSON_CLOSING));
  return { bytes: Buffer.concat(parts), firstLines };
}

async function readBack(format: "json" | "ndjson", bytes: Buffer): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const record of recordsOf(Readable.from([bytes]), format, "file")) records.push(record);
  return records;
}

describe("archive records", () => {
  const record = fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

  it("reads back every record written, from a finished file or one cut at a checkpoint, and numbers lines as the file does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("json" as const, "ndjson" as const), fc.array(fc.array(record, { maxLength: 4 }), { maxLength: 4 }), fc.boolean(), async (format, pages, closed) => {
        const { bytes, firstLines } = writtenFile(format, pages, closed);
        expect(await readBack(format, bytes)).toEqual(pages.flat().map((one) => JSON.parse(JSON.stringify(one))));
        // The line each page's first record starts on is that record's line in the file.
        const lines = bytes.toString("utf8").split("\n");
        pages.forEach((page, index) => {
          if (page.length === 0) return;
          expect(JSON.parse(lines[firstLines[index]! - 1]!.replace(/,$/, ""))).toEqual(JSON.parse(JSON.stringify(page[0])));
        });
      }),
      { numRuns: 200 },
    );
  });

  it("names the file and line of a record that is not JSON, before the page is written and when it is read back", async () => {
    const page = Buffer.from('{"a":1}\n{"a":2}\n{broken\n', "utf8");
    expect(() => checkPageRecords(page, "service-data.json", firstLineOfPage("json", 10))).toThrow(new NotARecordError("service-data.json", 14));
    expect(() => checkPageRecords(page, "telemetry.ndjson", firstLineOfPage("ndjson", 0))).toThrow("telemetry.ndjson line 3 is not a JSON record");
    expect(() => checkPageRecords(ndjsonOf([{ a: 1 }, "x", 3]), "telemetry.ndjson", 1)).not.toThrow();
    const { bytes } = writtenFile("json", [[{ a: 1 }], [{ b: 2 }]], false);
    const broken = Buffer.from(bytes.toString("utf8").replace('{"b":2}', '{"b":2'), "utf8");
    await expect(readBack("json", broken)).rejects.toThrow("file line 3 is not a JSON record");
  });
});
