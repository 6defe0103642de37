import { Table, TableColumn, TableIndex } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

const DAY_MS = 86_400_000;

/**
 * The durable privacy-request engine (docs/decisions/0030): work-item columns on
 * privacy_request (lease, attempts, checkpoint, step times, due date), the checkpoint
 * log, receipts and the erasure ledger. Requests filed by the inline engine are carried
 * over: open ones are picked up by the workers and start their export again.
 */
export class DurablePrivacyRequests1735000000000 implements MigrationInterface {
  name = "DurablePrivacyRequests1735000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string) => new TableColumn({ name, type: "bigint", isNullable: true });
    await queryRunner.addColumns("privacy_request", [
      new TableColumn({ name: "kind", type: "varchar", length: "32", default: "'RESTRICT_PROCESSING'" }),
      new TableColumn({ name: "open_user_id", type: "varchar", length: "36", isNullable: true }),
      new TableColumn({ name: "due_at", type: "bigint", default: "0" }),
      new TableColumn({ name: "attempts", type: "integer", default: "0" }),
      time("next_attempt_at"),
      time("last_error_at"),
      new TableColumn({ name: "lease_owner", type: "varchar", length: "128", isNullable: true }),
      time("lease_expires_at"),
      new TableColumn({ name: "resume_status", type: "varchar", length: "16", isNullable: true }),
      time("export_started_at"),
      time("verified_at"),
      time("erasure_started_at"),
      time("failed_at"),
      new TableColumn({ name: "checkpoint", type: "text", default: "'{\"files\":[],\"erasures\":[]}'" }),
      new TableColumn({ name: "event_seq", type: "integer", default: "0" }),
      time("archive_expires_at"),
      time("archive_purged_at"),
    ]);
    await queryRunner.query(`UPDATE privacy_request SET due_at = created_at + ${30 * DAY_MS}`);
    await queryRunner.query(
      `UPDATE privacy_request SET open_user_id = user_id WHERE status IN ('RECEIVED', 'EXPORTING', 'EXPORTED', 'ERASING', 'FAILED')`,
    );
    await queryRunner.createIndices("privacy_request", [
      new TableIndex({ name: "ux_privacy_request_open_user", columnNames: ["open_user_id"], isUnique: true }),
      // The workers' queue scan: open requests by next attempt.
      new TableIndex({ name: "ix_privacy_request_queue", columnNames: ["status", "next_attempt_at"] }),
      new TableIndex({ name: "ix_privacy_request_tenant_status", columnNames: ["tenant_id", "status", "created_at"] }),
      new TableIndex({ name: "ix_privacy_request_due", columnNames: ["due_at"] }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: "privacy_request_event",
        columns: [
          { name: "request_id", type: "varchar", length: "36", isPrimary: true },
          { name: "seq", type: "integer", isPrimary: true },
          { name: "at", type: "bigint" },
          { name: "worker", type: "varchar", length: "128" },
          { name: "step", type: "varchar", length: "48" },
          { name: "detail", type: "text", isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "privacy_receipt",
        columns: [
          { name: "request_id", type: "varchar", length: "36", isPrimary: true },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "manifest_sha256", type: "varchar", length: "64" },
          { name: "exported", type: "text" },
          { name: "erasures", type: "text" },
          { name: "requested_by", type: "varchar", length: "256" },
          { name: "requested_at", type: "bigint" },
          { name: "completed_at", type: "bigint" },
          { name: "expires_at", type: "bigint" },
        ],
        indices: [{ name: "ix_privacy_receipt_expires", columnNames: ["expires_at"] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "erasure_ledger",
        columns: [
          { name: "subject_hash", type: "varchar", length: "64", isPrimary: true },
          { name: "erased_at", type: "bigint" },
          { name: "replays", type: "integer", default: "0" },
          { name: "last_replayed_at", type: "bigint", isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("erasure_ledger");
    await queryRunner.dropTable("privacy_receipt");
    await queryRunner.dropTable("privacy_request_event");
    for (const name of ["ix_privacy_request_due", "ix_privacy_request_tenant_status", "ix_privacy_request_queue", "ux_privacy_request_open_user"]) {
      await queryRunner.dropIndex("privacy_request", name);
    }
    for (const name of [
      "archive_purged_at", "archive_expires_at", "event_seq", "checkpoint", "failed_at", "erasure_started_at", "verified_at",
      "export_started_at", "resume_status", "lease_expires_at", "lease_owner", "last_error_at", "next_attempt_at", "attempts",
      "due_at", "open_user_id", "kind",
    ]) {
      await queryRunner.dropColumn("privacy_request", name);
    }
  }
}
