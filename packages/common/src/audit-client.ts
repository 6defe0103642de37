import { callInternal } from "./internal-http";

/** One audit record. The actor is not part of it: the audit service takes it from the verified identity. */
export interface AuditRecordInput {
  tenantId: string;
  /** What was done, e.g. USER_CREATED. */
  action: string;
  subjectUserId?: string | null;
  details?: Record<string, unknown> | null;
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
}
