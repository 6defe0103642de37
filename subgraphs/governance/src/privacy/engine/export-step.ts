import { createHash, randomUUID } from "node:crypto";
import type { Hash } from "node:crypto";
import { PrivacyRequestKind, PrivacyRequestStatus } from "@dgg/common";
import type { ReceivedExportLines } from "@dgg/common";
import type { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { CATEGORY_ORDER } from "../../retention/retention-rules";
import { archivePrefix, CATEGORY_FILES, JSON_CLOSING, JSON_OPENING, pageBytes } from "../archive/archive-layout";
import { checkPageRecords, firstLineOfPage, recordsOf } from "../archive/archive-records";
import type { FileCheckpoint } from "./checkpoint";
import type { EngineDeps } from "./engine-deps";
import { freezeSubject } from "./freeze-step";
import { stepUnlessHeld } from "./hold-gate";
import { checkpoint } from "./queue";
import { writeReport } from "../report/report-step";

/**
 * The hash of the part of a file an earlier attempt wrote and checkpointed, rebuilt from its
 * bytes, which are read back as records: each is parsed, and they must be as many as the
 * checkpoint counts. Every record was parsed before it was written; parsing them again here
 * means that what the finished file's SHA-256 vouches for (verification checks it) was parsed
 * in the bytes that are on disk, a resumed file included.
 */
async function hashPrefix(deps: EngineDeps, request: PrivacyRequestRecord, key: string, attempt: string, state: FileCheckpoint): Promise<Hash> {
  const hash = createHash("sha256");
  if (state.bytes === 0) return hash;
  let records = 0;
  for await (const _record of recordsOf(deps.blobs.readPartial(request.region, key, attempt, state.bytes), state.format, state.file, (chunk) => hash.update(chunk))) records += 1;
  if (records !== state.records) throw new Error(`${state.file}: ${records} records in the part written before, ${state.records} checkpointed`);
  return hash;
}

function initialFile(category: (typeof CATEGORY_ORDER)[number]): FileCheckpoint {
  const { file, format } = CATEGORY_FILES[category];
  return { category, file, format, records: 0, bytes: 0, cursor: null, exhausted: false, complete: false, sha256: null };
}

/** A promise awaited later, or never if the attempt ends first: its failure must not go unhandled meanwhile. */
function ahead<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * RECEIVED → EXPORTING: records when the export started (the manifest's start time) and
 * creates an empty checkpoint per category.
 * - A restriction first freezes the subject everywhere (unless filing already did), and goes
 *   ON_HOLD instead when a legal hold is in place: nothing is exported for a held user until
 *   the hold is lifted, since erasure would follow.
 * - An ACCESS request freezes nothing and is not stopped by a hold: a copy destroys nothing.
 */
export async function startExport(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  const changes = (frozenAt: number | null) => ({
    status: PrivacyRequestStatus.EXPORTING,
    exportStartedAt: request.exportStartedAt ?? deps.clock.now(),
    checkpoint: { ...request.checkpoint, frozenAt, files: CATEGORY_ORDER.map(initialFile), exportFinishedAt: null },
  });
  if (request.kind === PrivacyRequestKind.ACCESS) {
    await checkpoint(deps.db, request, worker, deps.clock.now(), "EXPORT_STARTED", changes(null));
    deps.faults.hit("export.started");
    return;
  }
  let frozenAt = request.checkpoint.frozenAt ?? null;
  if (frozenAt === null) {
    await freezeSubject(deps, request);
    frozenAt = deps.clock.now().getTime();
  }
  deps.faults.hit("export.frozen");
  const hold = await stepUnlessHeld(deps, request, worker, { step: "EXPORT_STARTED", changes: changes(frozenAt) });
  if (!hold) deps.faults.hit("export.started");
}

/**
 * Streams one category into its file, page by page, from where the last checkpoint left
 * it: the unfinished file is cut back to the checkpointed length (bytes written after it
 * are unaccounted for), its hash is rebuilt from those bytes, and paging resumes at the
 * checkpointed cursor. Memory holds two pages at a time (the one written, the next one on its
 * way), whatever the category's size.
 */
async function exportCategory(deps: EngineDeps, request: PrivacyRequestRecord, worker: string, category: FileCheckpoint["category"]): Promise<void> {
  const files = () => request.checkpoint.files;
  let state = files().find((file) => file.category === category)!;
  const key = `${archivePrefix(request.tenantId, request.id)}/${state.file}`;
  if (!state.complete) {
    // Every subgraph holding the category fills the one file, one after the other (in erasure
    // order); the checkpoint names the one its cursor belongs to (none: the first).
    const sources = deps.contract.subgraphsFor(category);
    let at = state.source ? sources.findIndex((source) => source.name === state.source) : 0;
    if (at < 0) throw new Error(`privacy request ${request.id}: its ${category} export stopped in data subgraph ${state.source}, which the registry no longer lists`);
    const pageFrom = (index: number, cursor: string | null) =>
      deps.contract.exportPage(sources[index]!, category, request.userId, request.tenantId, cursor, deps.privacy.exportPageSize);
    // The first page is asked for before any file is touched: an attempt that cannot reach the
    // data subgraph (down, or the tenant is moving region) leaves the archive folder as it was.
    const first: ReceivedExportLines | null = state.exhausted || sources.length === 0 ? null : await pageFrom(at, state.cursor);
    // This attempt writes its own copy, starting from the checkpointed bytes of the last one: a
    // worker that lost its lease (stalled, then woke) and writes on spoils only its own copy,
    // never the one this attempt checkpoints, commits and verifies.
    const attempt = randomUUID();
    let checkpointed = false;
    await deps.blobs.copyPartial(request.region, key, state.attempt ?? null, attempt, state.bytes);
    state = { ...state, attempt };
    const hash = await hashPrefix(deps, request, key, attempt, state);
    const writer = await deps.blobs.openPartial(request.region, key, attempt, state.bytes);
    try {
      const save = async (step: string, next: FileCheckpoint, extra: Record<string, unknown> = {}) => {
        await checkpoint(deps.db, request, worker, deps.clock.now(), step, {
          checkpoint: { ...request.checkpoint, files: files().map((file) => (file.category === category ? next : file)) },
        }, { category, records: next.records, bytes: next.bytes, ...extra });
        state = next;
        checkpointed = true;
      };
      let { records, bytes, cursor } = state;
      let exhausted = state.exhausted || sources.length === 0;
      const append = async (chunk: Buffer) => {
        await writer.write(chunk);
        hash.update(chunk);
        bytes += chunk.length;
      };
      if (bytes === 0 && state.format === "json") await append(Buffer.from(JSON_OPENING));
      let pagesSinceCheckpoint = 0;
      let next: Promise<ReceivedExportLines> | null = first ? Promise.resolve(first) : null;
      while (!exhausted) {
        const page = await (next ?? pageFrom(at, cursor));
        cursor = page.nextCursor;
        if (cursor === null && at < sources.length - 1) at += 1;
        else exhausted = cursor === null;
        // The next page is asked for before this one is written, so the subgraph reads it while
        // governance writes, hashes and checkpoints (one page ahead at most). An attempt that
        // ends before awaiting it drops it: nothing of it was written or counted.
        next = exhausted ? null : ahead(pageFrom(at, cursor));
        checkPageRecords(page.ndjson, state.file, firstLineOfPage(state.format, records));
        await append(pageBytes(state.format, page.ndjson, records));
        records += page.records;
        pagesSinceCheckpoint += 1;
        deps.faults.hit("export.page-written");
        if (pagesSinceCheckpoint >= deps.privacy.checkpointPages || exhausted) {
          // The bytes must be on disk before the checkpoint that counts them.
          await writer.sync();
          await save("FILE_CHECKPOINT", { ...state, records, bytes, cursor, exhausted, source: sources[at]?.name ?? null });
          pagesSinceCheckpoint = 0;
          deps.faults.hit("export.checkpointed");
        }
      }
      if (state.format === "json") await append(Buffer.from(JSON_CLOSING));
      await writer.sync();
      const sha256 = hash.digest("hex");
      await save("FILE_COMPLETED", { ...state, records, bytes, cursor: null, exhausted: true, complete: true, sha256 }, { sha256 });
      deps.faults.hit("export.file-completed");
    } finally {
      await writer.close();
      // A copy no checkpoint counts is nobody's: it goes at once (the last checkpointed one stays).
      if (!checkpointed) await deps.blobs.discardPartial(request.region, key, attempt);
    }
  }
  await deps.blobs.commitPartial(request.region, key, state.attempt ?? null);
  deps.faults.hit("export.file-committed");
}

/**
 * Exports every category not yet complete, then renders report.html from the written files;
 * returns when every file and the report are complete, committed and checkpointed.
 */
export async function exportAllCategories(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  for (const category of CATEGORY_ORDER) await exportCategory(deps, request, worker, category);
  if (!request.checkpoint.exportFinishedAt) {
    await checkpoint(deps.db, request, worker, deps.clock.now(), "FILES_WRITTEN", {
      checkpoint: { ...request.checkpoint, exportFinishedAt: deps.clock.now().getTime() },
    });
  }
  await writeReport(deps, request, worker);
}
