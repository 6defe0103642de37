import {
  assertId,
  assertServiceIdentity,
  BadUserInputError,
  DataCategory,
  earliestAcross,
  parseExportLimit,
  parseHeldUserIds,
  parsePurgeRequest,
  personalDataSubjectsRoute,
  quote,
  storeForTenant,
} from "@dgg/common";
import type { ErasureResult, ExportPage, InternalRoute, PersonalDataHoldings, PurgeResult, RetentionClockStarts } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";
import type { AuditDeps } from "../context";
import { auditHoldings, eraseAuditSubject, exportAuditPage, parseErasureIdentifiers, purgeAuditEntries } from "../services/personal-data.service";

const PSEUDONYM = /^pseudonym:[0-9a-f-]{36}$/;

function parsePseudonym(body: unknown, userId: string): string {
  const pseudonym = (body as { pseudonym?: unknown } | null)?.pseudonym;
  if (typeof pseudonym !== "string" || !PSEUDONYM.test(pseudonym)) {
    throw new BadUserInputError(`pseudonym must match ${PSEUDONYM.source}, got ${quote(pseudonym)}`, "pseudonym");
  }
  // Otherwise the erased id would be written straight back into the rows.
  if (pseudonym.includes(userId)) throw new BadUserInputError(`pseudonym must not contain the user id, got ${quote(pseudonym)}`, "pseudonym");
  return pseudonym;
}

/**
 * The audit subgraph's side of the internal personal-data contract (AUDIT_LOG). Erasure
 * pseudonymises rather than deletes; entries leave only through the one-year purge.
 */
export function personalDataRoutes(deps: AuditDeps): InternalRoute[] {
  return [
    // Every user id held here, for the erasure-ledger replay (packages/common/src/personal-data-contract.ts).
    personalDataSubjectsRoute(() => deps.stores, [
      "SELECT subject_user_id AS subject, tenant_id AS tenant FROM audit_log_entry",
      "SELECT actor AS subject, tenant_id AS tenant FROM audit_log_entry",
    ]),
    {
      method: "get",
      path: "/personal-data/:userId",
      async handler({ viewer, params, query, token }): Promise<PersonalDataHoldings> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        const store = await storeForTenant(deps.stores, deps.regions, query.tenantId, token);
        const { tenantId, holding } = await auditHoldings(store.db, userId, store.tenantId);
        return { userId, tenantId, categories: [holding] };
      },
    },
    {
      method: "get",
      path: "/personal-data/:userId/export",
      async handler({ viewer, params, query, token }): Promise<ExportPage> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        const store = await storeForTenant(deps.stores, deps.regions, query.tenantId, token);
        if (query.category !== DataCategory.AUDIT_LOG) {
          throw new BadUserInputError(`audit holds AUDIT_LOG only, not ${quote(query.category)}`, "category");
        }
        return exportAuditPage(store.db, userId, store.tenantId, query.after, parseExportLimit(query.limit));
      },
    },
    {
      method: "post",
      path: "/personal-data/:userId/erase",
      async handler({ viewer, params, body, token }): Promise<ErasureResult> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        const pseudonym = parsePseudonym(body, userId);
        const identifiers = parseErasureIdentifiers(body);
        // The tenant must be known, but every region's store is searched: another tenant's trail
        // may name the user too (a refused attempt against them), and the link must go everywhere.
        await storeForTenant(deps.stores, deps.regions, (body as { tenantId?: unknown } | null)?.tenantId, token);
        const stores = deps.stores.entries().map(([, db]) => db);
        const count = await eraseAuditSubject(stores, userId, { pseudonym, identifiers, erasedAt: deps.clock.now() });
        return { erased: [{ category: DataCategory.AUDIT_LOG, count }] };
      },
    },
    {
      method: "post",
      path: "/retention/purge",
      async handler({ viewer, body }): Promise<PurgeResult> {
        assertServiceIdentity(viewer);
        const { asOf, heldUserIds } = parsePurgeRequest(body);
        let count = 0;
        for (const [, db] of deps.stores.entries()) count += await purgeAuditEntries(db, asOf, heldUserIds);
        return { purged: [{ category: DataCategory.AUDIT_LOG, count }] };
      },
    },
    {
      method: "get",
      path: "/retention/oldest",
      async handler({ viewer, query, token }): Promise<RetentionClockStarts> {
        assertServiceIdentity(viewer);
        const scoped = query.tenantId ? await storeForTenant(deps.stores, deps.regions, query.tenantId, token) : null;
        // Entries concerning held users are not purged, so they do not set the next purge date.
        const exclude = parseHeldUserIds(query.exclude ?? "", "exclude");
        const oldestAt = await earliestAcross(scoped ? [scoped.db] : deps.stores.entries().map(([, store]) => store), (db) => {
          const qb = db.getRepository(AuditLogEntry).createQueryBuilder("a").select("MIN(a.occurred_at)", "oldest").where("1 = 1");
          if (scoped) qb.andWhere("a.tenant_id = :tenantId", { tenantId: scoped.tenantId });
          if (exclude.length > 0) qb.andWhere("COALESCE(a.subject_user_id, '') NOT IN (:...exclude) AND a.actor NOT IN (:...exclude)", { exclude });
          return qb;
        });
        return { oldest: [{ category: DataCategory.AUDIT_LOG, oldestAt }] };
      },
    },
  ];
}
