import { createTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/** The tenant directory. Times are epoch milliseconds (bigint) on both engines. */
export const CreateTenantTable1732400300000 = createTablesMigration("CreateTenantTable1732400300000", () => [
  migrationTable("tenant", [
    column.primaryId(),
    column.varchar("name", 200),
    column.varchar("storage_region", 32),
    column.time("created_at"),
    column.time("updated_at"),
  ], {
    // The unique index, not the service's pre-check, is what stops two concurrent creates.
    indices: [{ name: "uq_tenant_name", columnNames: ["name"], isUnique: true }],
  }),
]);
