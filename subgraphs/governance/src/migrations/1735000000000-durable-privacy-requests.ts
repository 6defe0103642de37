import { TableColumn, TableIndex } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";
import { migrationColumn as column, migrationTable } from "@dgg/common";

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
    const time = (name: string) => new TableColumn(column.time(name, { isNullable: true }));
    await queryRunner.addColumns("privacy_request", [
      new TableColumn(column.varchar("kind", 32, { default: "'RESTRICT_PROCESSING'" })),
      new TableColumn(column.id("open_user_id", { isNullable: true })),
      new TableColumn(column.time("due_at", { default: "0" })),
      new TableColumn(column.integer("attempts", { default: "0" })),
      time("next_attempt_at"),
      time("last_error_at"),
      new TableColumn(column.worker("lease_owner", { isNullable: true })),
      time("lease_expires_at"),
      new TableColumn(column.varchar("resume_status", 16, { isNullable: true })),
      time("export_started_at"),
      time("verified_at"),
      time("erasure_started_at"),
      time("failed_at"),
      new TableColumn({ name: "checkpoint", type: "text", default: "'{\"files\":[],\"erasures\":[]}'" }),
      new TableColumn(column.integer("event_seq", { default: "0" })),
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
      migrationTable("privacy_request_event", [
        column.primaryId("request_id"),
        column.integer("seq", { isPrimary: true }),
        column.time("at"),
        column.worker("worker"),
        column.varchar("step", 48),
        column.text("detail", { isNullable: true }),
      ]),
    );
    await queryRunner.createTable(
      migrationTable("privacy_receipt", [
        column.primaryId("request_id"),
        column.id("tenant_id"),
        column.varchar("manifest_sha256", 64),
        column.text("exported"),
        column.text("erasures"),
        column.actor("requested_by"),
        column.time("requested_at"),
        column.time("completed_at"),
        column.time("expires_at"),
      ], {
        indices: [{ name: "ix_privacy_receipt_expires", columnNames: ["expires_at"] }],
      }),
    );
    await queryRunner.createTable(
      migrationTable("erasure_ledger", [
        column.varchar("subject_hash", 64, { isPrimary: true }),
        column.time("erased_at"),
        column.integer("replays", { default: "0" }),
        column.time("last_replayed_at", { isNullable: true }),
      ]),
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
