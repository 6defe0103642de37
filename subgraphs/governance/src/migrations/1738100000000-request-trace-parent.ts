import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The W3C traceparent of the request that filed a privacy request, so the workers' steps
 * continue that trace (docs/decisions/0048). Plain SQL, the same on both engines: a later
 * `addColumn` on SQLite would rebuild the table from TypeORM's cached picture of it.
 */
export class RequestTraceParent1738100000000 implements MigrationInterface {
  name = "RequestTraceParent1738100000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE privacy_request ADD COLUMN trace_parent varchar(64) NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE privacy_request DROP COLUMN trace_parent`);
  }
}
