import { Table, TableForeignKey } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/** Accounts and devices. Times are epoch milliseconds (bigint) on both engines. */
export class CreateUsersTables1732400000000 implements MigrationInterface {
  name = "CreateUsersTables1732400000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "user_account",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "user_principal_name", type: "varchar", length: "320" },
          { name: "display_name", type: "varchar", length: "256" },
          { name: "email", type: "varchar", length: "320", isNullable: true },
          { name: "management_state", type: "varchar", length: "16" },
          { name: "removed_at", type: "bigint", isNullable: true },
          { name: "created_at", type: "bigint" },
        ],
        indices: [
          { name: "uq_user_account_tenant_upn", columnNames: ["tenant_id", "user_principal_name"], isUnique: true },
          { name: "ix_user_account_removed_at", columnNames: ["removed_at"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "device",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "user_id", type: "varchar", length: "36" },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "device_name", type: "varchar", length: "256" },
          { name: "operating_system", type: "varchar", length: "128" },
          { name: "serial_number", type: "varchar", length: "128", isNullable: true },
          { name: "enrolled_at", type: "bigint" },
        ],
        indices: [{ name: "ix_device_user_enrolled", columnNames: ["user_id", "enrolled_at", "id"] }],
      }),
    );
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

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("device");
    await queryRunner.dropTable("user_account");
  }
}
