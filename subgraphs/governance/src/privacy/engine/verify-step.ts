import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { PrivacyRequestStatus } from "@dgg/common";
import type { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { archiveLines } from "../archive/archive-lines";
import { archivePrefix, buildManifest, MANIFEST_FILE, manifestBytes, recordText } from "../archive/archive-layout";
import type { Manifest, ManifestFile, ManifestReport } from "../archive/archive-layout";
import type { EngineDeps } from "./engine-deps";
import { checkpoint } from "./queue";

const NEWLINE = 0x0a;

/** The archive failed its read-back: the files on disk are not what was written. */
export class ArchiveVerificationError extends Error {}

function checkDigest(file: string, stored: { sha256: string; bytes: number }, expected: { sha256: string; bytes: number }): void {
  if (stored.sha256 !== expected.sha256 || stored.bytes !== expected.bytes) {
    throw new ArchiveVerificationError(`${file}: stored copy has SHA-256 ${stored.sha256} and ${stored.bytes} bytes, expected ${expected.sha256} and ${expected.bytes}`);
  }
}

/** The records of an NDJSON file (one per line), counted in its bytes without decoding them; `onChunk` sees every byte. */
async function ndjsonRecords(stream: Readable, onChunk: (chunk: Buffer) => void): Promise<number> {
  let lines = 0;
  let last = NEWLINE;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onChunk(chunk);
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) lines += 1;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  // A last line without its "\n" is a line too, as archiveLines reads it.
  return last === NEWLINE ? lines : lines + 1;
}

/** The records of a JSON array file (one per line between its "[" and "]" lines); `onChunk` sees every byte. */
async function arrayRecords(stream: Readable, onChunk: (chunk: Buffer) => void): Promise<number> {
  let records = 0;
  for await (const line of archiveLines(stream, onChunk)) if (recordText("json", line) !== null) records += 1;
  return records;
}

/**
 * Reads one stored file back as a stream: its SHA-256 and size must match the manifest, and
 * its lines must hold as many records as were exported. Each record was parsed as JSON before
 * it was written (and again if a resumed attempt read it back, export-step.ts): the SHA-256
 * says these are those bytes, so they are not parsed a third time here. That parse was most
 * of the time of reading a 300,000-record archive back, with the export's processes idle.
 */
async function verifyFile(deps: EngineDeps, request: PrivacyRequestRecord, entry: ManifestFile): Promise<void> {
  const key = `${archivePrefix(request.tenantId, request.id)}/${entry.file}`;
  const hash = createHash("sha256");
  let bytes = 0;
  const countAndHash = (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  };
  const records = entry.format === "ndjson" ? await ndjsonRecords(deps.blobs.read(request.region, key), countAndHash) : await arrayRecords(deps.blobs.read(request.region, key), countAndHash);
  checkDigest(entry.file, { sha256: hash.digest("hex"), bytes }, entry);
  if (records !== entry.records) throw new ArchiveVerificationError(`${entry.file}: ${records} records stored, ${entry.records} exported`);
}

/** Reads report.html back as a stream: its SHA-256 and size must match the manifest. */
async function verifyReport(deps: EngineDeps, request: PrivacyRequestRecord, report: ManifestReport): Promise<void> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of deps.blobs.read(request.region, `${archivePrefix(request.tenantId, request.id)}/${report.file}`)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  checkDigest(report.file, { sha256: hash.digest("hex"), bytes }, report);
}

/** Writes manifest.json from the completed checkpoints (deterministically) and returns it with its bytes. */
export async function writeManifest(deps: EngineDeps, request: PrivacyRequestRecord): Promise<{ manifest: Manifest; bytes: Buffer; location: string }> {
  const { files, report } = request.checkpoint;
  if (files.length === 0 || files.some((file) => !file.complete) || !request.exportStartedAt || !request.checkpoint.exportFinishedAt || !report) {
    throw new Error(`privacy request ${request.id}: the manifest needs every file and the report complete`);
  }
  const manifest = buildManifest({ ...request, exportStartedAt: request.exportStartedAt }, files, request.checkpoint.exportFinishedAt, report);
  const bytes = manifestBytes(manifest);
  const location = await deps.blobs.put(request.region, `${archivePrefix(request.tenantId, request.id)}/${MANIFEST_FILE}`, bytes);
  deps.faults.hit("export.manifest-written");
  return { manifest, bytes, location };
}

/**
 * EXPORTING → EXPORTED: writes the manifest, reads the manifest, every file and the report
 * back from the store and checks them, and only then records the archive as verified. Erasure
 * refuses to start without that record.
 */
export async function verifyAndSeal(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  const { manifest, bytes, location } = await writeManifest(deps, request);
  const digest = createHash("sha256").update(bytes).digest("hex");
  const key = `${archivePrefix(request.tenantId, request.id)}/${MANIFEST_FILE}`;
  const stored = await deps.blobs.get(request.region, key);
  if (createHash("sha256").update(stored).digest("hex") !== digest) throw new ArchiveVerificationError(`${MANIFEST_FILE}: stored copy differs from what was written`);
  for (const entry of manifest.files) await verifyFile(deps, request, entry);
  await verifyReport(deps, request, manifest.report);
  deps.faults.hit("export.verified");
  const now = deps.clock.now();
  await checkpoint(
    deps.db,
    request,
    worker,
    now,
    "ARCHIVE_VERIFIED",
    {
      status: PrivacyRequestStatus.EXPORTED,
      exportLocation: location,
      exportSha256: digest,
      exportByteSize: bytes.length + manifest.files.reduce((sum, file) => sum + file.bytes, 0) + manifest.report.bytes,
      exportCounts: manifest.files.map((file) => ({ category: file.category, count: file.records })),
      exportedAt: new Date(request.checkpoint.exportFinishedAt!),
      verifiedAt: now,
    },
    { manifestSha256: digest, files: manifest.files.length, records: manifest.totalRecords },
  );
  deps.faults.hit("export.exported");
}
