import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The statements of this migration, frozen: later changes to the entities must never
 * change what an existing store was migrated with. Both engines accept the same DDL here;
 * they are spelled out per engine anyway so that one can change without the other.
 */
const UP: Record<"postgres" | "sqlite", readonly string[]> = {
  postgres: [
    `ALTER TABLE "audit_log_entry" ADD COLUMN "actor_user_id" character varying(36)`,
    `CREATE INDEX "ix_audit_log_entry_actor_user_id" ON "audit_log_entry" ("actor_user_id")`,
    `CREATE TABLE "audit_erased_subject" ("subject_hash" character varying(64) NOT NULL, "pseudonym" character varying(64) NOT NULL, "erased_at" bigint NOT NULL, CONSTRAINT "pk_audit_erased_subject" PRIMARY KEY ("subject_hash"))`,
    `CREATE INDEX "ix_audit_erased_subject_erased_at" ON "audit_erased_subject" ("erased_at")`,
  ],
  sqlite: [
    `ALTER TABLE "audit_log_entry" ADD COLUMN "actor_user_id" varchar(36)`,
    `CREATE INDEX "ix_audit_log_entry_actor_user_id" ON "audit_log_entry" ("actor_user_id")`,
    `CREATE TABLE "audit_erased_subject" ("subject_hash" varchar(64) PRIMARY KEY NOT NULL, "pseudonym" varchar(64) NOT NULL, "erased_at" bigint NOT NULL)`,
    `CREATE INDEX "ix_audit_erased_subject_erased_at" ON "audit_erased_subject" ("erased_at")`,
  ],
};

const DOWN: Record<"postgres" | "sqlite", readonly string[]> = {
  postgres: [
    `DROP TABLE "audit_erased_subject"`,
    `DROP INDEX "ix_audit_log_entry_actor_user_id"`,
    `ALTER TABLE "audit_log_entry" DROP COLUMN "actor_user_id"`,
  ],
  sqlite: [
    `DROP TABLE "audit_erased_subject"`,
    `DROP INDEX "ix_audit_log_entry_actor_user_id"`,
    `ALTER TABLE "audit_log_entry" DROP COLUMN "actor_user_id"`,
  ],
};

function engineOf(queryRunner: QueryRunner): "postgres" | "sqlite" {
  return queryRunner.connection.options.type === "postgres" ? "postgres" : "sqlite";
}

/**
 * Audit erasure that leaves nothing re-identifying (docs/decisions/0033):
 * - `audit_log_entry.actor_user_id`: the verified user id of an actor who is a data subject
 *   (with OIDC the actor column holds the IdP's subject), indexed for holdings, export and erasure;
 * - `audit_erased_subject`: tombstones (hashed user ids and IdP subjects) consulted by every
 *   append, purged by age with the trail.
 */
export class AuditActorUserAndErasedSubjects1737000000000 implements MigrationInterface {
  name = "AuditActorUserAndErasedSubjects1737000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of UP[engineOf(queryRunner)]) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of DOWN[engineOf(queryRunner)]) await queryRunner.query(sql);
  }
}
