import { Table } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The telemetry store. Times are epoch milliseconds (bigint) on both engines; the payload
 * is JSON text (TypeORM's simple-json) so one migration serves SQLite and PostgreSQL.
 */
export class CreateTelemetryTables1732500000000 implements MigrationInterface {
  name = "CreateTelemetryTables1732500000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "telemetry_event",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "user_id", type: "varchar", length: "36" },
          { name: "kind", type: "varchar", length: "32" },
          { name: "occurred_at", type: "bigint" },
          { name: "payload", type: "text" },
        ],
        indices: [
          // PersonalData.telemetry pages and the export walk one user's events by time.
          { name: "ix_telemetry_event_user_occurred", columnNames: ["user_id", "occurred_at", "id"] },
          // Retention purges by age across all users.
          { name: "ix_telemetry_event_occurred", columnNames: ["occurred_at"] },
          { name: "ix_telemetry_event_tenant_occurred", columnNames: ["tenant_id", "occurred_at"] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("telemetry_event");
  }
}
