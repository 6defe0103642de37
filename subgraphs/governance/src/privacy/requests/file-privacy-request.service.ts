import { randomUUID } from "node:crypto";
import { assertMayCall, BadUserInputError, ConflictError, currentTraceparent, DAY_MS, NotFoundError, PrivacyRequestKind, PrivacyRequestStatus, quote, REASON_LENGTH, UnavailableError } from "@dgg/common";
import type { Operation } from "@dgg/common";
import { In } from "typeorm";
import type { GovernanceContext } from "../../context";
import { PrivacyRequestEventRecord } from "../../entities/privacy-request-event.entity";
import { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { emptyCheckpoint } from "../engine/checkpoint";
import { freezeSubject } from "../engine/freeze-step";
import { OPEN_STATUSES } from "../engine/statuses";
import { describeHold } from "../../holds/hold-queries";
import { approvalRequired, policyOf } from "./privacy-request-policy.service";
import { resolveSubject } from "../../personal-data/subject-access.service";
import { discardWebhookEvents, enqueueWebhookEvent, eventForTransition, releaseWebhookEvents, requestEventData } from "../../webhooks";

/** The GDPR month: a request must be answered within 30 days of receipt. */
export const RESPONSE_PERIOD_MS = 30 * DAY_MS;

/** The operation that files each kind, and what it is called in a refusal. */
const FILING: Record<PrivacyRequestKind, { operation: Operation; verb: string }> = {
  [PrivacyRequestKind.ACCESS]: { operation: "requestPersonalDataExport", verb: "request a personal data export" },
  [PrivacyRequestKind.RESTRICT_PROCESSING]: { operation: "restrictProcessing", verb: "restrict processing" },
};

/** The user's unfinished restriction, if any (FAILED counts: it is resumed, not replaced). ACCESS requests do not count. */
export function openRestrictionOf(ctx: GovernanceContext, userId: string): Promise<PrivacyRequestRecord | null> {
  return ctx.db.getRepository(PrivacyRequestRecord).findOne({ where: { userId, kind: PrivacyRequestKind.RESTRICT_PROCESSING, status: In([...OPEN_STATUSES]) } });
}

/**
 * Files a privacy request as a durable work item: validated, recorded and audited here, and
 * returned at once; the workers do the rest (docs/decisions/0030).
 * - RESTRICT_PROCESSING (the seed's restrictProcessing: export an electronic copy, then
 *   erase the account and associated data). One may be open per user: a second call gets
 *   the open one back. A legal hold refuses it. The subject is frozen from filing.
 * - ACCESS (GDPR Art. 15 and 20): the same verified archive, nothing frozen or erased.
 *   Several may be open; a legal hold does not stop a copy.
 * When the tenant's policy requires approval for the kind, the request waits in
 * AWAITING_APPROVAL for a second person (privacy-decisions.service.ts).
 */
export async function filePrivacyRequest(ctx: GovernanceContext, kind: PrivacyRequestKind, rawUserId: string, rawReason: string | null | undefined): Promise<PrivacyRequestRecord> {
  // A data subject may file for itself only; resolveSubject holds it to its own user id.
  const { operation, verb } = FILING[kind];
  assertMayCall(ctx.viewer, operation, verb);
  const reason = rawReason == null ? null : rawReason.trim();
  if (reason !== null && reason.length > REASON_LENGTH) throw new BadUserInputError(`reason must be at most ${REASON_LENGTH} characters, got ${reason.length}`, "reason");
  const { userId, tenantId } = await resolveSubject(ctx, rawUserId, operation, verb);
  const restricting = kind === PrivacyRequestKind.RESTRICT_PROCESSING;
  if (restricting) {
    // The open request (possibly ON_HOLD) is the answer; otherwise a legal hold keeps every row
    // about the user, and nothing may be filed to erase them (docs/decisions/0022).
    const open = await openRestrictionOf(ctx, userId);
    if (open) return open;
    const hold = await ctx.loaders.holds.load(userId);
    if (hold) throw new ConflictError(`user ${userId} is under ${describeHold(hold)}; lift the hold before restricting processing`);
  }
  const tenant = await ctx.tenants.find(ctx.token, tenantId);
  if (!tenant) throw new NotFoundError(`tenant ${quote(tenantId)} of user ${userId} is not in the storage-regions directory`);
  const awaitsApproval = approvalRequired(await policyOf(ctx.db, tenantId), kind);

  const now = ctx.clock.now();
  const request: PrivacyRequestRecord = ctx.db.getRepository(PrivacyRequestRecord).create({
    id: randomUUID(),
    kind,
    userId,
    openUserId: restricting ? userId : null,
    tenantId,
    status: awaitsApproval ? PrivacyRequestStatus.AWAITING_APPROVAL : PrivacyRequestStatus.RECEIVED,
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
    traceParent: currentTraceparent(),
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
    approvedBy: null,
    approvedAt: null,
    decisionReason: null,
    deadlineExtensions: [],
    freezeReleasedAt: null,
  });
  try {
    await ctx.db.transaction(async (manager) => {
      await manager.insert(PrivacyRequestRecord, request);
      const filed: PrivacyRequestEventRecord = {
        requestId: request.id,
        seq: 1,
        at: now,
        worker: "api",
        actor: ctx.viewer.subject,
        status: request.status,
        step: "RECEIVED",
        detail: { kind, awaitsApproval },
      };
      await manager.insert(PrivacyRequestEventRecord, filed as never);
      // Held like the request until the audit trail has it, so nobody hears of a filing that is undone.
      const announced = eventForTransition(null, request.status);
      if (announced) await enqueueWebhookEvent(manager, { tenantId, event: announced, requestId: request.id, data: requestEventData(request) }, now, { holdUntil: request.leaseExpiresAt });
    });
  } catch (error) {
    // Lost a race with a concurrent call for the same user: the unique open-user index refused the second row.
    const winner = restricting ? await openRestrictionOf(ctx, userId) : null;
    if (winner) return winner;
    throw error;
  }
  try {
    await ctx.audit.record(ctx.token, [
      { tenantId, action: "PRIVACY_REQUEST_RECEIVED", subjectUserId: null, details: { requestId: request.id, kind, status: request.status, dueAt: request.dueAt.toISOString() } },
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
  if (restricting) {
    // Frozen from acceptance (GDPR Art. 18), approval or not. Best effort here: the worker
    // freezes again, idempotently, before it exports, so a data subgraph that is down now is
    // frozen then.
    const frozenAt = await freezeSubject(ctx, request).then(
      () => ctx.clock.now().getTime(),
      (error: unknown) => {
        ctx.log.warn({ err: error, privacyRequestId: request.id }, "freezing at filing failed; the worker will retry");
        return null;
      },
    );
    if (frozenAt !== null) request.checkpoint = { ...request.checkpoint, frozenAt };
  }
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
  if (!awaitsApproval) ctx.wakeWorkers();
  return request;
}
