// Scenario: a tenant's telemetry on PostgreSQL lives in day partitions that the service keeps
// ready itself; an existing store is converted in place; expiry drops days whole and keeps
// held users' rows; replicas racing to create the same day both succeed.
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { createDataSource, DAY_MS, ManualClock, Region, TelemetryKind } from "@dgg/common";
import { generateTestKeyPair } from "@dgg/common/testkit";
import { freshPostgresDatabase, postgresDisabled, testDatabaseName } from "../support/postgres";
import { createTelemetryService, telemetryEntities } from "../../subgraphs/telemetry/src/server";
import { CreateTelemetryTables1732500000000 } from "../../subgraphs/telemetry/src/migrations/1732500000000-create-telemetry-tables";
import { PartitionTelemetryByDay1734000000000 } from "../../subgraphs/telemetry/src/migrations/1734000000000-partition-telemetry-by-day";
import { listPartitions, PartitionCatalog, PARTITIONS_AHEAD_DAYS, dayOf } from "../../subgraphs/telemetry/src/services/partitions";
import { insertRows } from "../../subgraphs/telemetry/src/services/telemetry-ingest.service";
import { rowsInDays } from "../../subgraphs/telemetry/src/services/day-counts";
import { purgeExpiredTelemetry } from "../../subgraphs/telemetry/src/services/telemetry-retention";
import { dropDetachedPartitions } from "../../subgraphs/telemetry/src/services/partition-expiry";

const NOW = new Date("2031-05-10T15:00:00.000Z");
const row = (userId: string, at: number) => ({ id: randomUUID(), tenantId: randomUUID(), userId, kind: TelemetryKind.ERROR, occurredAt: new Date(at), payload: { at } });

if (postgresDisabled) {
  test("PostgreSQL partition suite was opted out with DGG_TEST_POSTGRES=off", () => expect(process.env.DGG_TEST_POSTGRES).toBe("off"));
} else {
  describePartitions();
}

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

    const after = createDataSource({ type: "postgres", url }, {
      entities: telemetryEntities,
      migrations: [CreateTelemetryTables1732500000000, PartitionTelemetryByDay1734000000000],
    });
    await after.initialize();
    await after.runMigrations({ transaction: "each" });
    try {
      const partitions = await listPartitions(after);
      expect(partitions.map((partition) => partition.name)).toEqual(["telemetry_event_p20310507", "telemetry_event_p20310508", "telemetry_event_p20310509", "telemetry_event_p20310510"]);
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
    const dbs = [0, 1].map(() => createDataSource({ type: "postgres", url }, { entities: telemetryEntities, migrations: [CreateTelemetryTables1732500000000, PartitionTelemetryByDay1734000000000] }));
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

  it("detaches expired days whole, rebuilds a day that holds a held user's rows with only those, deletes only in the boundary day", async () => {
    const db = createDataSource({ type: "postgres", url }, { entities: telemetryEntities, migrations: [CreateTelemetryTables1732500000000, PartitionTelemetryByDay1734000000000] });
    await db.initialize();
    await db.runMigrations({ transaction: "each" });
    try {
      const held = randomUUID();
      const other = randomUUID();
      const cutoff = NOW.getTime() - 30 * DAY_MS;
      const times = [cutoff - 5 * DAY_MS, cutoff - 2 * DAY_MS, cutoff - 1, cutoff, cutoff + DAY_MS];
      await new PartitionCatalog(db).ensureFor(times);
      await insertRows(db, [...times.map((at) => row(other, at)), row(held, cutoff - 5 * DAY_MS)]);
      const purged = await purgeExpiredTelemetry(db, { cutoffMs: cutoff, heldUserIds: [held] });
      expect(purged).toBe(3);
      // The counts it used stay exact: what is left, day by day.
      expect(await rowsInDays(db, cutoff - 10 * DAY_MS, cutoff + 10 * DAY_MS)).toBe(3);
      const heldDay = dayOf(cutoff - 5 * DAY_MS) * DAY_MS;
      expect(await rowsInDays(db, heldDay, heldDay + DAY_MS)).toBe(1);
      const left = (await db.query(`SELECT user_id, occurred_at FROM telemetry_event ORDER BY occurred_at`)) as { user_id: string; occurred_at: string }[];
      expect(left.map((r) => [r.user_id, Number(r.occurred_at)])).toEqual([[held, cutoff - 5 * DAY_MS], [other, cutoff], [other, cutoff + DAY_MS]]);
      const names = (await listPartitions(db)).map((partition) => partition.name);
      // Detached at once, dropped afterwards outside any lock on the table.
      expect(await dropDetachedPartitions(db)).toBe(2);
      expect(await dropDetachedPartitions(db)).toBe(0);
      // cutoff - 2 days: dropped; cutoff - 5 days: rebuilt with the held row only, still attached and indexed.
      expect(names).not.toContain(`telemetry_event_p${new Date(cutoff - 2 * DAY_MS).toISOString().slice(0, 10).replace(/-/g, "")}`);
      const rebuilt = `telemetry_event_p${new Date(cutoff - 5 * DAY_MS).toISOString().slice(0, 10).replace(/-/g, "")}`;
      expect(names).toContain(rebuilt);
      const indexes = (await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = $1`, [rebuilt])) as unknown[];
      expect(indexes).toHaveLength(4);
      // Once the hold is lifted, the rebuilt day goes whole at the next purge.
      expect(await purgeExpiredTelemetry(db, { cutoffMs: cutoff, heldUserIds: [] })).toBe(1);
      expect(await dropDetachedPartitions(db)).toBe(1);
      expect((await listPartitions(db)).map((partition) => partition.name)).not.toContain(rebuilt);
    } finally {
      await db.destroy();
    }
  });
});
}
