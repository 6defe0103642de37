import { TableColumn } from "typeorm";
import type { QueryRunner, Table } from "typeorm";
import { createTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/** Legal holds and the retention lease (one run at a time across replicas). */
const tables = (): Table[] => [
  migrationTable("legal_hold", [
    column.primaryId(),
    column.id("user_id"),
    column.id("tenant_id"),
    column.varchar("reason", 1000),
    column.actor("placed_by"),
    column.time("placed_at"),
    column.actor("lifted_by", { isNullable: true }),
    column.time("lifted_at", { isNullable: true }),
    column.varchar("lift_reason", 1000, { isNullable: true }),
  ], {
    indices: [
      // At most one active hold per user, enforced by the database even when two officers click at once.
      { name: "ux_legal_hold_active_user", columnNames: ["user_id"], isUnique: true, where: "lifted_at IS NULL" },
      { name: "ix_legal_hold_user", columnNames: ["user_id", "placed_at"] },
    ],
  }),
  migrationTable("retention_lease", [
    column.varchar("name", 64, { isPrimary: true }),
    column.varchar("holder", 256, { isNullable: true }),
    column.time("expires_at", { isNullable: true }),
    column.time("last_slot", { isNullable: true }),
  ]),
];

/** The tables, then the lease's one row and richer run records. */
export class RetentionScheduleAndHolds1734000000000 extends createTablesMigration("RetentionScheduleAndHolds1734000000000", tables) {
  override async up(queryRunner: QueryRunner): Promise<void> {
    await super.up(queryRunner);
    // The row exists from the start, so claiming it is always an UPDATE (atomic on both engines).
    await queryRunner.query(`INSERT INTO "retention_lease" ("name") VALUES ('retention')`);
    await queryRunner.addColumns("retention_run", [
      new TableColumn(column.varchar("trigger", 16, { default: "'ON_DEMAND'" })),
      new TableColumn(column.text("subgraph_purges", { isNullable: true })),
      new TableColumn(column.text("errors", { isNullable: true })),
      new TableColumn(column.integer("held_users", { default: 0 })),
    ]);
  }

  override async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ["held_users", "errors", "subgraph_purges", "trigger"]) await queryRunner.dropColumn("retention_run", column);
    await super.down(queryRunner);
  }
}
