import type { MigrationInterface, QueryRunner } from "typeorm";
import { migrationTable } from "@dgg/common";
import { TELEMETRY_EVENT_COLUMNS } from "./1732500000000-create-telemetry-tables";

// Frozen: what this migration needs, as it was when it ran (see the previous migration).
const PARENT_TABLE = "telemetry_event";
const HELD_TABLE = "telemetry_event_held";
const BOUND = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/;

function boundOf(name: string, bound: string): { from: number; to: number } {
  const match = BOUND.exec(bound);
  if (!match) throw new Error(`telemetry partition ${name} has an unexpected bound ${bound}`);
  return { from: Number(match[1]), to: Number(match[2]) };
}

function monthOf(ms: number): { from: number; to: number } {
  const date = new Date(ms);
  return { from: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), to: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) };
}

const monthPartitionName = (from: number): string => `${PARENT_TABLE}_m${new Date(from).toISOString().slice(0, 7).replace(/-/g, "")}`;

/**
 * Two changes that go together (docs/decisions/0020, 0023):
 * - `telemetry_event_held`, on both engines: held users' expired events, kept out of the
 *   partitioned table so that reads and expiry of everyone else need not look past 30 days;
 * - PostgreSQL: day partitions hang under month partitions, so expiry of a long backlog
 *   detaches a dozen months instead of hundreds of days. Stores partitioned by the previous
 *   migration keep their days: each moves under its month (validated by PostgreSQL, one scan
 *   per day, once).
 */
export class TelemetryMonthsAndHeldTable1735000000000 implements MigrationInterface {
  name = "TelemetryMonthsAndHeldTable1735000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      migrationTable(HELD_TABLE, [
        // The same columns as telemetry_event, so that rows move between the two verbatim.
        ...TELEMETRY_EVENT_COLUMNS,
      ], {
        indices: [
          { name: "ix_telemetry_event_held_user_occurred", columnNames: ["user_id", "occurred_at", "id"] },
          { name: "ix_telemetry_event_held_tenant_occurred", columnNames: ["tenant_id", "occurred_at"] },
        ],
      }),
    );
    if (queryRunner.connection.options.type !== "postgres") return;
    // Day partitions made by the previous layout hang directly under the parent (not partitioned themselves).
    const days = (await queryRunner.query(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = '${PARENT_TABLE}'::regclass AND c.relkind = 'r'`,
    )) as { name: string; bound: string }[];
    const byMonth = new Map<number, { name: string; from: number; to: number }[]>();
    for (const day of days) {
      const { from, to } = boundOf(day.name, day.bound);
      const month = monthOf(from).from;
      byMonth.set(month, [...(byMonth.get(month) ?? []), { name: day.name, from, to }]);
    }
    for (const [month, members] of byMonth) {
      for (const day of members) await queryRunner.query(`ALTER TABLE "${PARENT_TABLE}" DETACH PARTITION "${day.name}"`);
      const name = monthPartitionName(month);
      await queryRunner.query(
        `CREATE TABLE "${name}" PARTITION OF "${PARENT_TABLE}" FOR VALUES FROM (${month}) TO (${monthOf(month).to}) PARTITION BY RANGE ("occurred_at")`,
      );
      for (const day of members) await queryRunner.query(`ALTER TABLE "${name}" ATTACH PARTITION "${day.name}" FOR VALUES FROM (${day.from}) TO (${day.to})`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The months stay: the previous code reads days through the parent either way.
    await queryRunner.dropTable(HELD_TABLE);
  }
}
