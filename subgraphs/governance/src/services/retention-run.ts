import { randomUUID } from "node:crypto";
import { DataCategory } from "@dgg/common";
import type { AuditRecordInput } from "@dgg/common";
import { RetentionRunRecord } from "../entities/retention-run.entity";
import type { RetentionTrigger, RunError, SubgraphPurge } from "../entities/retention-run.entity";
import type { GovernanceDeps } from "../context";
import { purgeExpiredEvidence } from "../privacy/evidence-purge";
import type { EvidencePurgeResult } from "../privacy/evidence-purge";
import { activeHoldsFor, heldUserIds } from "./legal-hold.service";
import { CATEGORY_ORDER, cutoffs } from "./retention-rules";

/**
 * Audit entries need a tenant; platform-wide actions (a retention run) are recorded
 * under this reserved id.
 */
export const PLATFORM_TENANT_ID = "00000000-0000-4000-8000-000000000000";

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
 * Applies the three rules as of the run's start: users removed from management more than
 * 30 days ago are erased everywhere (audit entries pseudonymised, as for restrictProcessing),
 * then each age-based subgraph purges telemetry older than 30 days and audit entries older
 * than 365 days. Users under legal hold are skipped by every step. The caller holds the
 * retention lease, so no other replica runs at the same time.
 */
export async function executeRetentionRun(deps: GovernanceDeps, request: RunRequest): Promise<RetentionRunRecord> {
  const startedAt = deps.clock.now();
  const cut = cutoffs(startedAt);
  const ledger = new RunLedger();
  const held = await heldUserIds(deps.db);

  let removed: { userId: string; tenantId: string }[] = [];
  try {
    removed = await deps.contract.usersRemovedBefore(cut.removedUsers);
  } catch (error) {
    ledger.fail("LIST_REMOVED_USERS", "users", error);
  }
  for (const { userId, tenantId } of removed) {
    // Checked again per user: a hold placed while the run is under way still counts.
    const [hold] = await activeHoldsFor(deps.db, [userId]);
    if (hold) continue;
    try {
      const holdings = await deps.contract.holdings(userId, tenantId);
      const erased = await deps.contract.eraseBySubgraph(userId, tenantId, `pseudonym:${randomUUID()}`);
      erased.forEach((result) => ledger.add(result.subgraph, result.erased, true));
      if (holdings.tenantId) ledger.audit.push({ tenantId: holdings.tenantId, action: "RETENTION_ERASED_REMOVED_USER", subjectUserId: null });
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
  let evidence: EvidencePurgeResult = { archivesPurged: 0, receiptsPurged: 0 };
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
