import { TableColumn } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";
import { migrationColumn as column, migrationTable } from "@dgg/common";

/** A tenant's move state, and the durable record of each move between regions. */
export class AddTenantMoves1736000000000 implements MigrationInterface {
  name = "AddTenantMoves1736000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns("tenant", [
      new TableColumn(column.varchar("state", 16, { default: "'ACTIVE'" })),
      new TableColumn(column.varchar("moving_to", 32, { isNullable: true })),
    ]);
    await queryRunner.createTable(
      migrationTable("tenant_move", [
        column.primaryId(),
        column.id("tenant_id"),
        column.varchar("from_region", 32),
        column.varchar("to_region", 32),
        column.varchar("phase", 16),
        column.time("freeze_until"),
        column.worker("claimed_by", { isNullable: true }),
        column.time("lease_until", { isNullable: true }),
        column.text("progress", { isNullable: true }),
        column.varchar("error", 2000, { isNullable: true }),
        column.actor("requested_by"),
        column.time("requested_at"),
        column.time("updated_at"),
        column.time("completed_at", { isNullable: true }),
      ], {
        indices: [
          { name: "ix_tenant_move_tenant", columnNames: ["tenant_id"] },
          { name: "ix_tenant_move_phase", columnNames: ["phase"] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("tenant_move");
    await queryRunner.dropColumn("tenant", "moving_to");
    await queryRunner.dropColumn("tenant", "state");
  }
}
