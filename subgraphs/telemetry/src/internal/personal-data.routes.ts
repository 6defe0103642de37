import {
  assertId,
  assertServiceIdentity,
  BadUserInputError,
  DataCategory,
  decodeCursor,
  encodeCursor,
  EXPORT_PAGE_LIMIT,
  parseHeldUserIds,
  parsePurgeRequest,
  quote,
} from "@dgg/common";
import type { ErasureResult, ExportPage, InternalRoute, PersonalDataHoldings, PurgeResult, RetentionClockStarts } from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import type { TelemetryDeps } from "../context";
import { deleteCounted } from "../services/day-counts";
import { dropDetachedPartitions } from "../services/partition-expiry";
import { PARENT_TABLE } from "../services/partitions";
import { purgeExpiredTelemetry, TELEMETRY_RETENTION_MS } from "../services/telemetry-retention";

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

/** The telemetry subgraph's side of the internal personal-data contract (TELEMETRY). */
export function personalDataRoutes(deps: TelemetryDeps): InternalRoute[] {
  const events = () => deps.db.getRepository(TelemetryEvent);
  return [
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
        const count =
          deps.db.options.type === "postgres"
            ? await deleteCounted(deps.db, PARENT_TABLE, "user_id = $1", [userId])
            : ((await events().delete({ userId })).affected ?? 0);
        return { erased: [{ category: DataCategory.TELEMETRY, count }] };
      },
    },
    {
      method: "post",
      path: "/retention/purge",
      async handler({ viewer, body }): Promise<PurgeResult> {
        assertServiceIdentity(viewer);
        const { asOf, heldUserIds } = parsePurgeRequest(body);
        // Strictly older than 30 days: an event exactly 30 days old is still within its period.
        const purged = await purgeExpiredTelemetry(deps.db, { cutoffMs: asOf.getTime() - TELEMETRY_RETENTION_MS, heldUserIds });
        if (deps.partitions) {
          // The expired days are already out of the table; their files go after the answer.
          deps.background.run("dropping detached partitions", () => dropDetachedPartitions(deps.db));
          await deps.partitions.refresh();
          await deps.partitions.ensureAhead(deps.clock.now());
        }
        return { purged: [{ category: DataCategory.TELEMETRY, count: purged }] };
      },
    },
    {
      method: "get",
      path: "/retention/oldest",
      async handler({ viewer, query }): Promise<RetentionClockStarts> {
        assertServiceIdentity(viewer);
        const qb = events().createQueryBuilder("t").select("MIN(t.occurred_at)", "oldest").where("1 = 1");
        if (query.tenantId) qb.andWhere("t.tenant_id = :tenantId", { tenantId: assertId(query.tenantId, "tenantId") });
        // Held users' rows are not purged, so they do not set the next purge date.
        const exclude = parseHeldUserIds(query.exclude ?? "", "exclude");
        if (exclude.length > 0) qb.andWhere("t.user_id NOT IN (:...exclude)", { exclude });
        const row: { oldest: string | number | null } | undefined = await qb.getRawOne();
        return { oldest: [{ category: DataCategory.TELEMETRY, oldestAt: row?.oldest == null ? null : new Date(Number(row.oldest)).toISOString() }] };
      },
    },
  ];
}
