import { assertMayCall, AUDIT_RETENTION_MS, DataCategory, REMOVED_USER_RETENTION_MS, TELEMETRY_RETENTION_MS } from "@dgg/common";
import type { GovernanceContext } from "../context";
import type { PersonalData } from "./personal-data.type";
import type { ProcessingStatement, RetentionStatus } from "../retention/retention.type";
import { toLegalHold } from "../holds/legal-hold.mapper";
import { heldUserIds } from "../holds/hold-queries";
import { CATEGORY_ORDER, POLICIES, purgeDatesFor, scheduledPurgeAt } from "../retention/retention-rules";
import { resolveSubject } from "./subject-access.service";

/**
 * The root of `personalData(user)`: authorises, records the read in the audit trail
 * (before any data leaves), and returns the entity the data subgraphs extend.
 */
export async function personalData(ctx: GovernanceContext, user: string): Promise<PersonalData> {
  const { userId, tenantId } = await resolveSubject(ctx, user, "personalData", "read personal data");
  await ctx.audit.record(ctx.token, [{ tenantId, action: "PERSONAL_DATA_READ", subjectUserId: userId }]);
  return { userId, tenantId };
}

/**
 * Each category's rule and when its oldest data goes. Under a legal hold nothing is purged,
 * so there is no date, and the hold (reason, who placed it) is shown instead.
 */
export async function retentionOf(ctx: GovernanceContext, root: PersonalData): Promise<RetentionStatus[]> {
  const [holdings, hold] = await Promise.all([ctx.loaders.holdings.load(root.userId), ctx.loaders.holds.load(root.userId)]);
  const dates = purgeDatesFor(holdings);
  return CATEGORY_ORDER.map((category) => {
    const purgeAfter = hold ? null : (dates.get(category) ?? null);
    return {
      category,
      policy: POLICIES[category],
      purgeAfter,
      scheduledPurgeAt: scheduledPurgeAt(purgeAfter, ctx.retention.intervalMs, ctx.clock.now()),
      legalHold: hold ? toLegalHold(hold) : null,
    };
  });
}

/** The seed's processing statement: ISO-certified systems, no profiling, no marketing. */
export const PROCESSING_STATEMENT: ProcessingStatement = {
  isoCertifiedSystems: true,
  usedForProfiling: false,
  usedForMarketing: false,
};

/**
 * The rules with the next purge date across what the caller may see: the tenant's data
 * for tenant-scoped roles, all tenants for operators.
 */
export async function retentionPolicies(ctx: GovernanceContext): Promise<RetentionStatus[]> {
  assertMayCall(ctx.viewer, "retentionPolicies", "read retention policies");
  if (ctx.viewer.role === "data-subject") {
    // A data subject sees the dates of its own data, nothing about the rest of the tenant.
    return retentionOf(ctx, { userId: ctx.viewer.userId!, tenantId: ctx.viewer.tenantId! });
  }
  const tenantId = ctx.viewer.role === "operator" ? null : ctx.viewer.tenantId;
  // Held users' data is not purged, so it does not set the next purge date; a tenant's view needs only its own holds.
  const oldest = new Map((await ctx.contract.oldest(tenantId, await heldUserIds(ctx.db, tenantId))).map((entry) => [entry.category, entry.oldestAt]));
  const periodOf: Record<DataCategory, number> = {
    [DataCategory.ACCOUNT]: REMOVED_USER_RETENTION_MS,
    [DataCategory.SERVICE_DATA]: REMOVED_USER_RETENTION_MS,
    [DataCategory.TELEMETRY]: TELEMETRY_RETENTION_MS,
    [DataCategory.AUDIT_LOG]: AUDIT_RETENTION_MS,
  };
  return CATEGORY_ORDER.map((category) => {
    const start = oldest.get(category);
    const purgeAfter = start ? new Date(new Date(start).getTime() + periodOf[category]) : null;
    return {
      category,
      policy: POLICIES[category],
      purgeAfter,
      scheduledPurgeAt: scheduledPurgeAt(purgeAfter, ctx.retention.intervalMs, ctx.clock.now()),
      legalHold: null,
    };
  });
}
