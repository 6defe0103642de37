import { createHash, randomUUID } from "node:crypto";
import { tenantMovingError } from "@dgg/common";
import type { StorageLayoutEntry } from "@dgg/common";
import type { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { PROCESSING_STATEMENT } from "../../personal-data/personal-data.service";
import { POLICIES } from "../../retention/retention-rules";
import type { BlobStore } from "../../blob/blob-store";
import { archivePrefix, REPORT_FILE } from "../archive/archive-layout";
import type { EngineDeps } from "../engine/engine-deps";
import { checkpoint } from "../engine/queue";
import { readRecords } from "./record-source";
import { renderReport, REPORT_ROW_CAP } from "./report-renderer";
import type { ReportInput } from "./report-renderer";

/** Bytes gathered before one write: a row is a few hundred bytes, a write per row would be thousands of calls. */
const WRITE_BATCH_BYTES = 64 * 1024;

/**
 * What the report of a request is rendered from: the request row, its checkpoints, the
 * storage layout recorded with them, and the rules and statement the API states. Throws
 * unless every category file is complete.
 */
export function reportInput(request: PrivacyRequestRecord, storage: readonly StorageLayoutEntry[]): ReportInput {
  const { files, exportFinishedAt } = request.checkpoint;
  if (files.length === 0 || files.some((file) => !file.complete) || !request.exportStartedAt || !exportFinishedAt) {
    throw new Error(`privacy request ${request.id}: the report needs every file complete`);
  }
  return {
    requestId: request.id,
    kind: request.kind,
    region: request.region,
    requestedAt: request.createdAt,
    exportStartedAt: request.exportStartedAt,
    exportFinishedAt: new Date(exportFinishedAt),
    categories: files.map((file) => ({
      category: file.category,
      file: file.file,
      format: file.format,
      records: file.records,
      kinds: storage.find((entry) => entry.category === file.category)?.kinds ?? [],
      retention: POLICIES[file.category],
    })),
    processing: PROCESSING_STATEMENT,
    rowCap: REPORT_ROW_CAP,
  };
}

/** Renders a request's report from its archive's category files, streamed from the blob store. */
export function renderArchiveReport(blobs: Pick<BlobStore, "read">, request: PrivacyRequestRecord, storage: readonly StorageLayoutEntry[]): AsyncGenerator<string> {
  const prefix = archivePrefix(request.tenantId, request.id);
  return renderReport(reportInput(request, storage), (entry, limit) => readRecords(blobs.read(request.region, `${prefix}/${entry.file}`), entry.format, limit, entry.file));
}

/**
 * Streams text into a blob as one attempt's unfinished copy, hashing it on the way, and
 * commits it once it is whole and on disk: a crash leaves either the previous blob or the
 * new one, never half of one.
 */
async function writeStreamed(blobs: BlobStore, request: PrivacyRequestRecord, key: string, chunks: AsyncIterable<string>, beforeCommit: () => Promise<void>): Promise<{ bytes: number; sha256: string }> {
  const attempt = randomUUID();
  const writer = await blobs.openPartial(request.region, key, attempt, 0);
  const hash = createHash("sha256");
  let bytes = 0;
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = async () => {
    const chunk = Buffer.from(pending.join(""), "utf8");
    pending = [];
    pendingLength = 0;
    hash.update(chunk);
    bytes += chunk.length;
    await writer.write(chunk);
  };
  try {
    for await (const text of chunks) {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= WRITE_BATCH_BYTES) await flush();
    }
    await flush();
    await writer.sync();
    await beforeCommit();
  } catch (error) {
    await writer.close();
    await blobs.discardPartial(request.region, key, attempt);
    throw error;
  }
  await writer.close();
  await blobs.commitPartial(request.region, key, attempt);
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * After every category file is written (FILES_WRITTEN) and before the manifest: renders
 * report.html from the stored files and records its size and hash, which the manifest lists.
 * The storage layout is asked of storage-regions once and recorded with them. A crash before
 * the record renders it again from the same stored values, so the bytes come out the same.
 */
export async function writeReport(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  if (request.checkpoint.report) return;
  const storage = await deps.tenants.storageLayout(await deps.serviceToken());
  const key = `${archivePrefix(request.tenantId, request.id)}/${REPORT_FILE}`;
  const written = await writeStreamed(deps.blobs, request, key, renderArchiveReport(deps.blobs, request, storage), () => assertTenantSettled(deps, request));
  deps.faults.hit("export.report-written");
  await checkpoint(
    deps.db,
    request,
    worker,
    deps.clock.now(),
    "REPORT_WRITTEN",
    { checkpoint: { ...request.checkpoint, report: { file: REPORT_FILE, ...written, storage } } },
    { file: REPORT_FILE, ...written },
  );
}

/**
 * The report reads only the archive, so no data subgraph tells it that the tenant's data is
 * moving (docs/decisions/0043). Asked of the directory just before the report is committed:
 * a report committed in the old region after the mover copied it would be purged with the
 * old region. The move's freeze covers the moment between this answer and the commit.
 */
async function assertTenantSettled(deps: EngineDeps, request: PrivacyRequestRecord): Promise<void> {
  const tenant = await deps.tenants.find(await deps.serviceToken(), request.tenantId);
  if (tenant && (tenant.state === "MOVING" || tenant.storageRegion !== request.region)) {
    throw tenantMovingError(request.tenantId, request.region, tenant.movingTo ?? tenant.storageRegion);
  }
}
