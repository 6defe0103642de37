import { randomUUID } from "node:crypto";
import { DataCategory, PrivacyRequestStatus } from "@dgg/common";
import type { CategoryCount } from "@dgg/common";
import { PrivacyReceiptRecord } from "../../entities/privacy-receipt.entity";
import type { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { CATEGORY_ORDER } from "../../retention/retention-rules";
import type { EngineDeps } from "./engine-deps";
import { thawSubject } from "./freeze-step";
import { checkpoint } from "./queue";

/** Erased records per category, summed over subgraphs. */
export function erasedTotals(request: PrivacyRequestRecord): CategoryCount[] {
  const erased = request.checkpoint.erasures.flatMap((entry) => entry.erased ?? []);
  return CATEGORY_ORDER.map((category) => ({
    category,
    count: erased.filter((count) => count.category === category).reduce((sum, count) => sum + count.count, 0),
  }));
}

/**
 * Pseudonymises audit entries about the person written since the audit subgraph's erasure
 * (an officer's read, a poll of this request): the audit subgraph's tombstone catches every
 * entry appended after its erasure committed, and this second pass catches one that was in
 * flight across it. Idempotent; returns how many entries it changed.
 */
async function pseudonymiseLateAuditEntries(deps: EngineDeps, request: PrivacyRequestRecord): Promise<number> {
  const audit = deps.contract.soleSubgraphFor(DataCategory.AUDIT_LOG);
  const counts = await deps.contract.eraseIn(audit, request.userId, request.tenantId, `pseudonym:${randomUUID()}`, []);
  return counts.reduce((sum, count) => sum + count.count, 0);
}

/**
 * ERASING → COMPLETED: pseudonymises late audit entries, checks that no store still holds
 * personal data about the person, lifts the freeze, writes the outcome to the audit trail
 * (before the status, so a crash in between repeats the entry rather than losing it), then
 * the receipt and the final status in one transaction. Audit entries never make this step
 * refuse: they are pseudonymised, not counted.
 */
export async function finishRequest(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  const late = await pseudonymiseLateAuditEntries(deps, request);
  const left = await deps.contract.holdings(request.userId, request.tenantId);
  const remaining = [...left.categories]
    .filter(([category, held]) => category !== DataCategory.AUDIT_LOG && held.records > 0)
    .map(([category, held]) => `${category}=${held.records}`);
  if (remaining.length > 0) throw new Error(`user ${request.userId} still has records after erasure (${remaining.join(", ")})`);
  // The account is gone, so nothing new can be filed about the user; the freeze rows name them and go too.
  await thawSubject(deps, request);
  deps.faults.hit("finish.thawed");
  const erased = erasedTotals(request);
  await deps.audit.record(await deps.serviceToken(), [
    {
      tenantId: request.tenantId,
      action: "PROCESSING_RESTRICTED",
      // No subject: the link to the person is gone by design; the request id leads to the evidence.
      subjectUserId: null,
      details: { requestId: request.id, manifestSha256: request.exportSha256, erased, latePseudonymised: late },
    },
  ]);
  deps.faults.hit("finish.audited");
  await complete(deps, request, worker, erased);
}

/**
 * The receipt (evidence kept for a year: what was exported and erased, on whose request) and
 * COMPLETED, in one transaction; the archive is kept for its keep period from now.
 */
async function complete(deps: EngineDeps, request: PrivacyRequestRecord, worker: string, erased: CategoryCount[]): Promise<void> {
  const now = deps.clock.now();
  const receipt: PrivacyReceiptRecord = {
    requestId: request.id,
    tenantId: request.tenantId,
    manifestSha256: request.exportSha256!,
    exported: request.exportCounts ?? [],
    erasures: request.checkpoint.erasures.map((entry) => ({
      subgraph: entry.subgraph,
      erasedAt: new Date(entry.erasedAt ?? now.getTime()).toISOString(),
      counts: entry.erased ?? [],
    })),
    requestedBy: request.requestedBy,
    requestedAt: request.createdAt,
    completedAt: now,
    expiresAt: new Date(now.getTime() + deps.privacy.receiptRetentionMs),
  };
  await checkpoint(
    deps.db,
    request,
    worker,
    now,
    "COMPLETED",
    {
      status: PrivacyRequestStatus.COMPLETED,
      completedAt: now,
      erasures: erased,
      openUserId: null,
      error: null,
      nextAttemptAt: null,
      leaseExpiresAt: null,
      archiveExpiresAt: new Date(now.getTime() + deps.privacy.archiveRetentionMs),
    },
    { erased },
    async (manager) => {
      if (!(await manager.findOneBy(PrivacyReceiptRecord, { requestId: request.id }))) await manager.insert(PrivacyReceiptRecord, receipt);
    },
  );
  deps.faults.hit("finish.completed");
}

/**
 * An ACCESS request, EXPORTED → COMPLETED: the verified archive is the answer. The audit
 * entry names the person (their data was copied, nothing was erased), then the receipt and
 * the status, as for a restriction.
 */
export async function finishAccess(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  await deps.audit.record(await deps.serviceToken(), [
    {
      tenantId: request.tenantId,
      action: "PERSONAL_DATA_EXPORTED",
      subjectUserId: request.userId,
      details: { requestId: request.id, manifestSha256: request.exportSha256, exported: request.exportCounts ?? [] },
    },
  ]);
  deps.faults.hit("finish.audited");
  await complete(deps, request, worker, []);
}

/**
 * A denied or canceled restriction: lifts its freeze in every data subgraph (idempotent),
 * then records that it is lifted, which takes the request off the queue for good.
 */
export async function releaseFreeze(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  await thawSubject(deps, request);
  const now = deps.clock.now();
  await checkpoint(deps.db, request, worker, now, "FREEZE_LIFTED", { freezeReleasedAt: now, error: null, nextAttemptAt: null, leaseExpiresAt: null });
}
