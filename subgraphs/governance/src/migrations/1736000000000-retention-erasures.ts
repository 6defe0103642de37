import { Table } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/** Retention erasures of removed users that have begun and not finished (entities/retention-erasure.entity.ts). */
export class RetentionErasures1736000000000 implements MigrationInterface {
  name = "RetentionErasures1736000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "retention_erasure",
        columns: [
          { name: "user_id", type: "varchar", length: "36", isPrimary: true },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "started_at", type: "bigint" },
          { name: "attempts", type: "integer" },
          { name: "last_error", type: "varchar", length: "2000", isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("retention_erasure");
  }
}
