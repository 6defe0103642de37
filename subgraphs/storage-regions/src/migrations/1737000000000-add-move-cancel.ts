import { TableColumn } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";
import { migrationColumn as column } from "@dgg/common";

/** Who cancelled a move; the chunked progress lives in the existing `progress` JSON. */
export class AddMoveCancel1737000000000 implements MigrationInterface {
  name = "AddMoveCancel1737000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn("tenant_move", new TableColumn(column.actor("cancelled_by", { isNullable: true })));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("tenant_move", "cancelled_by");
  }
}
