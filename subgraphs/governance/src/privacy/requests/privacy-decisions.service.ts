import { randomUUID } from "node:crypto";
import {
  assertMayCall,
  assertText,
  BadUserInputError,
  ConflictError,
  DAY_MS,
  ForbiddenError,
  PrivacyRequestKind,
  PrivacyRequestStatus,
  REASON_LENGTH,
  UnavailableError,
} from "@dgg/common";
import type { Operation } from "@dgg/common";
import type { EntityManager } from "typeorm";
import type { GovernanceContext } from "../../context";
import { PrivacyRequestEventRecord } from "../../entities/privacy-request-event.entity";
import { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { appendEvent } from "../engine/queue";
import { FINISHED_STATUSES, isFinished } from "../engine/statuses";
import type { RequestChanges } from "../engine/queue";
import { discardWebhookEvents, enqueueWebhookEvent, releaseWebhookEvents, requestEventData, WebhookEvent } from "../../webhooks";
import { findPrivacyRequest } from "./privacy-requests.service";

/** GDPR Art. 12(3): the month may be extended by two further months. */
export const MAX_EXTENSION_DAYS = 60;

/** Statuses a request can be canceled from; erasure must not have begun either (`erasure_started_at`). */
const CANCELABLE = [
  PrivacyRequestStatus.AWAITING_APPROVAL,
  PrivacyRequestStatus.RECEIVED,
  PrivacyRequestStatus.EXPORTING,
  PrivacyRequestStatus.EXPORTED,
  PrivacyRequestStatus.ON_HOLD,
  PrivacyRequestStatus.FAILED,
] as const;

interface Decision {
  /** The step logged in the request's history. */
  step: string;
  /** What webhooks hear of it. */
  webhook: WebhookEvent;
  audit: string;
  changes: RequestChanges;
  /** SQL that must still hold when the change is written (the status it is taken from). */
  guard: string;
  params: Record<string, unknown>;
  detail: Record<string, unknown>;
  /** Takes the request from any worker, and keeps workers off it until the audit trail has the decision. */
  holdsLease: boolean;
}

/**
 * Writes a decision on a request, then audits it (docs/decisions/0004):
 * 1. one transaction: the change, guarded by the status it is taken from, and its history
 *    event and its webhook deliveries (held). A decision that starts work (approve) or ends
 *    it (deny, cancel) also takes the request's lease under an API owner, so no worker acts
 *    on an unaudited decision;
 * 2. the audit entry; if the trail refuses it, the change and its event are undone;
 * 3. the API's lease and the deliveries are released, and the workers woken.
 * A guard that no longer holds (someone decided first, erasure began) is a CONFLICT that
 * names the request's status now.
 */
async function decide(ctx: GovernanceContext, request: PrivacyRequestRecord, decision: Decision): Promise<PrivacyRequestRecord> {
  const now = ctx.clock.now();
  const apiLease = `api:${randomUUID()}`;
  const held = new Date(now.getTime() + 60_000);
  const changes: RequestChanges = decision.holdsLease ? { ...decision.changes, leaseOwner: apiLease, leaseExpiresAt: held } : decision.changes;
  const seq = await ctx.db.transaction(async (manager: EntityManager) => {
    const result = await manager
      .createQueryBuilder()
      .update(PrivacyRequestRecord)
      .set(changes)
      .where(`id = :id AND ${decision.guard}`, { ...decision.params, id: request.id })
      .execute();
    if ((result.affected ?? 0) !== 1) return null;
    // Held until the audit trail has the decision: an undone decision is never announced.
    await enqueueWebhookEvent(manager, { tenantId: request.tenantId, event: decision.webhook, requestId: request.id, data: requestEventData({ ...request, ...decision.changes }) }, now, { holdUntil: held });
    return appendEvent(manager, request.id, {
      at: now,
      worker: "api",
      actor: ctx.viewer.subject,
      step: decision.step,
      status: changes.status ?? request.status,
      detail: decision.detail,
    });
  });
  if (seq === null) {
    const current = await ctx.db.getRepository(PrivacyRequestRecord).findOneByOrFail({ id: request.id });
    throw new ConflictError(`privacy request ${request.id} is ${current.status}${current.erasureStartedAt ? ", and its erasure has begun" : ""}; it changed before the decision was written, so nothing was changed`);
  }
  try {
    await ctx.audit.record(ctx.token, [
      { tenantId: request.tenantId, action: decision.audit, subjectUserId: null, details: { requestId: request.id, kind: request.kind, ...decision.detail } },
    ]);
  } catch (error) {
    const restore = Object.fromEntries(Object.keys(changes).map((key) => [key, request[key as keyof PrivacyRequestRecord]]));
    await ctx.db.transaction(async (manager) => {
      await manager.createQueryBuilder().update(PrivacyRequestRecord).set(restore).where("id = :id", { id: request.id }).execute();
      await manager.delete(PrivacyRequestEventRecord, { requestId: request.id, seq });
      await discardWebhookEvents(manager, request.id, decision.webhook);
    });
    throw new UnavailableError(`the audit trail did not accept the decision, so nothing was changed (${error instanceof Error ? error.message : String(error)})`);
  }
  await ctx.db.transaction(async (manager) => {
    if (decision.holdsLease) {
      await manager
        .createQueryBuilder()
        .update(PrivacyRequestRecord)
        .set({ leaseOwner: null, leaseExpiresAt: null })
        .where("id = :id AND lease_owner = :apiLease", { id: request.id, apiLease })
        .execute();
    }
    await releaseWebhookEvents(manager, request.id, ctx.clock.now());
  });
  ctx.wakeWorkers();
  return ctx.db.getRepository(PrivacyRequestRecord).findOneByOrFail({ id: request.id });
}

/** The request, if the viewer's role may call `operation` and may see the request (a data subject: only their own). */
async function requestToDecide(ctx: GovernanceContext, rawId: string, operation: Operation, action: string): Promise<PrivacyRequestRecord> {
  assertMayCall(ctx.viewer, operation, action);
  return findPrivacyRequest(ctx, rawId);
}

function awaitingApproval(request: PrivacyRequestRecord, verb: string): void {
  if (request.status !== PrivacyRequestStatus.AWAITING_APPROVAL) {
    throw new ConflictError(`privacy request ${request.id} is ${request.status}; only a request AWAITING_APPROVAL can be ${verb}`);
  }
}

/**
 * AWAITING_APPROVAL → RECEIVED, by a second person: an admin or privacy officer of the
 * tenant who did not file the request (four eyes). The workers pick it up at once.
 */
export async function approvePrivacyRequest(ctx: GovernanceContext, rawId: string): Promise<PrivacyRequestRecord> {
  const request = await requestToDecide(ctx, rawId, "approvePrivacyRequest", "approve privacy requests");
  if (request.requestedBy === ctx.viewer.subject) {
    throw new ForbiddenError(`you filed privacy request ${request.id}; another privacy officer or tenant admin of the tenant must approve it (four-eyes rule)`, { tenantId: request.tenantId });
  }
  awaitingApproval(request, "approved");
  const now = ctx.clock.now();
  return decide(ctx, request, {
    step: "APPROVED",
    webhook: WebhookEvent.REQUEST_APPROVED,
    audit: "PRIVACY_REQUEST_APPROVED",
    changes: { status: PrivacyRequestStatus.RECEIVED, approvedBy: ctx.viewer.subject, approvedAt: now },
    guard: "status = :from",
    params: { from: PrivacyRequestStatus.AWAITING_APPROVAL },
    detail: {},
    holdsLease: true,
  });
}

/** Changes that end a request before anything was erased; a restriction's freeze is then lifted by a worker (queue.ts, worker.ts). */
function withdrawal(request: PrivacyRequestRecord, status: PrivacyRequestStatus, reason: string, now: Date): RequestChanges {
  const exported = request.exportStartedAt !== null;
  return {
    status,
    decisionReason: reason,
    completedAt: now,
    openUserId: null,
    nextAttemptAt: null,
    // Whatever was written of the archive goes at the next purge; it is nobody's copy now.
    archiveExpiresAt: exported && request.archivePurgedAt === null ? now : request.archiveExpiresAt,
    // An ACCESS request froze nothing.
    freezeReleasedAt: request.kind === PrivacyRequestKind.ACCESS ? now : null,
  };
}

/** AWAITING_APPROVAL → DENIED, with a reason. Every record stays; the freeze is lifted. */
export async function denyPrivacyRequest(ctx: GovernanceContext, rawId: string, rawReason: string): Promise<PrivacyRequestRecord> {
  const request = await requestToDecide(ctx, rawId, "denyPrivacyRequest", "deny privacy requests");
  const reason = assertText(rawReason, "reason", REASON_LENGTH);
  awaitingApproval(request, "denied");
  return decide(ctx, request, {
    step: "DENIED",
    webhook: WebhookEvent.REQUEST_DENIED,
    audit: "PRIVACY_REQUEST_DENIED",
    changes: withdrawal(request, PrivacyRequestStatus.DENIED, reason, ctx.clock.now()),
    guard: "status = :from",
    params: { from: PrivacyRequestStatus.AWAITING_APPROVAL },
    detail: { reason },
    holdsLease: true,
  });
}

/**
 * Any unfinished request → CANCELED, with a reason, until its erasure begins: by its
 * requester, the tenant's admins and privacy officers, or the person it is about. Every
 * record stays, the freeze is lifted, and a worker that was exporting loses the request
 * at its next checkpoint. Serialised with the start of erasure: both change the request
 * row, and the cancel's guard requires that erasure has not started.
 */
export async function cancelPrivacyRequest(ctx: GovernanceContext, rawId: string, rawReason: string): Promise<PrivacyRequestRecord> {
  const request = await requestToDecide(ctx, rawId, "cancelPrivacyRequest", "cancel privacy requests");
  const reason = assertText(rawReason, "reason", REASON_LENGTH);
  if (isFinished(request.status)) throw new ConflictError(`privacy request ${request.id} is ${request.status}; a finished request cannot be canceled`);
  if (request.erasureStartedAt) {
    throw new ConflictError(`privacy request ${request.id} began erasing at ${request.erasureStartedAt.toISOString()} (status ${request.status}); it can no longer be canceled`);
  }
  return decide(ctx, request, {
    step: "CANCELED",
    webhook: WebhookEvent.REQUEST_CANCELED,
    audit: "PRIVACY_REQUEST_CANCELED",
    changes: withdrawal(request, PrivacyRequestStatus.CANCELED, reason, ctx.clock.now()),
    guard: `status IN (${CANCELABLE.map((_status, index) => `:s${index}`).join(", ")}) AND erasure_started_at IS NULL`,
    params: Object.fromEntries(CANCELABLE.map((status, index) => [`s${index}`, status])),
    detail: { reason },
    holdsLease: true,
  });
}

/**
 * Moves an unfinished request's due date by `days`, with a reason (GDPR Art. 12(3)): at most
 * 60 days in all. Overdue is then computed against the new date. Work goes on undisturbed.
 */
export async function extendPrivacyRequestDeadline(ctx: GovernanceContext, rawId: string, days: number, rawReason: string): Promise<PrivacyRequestRecord> {
  const request = await requestToDecide(ctx, rawId, "extendPrivacyRequestDeadline", "extend privacy request deadlines");
  const reason = assertText(rawReason, "reason", REASON_LENGTH);
  const used = request.deadlineExtensions.reduce((sum, extension) => sum + extension.days, 0);
  if (!Number.isInteger(days) || days < 1) throw new BadUserInputError(`days must be a whole number of at least 1, got ${days}`, "days");
  if (used + days > MAX_EXTENSION_DAYS) {
    throw new BadUserInputError(`days: an extension of ${days} would make ${used + days} days in all; at most ${MAX_EXTENSION_DAYS} are allowed (${MAX_EXTENSION_DAYS - used} left)`, "days");
  }
  if (isFinished(request.status)) throw new ConflictError(`privacy request ${request.id} is ${request.status}; a finished request has no deadline to extend`);
  const now = ctx.clock.now();
  const dueAt = new Date(request.dueAt.getTime() + days * DAY_MS);
  const extension = { days, reason, extendedBy: ctx.viewer.subject, extendedAt: now.getTime() };
  return decide(ctx, request, {
    step: "DEADLINE_EXTENDED",
    webhook: WebhookEvent.REQUEST_DEADLINE_EXTENDED,
    audit: "PRIVACY_REQUEST_DEADLINE_EXTENDED",
    changes: { dueAt, deadlineExtensions: [...request.deadlineExtensions, extension] },
    // Two extensions at once: the second finds the date moved and is refused, so none is lost.
    guard: `due_at = :previousDue AND status NOT IN (${FINISHED_STATUSES.map((_status, index) => `:f${index}`).join(", ")})`,
    params: { previousDue: request.dueAt.getTime(), ...Object.fromEntries(FINISHED_STATUSES.map((status, index) => [`f${index}`, status])) },
    detail: { days, reason, dueAt: dueAt.toISOString() },
    holdsLease: false,
  });
}
