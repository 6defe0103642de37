import { TableColumn } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";
import { migrationColumn as column } from "@dgg/common";

/** The W3C traceparent of the request that asked for a move, so the mover's work continues that trace (docs/decisions/0048). */
export class MoveTraceParent1738100000000 implements MigrationInterface {
  name = "MoveTraceParent1738100000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn("tenant_move", new TableColumn(column.varchar("trace_parent", 64, { isNullable: true })));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("tenant_move", "trace_parent");
  }
}
