import { eraseEverywhere } from "../contract/erase-everywhere";
import { randomUUID } from "node:crypto";
import { DataCategory, ERROR_LENGTH, PLATFORM_TENANT_ID, withSpan } from "@dgg/common";
import type { AuditRecordInput } from "@dgg/common";
import { RetentionErasureRecord } from "../entities/retention-erasure.entity";
import { RetentionRunRecord } from "../entities/retention-run.entity";
import { recordErasedSubject } from "../privacy/engine/ledger";
import type { RetentionTrigger, RunError, SubgraphPurge } from "../entities/retention-run.entity";
import type { GovernanceDeps } from "../context";
import { purgeExpiredEvidence } from "../privacy/engine/evidence-purge";
import type { EvidencePurgeResult } from "../privacy/engine/evidence-purge";
import { activeHoldsFor, heldUserIds } from "../holds/hold-queries";
import { CATEGORY_ORDER, cutoffs } from "./retention-rules";


export interface RunRequest {
  trigger: RetentionTrigger;
  /** Subject recorded on the run: the operator, or governance's service identity. */
  triggeredBy: string;
  /** Identity the audit entries are written with (the audit service takes the actor from it). */
  token: string;
}

/** Collects what a run did, step by step, so a failing step is recorded and the others still run. */
class RunLedger {
  readonly purges: SubgraphPurge[] = [];
  readonly errors: RunError[] = [];
  readonly audit: AuditRecordInput[] = [];
  pseudonymised = 0;

  /** Erasing a user pseudonymises its audit entries rather than deleting them, so those are counted apart. */
  add(subgraph: string, counts: { category: DataCategory; count: number }[], erasure: boolean): void {
    for (const { category, count } of counts) {
      if (erasure && category === DataCategory.AUDIT_LOG) this.pseudonymised += count;
      else {
        const same = this.purges.find((purge) => purge.subgraph === subgraph && purge.category === category);
        if (same) same.count += count;
        else this.purges.push({ subgraph, category, count });
      }
    }
  }

  fail(step: string, subgraph: string | null, error: unknown): void {
    this.errors.push({ step, subgraph, message: error instanceof Error ? error.message : String(error) });
  }

  totals(): { category: DataCategory; count: number }[] {
    return CATEGORY_ORDER.map((category) => ({
      category,
      count: this.purges.filter((purge) => purge.category === category).reduce((sum, purge) => sum + purge.count, 0),
    }));
  }
}

/**
 * Who this run erases for the 30-days-after-removal rule: users the users subgraph lists as
 * removed before the cut-off, and every erasure an earlier run began and did not finish
 * (those users may no longer be listed: their account can be gone while other data is left).
 */
async function removedUsersToErase(deps: GovernanceDeps, cutoff: Date, ledger: RunLedger): Promise<{ userId: string; tenantId: string }[]> {
  const pending = await deps.db.getRepository(RetentionErasureRecord).find({ order: { startedAt: "ASC" } });
  const users = new Map(pending.map((row) => [row.userId, row.tenantId]));
  try {
    for (const { userId, tenantId } of await deps.contract.usersRemovedBefore(cutoff)) if (!users.has(userId)) users.set(userId, tenantId);
  } catch (error) {
    ledger.fail("LIST_REMOVED_USERS", "users", error);
  }
  return [...users].map(([userId, tenantId]) => ({ userId, tenantId }));
}

/**
 * Erases one removed user in every data subgraph, recorded as pending first (with the
 * person in the erasure ledger, as for restrictProcessing) and cleared only once every
 * subgraph has answered; a failure is recorded on the pending row for the next run.
 */
async function eraseRemovedUser(deps: GovernanceDeps, userId: string, tenantId: string, at: Date) {
  const pending = deps.db.getRepository(RetentionErasureRecord);
  await deps.db.transaction(async (manager) => {
    if (!(await manager.findOneBy(RetentionErasureRecord, { userId }))) {
      await manager.insert(RetentionErasureRecord, { userId, tenantId, startedAt: at, attempts: 0, lastError: null });
    }
    await manager.increment(RetentionErasureRecord, { userId }, "attempts", 1);
    await recordErasedSubject(manager, deps.ledgerKey, userId, at);
  });
  try {
    const erased = await eraseEverywhere(deps.contract, userId, tenantId, `pseudonym:${randomUUID()}`);
    await pending.delete({ userId });
    return erased;
  } catch (error) {
    await pending.update({ userId }, { lastError: (error instanceof Error ? error.message : String(error)).slice(0, ERROR_LENGTH) });
    throw error;
  }
}

