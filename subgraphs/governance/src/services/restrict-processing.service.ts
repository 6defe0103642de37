import { randomUUID } from "node:crypto";
import { assertRole, BadUserInputError, ConflictError, DAY_MS, NotFoundError, PrivacyRequestStatus, quote, UnavailableError } from "@dgg/common";
import { In } from "typeorm";
import type { GovernanceContext } from "../context";
import { PrivacyRequestEventRecord } from "../entities/privacy-request-event.entity";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import { emptyCheckpoint } from "../privacy/checkpoint";
import { freezeSubject } from "../privacy/freeze-step";
import { OPEN_STATUSES } from "../privacy/queue";
import { describeHold } from "./legal-hold.service";
import { resolveSubject } from "./subject-access.service";
import { discardWebhookEvents, enqueueWebhookEvent, releaseWebhookEvents, requestEventData, WebhookEvent } from "../webhooks";

/** The GDPR month: a request must be answered within 30 days of receipt. */
export const RESPONSE_PERIOD_MS = 30 * DAY_MS;
export const RESTRICT_PROCESSING = "RESTRICT_PROCESSING";

/** The user's unfinished request, if any (FAILED counts: it is resumed, not replaced). */
export function openRequestOf(ctx: GovernanceContext, userId: string): Promise<PrivacyRequestRecord | null> {
  return ctx.db.getRepository(PrivacyRequestRecord).findOne({ where: { userId, status: In([...OPEN_STATUSES]) } });
}

/**
 * restrictProcessing, as the seed defines it (export an electronic copy, then erase the
 * account and associated data), filed as a durable request: it is validated, recorded and
 * audited here, and returned at once as RECEIVED; the workers do the rest
 * (docs/decisions/0030). A user with an open request gets that request back.
 */
export async function restrictProcessing(ctx: GovernanceContext, rawUserId: string, rawReason: string | null | undefined): Promise<PrivacyRequestRecord> {
  // A data subject may file for itself only; resolveSubject holds it to its own user id.
  assertRole(ctx.viewer, ["tenant-admin", "privacy-officer", "data-subject"], "restrict processing");
  const reason = rawReason == null ? null : rawReason.trim();
  if (reason !== null && reason.length > 1000) throw new BadUserInputError(`reason must be at most 1000 characters, got ${reason.length}`, "reason");
  const { userId, tenantId } = await resolveSubject(ctx, rawUserId, "restrict processing", ["tenant-admin", "privacy-officer", "data-subject"]);
  // The open request (possibly ON_HOLD) is the answer; otherwise a legal hold keeps every row
  // about the user, and nothing may be filed to erase them (docs/decisions/0022).
  const open = await openRequestOf(ctx, userId);
  if (open) return open;
  const hold = await ctx.loaders.holds.load(userId);
  if (hold) throw new ConflictError(`user ${userId} is under ${describeHold(hold)}; lift the hold before restricting processing`);
  const tenant = await ctx.tenants.find(ctx.token, tenantId);
  if (!tenant) throw new NotFoundError(`tenant ${quote(tenantId)} of user ${userId} is not in the storage-regions directory`);

  const now = ctx.clock.now();
  const request: PrivacyRequestRecord = ctx.db.getRepository(PrivacyRequestRecord).create({
    id: randomUUID(),
    kind: RESTRICT_PROCESSING,
    userId,
    openUserId: userId,
    tenantId,
    status: PrivacyRequestStatus.RECEIVED,
    reason: reason || null,
    requestedBy: ctx.viewer.subject,
    region: tenant.storageRegion,
    exportLocation: null,
    exportSha256: null,
    exportByteSize: null,
    exportCounts: null,
    exportedAt: null,
    erasures: null,
    error: null,
    createdAt: now,
    completedAt: null,
    dueAt: new Date(now.getTime() + RESPONSE_PERIOD_MS),
    attempts: 0,
    nextAttemptAt: null,
    lastErrorAt: null,
    // Held by the API until the audit trail has the request: no worker may start an unaudited request.
    leaseOwner: `api:${randomUUID()}`,
    leaseExpiresAt: new Date(now.getTime() + 60_000),
    resumeStatus: null,
    exportStartedAt: null,
    verifiedAt: null,
    erasureStartedAt: null,
    failedAt: null,
    checkpoint: emptyCheckpoint(),
    eventSeq: 1,
    archiveExpiresAt: null,
    archivePurgedAt: null,
  });
  try {
    await ctx.db.transaction(async (manager) => {
      await manager.insert(PrivacyRequestRecord, request);
      await manager.insert(PrivacyRequestEventRecord, { requestId: request.id, seq: 1, at: now, worker: "api", step: "RECEIVED", detail: { requestedBy: ctx.viewer.subject } });
      // Held like the request until the audit trail has it, so nobody hears of a filing that is undone.
      await enqueueWebhookEvent(manager, { tenantId, event: WebhookEvent.REQUEST_RECEIVED, requestId: request.id, data: requestEventData(request) }, now, { holdUntil: request.leaseExpiresAt });
    });
  } catch (error) {
    // Lost a race with a concurrent call for the same user: the unique open-user index refused the second row.
    const winner = await openRequestOf(ctx, userId);
    if (winner) return winner;
    throw error;
  }
  try {
    await ctx.audit.record(ctx.token, [
      { tenantId, action: "PRIVACY_REQUEST_RECEIVED", subjectUserId: null, details: { requestId: request.id, kind: RESTRICT_PROCESSING, dueAt: request.dueAt.toISOString() } },
    ]);
  } catch (error) {
    // Write, then audit (docs/decisions/0004): an unaudited request must not run.
    await ctx.db.transaction(async (manager) => {
      await discardWebhookEvents(manager, request.id);
      await manager.delete(PrivacyRequestEventRecord, { requestId: request.id });
      await manager.delete(PrivacyRequestRecord, { id: request.id });
    });
    throw new UnavailableError(`the audit trail did not accept the request, so nothing was filed (${error instanceof Error ? error.message : String(error)})`);
  }
  // Frozen from acceptance (GDPR Art. 18). Best effort here: the worker freezes again,
  // idempotently, before it exports, so a data subgraph that is down now is frozen then.
  const frozenAt = await freezeSubject(ctx, request).then(
    () => ctx.clock.now().getTime(),
    (error: unknown) => {
      console.error(`[governance] privacy request ${request.id}: freezing at filing failed, the worker will retry: ${String(error)}`);
      return null;
    },
  );
  if (frozenAt !== null) request.checkpoint = { ...request.checkpoint, frozenAt };
  await ctx.db.transaction(async (manager) => {
    await manager
      .createQueryBuilder()
      .update(PrivacyRequestRecord)
      .set({ leaseOwner: null, leaseExpiresAt: null, checkpoint: request.checkpoint })
      .where("id = :id", { id: request.id })
      .execute();
    await releaseWebhookEvents(manager, request.id, ctx.clock.now());
  });
  request.leaseOwner = null;
  request.leaseExpiresAt = null;
  ctx.wakeWorkers();
  return request;
}
