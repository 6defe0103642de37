import { createTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/**
 * The columns of `telemetry_event` as this migration created them; the held-events table
 * (1735000000000) was created with the same ones. Frozen with both migrations.
 */
export const TELEMETRY_EVENT_COLUMNS = [
  column.primaryId(),
  column.id("tenant_id"),
  column.id("user_id"),
  column.varchar("kind", 32),
  column.time("occurred_at"),
  column.text("payload"),
] as const;

/**
 * The telemetry store. Times are epoch milliseconds (bigint) on both engines; the payload
 * is JSON text (TypeORM's simple-json) so one migration serves SQLite and PostgreSQL.
 */
export const CreateTelemetryTables1732500000000 = createTablesMigration("CreateTelemetryTables1732500000000", () => [
  migrationTable("telemetry_event", [
    ...TELEMETRY_EVENT_COLUMNS,
  ], {
    indices: [
      // PersonalData.telemetry pages and the export walk one user's events by time.
      { name: "ix_telemetry_event_user_occurred", columnNames: ["user_id", "occurred_at", "id"] },
      // Retention purges by age across all users.
      { name: "ix_telemetry_event_occurred", columnNames: ["occurred_at"] },
      { name: "ix_telemetry_event_tenant_occurred", columnNames: ["tenant_id", "occurred_at"] },
    ],
  }),
]);
