import { assertId, BadUserInputError, PLATFORM_TENANT_ID, quote } from "@dgg/common";
import type { DenialRecord, Viewer } from "@dgg/common";
import { AuditOutcome } from "../types/audit-outcome.enum";
import type { NewAuditEntry } from "./audit-entries.service";
import { isPlainObject } from "./audit-entries.service";

export const ACCESS_DENIED = "ACCESS_DENIED";
/** One refused request rarely yields more than a few refusals; more is a misbehaving writer. */
const MAX_DENIALS = 100;
const MAX_OPERATION_LENGTH = 200;
const MAX_REASON_LENGTH = 1000;

function optionalString(raw: Record<string, unknown>, field: string, at: string, max: number): string | null {
  const value = raw[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new BadUserInputError(`${at}.${field} must be null or 1..${max} characters, got ${quote(value)}`, `${at}.${field}`);
  }
  return value;
}

/** Validates `{denials: [{operation, reason, targetTenantId, targetUserId}]}`; the first bad one fails all. */
export function parseDenials(body: unknown): DenialRecord[] {
  const denials = isPlainObject(body) ? body.denials : undefined;
  if (!Array.isArray(denials) || denials.length < 1 || denials.length > MAX_DENIALS) {
    throw new BadUserInputError(`denials must be a list of 1..${MAX_DENIALS}, got ${quote(denials)}`, "denials");
  }
  return denials.map((raw: unknown, index) => {
    const at = `denials[${index}]`;
    if (!isPlainObject(raw)) throw new BadUserInputError(`${at} must be an object, got ${quote(raw)}`, at);
    const operation = optionalString(raw, "operation", at, MAX_OPERATION_LENGTH);
    const reason = optionalString(raw, "reason", at, MAX_REASON_LENGTH);
    if (!operation || !reason) throw new BadUserInputError(`${at} needs an operation and a reason`, at);
    const tenant = optionalString(raw, "targetTenantId", at, 36);
    const user = optionalString(raw, "targetUserId", at, 36);
    return {
      operation,
      reason,
      targetTenantId: tenant === null ? null : assertId(tenant, `${at}.targetTenantId`),
      targetUserId: user === null ? null : assertId(user, `${at}.targetUserId`),
    };
  });
}

/**
 * The entries one refusal becomes. The actor's own trail (its tenant, or the platform's
 * for an operator) always gets one, identical whether or not the target exists, so the
 * refused caller's tenant learns nothing from its own trail. When the target lies in
 * another tenant, that tenant's trail gets one too: its admins see who tried (subject,
 * role, tenant) and nothing of the actor's tenant's data.
 *
 * The user concerned is named (subjectUserId) only in an entry of the user's own tenant:
 * an entry that linked a user id to another tenant would make audit holdings report that
 * tenant as the user's, and open the user's data to it.
 */
export function denialEntries(viewer: Viewer, denials: readonly DenialRecord[]): NewAuditEntry[] {
  const actorTenant = viewer.tenantId ?? PLATFORM_TENANT_ID;
  return denials.flatMap((denial) => {
    const sameTenant = denial.targetTenantId === actorTenant;
    const own: NewAuditEntry = {
      tenantId: actorTenant,
      action: ACCESS_DENIED,
      subjectUserId: sameTenant ? denial.targetUserId : null,
      details: { operation: denial.operation, reason: denial.reason },
      outcome: AuditOutcome.DENIED,
    };
    if (!denial.targetTenantId || sameTenant) return [own];
    const target: NewAuditEntry = {
      tenantId: denial.targetTenantId,
      action: ACCESS_DENIED,
      subjectUserId: denial.targetUserId,
      details: { operation: denial.operation, actorTenantId: viewer.tenantId },
      outcome: AuditOutcome.DENIED,
    };
    return [own, target];
  });
}
