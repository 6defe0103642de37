import { createTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/** Retention erasures of removed users that have begun and not finished (entities/retention-erasure.entity.ts). */
export const RetentionErasures1736000000000 = createTablesMigration("RetentionErasures1736000000000", () => [
  migrationTable("retention_erasure", [
    column.primaryId("user_id"),
    column.id("tenant_id"),
    column.time("started_at"),
    column.integer("attempts"),
    column.varchar("last_error", 2000, { isNullable: true }),
  ]),
]);
