// Scenario: a tenant's telemetry on PostgreSQL lives in day partitions under month partitions
// that the service keeps ready itself; existing stores (unpartitioned, or days without months)
// are converted in place; expiry detaches months and days whole, moves held users' rows aside
// and deletes rows only in the boundary day; reads plan only what they may serve; replicas
// racing to create the same day both succeed.
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { createDataSource, DAY_MS, ManualClock, openDataSource, Region, TelemetryKind } from "@dgg/common";
import { generateTestKeyPair } from "@dgg/common/testkit";
import { describeOnPostgres, freshPostgresDatabase, testDatabaseName } from "../support/postgres";
import { createTelemetryService, telemetryEntities } from "../../subgraphs/telemetry/src/server";
import { CreateTelemetryTables1732500000000 } from "../../subgraphs/telemetry/src/migrations/1732500000000-create-telemetry-tables";
import { PartitionTelemetryByDay1734000000000 } from "../../subgraphs/telemetry/src/migrations/1734000000000-partition-telemetry-by-day";
import { TelemetryMonthsAndHeldTable1735000000000 } from "../../subgraphs/telemetry/src/migrations/1735000000000-telemetry-months-and-held-table";
import { listMonths, listPartitions, PartitionCatalog, PARTITIONS_AHEAD_DAYS, dayOf } from "../../subgraphs/telemetry/src/services/partitions";
import { insertRows } from "../../subgraphs/telemetry/src/services/telemetry-ingest.service";
import { recountDays, rowsInDays } from "../../subgraphs/telemetry/src/services/day-counts";
import { purgeExpiredTelemetry } from "../../subgraphs/telemetry/src/services/telemetry-retention";
import { dropDetachedPartitions } from "../../subgraphs/telemetry/src/services/partition-expiry";
import { servedEvents } from "../../subgraphs/telemetry/src/services/served-events";

const MIGRATIONS = [CreateTelemetryTables1732500000000, PartitionTelemetryByDay1734000000000, TelemetryMonthsAndHeldTable1735000000000];
/** A store with `migrations` applied, each in its own transaction, as the service opens it. */
const migrated = (url: string, migrations = MIGRATIONS) => openDataSource(createDataSource({ type: "postgres", url }, { entities: telemetryEntities, migrations }));
const dayName = (at: number) => `telemetry_event_p${new Date(at).toISOString().slice(0, 10).replace(/-/g, "")}`;

const NOW = new Date("2031-05-10T15:00:00.000Z");
const row = (userId: string, at: number) => ({ id: randomUUID(), tenantId: randomUUID(), userId, kind: TelemetryKind.ERROR, occurredAt: new Date(at), payload: { at } });

describeOnPostgres("partition suite", describePartitions);

