import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { AUDIT_RETENTION_MS, DataCategory, keysetExportPage } from "@dgg/common";
import type { CategoryHolding, ExportPage } from "@dgg/common";
import type { DataSource } from "typeorm";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";

/** Rows per purge statement: keeps each delete short so writers are never blocked for long. */
export const PURGE_BATCH = 5000;

/** An entry concerns a user when it is about them or when they did it. */
const CONCERNS_USER = "(a.subject_user_id = :userId OR a.actor = :userId)";

/** How many entries concern the user, since when, and in which tenant. */
export async function auditHoldings(db: DataSource, userId: string, tenantId: string): Promise<{ tenantId: string | null; holding: CategoryHolding }> {
  const stats: { total: string | number; oldest: string | number | null; tenant_id: string | null } | undefined = await db
    .getRepository(AuditLogEntry)
    .createQueryBuilder("a")
    .select("COUNT(*)", "total")
    .addSelect("MIN(a.occurred_at)", "oldest")
    .addSelect("MAX(a.tenant_id)", "tenant_id")
    .where(CONCERNS_USER, { userId })
    .andWhere("a.tenant_id = :tenantId", { tenantId })
    .getRawOne();
  return {
    tenantId: stats?.tenant_id ?? null,
    holding: {
      category: DataCategory.AUDIT_LOG,
      records: Number(stats?.total ?? 0),
      oldestAt: stats?.oldest == null ? null : new Date(Number(stats.oldest)).toISOString(),
    },
  };
}

function exportEntry(entry: AuditLogEntry): Record<string, unknown> {
  return {
    id: entry.id,
    tenantId: entry.tenantId,
    actor: entry.actor,
    action: entry.action,
    subjectUserId: entry.subjectUserId,
    occurredAt: entry.occurredAt.toISOString(),
    details: entry.details,
  };
}

/** One export page of the entries concerning the user, oldest first, keyset on (occurred_at, id). */
export async function exportAuditPage(db: DataSource, userId: string, tenantId: string, after: string | undefined, limit: number): Promise<ExportPage> {
  const qb = db
    .getRepository(AuditLogEntry)
    .createQueryBuilder("a")
    .where(CONCERNS_USER, { userId })
    .andWhere("a.tenant_id = :tenantId", { tenantId });
  return keysetExportPage(qb, {
    alias: "a",
    timeColumn: "occurred_at",
    timeOf: (entry) => entry.occurredAt,
    category: DataCategory.AUDIT_LOG,
    after,
    limit,
    toRecord: exportEntry,
  });
}

/**
 * Replaces the user id by the pseudonym wherever it appears (subject, actor, details),
 * in one transaction. Entries are kept: the trail must outlive the person's account.
 * Counts distinct entries changed; a second call finds none and reports 0.
 *
 * "details contains userId" is tested as `REPLACE(details, …) <> details` rather than
 * LIKE: it is case-sensitive on both engines, exactly like REPLACE, so the count is
 * the number of rows the update really changes.
 */
export async function pseudonymiseAuditEntries(db: DataSource, userId: string, pseudonym: string): Promise<number> {
  const parameters = { userId, pseudonym };
  const detailsMention = "details IS NOT NULL AND REPLACE(details, :userId, :pseudonym) <> details";
  return db.transaction(async (manager) => {
    const counted: { total: string | number } | undefined = await manager
      .createQueryBuilder(AuditLogEntry, "a")
      .select("COUNT(*)", "total")
      .where(`(subject_user_id = :userId OR actor = :userId OR (${detailsMention}))`, parameters)
      .getRawOne();
    const update = () => manager.createQueryBuilder().update(AuditLogEntry);
    await update().set({ subjectUserId: pseudonym }).where("subject_user_id = :userId", parameters).execute();
    await update().set({ actor: pseudonym }).where("actor = :userId", parameters).execute();
    await update()
      .set({ details: () => "REPLACE(details, :userId, :pseudonym)" })
      .where(detailsMention, parameters)
      .execute();
    return Number(counted?.total ?? 0);
  });
}

/**
 * Deletes entries written strictly more than a year before `asOf`, in batches of
 * PURGE_BATCH ids chosen by the database, so no row is ever loaded into the service.
 * Entries about or by a user under legal hold are kept until the hold is lifted.
 */
export async function purgeAuditEntries(db: DataSource, asOf: Date, heldUserIds: readonly string[] = []): Promise<number> {
  const cutoff = asOf.getTime() - AUDIT_RETENTION_MS;
  const held = [...heldUserIds];
  // COALESCE: an entry about nobody (subject NULL) must not be kept by a NULL comparison.
  const keepHeld = held.length > 0 ? " AND COALESCE(old.subject_user_id, '') NOT IN (:...held) AND old.actor NOT IN (:...held)" : "";
  let purged = 0;
  for (;;) {
    const result = await db
      .createQueryBuilder()
      .delete()
      .from(AuditLogEntry)
      .where(
        `id IN (SELECT old.id FROM audit_log_entry old WHERE old.occurred_at < :cutoff${keepHeld} ORDER BY old.occurred_at ASC LIMIT ${PURGE_BATCH})`,
        { cutoff, held },
      )
      .execute();
    const affected = result.affected ?? 0;
    purged += affected;
    if (affected < PURGE_BATCH) return purged;
    // On SQLite the driver is synchronous: let waiting requests in between batches.
    await yieldToEventLoop();
  }
}
