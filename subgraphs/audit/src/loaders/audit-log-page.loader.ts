import DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { decodeCursor, encodeCursor, toConnection } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";
import type { AuditLogConnection } from "../types/audit-log-connection.type";
import { hydrateEntry } from "./hydrate";

/** One page of the entries concerning one user, limited to a tenant unless the caller is the service. */
export interface AuditLogPageKey {
  userId: string;
  tenantId: string | null;
  first: number;
  after: string | null;
}

/**
 * Rows are filed per user AND page arguments: one request may ask for the same user's
 * log twice (aliases with different `first`/`after`), and those pages must not mix.
 */
const pageSlot = (userId: string, page: AuditLogPageKey) => JSON.stringify([userId, page.first, page.after, page.tenantId]);

/** Keyset cursor of the newest-first order: `[occurredAtMs, id]`. */
export const auditCursorOf = (entry: AuditLogEntry): string => encodeCursor([entry.occurredAt.getTime(), entry.id]);

/**
 * Audit-log connections for many users in two statements per batch (plus one per
 * distinct page arguments), whatever the number of entries: one grouped COUNT, one
 * windowed page query (ROW_NUMBER per user, newest first).
 */
export function createAuditLogPageLoader(db: DataSource): DataLoader<AuditLogPageKey, AuditLogConnection, string> {
  return new DataLoader(
    async (keys) => {
      const userIds = [...new Set(keys.map((key) => key.userId))];
      const tenantIds = [...new Set(keys.map((key) => key.tenantId))];
      const counts = await countEntries(db, userIds, tenantIds);
      const pages = new Map<string, AuditLogEntry[]>();
      const groups = new Map<string, AuditLogPageKey[]>();
      for (const key of keys) {
        const group = `${key.first}|${key.after ?? ""}|${key.tenantId ?? ""}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      for (const group of groups.values()) {
        const sample = group[0]!;
        const rows = await pageEntries(db, group.map((key) => key.userId), sample);
        for (const row of rows) {
          const slot = pageSlot(row.subjectUserId!, sample);
          const page = pages.get(slot);
          if (page) page.push(row);
          else pages.set(slot, [row]);
        }
      }
      return keys.map((key) =>
        toConnection(
          pages.get(pageSlot(key.userId, key)) ?? [],
          key.first,
          auditCursorOf,
          counts.get(`${key.userId}|${key.tenantId ?? ""}`) ?? 0,
        ),
      );
    },
    { cacheKeyFn: (key) => JSON.stringify([key.userId, key.tenantId, key.first, key.after]) },
  );
}

async function countEntries(db: DataSource, userIds: string[], tenantIds: (string | null)[]): Promise<Map<string, number>> {
  const rows: { subject_user_id: string; tenant_id: string; total: string | number }[] = await db
    .getRepository(AuditLogEntry)
    .createQueryBuilder("a")
    .select("a.subject_user_id", "subject_user_id")
    .addSelect("a.tenant_id", "tenant_id")
    .addSelect("COUNT(*)", "total")
    .where("a.subject_user_id IN (:...userIds)", { userIds })
    .groupBy("a.subject_user_id")
    .addGroupBy("a.tenant_id")
    .getRawMany();
  const counts = new Map<string, number>();
  for (const row of rows) {
    for (const tenantId of tenantIds) {
      if (tenantId !== null && tenantId !== row.tenant_id) continue;
      const key = `${row.subject_user_id}|${tenantId ?? ""}`;
      counts.set(key, (counts.get(key) ?? 0) + Number(row.total));
    }
  }
  return counts;
}

async function pageEntries(db: DataSource, userIds: string[], page: AuditLogPageKey): Promise<AuditLogEntry[]> {
  const inner = db
    .getRepository(AuditLogEntry)
    .createQueryBuilder("a")
    .select("a.*")
    .addSelect("ROW_NUMBER() OVER (PARTITION BY a.subject_user_id ORDER BY a.occurred_at DESC, a.id DESC)", "rn")
    .where("a.subject_user_id IN (:...userIds)", { userIds });
  if (page.tenantId) inner.andWhere("a.tenant_id = :tenantId", { tenantId: page.tenantId });
  const cursor = decodeCursor(page.after, ["number", "string"]);
  if (cursor) {
    const [at, id] = cursor as [number, string];
    inner.andWhere("(a.occurred_at < :at OR (a.occurred_at = :at AND a.id < :id))", { at, id });
  }
  const raw: Record<string, unknown>[] = await db
    .createQueryBuilder()
    .select("p.*")
    .from(`(${inner.getQuery()})`, "p")
    .where("p.rn <= :limit", { limit: page.first + 1 })
    .orderBy("p.occurred_at", "DESC")
    .addOrderBy("p.id", "DESC")
    .setParameters({ ...inner.getParameters(), limit: page.first + 1 })
    .getRawMany();
  return raw.map((row) => db.getRepository(AuditLogEntry).create(hydrateEntry(row)));
}
