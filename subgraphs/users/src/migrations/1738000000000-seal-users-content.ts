import { TableColumn, TableIndex } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";
import { migrationColumn as column } from "@dgg/common";

/**
 * Personal content is sealed under per-subject keys (docs/decisions/0044): the columns hold
 * ciphertext, longer than the clear values they were sized for, so they become text; the
 * principal name's uniqueness and lookups move to its blind index. Rows written before
 * this are sealed when the service starts (services/legacy-sealing.ts).
 */
export class SealUsersContent1738000000000 implements MigrationInterface {
  name = "SealUsersContent1738000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === "postgres") {
      // varchar to text is binary-compatible in PostgreSQL: no rewrite of the table.
      await queryRunner.query(
        `ALTER TABLE user_account ALTER COLUMN user_principal_name TYPE text, ALTER COLUMN display_name TYPE text, ALTER COLUMN email TYPE text`,
      );
      await queryRunner.query(`ALTER TABLE device ALTER COLUMN device_name TYPE text, ALTER COLUMN serial_number TYPE text`);
    }
    await queryRunner.dropIndex("user_account", "uq_user_account_tenant_upn");
    await queryRunner.addColumn("user_account", new TableColumn(column.varchar("principal_name_index", 64, { isNullable: true })));
    await queryRunner.createIndex(
      "user_account",
      new TableIndex({ name: "uq_user_account_tenant_principal_index", columnNames: ["tenant_id", "principal_name_index"], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("user_account", "uq_user_account_tenant_principal_index");
    await queryRunner.dropColumn("user_account", "principal_name_index");
    await queryRunner.createIndex("user_account", new TableIndex({ name: "uq_user_account_tenant_upn", columnNames: ["tenant_id", "user_principal_name"], isUnique: true }));
  }
}
