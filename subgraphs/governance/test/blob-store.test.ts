/**
 * Scenario: a privacy worker stalls past its lease, another takes the request over and
 * finishes the export, then the first wakes and writes on. Each export attempt writes its
 * own unfinished copy, so the late writer cannot touch the copy that was checkpointed,
 * committed and verified (the model-based concurrency suite found an archive emptied this way).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Region } from "@dgg/common";
import { FileSystemBlobStore } from "../src/blob/blob-store";

describe("export attempts on the file-system blob store", () => {
  const key = "tenant/privacy-requests/request/telemetry.ndjson";
  const freshBlobs = () => new FileSystemBlobStore(mkdtempSync(join(tmpdir(), "dgg-blobs-")));

  /** A new attempt at `key`: its partial copy opened from the start, with `text` written to it. */
  async function startAttempt(blobs: FileSystemBlobStore, text: string) {
    const attempt = randomUUID();
    const writer = await blobs.openPartial(Region.EUROPE, key, attempt, 0);
    await writer.write(Buffer.from(text));
    return { attempt, writer };
  }

  /** The next attempt at `key`: a copy of `from`'s first `bytes` (its checkpoint) under a new attempt name. */
  async function resumeAttempt(blobs: FileSystemBlobStore, from: string, bytes: number): Promise<string> {
    const attempt = randomUUID();
    await blobs.copyPartial(Region.EUROPE, key, from, attempt, bytes);
    return attempt;
  }

  it("keeps a committed blob intact whatever a stale attempt writes afterwards, and deletes the other attempts' copies", async () => {
    const blobs = freshBlobs();
    const { attempt: stale, writer } = await startAttempt(blobs, '{"n":1}\n');
    await writer.sync();
    // The next attempt resumes from the 8 checkpointed bytes, in a copy of its own.
    const fresh = await resumeAttempt(blobs, stale, 8);
    const next = await blobs.openPartial(Region.EUROPE, key, fresh, 8);
    await next.write(Buffer.from('{"n":2}\n'));
    await next.sync();
    await next.close();
    await blobs.commitPartial(Region.EUROPE, key, fresh);
    // The stale attempt wakes up and writes on through the handle it still holds.
    await writer.write(Buffer.from("garbage that must not reach the archive\n"));
    await writer.close();
    const committed = fileURLToPath(blobs.locationOf(Region.EUROPE, key));
    expect(readFileSync(committed, "utf8")).toBe('{"n":1}\n{"n":2}\n');
    expect(readdirSync(dirname(committed)).filter((name) => name.endsWith(".partial"))).toEqual([]);
    // Committing again (a worker that died before recording the commit) changes nothing.
    await blobs.commitPartial(Region.EUROPE, key, fresh);
    expect(readFileSync(committed, "utf8")).toBe('{"n":1}\n{"n":2}\n');
  });

  it("refuses to resume from a copy shorter than the checkpoint says, and attempt names that are not UUIDs", async () => {
    const blobs = freshBlobs();
    const { attempt: first, writer } = await startAttempt(blobs, "abc");
    await writer.close();
    const second = await resumeAttempt(blobs, first, 10);
    await expect(blobs.openPartial(Region.EUROPE, key, second, 10)).rejects.toThrow("has 3 bytes, fewer than the 10 checkpointed");
    await expect(blobs.openPartial(Region.EUROPE, key, "../../escape", 0)).rejects.toThrow("is not a UUID");
  });
});
