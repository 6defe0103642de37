import { randomUUID } from "node:crypto";
import { assertRole, DataCategory } from "@dgg/common";
import type { AuditRecordInput, CategoryCount } from "@dgg/common";
import { RetentionRunRecord } from "../entities/retention-run.entity";
import type { GovernanceContext } from "../context";
import { purgeExpiredEvidence } from "../privacy/evidence-purge";
import { CATEGORY_ORDER, cutoffs } from "./retention-rules";

/**
 * Audit entries need a tenant; platform-wide actions (a retention run) are recorded
 * under this reserved id.
 */
export const PLATFORM_TENANT_ID = "00000000-0000-4000-8000-000000000000";

/**
 * Applies the three rules as of now: users removed from management more than 30 days
 * ago are erased everywhere (audit entries pseudonymised, as for restrictProcessing),
 * then telemetry older than 30 days and audit entries older than 365 days are purged.
 */
export async function runRetention(ctx: GovernanceContext): Promise<RetentionRunRecord> {
  assertRole(ctx.viewer, ["operator"], "run retention");
  const startedAt = ctx.clock.now();
  const cut = cutoffs(startedAt);
  const totals = new Map<DataCategory, number>(CATEGORY_ORDER.map((category) => [category, 0]));
  const add = (counts: CategoryCount[]) => counts.forEach(({ category, count }) => totals.set(category, (totals.get(category) ?? 0) + count));
  const audit: AuditRecordInput[] = [];
  let pseudonymised = 0;

  for (const userId of await ctx.contract.usersRemovedBefore(cut.removedUsers)) {
    const holdings = await ctx.contract.holdings(userId);
    const erased = await ctx.contract.erase(userId, `pseudonym:${randomUUID()}`);
    pseudonymised += erased.filter((count) => count.category === DataCategory.AUDIT_LOG).reduce((sum, count) => sum + count.count, 0);
    add(erased.filter((count) => count.category !== DataCategory.AUDIT_LOG));
    if (holdings.tenantId) audit.push({ tenantId: holdings.tenantId, action: "RETENTION_ERASED_REMOVED_USER", subjectUserId: null });
  }
  add(await ctx.contract.purgeExpired(startedAt));
  // Privacy-request archives (30 days by default) and receipts (one year) past their keep period.
  const evidence = await purgeExpiredEvidence(ctx, startedAt);

  const run = ctx.db.getRepository(RetentionRunRecord).create({
    id: randomUUID(),
    startedAt,
    finishedAt: ctx.clock.now(),
    purges: CATEGORY_ORDER.map((category) => ({ category, count: totals.get(category) ?? 0 })),
    pseudonymised,
    triggeredBy: ctx.viewer.subject,
  });
  await ctx.db.getRepository(RetentionRunRecord).save(run);
  audit.push({ tenantId: PLATFORM_TENANT_ID, action: "RETENTION_RUN", details: { runId: run.id, purges: run.purges, pseudonymised, ...evidence } });
  await ctx.audit.record(ctx.token, audit);
  return run;
}
