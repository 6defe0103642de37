import { Table, TableForeignKey } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Signed webhooks for privacy requests (webhooks/): the tenants' endpoints, the delivery
 * outbox the dispatcher works from, and the column that makes REQUEST_OVERDUE fire once.
 */
export class Webhooks1737100000000 implements MigrationInterface {
  name = "Webhooks1737100000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "webhook",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "url", type: "varchar", length: "2048" },
          { name: "events", type: "text" },
          { name: "signing_secret", type: "varchar", length: "128" },
          { name: "created_at", type: "bigint" },
          { name: "created_by", type: "varchar", length: "256" },
          { name: "deleted_at", type: "bigint", isNullable: true },
        ],
        // Enqueueing reads a tenant's live webhooks in every transition's transaction.
        indices: [{ name: "ix_webhook_tenant", columnNames: ["tenant_id", "deleted_at"] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "webhook_delivery",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "webhook_id", type: "varchar", length: "36" },
          { name: "tenant_id", type: "varchar", length: "36" },
          { name: "event", type: "varchar", length: "48" },
          { name: "request_id", type: "varchar", length: "36", isNullable: true },
          { name: "sequence", type: "integer", default: "0" },
          { name: "body", type: "text" },
          { name: "status", type: "varchar", length: "16" },
          { name: "attempts", type: "integer", default: "0" },
          { name: "next_attempt_at", type: "bigint" },
          { name: "lease_owner", type: "varchar", length: "128", isNullable: true },
          { name: "lease_expires_at", type: "bigint", isNullable: true },
          { name: "last_response_status", type: "integer", isNullable: true },
          { name: "last_error", type: "varchar", length: "500", isNullable: true },
          { name: "created_at", type: "bigint" },
          { name: "delivered_at", type: "bigint", isNullable: true },
        ],
        indices: [
          // The dispatcher's scan: pending deliveries by due time.
          { name: "ix_webhook_delivery_due", columnNames: ["status", "next_attempt_at"] },
          // One request's deliveries to one webhook go out in order: "is an earlier one still pending?".
          { name: "ix_webhook_delivery_order", columnNames: ["webhook_id", "request_id", "status"] },
          // A webhook's deliveries, newest first (Webhook.deliveries).
          { name: "ix_webhook_delivery_webhook", columnNames: ["webhook_id", "created_at"] },
          // A filing undone because the audit trail refused it takes its deliveries with it.
          { name: "ix_webhook_delivery_request", columnNames: ["request_id"] },
        ],
        foreignKeys: [new TableForeignKey({ name: "fk_webhook_delivery_webhook", columnNames: ["webhook_id"], referencedTableName: "webhook", referencedColumnNames: ["id"] })],
      }),
    );
    // Plain SQL: on SQLite, TypeORM's addColumn rebuilds the table from its cached idea of it,
    // which misses columns an earlier migration added with plain SQL.
    await queryRunner.query(`ALTER TABLE "privacy_request" ADD COLUMN "overdue_notified_at" bigint`);
    // The overdue sweep runs every poll: only requests that may still become overdue are in
    // this index, so finished ones (most of the table, over time) cost it nothing. The list
    // is privacy/engine/statuses.ts FINISHED_STATUSES.
    await queryRunner.query(
      `CREATE INDEX "ix_privacy_request_overdue_sweep" ON "privacy_request" ("due_at") WHERE overdue_notified_at IS NULL AND status NOT IN ('COMPLETED', 'DENIED', 'CANCELED')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_privacy_request_overdue_sweep"`);
    await queryRunner.query(`ALTER TABLE "privacy_request" DROP COLUMN "overdue_notified_at"`);
    await queryRunner.dropTable("webhook_delivery");
    await queryRunner.dropTable("webhook");
  }
}
