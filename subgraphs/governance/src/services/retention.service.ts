import { randomUUID } from "node:crypto";
import { assertRole, DataCategory, PLATFORM_TENANT_ID } from "@dgg/common";
import type { AuditRecordInput, CategoryCount } from "@dgg/common";
import { RetentionRunRecord } from "../entities/retention-run.entity";
import type { GovernanceContext } from "../context";
import { CATEGORY_ORDER, cutoffs } from "./retention-rules";

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

  for (const { userId, tenantId } of await ctx.contract.usersRemovedBefore(cut.removedUsers)) {
    const holdings = await ctx.contract.holdings(userId, tenantId);
    const erased = await ctx.contract.erase(userId, tenantId, `pseudonym:${randomUUID()}`);
    pseudonymised += erased.filter((count) => count.category === DataCategory.AUDIT_LOG).reduce((sum, count) => sum + count.count, 0);
    add(erased.filter((count) => count.category !== DataCategory.AUDIT_LOG));
    if (holdings.tenantId) audit.push({ tenantId: holdings.tenantId, action: "RETENTION_ERASED_REMOVED_USER", subjectUserId: null });
  }
  add(await ctx.contract.purgeExpired(startedAt));

  const run = ctx.db.getRepository(RetentionRunRecord).create({
    id: randomUUID(),
    startedAt,
    finishedAt: ctx.clock.now(),
    purges: CATEGORY_ORDER.map((category) => ({ category, count: totals.get(category) ?? 0 })),
    pseudonymised,
    triggeredBy: ctx.viewer.subject,
  });
  await ctx.db.getRepository(RetentionRunRecord).save(run);
  audit.push({ tenantId: PLATFORM_TENANT_ID, action: "RETENTION_RUN", details: { runId: run.id, purges: run.purges, pseudonymised } });
  await ctx.audit.record(ctx.token, audit);
  return run;
}