function describePartitions(): void {
describe("telemetry partitions on PostgreSQL", () => {
  let url: string;
  beforeEach(async () => {
    url = await freshPostgresDatabase(testDatabaseName("partitions"));
  });

  it("converts an existing table in place: every row kept, one partition per day, key (id, occurred_at)", async () => {
    const before = createDataSource({ type: "postgres", url }, { entities: telemetryEntities, migrations: [CreateTelemetryTables1732500000000] });
    await before.initialize();
    await before.runMigrations();
    const user = randomUUID();
    try {
      for (const at of [NOW.getTime() - 3 * DAY_MS, NOW.getTime() - DAY_MS, NOW.getTime()]) {
        await before.query(`INSERT INTO telemetry_event (id, tenant_id, user_id, kind, occurred_at, payload) VALUES ($1, $2, $3, 'ERROR', $4, '{}')`, [
          randomUUID(),
          randomUUID(),
          user,
          at,
        ]);
      }
    } finally {
      await before.destroy();
    }

    const after = await migrated(url);
    try {
      const partitions = await listPartitions(after);
      expect(partitions.map((partition) => partition.name)).toEqual(["telemetry_event_p20310507", "telemetry_event_p20310508", "telemetry_event_p20310509", "telemetry_event_p20310510"]);
      expect((await listMonths(after)).map((month) => [month.name, month.days.length])).toEqual([["telemetry_event_m203105", 4]]);
      const [count] = (await after.query(`SELECT COUNT(*) AS n FROM telemetry_event WHERE user_id = $1`, [user])) as { n: string }[];
      expect(Number(count!.n)).toBe(3);
      const key = (await after.query(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
          WHERE i.indrelid = 'telemetry_event'::regclass AND i.indisprimary ORDER BY a.attname`,
      )) as { attname: string }[];
      expect(key.map((column) => column.attname)).toEqual(["id", "occurred_at"]);
      // The day counts start right: three days of one row each.
      expect(await rowsInDays(after, NOW.getTime() - 3 * DAY_MS, NOW.getTime() + DAY_MS)).toBe(3);
      const yesterday = (dayOf(NOW.getTime()) - 1) * DAY_MS;
      expect(await rowsInDays(after, yesterday, yesterday + DAY_MS)).toBe(1);
    } finally {
      await after.destroy();
    }
  });

  it("creates today's partition and the days ahead on start, and a late event's day on demand", async () => {
    const keys = await generateTestKeyPair();
    const clock = new ManualClock(NOW);
    const service = await createTelemetryService({
      // One database behind every region: this test is about partitions, not residency.
      databases: { NORTH_AMERICA: { type: "postgres", url }, EUROPE: { type: "postgres", url }, ASIA_PACIFIC: { type: "postgres", url } },
      platformRegion: Region.NORTH_AMERICA,
      internalPublicKey: keys.publicKey,
      clock,
      urls: { audit: "http://127.0.0.1:9", users: "http://127.0.0.1:9", storageRegions: "http://127.0.0.1:9" },
      partitionMaintenanceMs: 0,
    });
    try {
      const days = (await listPartitions(service.stores.get(Region.NORTH_AMERICA))).map((partition) => dayOf(partition.from));
      expect(days).toEqual(Array.from({ length: PARTITIONS_AHEAD_DAYS + 1 }, (_, i) => dayOf(NOW.getTime()) + i));
      const late = NOW.getTime() - 100 * DAY_MS;
      await new PartitionCatalog(service.stores.get(Region.NORTH_AMERICA)).ensureFor([late]);
      await insertRows(service.stores.get(Region.NORTH_AMERICA), [row(randomUUID(), late)]);
      expect((await listPartitions(service.stores.get(Region.NORTH_AMERICA))).some((partition) => partition.from <= late && late < partition.to)).toBe(true);
    } finally {
      await service.stop();
    }
  });

  it("lets two replicas create the same day at once", async () => {
    const dbs = [0, 1].map(() => createDataSource({ type: "postgres", url }, { entities: telemetryEntities, migrations: MIGRATIONS }));
    await Promise.all(dbs.map((db) => db.initialize()));
    try {
      await dbs[0]!.runMigrations({ transaction: "each" });
      const days = Array.from({ length: 20 }, (_, i) => NOW.getTime() + i * DAY_MS);
      await Promise.all(dbs.map((db) => new PartitionCatalog(db).ensureFor(days)));
      expect(await listPartitions(dbs[0]!)).toHaveLength(20);
    } finally {
      await Promise.all(dbs.map((db: DataSource) => db.destroy()));
    }
  });

  it("moves days made by the previous layout (directly under the parent) under their months, rows and counts kept", async () => {
    const before = await migrated(url, MIGRATIONS.slice(0, 2));
    const user = randomUUID();
    const times = [Date.parse("2031-04-30T23:00:00Z"), Date.parse("2031-05-01T01:00:00Z"), Date.parse("2031-05-02T12:00:00Z")];
    try {
      // What the previous migration made: one partition per day, hanging from the parent.
      for (const at of times) {
        const day = dayOf(at);
        await before.query(`CREATE TABLE "${dayName(at)}" PARTITION OF telemetry_event FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`);
        await before.query(`INSERT INTO telemetry_event (id, tenant_id, user_id, kind, occurred_at, payload) VALUES ($1, $2, $3, 'ERROR', $4, '{}')`, [randomUUID(), randomUUID(), user, at]);
      }
      await recountDays(before);
    } finally {
      await before.destroy();
    }
    const after = await migrated(url);
    try {
      expect((await listMonths(after)).map((month) => [month.name, month.days.map((day) => day.name)])).toEqual([
        ["telemetry_event_m203104", ["telemetry_event_p20310430"]],
        ["telemetry_event_m203105", ["telemetry_event_p20310501", "telemetry_event_p20310502"]],
      ]);
      const rows = (await after.query(`SELECT occurred_at FROM telemetry_event WHERE user_id = $1 ORDER BY occurred_at`, [user])) as { occurred_at: string }[];
      expect(rows.map((row) => Number(row.occurred_at))).toEqual(times);
      expect(await rowsInDays(after, times[0]! - DAY_MS, times[2]! + DAY_MS)).toBe(3);
      const held = (await after.query(`SELECT COUNT(*) AS n FROM telemetry_event_held`)) as { n: string }[];
      expect(Number(held[0]!.n)).toBe(0);
    } finally {
      await after.destroy();
    }
  });

  it("detaches expired months and days whole, moves held users' rows aside, deletes only in the boundary day", async () => {
    const db = await migrated(url);
    try {
      const held = randomUUID();
      const other = randomUUID();
      const cutoff = NOW.getTime() - 30 * DAY_MS; // 2031-04-10T15:00Z, inside April
      const times = [cutoff - 60 * DAY_MS, cutoff - 5 * DAY_MS, cutoff - 1, cutoff, cutoff + DAY_MS];
      await new PartitionCatalog(db).ensureFor(times);
      await insertRows(db, [...times.map((at) => row(other, at)), row(held, cutoff - 60 * DAY_MS), row(held, cutoff - 1)]);
      const monthsBefore = (await listMonths(db)).map((month) => month.name);
      expect(monthsBefore).toEqual(["telemetry_event_m203102", "telemetry_event_m203104"]);
      // Reads plan no partition that lies wholly before the cut-off: the cut-off is a literal the planner prunes with.
      const plan = JSON.stringify(await db.query(`EXPLAIN (FORMAT JSON) SELECT COUNT(*) FROM ${servedEvents(NOW)} s WHERE user_id = $1`, [other]));
      const planned = [...plan.matchAll(/telemetry_event_p(\d{8})/g)].map((match) => match[1]!);
      expect(planned.length).toBeGreaterThan(0);
      expect(planned.every((day) => day >= new Date(cutoff).toISOString().slice(0, 10).replace(/-/g, ""))).toBe(true);

      const purged = await purgeExpiredTelemetry(db, { cutoffMs: cutoff, heldUserIds: [held] });
      expect(purged).toBe(3);
      // The counts it used stay exact: what is left in the partitioned table, day by day.
      expect(await rowsInDays(db, cutoff - 90 * DAY_MS, cutoff + 10 * DAY_MS)).toBe(2);
      const left = (await db.query(`SELECT user_id, occurred_at FROM telemetry_event ORDER BY occurred_at`)) as { user_id: string; occurred_at: string }[];
      expect(left.map((r) => [r.user_id, Number(r.occurred_at)])).toEqual([[other, cutoff], [other, cutoff + DAY_MS]]);
      const kept = (await db.query(`SELECT user_id, occurred_at FROM telemetry_event_held ORDER BY occurred_at`)) as { user_id: string; occurred_at: string }[];
      expect(kept.map((r) => [r.user_id, Number(r.occurred_at)])).toEqual([[held, cutoff - 60 * DAY_MS], [held, cutoff - 1]]);

      // February went whole; in April, the expired day went and the boundary day stayed.
      const months = await listMonths(db);
      expect(months.map((month) => month.name)).toEqual(["telemetry_event_m203104"]);
      const days = months[0]!.days.map((day) => day.name);
      expect(days).not.toContain(dayName(cutoff - 5 * DAY_MS));
      expect(days).toContain(dayName(cutoff - 1));
      // Detached at once, dropped afterwards outside any lock on the table: the month with its days, and the day.
      expect(await dropDetachedPartitions(db)).toBe(2);
      expect(await dropDetachedPartitions(db)).toBe(0);
      const detached = (await db.query(`SELECT relname FROM pg_class WHERE relname ~ '^telemetry_event_[pm][0-9]+$' AND NOT relispartition`)) as unknown[];
      expect(detached).toEqual([]);

      // Reads serve the held rows and what is within 30 days.
      const served = (await db.query(`SELECT user_id, COUNT(*) AS n FROM ${servedEvents(NOW)} s GROUP BY user_id ORDER BY user_id`)) as { user_id: string; n: string }[];
      expect(Object.fromEntries(served.map((r) => [r.user_id, Number(r.n)]))).toEqual({ [held]: 2, [other]: 2 });

      // Once the hold is lifted, the held rows go at the next purge.
      expect(await purgeExpiredTelemetry(db, { cutoffMs: cutoff, heldUserIds: [] })).toBe(2);
      expect(((await db.query(`SELECT id FROM telemetry_event_held`)) as unknown[]).length).toBe(0);
    } finally {
      await db.destroy();
    }
  });

  it("waits for a long transaction on the table in short attempts, detaching nothing until it has the lock", async () => {
    const db = await migrated(url);
    const reader = db.createQueryRunner();
    try {
      const cutoff = NOW.getTime() - 30 * DAY_MS;
      const times = [cutoff - 60 * DAY_MS, cutoff - 3 * DAY_MS, cutoff + DAY_MS];
      await new PartitionCatalog(db).ensureFor(times);
      await insertRows(db, times.map((at) => row(randomUUID(), at)));
      // A reader that keeps the table open (a long report, a stuck client).
      await reader.startTransaction();
      await reader.query(`SELECT COUNT(*) FROM telemetry_event`);
      const purge = purgeExpiredTelemetry(db, { cutoffMs: cutoff, heldUserIds: [] });
      await new Promise((resolve) => setTimeout(resolve, 700));
      // Several 200 ms attempts have timed out and rolled back: nothing is detached yet, and
      // between attempts other statements get through (this one would queue behind a held lock).
      const counted = (await reader.query(`SELECT COUNT(*) AS n FROM telemetry_event`)) as { n: string }[];
      expect(Number(counted[0]!.n)).toBe(3);
      await reader.commitTransaction();
      expect(await purge).toBe(2);
      expect((await listMonths(db)).map((month) => month.name)).toEqual(["telemetry_event_m203104"]);
      expect(await rowsInDays(db, cutoff - 90 * DAY_MS, cutoff + 10 * DAY_MS)).toBe(1);
    } finally {
      if (reader.isTransactionActive) await reader.rollbackTransaction();
      await reader.release();
      await db.destroy();
    }
  });
});
}
