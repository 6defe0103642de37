import {
  assertId,
  assertServiceIdentity,
  BadUserInputError,
  DataCategory,
  DAY_MS,
  decodeCursor,
  encodeCursor,
  EXPORT_PAGE_LIMIT,
  quote,
  personalDataSubjectsRoute,
} from "@dgg/common";
import type { ErasureResult, ExportPage, InternalRoute, PersonalDataHoldings, PurgeResult, RetentionClockStarts } from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import type { TelemetryDeps } from "../context";

/** Telemetry is kept 30 days after it occurred. */
export const TELEMETRY_RETENTION_MS = 30 * DAY_MS;
/** Rows per purge statement: bounds each statement's lock time and the write-ahead log. */
export const PURGE_BATCH = 5000;

function exportEvent(event: TelemetryEvent): Record<string, unknown> {
  return {
    id: event.id,
    userId: event.userId,
    kind: event.kind,
    occurredAt: event.occurredAt.toISOString(),
    payload: event.payload,
  };
}

function parseLimit(raw: string | undefined): number {
  const limit = raw === undefined ? EXPORT_PAGE_LIMIT : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > EXPORT_PAGE_LIMIT) {
    throw new BadUserInputError(`limit must be 1..${EXPORT_PAGE_LIMIT}, got ${quote(raw)}`, "limit");
  }
  return limit;
}

function parseAsOf(body: unknown): Date {
  const asOf = (body as { asOf?: unknown } | null)?.asOf;
  const moment = typeof asOf === "string" ? new Date(asOf) : new Date(Number.NaN);
  if (Number.isNaN(moment.getTime())) throw new BadUserInputError(`asOf must be an ISO time, got ${quote(asOf)}`, "asOf");
  return moment;
}

/** The telemetry subgraph's side of the internal personal-data contract (TELEMETRY). */
export function personalDataRoutes(deps: TelemetryDeps): InternalRoute[] {
  const events = () => deps.db.getRepository(TelemetryEvent);
  return [
    // Every user id held here, for the erasure-ledger replay (packages/common/src/personal-data-contract.ts).
    personalDataSubjectsRoute(() => deps.db, ["SELECT user_id AS subject FROM telemetry_event"]),
    {
      method: "get",
      path: "/personal-data/:userId",
      async handler({ viewer, params }): Promise<PersonalDataHoldings> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        const stats: { total: string | number; oldest: string | number | null; tenant_id: string | null } | undefined = await events()
          .createQueryBuilder("t")
          .select("COUNT(*)", "total")
          .addSelect("MIN(t.occurred_at)", "oldest")
          .addSelect("MAX(t.tenant_id)", "tenant_id")
          .where("t.user_id = :userId", { userId })
          .getRawOne();
        return {
          userId,
          tenantId: stats?.tenant_id ?? null,
          categories: [
            {
              category: DataCategory.TELEMETRY,
              records: Number(stats?.total ?? 0),
              oldestAt: stats?.oldest == null ? null : new Date(Number(stats.oldest)).toISOString(),
            },
          ],
        };
      },
    },
    {
      method: "get",
      path: "/personal-data/:userId/export",
      async handler({ viewer, params, query }): Promise<ExportPage> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        if (query.category !== DataCategory.TELEMETRY) {
          throw new BadUserInputError(`telemetry holds TELEMETRY only, not ${quote(query.category)}`, "category");
        }
        const limit = parseLimit(query.limit);
        const qb = events()
          .createQueryBuilder("t")
          .where("t.user_id = :userId", { userId })
          .orderBy("t.occurred_at", "ASC")
          .addOrderBy("t.id", "ASC")
          .take(limit + 1);
        const cursor = decodeCursor(query.after, ["number", "string"]);
        if (cursor) {
          const [at, id] = cursor as [number, string];
          qb.andWhere("(t.occurred_at > :at OR (t.occurred_at = :at AND t.id > :id))", { at, id });
        }
        const rows = await qb.getMany();
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return {
          category: DataCategory.TELEMETRY,
          records: page.map(exportEvent),
          nextCursor: rows.length > limit && last ? encodeCursor([last.occurredAt.getTime(), last.id]) : null,
        };
      },
    },
    {
      method: "post",
      path: "/personal-data/:userId/erase",
      async handler({ viewer, params }): Promise<ErasureResult> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        // Idempotent: a second call finds nothing and reports zero.
        const removed = await events().delete({ userId });
        return { erased: [{ category: DataCategory.TELEMETRY, count: removed.affected ?? 0 }] };
      },
    },
    {
      method: "post",
      path: "/retention/purge",
      async handler({ viewer, body }): Promise<PurgeResult> {
        assertServiceIdentity(viewer);
        // Strictly older than 30 days: an event exactly 30 days old is still within its period.
        const cutoff = parseAsOf(body).getTime() - TELEMETRY_RETENTION_MS;
        let purged = 0;
        for (;;) {
          // Bounded batches, decided by the database: no row is ever loaded into Node.
          const result = await deps.db
            .createQueryBuilder()
            .delete()
            .from(TelemetryEvent)
            .where(`id IN (SELECT id FROM telemetry_event WHERE occurred_at < :cutoff LIMIT ${PURGE_BATCH})`, { cutoff })
            .execute();
          const affected = result.affected ?? 0;
          purged += affected;
          if (affected < PURGE_BATCH) break;
        }
        return { purged: [{ category: DataCategory.TELEMETRY, count: purged }] };
      },
    },
    {
      method: "get",
      path: "/retention/oldest",
      async handler({ viewer, query }): Promise<RetentionClockStarts> {
        assertServiceIdentity(viewer);
        const qb = events().createQueryBuilder("t").select("MIN(t.occurred_at)", "oldest");
        if (query.tenantId) qb.where("t.tenant_id = :tenantId", { tenantId: assertId(query.tenantId, "tenantId") });
        const row: { oldest: string | number | null } | undefined = await qb.getRawOne();
        return { oldest: [{ category: DataCategory.TELEMETRY, oldestAt: row?.oldest == null ? null : new Date(Number(row.oldest)).toISOString() }] };
      },
    },
  ];
}
