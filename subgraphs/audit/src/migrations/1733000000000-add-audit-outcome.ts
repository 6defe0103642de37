import { TableColumn, TableIndex } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";
import { migrationColumn as column } from "@dgg/common";

/**
 * The access audit: every entry says how the attempt ended (SUCCEEDED, DENIED, FAILED),
 * and a tenant's admins read their tenant's trail newest first, hence the index.
 */
export class AddAuditOutcome1733000000000 implements MigrationInterface {
  name = "AddAuditOutcome1733000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      "audit_log_entry",
      new TableColumn(column.varchar("outcome", 16, { isNullable: false, default: "'SUCCEEDED'" })),
    );
    await queryRunner.createIndex(
      "audit_log_entry",
      new TableIndex({ name: "ix_audit_log_entry_tenant_occurred_id", columnNames: ["tenant_id", "occurred_at", "id"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("audit_log_entry", "ix_audit_log_entry_tenant_occurred_id");
    await queryRunner.dropColumn("audit_log_entry", "outcome");
  }
}
