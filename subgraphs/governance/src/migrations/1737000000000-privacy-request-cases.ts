import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Privacy requests as cases: approval, denial, cancellation and deadline extensions on
 * privacy_request, the actor and resulting status of each logged step, and each tenant's
 * approval policy. The SQL is written out so that this migration keeps doing exactly this
 * whatever the entities later become. Existing requests keep their kind
 * (RESTRICT_PROCESSING) and have no extensions.
 */
export class PrivacyRequestCases1737000000000 implements MigrationInterface {
  name = "PrivacyRequestCases1737000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const add = (table: string, column: string) => queryRunner.query(`ALTER TABLE "${table}" ADD COLUMN ${column}`);
    await add("privacy_request", `"approved_by" varchar(256)`);
    await add("privacy_request", `"approved_at" bigint`);
    await add("privacy_request", `"decision_reason" varchar(1000)`);
    await add("privacy_request", `"deadline_extensions" text NOT NULL DEFAULT '[]'`);
    await add("privacy_request", `"freeze_released_at" bigint`);
    await add("privacy_request_event", `"actor" varchar(256)`);
    await add("privacy_request_event", `"status" varchar(24)`);
    // AWAITING_APPROVAL is 17 characters. SQLite does not enforce varchar lengths.
    if (postgres) {
      await queryRunner.query(`ALTER TABLE "privacy_request" ALTER COLUMN "status" TYPE varchar(24)`);
      await queryRunner.query(`ALTER TABLE "privacy_request" ALTER COLUMN "resume_status" TYPE varchar(24)`);
    }
    await queryRunner.query(
      `CREATE TABLE "privacy_request_policy" (
         "tenant_id" varchar(36) NOT NULL PRIMARY KEY,
         "erasure_requires_approval" boolean NOT NULL,
         "access_requires_approval" boolean NOT NULL,
         "updated_by" varchar(256) NOT NULL,
         "updated_at" bigint NOT NULL
       )`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "privacy_request_policy"`);
    for (const column of ["actor", "status"]) await queryRunner.query(`ALTER TABLE "privacy_request_event" DROP COLUMN "${column}"`);
    for (const column of ["approved_by", "approved_at", "decision_reason", "deadline_extensions", "freeze_released_at"]) {
      await queryRunner.query(`ALTER TABLE "privacy_request" DROP COLUMN "${column}"`);
    }
  }
}
