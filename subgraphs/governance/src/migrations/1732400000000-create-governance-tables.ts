import { Table } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/** Privacy requests (kept as evidence) and retention runs. */
export class CreateGovernanceTables1732400000000 implements MigrationInterface {
  name = "CreateGovernanceTables1732400000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "privacy_request",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "user_id", type: "varchar", length: "36" },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "status", type: "varchar", length: "16" },
          { name: "reason", type: "varchar", length: "1000", isNullable: true },
          { name: "requested_by", type: "varchar", length: "256" },
          { name: "region", type: "varchar", length: "32" },
          { name: "export_location", type: "varchar", length: "1024", isNullable: true },
          { name: "export_sha256", type: "varchar", length: "64", isNullable: true },
          { name: "export_byte_size", type: "integer", isNullable: true },
          { name: "export_counts", type: "text", isNullable: true },
          { name: "exported_at", type: "bigint", isNullable: true },
          { name: "erasures", type: "text", isNullable: true },
          { name: "error", type: "varchar", length: "2000", isNullable: true },
          { name: "created_at", type: "bigint" },
          { name: "completed_at", type: "bigint", isNullable: true },
        ],
        indices: [
          { name: "ix_privacy_request_user", columnNames: ["user_id"] },
          { name: "ix_privacy_request_tenant", columnNames: ["tenant_id", "created_at"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "retention_run",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "started_at", type: "bigint" },
          { name: "finished_at", type: "bigint" },
          { name: "purges", type: "text" },
          { name: "pseudonymised", type: "integer" },
          { name: "triggered_by", type: "varchar", length: "256" },
        ],
        indices: [{ name: "ix_retention_run_started", columnNames: ["started_at"] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("retention_run");
    await queryRunner.dropTable("privacy_request");
  }
}
