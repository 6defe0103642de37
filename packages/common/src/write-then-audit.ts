import type { AuditClient, AuditRecordInput } from "./audit-client";
import { UnavailableError } from "./errors";

/**
 * Commits a write, then appends its audit entries. If the audit trail cannot take them,
 * the write is undone and the caller gets UNAVAILABLE: no change is ever left unaudited,
 * and no transaction is held open across a network call (SQLite has one writer).
 *
 * @example
 * const user = await writeThenAudit({
 *   write: () => repo.save(newUser),
 *   entries: (u) => [{ tenantId: u.tenantId, action: "USER_CREATED", subjectUserId: u.id }],
 *   undo: (u) => repo.delete(u.id),
 *   audit, token,
 * });
 */
export async function writeThenAudit<T>(options: {
  write: () => Promise<T>;
  entries: (result: T) => AuditRecordInput[];
  undo: (result: T) => Promise<unknown>;
  audit: AuditClient;
  token: string;
}): Promise<T> {
  const result = await options.write();
  try {
    await options.audit.record(options.token, options.entries(result));
  } catch (error) {
    await options.undo(result);
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnavailableError(`the audit trail did not accept the change, so nothing was changed (${reason})`);
  }
  return result;
}
