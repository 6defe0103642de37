import { createTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/** Privacy requests (kept as evidence) and retention runs. */
export const CreateGovernanceTables1732400000000 = createTablesMigration("CreateGovernanceTables1732400000000", () => [
  migrationTable("privacy_request", [
    column.primaryId(),
    column.id("user_id"),
    column.id("tenant_id"),
    column.varchar("status", 16),
    column.varchar("reason", 1000, { isNullable: true }),
    column.actor("requested_by"),
    column.varchar("region", 32),
    column.varchar("export_location", 1024, { isNullable: true }),
    column.varchar("export_sha256", 64, { isNullable: true }),
    column.integer("export_byte_size", { isNullable: true }),
    column.text("export_counts", { isNullable: true }),
    column.time("exported_at", { isNullable: true }),
    column.text("erasures", { isNullable: true }),
    column.varchar("error", 2000, { isNullable: true }),
    column.time("created_at"),
    column.time("completed_at", { isNullable: true }),
  ], {
    indices: [
      { name: "ix_privacy_request_user", columnNames: ["user_id"] },
      { name: "ix_privacy_request_tenant", columnNames: ["tenant_id", "created_at"] },
    ],
  }),
  migrationTable("retention_run", [
    column.primaryId(),
    column.time("started_at"),
    column.time("finished_at"),
    column.text("purges"),
    column.integer("pseudonymised"),
    column.actor("triggered_by"),
  ], {
    indices: [{ name: "ix_retention_run_started", columnNames: ["started_at"] }],
  }),
]);
