import type { MigrationInterface, QueryRunner } from "typeorm";

// Frozen: everything this migration needs is written here, as it was when it ran, so that
// changing the service (services/partitions.ts, services/day-counts.ts) never changes what an
// old migration does. The layout it makes (days directly under the parent) is the one the
// next migration reorganises into months.
const DAY_MS = 86_400_000;
const PARENT_TABLE = "telemetry_event";
const DAY_ROWS_TABLE = "telemetry_day_rows";
const PRIMARY_KEY = `CONSTRAINT "pk_telemetry_event" PRIMARY KEY ("id", "occurred_at")`;
const TELEMETRY_INDEXES = [
  `CREATE INDEX "ix_telemetry_event_user_occurred" ON "${PARENT_TABLE}" ("user_id", "occurred_at", "id") INCLUDE ("tenant_id", "kind")`,
  `CREATE INDEX "ix_telemetry_event_occurred" ON "${PARENT_TABLE}" ("occurred_at")`,
  `CREATE INDEX "ix_telemetry_event_tenant_occurred" ON "${PARENT_TABLE}" ("tenant_id", "occurred_at")`,
];
const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
const partitionName = (day: number): string => `${PARENT_TABLE}_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, "")}`;

const COLUMNS = `
  "id" varchar(36) NOT NULL,
  "tenant_id" varchar(36) NOT NULL,
  "user_id" varchar(36) NOT NULL,
  "kind" varchar(32) NOT NULL,
  "occurred_at" bigint NOT NULL,
  "payload" text NOT NULL`;


/**
 * PostgreSQL: turns `telemetry_event` into a table range-partitioned by day on
 * `occurred_at`, so that expiry drops whole days (docs/decisions/0020). The primary key
 * becomes (id, occurred_at), as PostgreSQL requires the partition key in it. Existing rows
 * move into their day's partition, and each day's row count is kept in telemetry_day_rows
 * (services/day-counts.ts keeps it since). SQLite keeps its table: it expires in batches on the
 * occurred_at index, which the first migration already created.
 */
export class PartitionTelemetryByDay1734000000000 implements MigrationInterface {
  name = "PartitionTelemetryByDay1734000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== "postgres") return;
    await queryRunner.query(`ALTER TABLE "${PARENT_TABLE}" RENAME TO "telemetry_event_unpartitioned"`);
    await queryRunner.query(
      `CREATE TABLE "${PARENT_TABLE}" (${COLUMNS}, ${PRIMARY_KEY}) PARTITION BY RANGE ("occurred_at")`,
    );
    const [range] = (await queryRunner.query(`SELECT MIN(occurred_at) AS oldest, MAX(occurred_at) AS newest FROM "telemetry_event_unpartitioned"`)) as {
      oldest: string | null;
      newest: string | null;
    }[];
    // Days for the rows that exist; the service creates today's and the days ahead on start (its clock, not this one).
    if (range?.oldest != null && range.newest != null) {
      const first = dayOf(Number(range.oldest));
      const last = dayOf(Number(range.newest));
      for (let day = first; day <= last; day += 1) {
        await queryRunner.query(`CREATE TABLE "${partitionName(day)}" PARTITION OF "${PARENT_TABLE}" FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`);
      }
    }
    await queryRunner.query(`INSERT INTO "${PARENT_TABLE}" SELECT id, tenant_id, user_id, kind, occurred_at, payload FROM "telemetry_event_unpartitioned"`);
    await queryRunner.query(`DROP TABLE "telemetry_event_unpartitioned"`);
    for (const statement of TELEMETRY_INDEXES) await queryRunner.query(statement);
    await queryRunner.query(
      `CREATE TABLE "${DAY_ROWS_TABLE}" ("day" bigint NOT NULL, "shard" smallint NOT NULL, "rows" bigint NOT NULL, PRIMARY KEY ("day", "shard"))`,
    );
    await queryRunner.query(`INSERT INTO "${DAY_ROWS_TABLE}" (day, shard, rows) SELECT floor(occurred_at::numeric / ${DAY_MS})::bigint, 0, COUNT(*) FROM "${PARENT_TABLE}" GROUP BY 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== "postgres") return;
    await queryRunner.query(`DROP TABLE "${DAY_ROWS_TABLE}"`);
    await queryRunner.query(`ALTER TABLE "${PARENT_TABLE}" RENAME TO "telemetry_event_partitioned"`);
    await queryRunner.query(`ALTER TABLE "telemetry_event_partitioned" RENAME CONSTRAINT "pk_telemetry_event" TO "pk_telemetry_event_partitioned"`);
    for (const name of ["ix_telemetry_event_user_occurred", "ix_telemetry_event_occurred", "ix_telemetry_event_tenant_occurred"]) {
      await queryRunner.query(`ALTER INDEX "${name}" RENAME TO "${name}_partitioned"`);
    }
    await queryRunner.query(`CREATE TABLE "${PARENT_TABLE}" (${COLUMNS}, CONSTRAINT "pk_telemetry_event" PRIMARY KEY ("id"))`);
    await queryRunner.query(`INSERT INTO "${PARENT_TABLE}" SELECT id, tenant_id, user_id, kind, occurred_at, payload FROM "telemetry_event_partitioned"`);
    await queryRunner.query(`DROP TABLE "telemetry_event_partitioned"`);
    for (const statement of TELEMETRY_INDEXES) await queryRunner.query(statement);
  }
}
