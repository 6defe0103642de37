import { assertId, assertServiceIdentity, BadUserInputError, DataCategory, EXPORT_PAGE_LIMIT, quote, personalDataSubjectsRoute } from "@dgg/common";
import type { ErasureResult, ExportPage, InternalRoute, PersonalDataHoldings, PurgeResult, RetentionClockStarts } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";
import type { AuditDeps } from "../context";
import { auditHoldings, exportAuditPage, pseudonymiseAuditEntries, purgeAuditEntries } from "../services/personal-data.service";

const PSEUDONYM = /^pseudonym:[0-9a-f-]{36}$/;

function parseLimit(raw: string | undefined): number {
  const limit = raw === undefined ? EXPORT_PAGE_LIMIT : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > EXPORT_PAGE_LIMIT) {
    throw new BadUserInputError(`limit must be 1..${EXPORT_PAGE_LIMIT}, got ${quote(raw)}`, "limit");
  }
  return limit;
}

function parsePseudonym(body: unknown, userId: string): string {
  const pseudonym = (body as { pseudonym?: unknown } | null)?.pseudonym;
  if (typeof pseudonym !== "string" || !PSEUDONYM.test(pseudonym)) {
    throw new BadUserInputError(`pseudonym must match ${PSEUDONYM.source}, got ${quote(pseudonym)}`, "pseudonym");
  }
  // Otherwise the erased id would be written straight back into the rows.
  if (pseudonym.includes(userId)) throw new BadUserInputError(`pseudonym must not contain the user id, got ${quote(pseudonym)}`, "pseudonym");
  return pseudonym;
}

function parseAsOf(body: unknown): Date {
  const raw = (body as { asOf?: unknown } | null)?.asOf;
  const asOf = typeof raw === "string" ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(asOf.getTime())) throw new BadUserInputError(`asOf must be an ISO time, got ${quote(raw)}`, "asOf");
  return asOf;
}

/**
 * The audit subgraph's side of the internal personal-data contract (AUDIT_LOG). Erasure
 * pseudonymises rather than deletes; entries leave only through the one-year purge.
 */
export function personalDataRoutes(deps: AuditDeps): InternalRoute[] {
  return [
    // Every user id held here, for the erasure-ledger replay (packages/common/src/personal-data-contract.ts).
    personalDataSubjectsRoute(() => deps.db, ["SELECT subject_user_id AS subject FROM audit_log_entry", "SELECT actor AS subject FROM audit_log_entry"]),
    {
      method: "get",
      path: "/personal-data/:userId",
      async handler({ viewer, params }): Promise<PersonalDataHoldings> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        const { tenantId, holding } = await auditHoldings(deps.db, userId);
        return { userId, tenantId, categories: [holding] };
      },
    },
    {
      method: "get",
      path: "/personal-data/:userId/export",
      async handler({ viewer, params, query }): Promise<ExportPage> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        if (query.category !== DataCategory.AUDIT_LOG) {
          throw new BadUserInputError(`audit holds AUDIT_LOG only, not ${quote(query.category)}`, "category");
        }
        return exportAuditPage(deps.db, userId, query.after, parseLimit(query.limit));
      },
    },
    {
      method: "post",
      path: "/personal-data/:userId/erase",
      async handler({ viewer, params, body }): Promise<ErasureResult> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        const pseudonym = parsePseudonym(body, userId);
        const count = await pseudonymiseAuditEntries(deps.db, userId, pseudonym);
        return { erased: [{ category: DataCategory.AUDIT_LOG, count }] };
      },
    },
    {
      method: "post",
      path: "/retention/purge",
      async handler({ viewer, body }): Promise<PurgeResult> {
        assertServiceIdentity(viewer);
        const count = await purgeAuditEntries(deps.db, parseAsOf(body));
        return { purged: [{ category: DataCategory.AUDIT_LOG, count }] };
      },
    },
    {
      method: "get",
      path: "/retention/oldest",
      async handler({ viewer, query }): Promise<RetentionClockStarts> {
        assertServiceIdentity(viewer);
        const qb = deps.db.getRepository(AuditLogEntry).createQueryBuilder("a").select("MIN(a.occurred_at)", "oldest");
        if (query.tenantId) qb.where("a.tenant_id = :tenantId", { tenantId: assertId(query.tenantId, "tenantId") });
        const row: { oldest: string | number | null } | undefined = await qb.getRawOne();
        return { oldest: [{ category: DataCategory.AUDIT_LOG, oldestAt: row?.oldest == null ? null : new Date(Number(row.oldest)).toISOString() }] };
      },
    },
  ];
}
