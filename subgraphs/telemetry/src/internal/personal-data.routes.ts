import { performance } from "node:perf_hooks";
import { DataCategory, earliestUnheld, epochOfTime, holdingStats, personalDataContractRoutes, sqlFreezeStore } from "@dgg/common";
import type { InternalRoute, PersonalDataAdapter } from "@dgg/common";
import type { DataSource } from "typeorm";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import { TelemetryHeldEvent } from "../entities/telemetry-held-event.entity";
import type { TelemetryDeps } from "../context";
import { deleteCounted } from "../services/day-counts";
import { exportEventLines } from "../services/event-export";
import { HELD_TABLE } from "../services/held-events";
import { dropDetachedPartitions } from "../services/partition-expiry";
import { PARENT_TABLE } from "../services/partitions";
import { retentionCutoff, servedEvents } from "../services/served-events";
import { purgeExpiredTelemetry } from "../services/telemetry-retention";

/** Detached partitions are dropped this long after a purge, so that their disk work does not delay its answer. */
const DROP_DELAY_MS = 1000;

/** The telemetry subgraph's side of the internal personal-data contract (TELEMETRY). */
export function telemetryPersonalData(deps: TelemetryDeps): PersonalDataAdapter {
  return {
    name: "telemetry",
    categories: [DataCategory.TELEMETRY],
    subjectSources: [
      `SELECT user_id AS subject, tenant_id AS tenant FROM "${PARENT_TABLE}"`,
      `SELECT user_id AS subject, tenant_id AS tenant FROM "${HELD_TABLE}"`,
    ],
    freezes: sqlFreezeStore,
    async holdings({ tenantId, db }, userId) {
      // What is served: within 30 days, or kept by a legal hold (services/served-events.ts).
      const served = db.createQueryBuilder().from(servedEvents(deps.clock.now()), "t").where("t.user_id = :userId AND t.tenant_id = :tenantId", { userId, tenantId });
      const { records, oldestAt, tenantId: holder } = await holdingStats(served, "t", "occurred_at");
      return { tenantId: holder, categories: [{ category: DataCategory.TELEMETRY, records, oldestAt }] };
    },
    async exportPage({ tenantId, db }, userId, _category, after, limit) {
      // Expired events are not exported (they are as good as purged); a held user cannot be exported at all.
      const cutoffMs = retentionCutoff(deps.clock.now());
      return exportEventLines(db, deps.stores.keysOf(db), { userId, tenantId, cutoffMs, after, limit });
    },
    async erase({ tenantId, db }, userId) {
      // Idempotent: a second call finds nothing and reports zero.
      return [{ category: DataCategory.TELEMETRY, count: await eraseUser(db, userId, tenantId) }];
    },
    async purge(asOf, heldUserIds) {
      // Strictly older than 30 days: an event exactly 30 days old is still within its period.
      const cutoffMs = retentionCutoff(asOf);
      // Regional stores are separate databases: purged side by side.
      const counts = await Promise.all(
        deps.stores.entries().map(async ([region, db]) => {
          const timings: Record<string, number> = {};
          const started = performance.now();
          const count = await purgeExpiredTelemetry(db, { cutoffMs, heldUserIds, timings });
          // Then the keys of every day that expired whole: what PostgreSQL keeps of the purged
          // rows (WAL, dead tuples) can no longer be opened. Held users' days stay readable.
          const keys = deps.stores.keys(region).destroyEpochsBefore(epochOfTime(cutoffMs), heldUserIds);
          // One line per store and run (hourly): what an operator needs to see a slow purge's cause.
          deps.log.info({ region, rows: count, dayKeys: keys, durationMs: Math.round(performance.now() - started), timings }, "retention purge");
          const partitions = deps.partitionsFor(db);
          if (partitions) {
            // The expired months and days are already out of the table; their files go after the answer.
            deps.background.run("dropping detached partitions", () => dropDetachedPartitions(db), DROP_DELAY_MS);
            partitions.forgetBefore(cutoffMs);
            await partitions.ensureAhead(deps.clock.now());
          }
          return count;
        }),
      );
      return [{ category: DataCategory.TELEMETRY, count: counts.reduce((sum, count) => sum + count, 0) }];
    },
    async oldest(stores, tenantId, exclude) {
      // Served events only: what expired already goes at the next run, whatever its date.
      const served = (db: DataSource) => db.createQueryBuilder().from(servedEvents(deps.clock.now()), "t");
      const oldestAt = await earliestUnheld(stores, { rows: served, alias: "t", timeColumn: "occurred_at", notExcluded: "t.user_id NOT IN (:...exclude)" }, tenantId, exclude);
      return [{ category: DataCategory.TELEMETRY, oldestAt }];
    },
    // Events carry the user id and machine-made payloads, no clear-text name of the person.
    identifiers: () => Promise.resolve([]),
  };
}

/** The telemetry subgraph's internal contract routes, all built from its adapter. */
export function personalDataRoutes(deps: TelemetryDeps): InternalRoute[] {
  return personalDataContractRoutes(telemetryPersonalData(deps), deps);
}

/** Every event of the user in the tenant, in both tables; the day counts follow on PostgreSQL. */
async function eraseUser(db: DataSource, userId: string, tenantId: string): Promise<number> {
  return db.transaction(async (manager) => {
    const held = (await manager.getRepository(TelemetryHeldEvent).delete({ userId, tenantId })).affected ?? 0;
    const events =
      db.options.type === "postgres"
        ? await deleteCounted(manager, PARENT_TABLE, "user_id = $1 AND tenant_id = $2", [userId, tenantId])
        : ((await manager.getRepository(TelemetryEvent).delete({ userId, tenantId })).affected ?? 0);
    return held + events;
  });
}
