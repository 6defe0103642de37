import { TableForeignKey } from "typeorm";
import type { QueryRunner, Table } from "typeorm";
import { createTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/** The tenants' endpoints and the delivery outbox the dispatcher works from. */
const tables = (): Table[] => [
  migrationTable("webhook", [
    column.primaryId(),
    column.id("tenant_id"),
    column.varchar("url", 2048),
    column.text("events"),
    column.varchar("signing_secret", 128),
    column.time("created_at"),
    column.actor("created_by"),
    column.time("deleted_at", { isNullable: true }),
  ], {
    // Enqueueing reads a tenant's live webhooks in every transition's transaction.
    indices: [{ name: "ix_webhook_tenant", columnNames: ["tenant_id", "deleted_at"] }],
  }),
  migrationTable("webhook_delivery", [
    column.primaryId(),
    column.id("webhook_id"),
    column.id("tenant_id"),
    column.varchar("event", 48),
    column.id("request_id", { isNullable: true }),
    column.integer("sequence", { default: "0" }),
    column.text("body"),
    column.varchar("status", 16),
    column.integer("attempts", { default: "0" }),
    column.time("next_attempt_at"),
    column.worker("lease_owner", { isNullable: true }),
    column.time("lease_expires_at", { isNullable: true }),
    column.integer("last_response_status", { isNullable: true }),
    column.varchar("last_error", 500, { isNullable: true }),
    column.time("created_at"),
    column.time("delivered_at", { isNullable: true }),
  ], {
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
];

/**
 * Signed webhooks for privacy requests (webhooks/): the tenants' endpoints, the delivery
 * outbox the dispatcher works from, and the column that makes REQUEST_OVERDUE fire once.
 */
export class Webhooks1737100000000 extends createTablesMigration("Webhooks1737100000000", tables) {
  override async up(queryRunner: QueryRunner): Promise<void> {
    await super.up(queryRunner);
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

  override async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_privacy_request_overdue_sweep"`);
    await queryRunner.query(`ALTER TABLE "privacy_request" DROP COLUMN "overdue_notified_at"`);
    await super.down(queryRunner);
  }
}
