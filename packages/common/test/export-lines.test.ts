/**
 * The export's pages travel as NDJSON with their record count in a header. What a data
 * subgraph sends must come back as the same records, and a body cut short anywhere (a
 * connection lost mid-page, a proxy's limit) must be refused rather than taken as a
 * shorter page: governance would checkpoint it as complete and erase what it missed.
 */
import fc from "fast-check";
import { exportHeaders, exportLinesOf, exportRecordsIn, receivedExportLines } from "../src/export-lines";
import { DataCategory } from "../src/enums";

const records = fc.array(fc.dictionary(fc.string({ unit: "binary", maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), { maxLength: 8 }) as fc.Arbitrary<Record<string, unknown>[]>;
const cursor = fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), { nil: null });

const sent = (page: Record<string, unknown>[], nextCursor: string | null) => {
  const lines = exportLinesOf({ category: DataCategory.TELEMETRY, records: page, nextCursor });
  return { lines, headers: exportHeaders(lines), body: Buffer.from(lines.ndjson, "utf8") };
};

describe("export pages as NDJSON", () => {
  it("gives back the records, their count and the cursor that were sent", () => {
    fc.assert(
      fc.property(records, cursor, (page, nextCursor) => {
        const { headers, body } = sent(page, nextCursor);
        const received = receivedExportLines(headers, body, "http://telemetry");
        expect(received.records).toBe(page.length);
        expect(received.nextCursor).toBe(nextCursor);
        // As JSON values: what JSON.parse(JSON.stringify(x)) is (e.g. -0 becomes 0).
        expect(exportRecordsIn(received)).toEqual(JSON.parse(JSON.stringify(page)));
      }),
    );
  });

  it("refuses a body cut short at any byte, and a count that does not match", () => {
    fc.assert(
      fc.property(records.filter((page) => page.length > 0), fc.nat(), (page, at) => {
        const { headers, body } = sent(page, null);
        const cut = body.subarray(0, at % body.length);
        expect(() => receivedExportLines(headers, cut, "http://telemetry")).toThrow(expect.objectContaining({ code: "UNAVAILABLE" }));
        expect(() => receivedExportLines({ ...headers, "x-dgg-export-records": String(page.length + 1) }, body, "http://telemetry")).toThrow(/announced/);
      }),
    );
    expect(() => receivedExportLines({}, Buffer.alloc(0), "http://telemetry")).toThrow(/x-dgg-export-records/);
  });
});
