import { assertMayCall, decodeCursor, keysetAfter, parseFirst, toConnection } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";
import type { AuditContext } from "../context";
import { auditCursorOf } from "../loaders/audit-log-page.loader";
import type { AuditLogConnection } from "../types/audit-log-connection.type";
import type { AuditOutcome } from "../types/audit-outcome.enum";
import { AuditOutcome as Outcome } from "../types/audit-outcome.enum";
import { appendEntries } from "./audit-entries.service";

/**
 * The caller's tenant's whole trail, newest first: what its admins and privacy officers
 * need to see refused attempts against their tenant (outcome DENIED), which no single
 * person's PersonalData.auditLog shows. Always the viewer's own tenant, from its
 * identity; there is no tenant argument to get wrong. Reading it is recorded too.
 */
export async function tenantAuditLog(
  ctx: AuditContext,
  args: { first: number | null; after: string | null; outcome: AuditOutcome | null },
): Promise<AuditLogConnection> {
  assertMayCall(ctx.viewer, "tenantAuditLog", "read the tenant's audit log");
  const tenantId = ctx.viewer.tenantId!;
  const first = parseFirst(args.first);
  const cursor = decodeCursor(args.after, ["number", "string"]);
  const repo = ctx.db.getRepository(AuditLogEntry);
  const page = repo.createQueryBuilder("a").where("a.tenant_id = :tenantId", { tenantId });
  if (args.outcome) page.andWhere("a.outcome = :outcome", { outcome: args.outcome });
  const total = await page.clone().getCount();
  if (cursor) {
    const [at, id] = cursor as [number, string];
    page.andWhere(keysetAfter("a.occurred_at", "a.id", "DESC"), { at, id });
  }
  const rows = await page.orderBy("a.occurred_at", "DESC").addOrderBy("a.id", "DESC").take(first + 1).getMany();
  await appendEntries(ctx, ctx.viewer, ctx.token, [
    { tenantId, action: "AUDIT_LOG_READ", subjectUserId: null, details: { outcome: args.outcome, first }, outcome: Outcome.SUCCEEDED },
  ]);
  return toConnection(rows, first, auditCursorOf, total);
}