/**
 * Applies the three rules as of the run's start: users removed from management more than
 * 30 days ago are erased everywhere (audit entries pseudonymised, as for restrictProcessing),
 * then each age-based subgraph purges telemetry older than 30 days and audit entries older
 * than 365 days. Users under legal hold are skipped by every step. The caller holds the
 * retention lease, so no other replica runs at the same time.
 */
export function executeRetentionRun(deps: GovernanceDeps, request: RunRequest): Promise<RetentionRunRecord> {
  // On demand: a child of the runRetention request's span; scheduled: a trace of its own.
  return withSpan("retention run", { attributes: { "dgg.retention.trigger": request.trigger } }, () => runAndRecord(deps, request));
}

async function runAndRecord(deps: GovernanceDeps, request: RunRequest): Promise<RetentionRunRecord> {
  const startedAt = deps.clock.now();
  const cut = cutoffs(startedAt);
  const ledger = new RunLedger();
  const held = await heldUserIds(deps.db);

  for (const { userId, tenantId } of await removedUsersToErase(deps, cut.removedUsers, ledger)) {
    // Checked again per user: a hold placed while the run is under way still counts.
    const [hold] = await activeHoldsFor(deps.db, [userId]);
    if (hold) continue;
    try {
      const erased = await eraseRemovedUser(deps, userId, tenantId, startedAt);
      erased.forEach((result) => ledger.add(result.subgraph, result.erased, true));
      ledger.audit.push({ tenantId, action: "RETENTION_ERASED_REMOVED_USER", subjectUserId: null });
    } catch (error) {
      ledger.fail("ERASE_REMOVED_USER", null, error);
    }
  }

  for (const subgraph of deps.contract.ageBased) {
    try {
      ledger.add(subgraph.name, await deps.contract.purgeExpired(subgraph, startedAt, held), false);
    } catch (error) {
      ledger.fail("PURGE_EXPIRED", subgraph.name, error);
    }
  }

  // Privacy-request archives (30 days by default) and receipts (one year) past their keep period.
  let evidence: EvidencePurgeResult = { archivesPurged: 0, receiptsPurged: 0, withdrawnPurged: 0 };
  try {
    evidence = await purgeExpiredEvidence(deps, startedAt);
  } catch (error) {
    ledger.fail("PURGE_PRIVACY_EVIDENCE", "governance", error);
  }

  const repo = deps.db.getRepository(RetentionRunRecord);
  const run = repo.create({
    id: randomUUID(),
    startedAt,
    finishedAt: deps.clock.now(),
    purges: ledger.totals(),
    pseudonymised: ledger.pseudonymised,
    triggeredBy: request.triggeredBy,
    trigger: request.trigger,
    subgraphPurges: ledger.purges,
    errors: ledger.errors,
    heldUsers: held.length,
  });
  await repo.save(run);
  deps.metrics.retentionRunDuration.observe((run.finishedAt.getTime() - startedAt.getTime()) / 1000);
  for (const { category, count } of run.purges) if (count > 0) deps.metrics.retentionPurgedRows.inc({ category }, count);
  ledger.audit.push({
    tenantId: PLATFORM_TENANT_ID,
    action: "RETENTION_RUN",
    details: { runId: run.id, trigger: run.trigger, purges: run.purges, pseudonymised: run.pseudonymised, heldUsers: held.length, errors: ledger.errors.length, ...evidence },
  });
  try {
    await deps.audit.record(request.token, ledger.audit);
  } catch (error) {
    // The purge cannot be undone; the run record says its audit entry is missing.
    ledger.fail("AUDIT", "audit", error);
    run.errors = ledger.errors;
    await repo.save(run);
  }
  return run;
}
