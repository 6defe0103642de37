import type { Table } from "typeorm";
import { CreateTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/** The tenant directory. Times are epoch milliseconds (bigint) on both engines. */
export class CreateTenantTable1732400300000 extends CreateTablesMigration {
  name = "CreateTenantTable1732400300000";

  protected tables(): Table[] {
    return [
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
    ];
  }
}
