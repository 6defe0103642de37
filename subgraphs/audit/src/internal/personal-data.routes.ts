import { BadUserInputError, DataCategory, earliestUnheld, personalDataContractRoutes, quote } from "@dgg/common";
import type { DataSource } from "typeorm";
import type { ErasureOrder, InternalRoute, PersonalDataAdapter } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";
import type { AuditDeps } from "../context";
import { auditHoldings, eraseAuditSubject, exportAuditPage, purgeAuditEntries } from "../services/personal-data.service";

const PSEUDONYM = /^pseudonym:[0-9a-f-]{36}$/;

function checkPseudonym(userId: string, order: ErasureOrder): string {
  const { pseudonym } = order;
  if (typeof pseudonym !== "string" || !PSEUDONYM.test(pseudonym)) {
    throw new BadUserInputError(`pseudonym must match ${PSEUDONYM.source}, got ${quote(pseudonym)}`, "pseudonym");
  }
  // Otherwise the erased id would be written straight back into the rows.
  if (pseudonym.includes(userId)) throw new BadUserInputError(`pseudonym must not contain the user id, got ${quote(pseudonym)}`, "pseudonym");
  return pseudonym;
}

/**
 * The audit subgraph's side of the internal personal-data contract (AUDIT_LOG). Erasure
 * pseudonymises rather than deletes; entries leave only through the one-year purge. It keeps
 * no freezes: audit entries record processing, which must go on while a request restricts
 * it, and they are pseudonymised at erasure.
 */
export function auditPersonalData(deps: AuditDeps): PersonalDataAdapter {
  return {
    name: "audit",
    categories: [DataCategory.AUDIT_LOG],
    subjectSources: [
      "SELECT subject_user_id AS subject, tenant_id AS tenant FROM audit_log_entry",
      "SELECT actor AS subject, tenant_id AS tenant FROM audit_log_entry",
    ],
    async holdings(store, userId) {
      const { tenantId, holding } = await auditHoldings(store.db, userId, store.tenantId);
      return { tenantId, categories: [holding] };
    },
    exportPage: (store, userId, _category, after, limit) => exportAuditPage(store.db, userId, store.tenantId, after, limit),
    checkErasure(userId, order) {
      checkPseudonym(userId, order);
    },
    async erase(_store, userId, order) {
      const pseudonym = checkPseudonym(userId, order);
      // The tenant must be known, but every region's store is searched: another tenant's trail
      // may name the user too (a refused attempt against them), and the link must go everywhere.
      const stores = deps.stores.entries().map(([region, db]) => ({ db, keys: deps.stores.keys(region) }));
      const count = await eraseAuditSubject(stores, userId, { pseudonym, identifiers: order.identifiers, erasedAt: deps.clock.now() });
      return [{ category: DataCategory.AUDIT_LOG, count }];
    },
    async purge(asOf, heldUserIds) {
      let count = 0;
      for (const [region, db] of deps.stores.entries()) count += await purgeAuditEntries(db, deps.stores.keys(region), asOf, heldUserIds);
      return [{ category: DataCategory.AUDIT_LOG, count }];
    },
    async oldest(stores, tenantId, exclude) {
      // Entries concerning held users are not purged, so they do not set the next purge date.
      const entries = (db: DataSource) => db.getRepository(AuditLogEntry).createQueryBuilder("a");
      const notExcluded = "COALESCE(a.subject_user_id, '') NOT IN (:...exclude) AND a.actor NOT IN (:...exclude)";
      const oldestAt = await earliestUnheld(stores, { rows: entries, alias: "a", timeColumn: "occurred_at", notExcluded }, tenantId, exclude);
      return [{ category: DataCategory.AUDIT_LOG, oldestAt }];
    },
    // Entries name people by id (and pseudonym); clear-text identifiers come from the other subgraphs.
    identifiers: () => Promise.resolve([]),
  };
}

/** The audit subgraph's internal contract routes, all built from its adapter. */
export function personalDataRoutes(deps: AuditDeps): InternalRoute[] {
  return personalDataContractRoutes(auditPersonalData(deps), deps);
}
