import { assertOwnTenant, PrivacyRequestKind, writeThenAudit } from "@dgg/common";
import type { DataSource } from "typeorm";
import type { GovernanceContext } from "../../context";
import { PrivacyRequestPolicyRecord } from "../../entities/privacy-request-policy.entity";

export interface PrivacyRequestPolicyValue {
  tenantId: string;
  erasureRequiresApproval: boolean;
  accessRequiresApproval: boolean;
}

/** The tenant's policy; both flags off for a tenant that never set one, so clients written before approvals keep working. */
export async function policyOf(db: DataSource, tenantId: string): Promise<PrivacyRequestPolicyValue> {
  const row = await db.getRepository(PrivacyRequestPolicyRecord).findOneBy({ tenantId });
  return { tenantId, erasureRequiresApproval: row?.erasureRequiresApproval ?? false, accessRequiresApproval: row?.accessRequiresApproval ?? false };
}

export function approvalRequired(policy: PrivacyRequestPolicyValue, kind: PrivacyRequestKind): boolean {
  return kind === PrivacyRequestKind.ACCESS ? policy.accessRequiresApproval : policy.erasureRequiresApproval;
}

export function readPrivacyRequestPolicy(ctx: GovernanceContext, rawTenantId: string): Promise<PrivacyRequestPolicyValue> {
  return policyOf(ctx.db, assertOwnTenant(ctx.viewer, "privacyRequestPolicy", "read the privacy request policy", rawTenantId));
}

/** Sets the tenant's policy; audited, and undone if the audit trail cannot take it. Applies to requests filed from now on. */
export async function setPrivacyRequestPolicy(
  ctx: GovernanceContext,
  rawTenantId: string,
  input: { erasureRequiresApproval: boolean; accessRequiresApproval: boolean },
): Promise<PrivacyRequestPolicyValue> {
  const tenantId = assertOwnTenant(ctx.viewer, "setPrivacyRequestPolicy", "set the privacy request policy", rawTenantId);
  const repo = ctx.db.getRepository(PrivacyRequestPolicyRecord);
  const before = await repo.findOneBy({ tenantId });
  const row: PrivacyRequestPolicyRecord = {
    tenantId,
    erasureRequiresApproval: input.erasureRequiresApproval,
    accessRequiresApproval: input.accessRequiresApproval,
    updatedBy: ctx.viewer.subject,
    updatedAt: ctx.clock.now(),
  };
  await writeThenAudit({
    write: () => ctx.db.transaction((manager) => manager.getRepository(PrivacyRequestPolicyRecord).save(row)),
    entries: () => [
      {
        tenantId,
        action: "PRIVACY_REQUEST_POLICY_SET",
        subjectUserId: null,
        details: { erasureRequiresApproval: row.erasureRequiresApproval, accessRequiresApproval: row.accessRequiresApproval },
      },
    ],
    undo: () =>
      ctx.db.transaction(async (manager) => {
        if (before) await manager.getRepository(PrivacyRequestPolicyRecord).save(before);
        else await manager.delete(PrivacyRequestPolicyRecord, { tenantId });
      }),
    audit: ctx.audit,
    token: ctx.token,
  });
  return { tenantId, erasureRequiresApproval: row.erasureRequiresApproval, accessRequiresApproval: row.accessRequiresApproval };
}
