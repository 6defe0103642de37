import { TableForeignKey } from "typeorm";
import type { QueryRunner, Table } from "typeorm";
import { createTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/** Accounts and devices. Times are epoch milliseconds (bigint) on both engines. */
const tables = (): Table[] => [
  migrationTable("user_account", [
    column.primaryId(),
    column.id("tenant_id"),
    column.varchar("user_principal_name", 320),
    column.varchar("display_name", 256),
    column.varchar("email", 320, { isNullable: true }),
    column.varchar("management_state", 16),
    column.time("removed_at", { isNullable: true }),
    column.time("created_at"),
  ], {
    indices: [
      { name: "uq_user_account_tenant_upn", columnNames: ["tenant_id", "user_principal_name"], isUnique: true },
      { name: "ix_user_account_removed_at", columnNames: ["removed_at"] },
    ],
  }),
  migrationTable("device", [
    column.primaryId(),
    column.id("user_id"),
    column.id("tenant_id"),
    column.varchar("device_name", 256),
    column.varchar("operating_system", 128),
    column.varchar("serial_number", 128, { isNullable: true }),
    column.time("enrolled_at"),
  ], {
    indices: [{ name: "ix_device_user_enrolled", columnNames: ["user_id", "enrolled_at", "id"] }],
  }),
];

/** The tables, then the devices' foreign key to their accounts (dropped with the tables). */
export class CreateUsersTables1732400000000 extends createTablesMigration("CreateUsersTables1732400000000", tables) {
  override async up(queryRunner: QueryRunner): Promise<void> {
    await super.up(queryRunner);
    await queryRunner.createForeignKey(
      "device",
      new TableForeignKey({
        name: "fk_device_user",
        columnNames: ["user_id"],
        referencedTableName: "user_account",
        referencedColumnNames: ["id"],
        onDelete: "CASCADE",
      }),
    );
  }
}
