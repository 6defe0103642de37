import DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { decodeCursor, encodeCursor, openEntity, toConnection } from "@dgg/common";
import type { Clock, SubjectKeyStore, TelemetryKind } from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import { servedEvents } from "../services/served-events";
import type { TelemetryConnection } from "../types/telemetry-connection.type";

/** One page of one user's telemetry, newest first, limited to a tenant unless the caller is the service. */
export interface TelemetryPageKey {
  userId: string;
  tenantId: string | null;
  first: number;
  /** A cursor already checked with `decodeCursor` by the resolver. */
  after: string | null;
  /** Sorted and distinct, or null for every kind. */
  kinds: TelemetryKind[] | null;
}

const CURSOR_SHAPE = ["number", "string"] as const;
const cursorOf = (event: TelemetryEvent) => encodeCursor([event.occurredAt.getTime(), event.id]);
const countKey = (key: TelemetryPageKey) => JSON.stringify([key.userId, key.tenantId, key.kinds]);

/**
 * Telemetry connections for many users in a fixed number of statements per batch,
 * whatever the number of events: one grouped COUNT, then one windowed page query
 * (ROW_NUMBER per user) per group of keys that share page arguments, kinds included.
 * Only served events count: within 30 days, or kept by a legal hold (services/served-events.ts).
 * Payloads are opened with the store's subject keys (`keysOf`, resolved at first use).
 */
export function createTelemetryPageLoader(db: DataSource, keysOf: () => SubjectKeyStore, clock: Clock): DataLoader<TelemetryPageKey, TelemetryConnection, string> {
  return new DataLoader(
    async (keys) => {
      // One moment for the whole batch, so the count and the pages agree.
      const served = servedEvents(clock.now());
      const counts = await countEvents(db, served, keys);
      const groups = new Map<string, TelemetryPageKey[]>();
      for (const key of keys) {
        const group = JSON.stringify([key.first, key.after, key.tenantId, key.kinds]);
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const pages = new Map<string, TelemetryEvent[]>();
      for (const [group, members] of groups) {
        const rows = await pageEvents(db, keysOf(), served, [...new Set(members.map((key) => key.userId))], members[0]!);
        for (const row of rows) {
          const pageKey = `${group}|${row.userId}`;
          pages.set(pageKey, [...(pages.get(pageKey) ?? []), row]);
        }
      }
      return keys.map((key) => {
        const group = JSON.stringify([key.first, key.after, key.tenantId, key.kinds]);
        return toConnection(pages.get(`${group}|${key.userId}`) ?? [], key.first, cursorOf, counts.get(countKey(key)) ?? 0);
      });
    },
    { cacheKeyFn: (key) => JSON.stringify([key.userId, key.tenantId, key.first, key.after, key.kinds]) },
  );
}

/** One grouped COUNT for the whole batch; each key then sums the tenants and kinds it may see. */
async function countEvents(db: DataSource, served: string, keys: readonly TelemetryPageKey[]): Promise<Map<string, number>> {
  const userIds = [...new Set(keys.map((key) => key.userId))];
  const rows: { user_id: string; tenant_id: string; kind: string; total: string | number }[] = await db
    .createQueryBuilder()
    .from(served, "t")
    .select("t.user_id", "user_id")
    .addSelect("t.tenant_id", "tenant_id")
    .addSelect("t.kind", "kind")
    .addSelect("COUNT(*)", "total")
    .where("t.user_id IN (:...userIds)", { userIds })
    .groupBy("t.user_id")
    .addGroupBy("t.tenant_id")
    .addGroupBy("t.kind")
    .getRawMany();
  const counts = new Map<string, number>();
  for (const key of keys) {
    const total = rows
      .filter((row) => row.user_id === key.userId)
      .filter((row) => key.tenantId === null || row.tenant_id === key.tenantId)
      .filter((row) => key.kinds === null || (key.kinds as string[]).includes(row.kind))
      .reduce((sum, row) => sum + Number(row.total), 0);
    counts.set(countKey(key), total);
  }
  return counts;
}

async function pageEvents(db: DataSource, keys: SubjectKeyStore, served: string, userIds: string[], page: TelemetryPageKey): Promise<TelemetryEvent[]> {
  const inner = db
    .createQueryBuilder()
    .from(served, "t")
    .select("t.*")
    .addSelect("ROW_NUMBER() OVER (PARTITION BY t.user_id ORDER BY t.occurred_at DESC, t.id DESC)", "rn")
    .where("t.user_id IN (:...userIds)", { userIds });
  if (page.tenantId) inner.andWhere("t.tenant_id = :tenantId", { tenantId: page.tenantId });
  if (page.kinds) inner.andWhere("t.kind IN (:...kinds)", { kinds: page.kinds });
  const cursor = decodeCursor(page.after, CURSOR_SHAPE);
  if (cursor) {
    const [at, id] = cursor as [number, string];
    // Newest first, so the next page holds what is older than the cursor.
    inner.andWhere("(t.occurred_at < :at OR (t.occurred_at = :at AND t.id < :id))", { at, id });
  }
  const raw: Record<string, unknown>[] = await db
    .createQueryBuilder()
    .select("p.*")
    .from(`(${inner.getQuery()})`, "p")
    .where("p.rn <= :limit")
    .orderBy("p.occurred_at", "DESC")
    .addOrderBy("p.id", "DESC")
    .setParameters({ ...inner.getParameters(), limit: page.first + 1 })
    .getRawMany();
  return raw.map((row) => openEntity(keys, TelemetryEvent, db.getRepository(TelemetryEvent).create(hydrate(row))));
}

/** Raw rows carry column names and driver types; map them onto entity properties. */
export function hydrate(row: Record<string, unknown>): Partial<TelemetryEvent> {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    tenantId: String(row.tenant_id),
    kind: String(row.kind) as TelemetryKind,
    occurredAt: new Date(Number(row.occurred_at)),
    payload: typeof row.payload === "string" ? (JSON.parse(row.payload) as Record<string, unknown>) : (row.payload as Record<string, unknown>),
  };
}
