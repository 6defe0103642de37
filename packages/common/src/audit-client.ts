import { callInternal } from "./internal-http";

/**
 * Audit entries need a tenant; platform-wide actions (a retention run, an operator's
 * refused attempt) are recorded under this reserved id, which no tenant ever gets.
 */
export const PLATFORM_TENANT_ID = "00000000-0000-4000-8000-000000000000";

/** One audit record. The actor is not part of it: the audit service takes it from the verified identity. */
export interface AuditRecordInput {
  tenantId: string;
  /** What was done, e.g. USER_CREATED. */
  action: string;
  subjectUserId?: string | null;
  details?: Record<string, unknown> | null;
  /** SUCCEEDED unless said otherwise. */
  outcome?: "SUCCEEDED" | "FAILED";
}

/**
 * One refused attempt, as the refusing service saw it. The audit service records it in
 * the actor's own trail (always, with the same content whether or not the target
 * exists) and, when the target's tenant is another, in that tenant's trail too.
 */
export interface DenialRecord {
  /** The operation or field that was refused, e.g. `personalData` or `Mutation.createUser`. */
  operation: string;
  /** The message the caller got, which names nothing the caller did not send. */
  reason: string;
  targetTenantId: string | null;
  targetUserId: string | null;
}

/**
 * Appends audit entries through the audit subgraph's internal endpoint, forwarding the
 * caller's internal identity so the recorded actor cannot be chosen by the writer.
 */
export class AuditClient {
  constructor(private readonly auditUrl: string) {}

  async record(token: string, entries: AuditRecordInput[]): Promise<void> {
    if (entries.length === 0) return;
    await callInternal(`${this.auditUrl}/internal/audit/entries`, { token, body: { entries } });
  }

  /** Records refused attempts with the refused caller's identity as the actor. */
  async recordDenials(token: string, denials: DenialRecord[]): Promise<void> {
    if (denials.length === 0) return;
    await callInternal(`${this.auditUrl}/internal/audit/denials`, { token, body: { denials } });
  }
}
