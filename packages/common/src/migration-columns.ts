import { Table } from "typeorm";
import type { MigrationInterface, QueryRunner, TableColumnOptions, TableOptions } from "typeorm";

/*
 * Builders for the column and table definitions that the subgraphs' migrations spell out.
 *
 * FROZEN. What these return is part of migrations that have already run on every store:
 * changing the output of one would make an old migration create a different table on a new
 * store than it did on the existing ones. Never change what a builder returns; a new kind of
 * column gets a new builder. It imports nothing but TypeORM (no entity, no service), so a
 * migration that uses it stays what it was when it ran. The entities' decorators
 * (entity-columns.ts) describe the same columns but are live code: migrations never use them.
 */

/** Flags a column may take beyond its name and type (TypeORM's own names, as in TableColumnOptions). */
export type ColumnFlags = Pick<TableColumnOptions, "isNullable" | "isPrimary" | "default">;

/** A varchar of the given length. */
function varchar(name: string, length: number, flags: ColumnFlags = {}): TableColumnOptions {
  return { name, type: "varchar", length: String(length), ...flags };
}

/** A column of a type without a length. */
function plain(type: string): (name: string, flags?: ColumnFlags) => TableColumnOptions {
  return (name, flags = {}) => ({ name, type, ...flags });
}

/**
 * The column builders, grouped so that a migration reads `column.id("tenant_id")` and cannot
 * mistake them for the entities' decorators.
 */
export const migrationColumn = Object.freeze({
  /** An id (a UUID) or a reference to one: varchar(36). */
  id: (name: string, flags: ColumnFlags = {}): TableColumnOptions => varchar(name, 36, flags),
  /** A table's primary key made of one id: varchar(36). */
  primaryId: (name = "id"): TableColumnOptions => varchar(name, 36, { isPrimary: true }),
  /** Who did something (an identity's subject, a user id or a service name): varchar(256). */
  actor: (name: string, flags: ColumnFlags = {}): TableColumnOptions => varchar(name, 256, flags),
  /** The replica or worker that holds a lease or took a step: varchar(128). */
  worker: (name: string, flags: ColumnFlags = {}): TableColumnOptions => varchar(name, 128, flags),
  /** Any other varchar, of the length given. */
  varchar,
  /** A time, as epoch milliseconds: bigint on both engines (docs/decisions/0003). */
  time: plain("bigint"),
  /** Free text or a JSON document (TypeORM's simple-json is text). */
  text: plain("text"),
  /** A count or a number that fits 32 bits. */
  integer: plain("integer"),
});

/** A table as a migration creates it: its columns, and its indices or foreign keys if any. */
export function migrationTable(name: string, columns: TableColumnOptions[], more: Pick<TableOptions, "indices" | "foreignKeys"> = {}): Table {
  return new Table({ name, columns, ...more });
}

/** A migration class made by createTablesMigration; one that does more extends it and calls super. */
export type CreateTablesMigration = new () => MigrationInterface & {
  up(queryRunner: QueryRunner): Promise<void>;
  down(queryRunner: QueryRunner): Promise<void>;
};

/**
 * The class of a migration that only creates tables: it is its name and its tables. `up`
 * creates them in the order given and `down` drops them in the reverse order, so the two
 * cannot disagree. `tables` is called afresh on every run, as createTable may keep what it
 * is given.
 */
export function createTablesMigration(name: string, tables: () => Table[]): CreateTablesMigration {
  return class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const table of tables()) await queryRunner.createTable(table);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const table of tables().reverse()) await queryRunner.dropTable(table.name);
    }
  };
}
