import { Table } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/** The append-only audit trail. Times are epoch milliseconds (bigint) on both engines. */
export class CreateAuditTables1732400000300 implements MigrationInterface {
  name = "CreateAuditTables1732400000300";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "audit_log_entry",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "actor", type: "varchar", length: "256" },
          { name: "actor_role", type: "varchar", length: "32" },
          { name: "action", type: "varchar", length: "64" },
          { name: "subject_user_id", type: "varchar", length: "64", isNullable: true },
          { name: "occurred_at", type: "bigint" },
          { name: "details", type: "text", isNullable: true },
        ],
        indices: [
          // The PersonalData page: one user's entries, newest first.
          { name: "ix_audit_log_entry_subject_occurred", columnNames: ["subject_user_id", "occurred_at", "id"] },
          // Retention purge by age.
          { name: "ix_audit_log_entry_occurred_at", columnNames: ["occurred_at"] },
          { name: "ix_audit_log_entry_tenant_occurred", columnNames: ["tenant_id", "occurred_at"] },
          // Holdings, export and erasure also look for the user as the actor.
          { name: "ix_audit_log_entry_actor", columnNames: ["actor"] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("audit_log_entry");
  }
}
