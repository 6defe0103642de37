import type { AuditOutcome } from "../types/audit-outcome.enum";
import type { AuditLogEntry } from "../entities/audit-log-entry.entity";

/**
 * Raw rows carry column names and driver types (bigint as string on PostgreSQL, JSON as
 * text); map them onto entity properties.
 */
export function hydrateEntry(row: Record<string, unknown>): Partial<AuditLogEntry> {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    actor: String(row.actor),
    actorRole: String(row.actor_role),
    outcome: String(row.outcome) as AuditOutcome,
    action: String(row.action),
    subjectUserId: typeof row.subject_user_id === "string" ? row.subject_user_id : null,
    occurredAt: new Date(Number(row.occurred_at)),
    details: typeof row.details === "string" ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  };
}
