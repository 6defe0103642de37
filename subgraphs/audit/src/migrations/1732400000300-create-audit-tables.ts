import { createTablesMigration, migrationColumn as column, migrationTable } from "@dgg/common";

/** The append-only audit trail. Times are epoch milliseconds (bigint) on both engines. */
export const CreateAuditTables1732400000300 = createTablesMigration("CreateAuditTables1732400000300", () => [
  migrationTable("audit_log_entry", [
    column.primaryId(),
    column.id("tenant_id"),
    column.actor("actor"),
    column.varchar("actor_role", 32),
    column.varchar("action", 64),
    column.varchar("subject_user_id", 64, { isNullable: true }),
    column.time("occurred_at"),
    column.text("details", { isNullable: true }),
  ], {
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
]);
