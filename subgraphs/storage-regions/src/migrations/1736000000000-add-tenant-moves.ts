import { Table, TableColumn } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/** A tenant's move state, and the durable record of each move between regions. */
export class AddTenantMoves1736000000000 implements MigrationInterface {
  name = "AddTenantMoves1736000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns("tenant", [
      new TableColumn({ name: "state", type: "varchar", length: "16", default: "'ACTIVE'" }),
      new TableColumn({ name: "moving_to", type: "varchar", length: "32", isNullable: true }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: "tenant_move",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "from_region", type: "varchar", length: "32" },
          { name: "to_region", type: "varchar", length: "32" },
          { name: "phase", type: "varchar", length: "16" },
          { name: "freeze_until", type: "bigint" },
          { name: "claimed_by", type: "varchar", length: "128", isNullable: true },
          { name: "lease_until", type: "bigint", isNullable: true },
          { name: "progress", type: "text", isNullable: true },
          { name: "error", type: "varchar", length: "2000", isNullable: true },
          { name: "requested_by", type: "varchar", length: "256" },
          { name: "requested_at", type: "bigint" },
          { name: "updated_at", type: "bigint" },
          { name: "completed_at", type: "bigint", isNullable: true },
        ],
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
