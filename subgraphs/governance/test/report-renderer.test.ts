/**
 * Scenario: a person opens report.html from their archive. It is valid, self-contained HTML
 * that shows every value they hold as text (however hostile), at most the row cap per
 * category with a pointer to the complete file, and it comes out byte for byte the same
 * every time it is rendered from the same stored values. Reading a category file for it
 * stops at the cap, whatever the file's size.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReadStream } from "node:fs";
import { DataCategory, Region, StorageKind } from "@dgg/common";
import { FileSystemBlobStore } from "../src/blob/blob-store";
import { escapeHtml } from "../src/privacy/report/html";
import { readRecords } from "../src/privacy/report/record-source";
import { renderReport } from "../src/privacy/report/report-renderer";
import type { ReportCategory, ReportInput } from "../src/privacy/report/report-renderer";
import { foreignMarkup, htmlProblems } from "../../../test/support/report-html";

const HOSTILE_NAME = `<script>alert("dn")</script>"><img src=x onerror=alert(1)>`;
const HOSTILE_KEY = `"><svg onload=alert(2)>`;

const category = (entry: Partial<ReportCategory> & Pick<ReportCategory, "category" | "file" | "records">): ReportCategory => ({
  format: entry.file.endsWith(".ndjson") ? "ndjson" : "json",
  kinds: [StorageKind.SQL_DATABASE],
  retention: "until 30 days after removal from management",
  ...entry,
});

function inputWith(categories: ReportCategory[], rowCap = 1000): ReportInput {
  return {
    requestId: "6d1f1f5e-0c4b-4a57-9d55-0b2f0c9f4a10",
    kind: "RESTRICT_PROCESSING",
    region: Region.EUROPE,
    requestedAt: new Date("2025-03-01T10:00:00.000Z"),
    exportStartedAt: new Date("2025-03-01T10:00:01.500Z"),
    exportFinishedAt: new Date("2025-03-01T10:00:09.250Z"),
    categories,
    processing: { isoCertifiedSystems: true, usedForProfiling: false, usedForMarketing: false },
    rowCap,
  };
}

async function render(input: ReportInput, records: Record<string, unknown[]>): Promise<{ html: string; reads: number[] }> {
  const reads: number[] = [];
  let html = "";
  const source = async function* (entry: ReportCategory, limit: number) {
    reads.push(limit);
    yield* (records[entry.file] ?? []).slice(0, limit);
  };
  for await (const chunk of renderReport(input, source)) html += chunk;
  return { html, reads };
}

const telemetry = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `event-${i}`, kind: "SERVICE_LOG", occurredAt: "2025-03-01T09:00:00.000Z", payload: { i } }));

describe("report.html", () => {
  it("is valid HTML with a CSP that forbids scripts and loads, shows hostile values as text only, and has a lang", async () => {
    const { html } = await render(
      inputWith([
        category({ category: DataCategory.ACCOUNT, file: "account.json", records: 1 }),
        category({ category: DataCategory.TELEMETRY, file: "telemetry.ndjson", records: 2, kinds: [StorageKind.TELEMETRY_STORE] }),
      ]),
      {
        "account.json": [{ id: "u", displayName: HOSTILE_NAME, email: null }],
        "telemetry.ndjson": [
          { id: "t1", payload: { note: "</td></tr></table><script>alert(3)</script>" } },
          { id: "t2", [HOSTILE_KEY]: "key from the data", control: "bell\u0007 and lone \ud800 surrogate" },
        ],
      },
    );
    expect(await htmlProblems(html)).toEqual([]);
    expect(foreignMarkup(html)).toEqual([]);
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).toContain(escapeHtml(HOSTILE_NAME));
    expect(escapeHtml(HOSTILE_NAME)).toBe("&lt;script&gt;alert(&quot;dn&quot;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain(`<th scope="col">${escapeHtml(HOSTILE_KEY)}</th>`);
    expect(html).toContain("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(3)&lt;/script&gt;");
    // Characters HTML cannot carry are shown as their escapes, not dropped silently.
    expect(html).toContain("bell\\u0007 and lone \\ud800 surrogate");
    expect(html).not.toMatch(/<(script|img|svg)/i);
  });

  it("shows at most the row cap per category and says which file holds the rest; reads no more records than it shows", async () => {
    const input = inputWith(
      [
        category({ category: DataCategory.ACCOUNT, file: "account.json", records: 1 }),
        category({ category: DataCategory.SERVICE_DATA, file: "service-data.json", records: 0 }),
        category({ category: DataCategory.TELEMETRY, file: "telemetry.ndjson", records: 2500 }),
      ],
      1000,
    );
    const { html, reads } = await render(input, { "account.json": [{ id: "u" }], "telemetry.ndjson": telemetry(2500) });
    const telemetrySection = html.slice(html.indexOf('<section aria-labelledby="category-telemetry">'));
    expect(telemetrySection.match(/<tr><td>/g)).toHaveLength(1000);
    expect(telemetrySection).toContain("This table shows the first 1,000 of 2,500 records. The complete records are in the file <code>telemetry.ndjson</code> in this archive.");
    expect(telemetrySection).toContain("event-999<");
    expect(telemetrySection).not.toContain("event-1000<");
    expect(html).toContain("Telemetry <span class=\"count\">(2,500 records)</span>");
    expect(html).toContain("The record is shown; the file <code>account.json</code> holds the same");
    expect(html).toContain("No records of this category are held about you.");
    // Two passes (columns, then rows) over the shown records only; nothing for the empty category.
    expect(reads).toEqual([1, 1, 1000, 1000]);
    expect(await htmlProblems(html)).toEqual([]);
  });

  it("states region, storage kinds, retention and the processing statement per category, from its input only", async () => {
    const { html } = await render(
      inputWith([
        category({ category: DataCategory.TELEMETRY, file: "telemetry.ndjson", records: 0, kinds: [StorageKind.TELEMETRY_STORE, StorageKind.BLOB_STORAGE], retention: "at most 30 days" }),
      ]),
      {},
    );
    expect(html).toContain("<dt>Region</dt><dd>Europe (EUROPE)</dd>");
    expect(html).toContain("<dt>Stored in</dt><dd>telemetry store (TELEMETRY_STORE), blob storage (BLOB_STORAGE)</dd>");
    expect(html).toContain("<dt>Kept</dt><dd>at most 30 days</dd>");
    expect(html).toContain('<tr><th scope="row">Used for profiling</th><td>No</td></tr>');
    expect(html).toContain('<tr><th scope="row">Processed in ISO-certified systems</th><td>Yes</td></tr>');
    expect(html).toContain("<dt>Export finished</dt><dd>2025-03-01 10:00:09 UTC</dd>");
  });

  it("is byte for byte the same when rendered again from the same values, whatever the process's time zone", async () => {
    const input = inputWith([category({ category: DataCategory.TELEMETRY, file: "telemetry.ndjson", records: 30 })]);
    const records = { "telemetry.ndjson": telemetry(30) };
    const first = await render(input, records);
    const zone = process.env.TZ;
    process.env.TZ = "Pacific/Kiritimati";
    try {
      const second = await render(input, records);
      expect(createHash("sha256").update(second.html).digest("hex")).toBe(createHash("sha256").update(first.html).digest("hex"));
    } finally {
      process.env.TZ = zone;
    }
    const changed = await render({ ...input, exportFinishedAt: new Date(input.exportFinishedAt.getTime() + 1000) }, records);
    expect(changed.html).not.toBe(first.html);
  });
});

describe("reading a category file for the report", () => {
  it("parses the first records of a JSON array or an NDJSON file and stops reading the file there", async () => {
    const blobs = new FileSystemBlobStore(mkdtempSync(join(tmpdir(), "dgg-report-")));
    const lines = telemetry(100_000).map((record) => `${JSON.stringify(record)}\n`);
    await blobs.put(Region.EUROPE, "t/telemetry.ndjson", Buffer.from(lines.join("")));
    await blobs.put(Region.EUROPE, "t/service-data.json", Buffer.from(`[\n${JSON.stringify({ id: "d1" })},\n${JSON.stringify({ id: "d2" })}\n]\n`));
    const stream = blobs.read(Region.EUROPE, "t/telemetry.ndjson") as ReadStream;
    const read: unknown[] = [];
    for await (const record of readRecords(stream, "ndjson", 1000, "telemetry.ndjson")) read.push(record);
    expect(read).toHaveLength(1000);
    expect(read[999]).toMatchObject({ id: "event-999" });
    expect(stream.destroyed).toBe(true);
    // A few read-ahead chunks at most, not the 100,000-record file.
    const size = statSync(new URL(blobs.locationOf(Region.EUROPE, "t/telemetry.ndjson"))).size;
    expect(stream.bytesRead).toBeLessThan(size / 10);

    const devices: unknown[] = [];
    for await (const record of readRecords(blobs.read(Region.EUROPE, "t/service-data.json"), "json", 1000, "service-data.json")) devices.push(record);
    expect(devices).toEqual([{ id: "d1" }, { id: "d2" }]);
  });

  it("names the file and the line of a record that is not JSON (pages go into the archive unparsed)", async () => {
    const blobs = new FileSystemBlobStore(mkdtempSync(join(tmpdir(), "dgg-report-")));
    await blobs.put(Region.EUROPE, "t/audit-log.ndjson", Buffer.from(`${JSON.stringify({ id: "a1" })}\n{"id":"a2\n${JSON.stringify({ id: "a3" })}\n`));
    const read: unknown[] = [];
    await expect(
      (async () => {
        for await (const record of readRecords(blobs.read(Region.EUROPE, "t/audit-log.ndjson"), "ndjson", 1000, "audit-log.ndjson")) read.push(record);
      })(),
    ).rejects.toThrow("audit-log.ndjson line 2 is not a JSON record");
    expect(read).toEqual([{ id: "a1" }]);
  });
});
