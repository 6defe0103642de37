import { Table } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/** The tenant directory. Times are epoch milliseconds (bigint) on both engines. */
export class CreateTenantTable1732400300000 implements MigrationInterface {
  name = "CreateTenantTable1732400300000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "tenant",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "name", type: "varchar", length: "200" },
          { name: "storage_region", type: "varchar", length: "32" },
          { name: "created_at", type: "bigint" },
          { name: "updated_at", type: "bigint" },
        ],
        // The unique index, not the service's pre-check, is what stops two concurrent creates.
        indices: [{ name: "uq_tenant_name", columnNames: ["name"], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("tenant");
  }
}
