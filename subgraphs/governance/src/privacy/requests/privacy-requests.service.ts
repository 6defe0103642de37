import {
  assertId,
  assertMayCall,
  assertOwnTenant,
  ConflictError,
  decodeCursor,
  keysetAfter,
  encodeCursor,
  NotFoundError,
  outOfBounds,
  parseFirst,
  PrivacyRequestStatus,
  UnavailableError,
} from "@dgg/common";
import type { PrivacyRequestKind } from "@dgg/common";
import type { GovernanceContext } from "../../context";
import { PrivacyRequestEventRecord } from "../../entities/privacy-request-event.entity";
import { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { CATEGORY_FILES, MANIFEST_FILE } from "../archive/archive-layout";
import { emptyCheckpoint } from "../engine/checkpoint";
import { appendEvent } from "../engine/queue";
import { FINISHED_STATUSES } from "../engine/statuses";
import { mayDownload, signDownloadLink } from "../archive/download-link";
import { auditToken } from "../../internal/download.routes";


/** One request, for its tenant's admins and privacy officers and for the person it is about; the same FORBIDDEN otherwise. */
export async function findPrivacyRequest(ctx: GovernanceContext, rawId: string): Promise<PrivacyRequestRecord> {
  assertMayCall(ctx.viewer, "privacyRequest", "read privacy requests");
  const id = assertId(rawId, "id");
  const record = await ctx.db.getRepository(PrivacyRequestRecord).findOneBy({ id });
  if (!record) throw outOfBounds(ctx.viewer, `privacy request ${id}`);
  // The request outlives the person's data, so the refusal names the tenant only, never the user.
  if (!mayDownload(ctx.viewer, record)) throw outOfBounds(ctx.viewer, `privacy request ${id}`, { tenantId: record.tenantId });
  return record;
}

export interface PrivacyRequestFilter {
  tenantId: string;
  status: PrivacyRequestStatus | null;
  kind: PrivacyRequestKind | null;
  overdue: boolean | null;
  first: number | null;
  after: string | null;
}

/**
 * A tenant's requests, newest first, keyset-paged on (created_at, id). `overdue: true`
 * lists those not finished whose due date (30 days after receipt, plus extensions) has passed.
 */
export async function listPrivacyRequests(ctx: GovernanceContext, filter: PrivacyRequestFilter) {
  const tenantId = assertOwnTenant(ctx.viewer, "privacyRequests", "list privacy requests", filter.tenantId);
  const first = parseFirst(filter.first, 50);
  const now = ctx.clock.now().getTime();
  const base = () => {
    const qb = ctx.db.getRepository(PrivacyRequestRecord).createQueryBuilder("r").where("r.tenant_id = :tenantId", { tenantId });
    if (filter.status) qb.andWhere("r.status = :status", { status: filter.status });
    if (filter.kind) qb.andWhere("r.kind = :kind", { kind: filter.kind });
    if (filter.overdue === true) qb.andWhere("r.status NOT IN (:...finished) AND r.due_at < :now", { finished: [...FINISHED_STATUSES], now });
    if (filter.overdue === false) qb.andWhere("(r.status IN (:...finished) OR r.due_at >= :now)", { finished: [...FINISHED_STATUSES], now });
    return qb;
  };
  const page = base().orderBy("r.created_at", "DESC").addOrderBy("r.id", "DESC").take(first + 1);
  const cursor = decodeCursor(filter.after, ["number", "string"]);
  if (cursor) {
    const [at, id] = cursor as [number, string];
    page.andWhere(keysetAfter("r.created_at", "r.id", "DESC"), { at, id });
  }
  const [rows, totalCount] = await Promise.all([page.getMany(), base().getCount()]);
  return { rows, first, totalCount, cursorOf: (row: PrivacyRequestRecord) => encodeCursor([row.createdAt.getTime(), row.id]) };
}

/**
 * FAILED → the step it stopped at, with a fresh set of attempts. The archive and every
 * checkpoint are kept, so the request resumes where it stopped: an export at its last
 * checkpointed page, an erasure at the first subgraph not yet erased, a finish at the
 * finish. Only if the archive expired meanwhile (a FAILED request's archive is purged
 * like a completed one's) and nothing was erased yet does the export start over. Anything
 * but FAILED is refused with CONFLICT.
 */
export async function retryPrivacyRequest(ctx: GovernanceContext, rawId: string): Promise<PrivacyRequestRecord> {
  assertMayCall(ctx.viewer, "retryPrivacyRequest", "retry privacy requests");
  const request = await findPrivacyRequest(ctx, rawId);
  if (request.status !== PrivacyRequestStatus.FAILED) {
    throw new ConflictError(`privacy request ${request.id} is ${request.status}; only a FAILED request can be retried`);
  }
  const exportLost = request.archivePurgedAt !== null && request.erasureStartedAt === null;
  const resumeAt = exportLost ? PrivacyRequestStatus.RECEIVED : (request.resumeStatus ?? PrivacyRequestStatus.RECEIVED);
  const restart: Partial<PrivacyRequestRecord> = exportLost
    ? { checkpoint: emptyCheckpoint(), exportStartedAt: null, verifiedAt: null, exportLocation: null, exportSha256: null, exportByteSize: null, exportCounts: null, exportedAt: null, archivePurgedAt: null }
    : {};
  const now = ctx.clock.now();
  const seq = await ctx.db.transaction(async (manager) => {
    const result = await manager
      .createQueryBuilder()
      .update(PrivacyRequestRecord)
      .set({ ...restart, status: resumeAt, resumeStatus: null, attempts: 0, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null, archiveExpiresAt: null })
      .where("id = :id AND status = :failed AND event_seq = :previous", { id: request.id, failed: PrivacyRequestStatus.FAILED, previous: request.eventSeq })
      .execute();
    if ((result.affected ?? 0) !== 1) return null;
    return appendEvent(manager, request.id, { at: now, worker: "api", actor: ctx.viewer.subject, step: "RETRY_REQUESTED", status: resumeAt, detail: { resumeAt, exportRestarted: exportLost } });
  });
  if (seq === null) throw new ConflictError(`privacy request ${request.id} changed while it was being retried; read it again`);
  try {
    await ctx.audit.record(ctx.token, [{ tenantId: request.tenantId, action: "PRIVACY_REQUEST_RETRIED", subjectUserId: null, details: { requestId: request.id, resumeAt } }]);
  } catch (error) {
    await ctx.db.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .update(PrivacyRequestRecord)
        .set({
          status: PrivacyRequestStatus.FAILED,
          resumeStatus: request.resumeStatus,
          attempts: request.attempts,
          archiveExpiresAt: request.archiveExpiresAt,
          ...Object.fromEntries(Object.keys(restart).map((key) => [key, request[key as keyof PrivacyRequestRecord]])),
        })
        .where("id = :id AND event_seq = :seq", { id: request.id, seq })
        .execute();
      await manager.delete(PrivacyRequestEventRecord, { requestId: request.id, seq });
    });
    throw new UnavailableError(`the audit trail did not accept the retry, so nothing was changed (${error instanceof Error ? error.message : String(error)})`);
  }
  ctx.wakeWorkers();
  return ctx.db.getRepository(PrivacyRequestRecord).findOneByOrFail({ id: request.id });
}

