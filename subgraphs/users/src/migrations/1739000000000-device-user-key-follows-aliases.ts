import { TableForeignKey } from "typeorm";
import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A user's id is stored under an alias (docs/decisions/0051). Rows written before aliases are
 * converted once at start-up, the account's id first: the devices' reference to it must follow,
 * so the foreign key now cascades updates as well as deletes.
 */
export class DeviceUserKeyFollowsAliases1739000000000 implements MigrationInterface {
  name = "DeviceUserKeyFollowsAliases1739000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey("device", "fk_device_user");
    await queryRunner.createForeignKey(
      "device",
      new TableForeignKey({ name: "fk_device_user", columnNames: ["user_id"], referencedTableName: "user_account", referencedColumnNames: ["id"], onDelete: "CASCADE", onUpdate: "CASCADE" }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey("device", "fk_device_user");
    await queryRunner.createForeignKey(
      "device",
      new TableForeignKey({ name: "fk_device_user", columnNames: ["user_id"], referencedTableName: "user_account", referencedColumnNames: ["id"], onDelete: "CASCADE" }),
    );
  }
}
