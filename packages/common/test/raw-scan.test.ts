/**
 * Scenario: an auditor looks for an erased person's values in the store files as raw bytes.
 * The scanner must find every occurrence exactly once, wherever it lies: at the start, across
 * the boundary between two read chunks, at the very end.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanFilesForNeedles } from "../src/raw-scan";

const CHUNK = 8 * 1024 * 1024;

describe("raw-bytes scan", () => {
  it("finds each occurrence once: at the start, across a chunk boundary, at the end; and nothing that is not there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dgg-scan-"));
    const needle = "ada.lovelace@contoso.eu";
    const bytes = Buffer.alloc(CHUNK * 2 + 100, 0x20);
    bytes.write(needle, 0);
    const across = CHUNK - 5;
    bytes.write(needle, across);
    const end = bytes.length - needle.length;
    bytes.write(needle, end);
    const file = join(dir, "store.sqlite");
    writeFileSync(file, bytes);
    const report = await scanFilesForNeedles([file], [needle, "not-in-the-file"]);
    expect(report.hits.map((hit) => hit.offset)).toEqual([0, across, end]);
    expect(report.hits.every((hit) => hit.needle === needle && hit.file === file)).toBe(true);
    expect(report.bytesScanned).toBe(bytes.length);
    expect(report.unreadable).toEqual([]);
  });

  it("treats a file that vanished before it was read as holding nothing", async () => {
    const report = await scanFilesForNeedles([join(tmpdir(), "dgg-no-such-file")], ["x"]);
    expect(report).toMatchObject({ filesScanned: 0, hits: [], unreadable: [] });
  });
});