/** Issues a short-lived download link for a verified, unpurged archive, and records that it was issued. */
export async function createExportDownload(ctx: GovernanceContext, rawId: string) {
  const request = await findPrivacyRequest(ctx, rawId);
  if (!request.verifiedAt || !request.exportCounts) throw new ConflictError(`privacy request ${request.id} has no verified archive yet (status ${request.status})`);
  if (request.archivePurgedAt) throw new NotFoundError(`the archive of privacy request ${request.id} was purged on ${request.archivePurgedAt.toISOString()}`);
  const now = ctx.clock.now();
  const link = await signDownloadLink(ctx.linkSigningKey, ctx.viewer, request.id, now, ctx.privacy.downloadLinkTtlMs);
  const expiresAt = new Date(now.getTime() + ctx.privacy.downloadLinkTtlMs);
  await ctx.audit.record(await auditToken(ctx, ctx.viewer, ctx.token), [
    { tenantId: request.tenantId, action: "PRIVACY_EXPORT_LINK_ISSUED", subjectUserId: null, details: { requestId: request.id, by: ctx.viewer.role, expiresAt: expiresAt.toISOString() } },
  ]);
  const base = ctx.privacy.gatewayPublicUrl.replace(/\/+$/, "");
  return {
    url: `${base}/exports/${link}`,
    // report.html is in every archive written since archives had one (the checkpoint records it).
    files: [MANIFEST_FILE, ...request.exportCounts.map(({ category }) => CATEGORY_FILES[category].file), ...(request.checkpoint.report ? [request.checkpoint.report.file] : [])],
    expiresAt,
  };
}
