import { assertId, assertMayCall, NotFoundError, outOfBounds, quote } from "@dgg/common";
import type { Operation } from "@dgg/common";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import type { GovernanceContext } from "../context";
import type { SubjectHoldings } from "../contract/personal-data-contract-client";

/**
 * Finds the tenant of a user and decides whether the viewer may see or act on the user's
 * personal data. A tenant-scoped viewer gets the same FORBIDDEN for a user of another
 * tenant and for an id nobody knows, so a refusal reveals nothing; NOT_FOUND ("nothing
 * held") is only said to callers entitled to know, i.e. about users of their own tenant
 * whose data was erased (governance keeps the request as evidence) or about themselves.
 */
export async function resolveSubject(
  ctx: GovernanceContext,
  rawUserId: string,
  operation: Operation,
  action: string,
): Promise<{ userId: string; tenantId: string; holdings: SubjectHoldings }> {
  assertMayCall(ctx.viewer, operation, action);
  const userId = assertId(rawUserId, "user");
  if (ctx.viewer.role === "data-subject" && ctx.viewer.userId !== userId) throw outOfBounds(ctx.viewer, `user ${userId}`);
  const holdings = await ctx.loaders.holdings.load(userId);
  const tenantId = holdings.tenantId ?? (await formerTenantOf(ctx, userId));
  const isSelf = ctx.viewer.role === "data-subject";
  if (!tenantId) {
    if (isSelf) throw new NotFoundError(`nothing is held about user ${quote(userId)}`);
    // Nothing in the caller's tenant: the same refusal whether the id is unknown or another
    // tenant's (searched only so that tenant's audit trail shows the attempt).
    const owner = await ctx.contract.ownerOf(userId);
    throw outOfBounds(ctx.viewer, `user ${userId}`, owner ? { tenantId: owner, userId } : {});
  }
  if (tenantId !== ctx.viewer.tenantId) {
    // The target's tenant sees the attempt; the user is named there only while data is held.
    throw outOfBounds(ctx.viewer, `user ${userId}`, { tenantId, userId: holdings.totalRecords > 0 ? userId : null });
  }
  if (holdings.totalRecords === 0) throw new NotFoundError(`nothing is held about user ${quote(userId)}`);
  return { userId, tenantId, holdings };
}

/** The tenant of a user whose data is gone, from the privacy requests kept as evidence. */
async function formerTenantOf(ctx: GovernanceContext, userId: string): Promise<string | null> {
  const request = await ctx.db.getRepository(PrivacyRequestRecord).findOne({ where: { userId }, order: { createdAt: "DESC" } });
  return request?.tenantId ?? null;
}
