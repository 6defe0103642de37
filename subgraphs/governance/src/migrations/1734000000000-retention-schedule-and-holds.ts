import { Table, TableColumn } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/** Legal holds, the retention lease (one run at a time across replicas), and richer run records. */
export class RetentionScheduleAndHolds1734000000000 implements MigrationInterface {
  name = "RetentionScheduleAndHolds1734000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "legal_hold",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "user_id", type: "varchar", length: "36" },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "reason", type: "varchar", length: "1000" },
          { name: "placed_by", type: "varchar", length: "256" },
          { name: "placed_at", type: "bigint" },
          { name: "lifted_by", type: "varchar", length: "256", isNullable: true },
          { name: "lifted_at", type: "bigint", isNullable: true },
          { name: "lift_reason", type: "varchar", length: "1000", isNullable: true },
        ],
        indices: [
          // At most one active hold per user, enforced by the database even when two officers click at once.
          { name: "ux_legal_hold_active_user", columnNames: ["user_id"], isUnique: true, where: "lifted_at IS NULL" },
          { name: "ix_legal_hold_user", columnNames: ["user_id", "placed_at"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "retention_lease",
        columns: [
          { name: "name", type: "varchar", length: "64", isPrimary: true },
          { name: "holder", type: "varchar", length: "256", isNullable: true },
          { name: "expires_at", type: "bigint", isNullable: true },
          { name: "last_slot", type: "bigint", isNullable: true },
        ],
      }),
    );
    // The row exists from the start, so claiming it is always an UPDATE (atomic on both engines).
    await queryRunner.query(`INSERT INTO "retention_lease" ("name") VALUES ('retention')`);
    await queryRunner.addColumns("retention_run", [
      new TableColumn({ name: "trigger", type: "varchar", length: "16", default: "'ON_DEMAND'" }),
      new TableColumn({ name: "subgraph_purges", type: "text", isNullable: true }),
      new TableColumn({ name: "errors", type: "text", isNullable: true }),
      new TableColumn({ name: "held_users", type: "integer", default: 0 }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ["held_users", "errors", "subgraph_purges", "trigger"]) await queryRunner.dropColumn("retention_run", column);
    await queryRunner.dropTable("retention_lease");
    await queryRunner.dropTable("legal_hold");
  }
}
