/**
 * Scenario: migrations are frozen. Every subgraph's migrations, run on an empty store, make
 * exactly the tables, columns, indexes and constraints recorded in this folder's snapshots,
 * and undoing them all leaves nothing but TypeORM's own table. A change to an old migration,
 * or to the builders migrations share (packages/common/src/migration-columns.ts), that would
 * make a new store differ from one migrated long ago fails here. Shared by SQLite and
 * PostgreSQL.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataSource } from "typeorm";
import { createDataSource, openDataSource } from "@dgg/common";
import type { DatabaseConfig } from "@dgg/common";
import { auditMigrations } from "../../subgraphs/audit/src/server";
import { governanceMigrations } from "../../subgraphs/governance/src/server";
import { storageRegionsMigrations } from "../../subgraphs/storage-regions/src/server";
import { telemetryMigrations } from "../../subgraphs/telemetry/src/server";
import { usersMigrations } from "../../subgraphs/users/src/server";
import { freshPostgresDatabase, testDatabaseName } from "../support/postgres";
import type { StoreKind } from "../support/system";

const MIGRATIONS = {
  users: usersMigrations,
  telemetry: telemetryMigrations,
  audit: auditMigrations,
  "storage-regions": storageRegionsMigrations,
  governance: governanceMigrations,
};

/** SQLite's catalogue: every table and index with the statement that makes it. */
async function sqliteSchema(db: DataSource): Promise<string[]> {
  const rows: { type: string; name: string; sql: string | null }[] = await db.query(
    "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
  );
  return rows.map((row) => `${row.type} ${row.name}: ${row.sql ?? "(implicit)"}`);
}

/**
 * PostgreSQL's catalogue of the public schema: columns (type, length, nullability, default),
 * indexes and constraints of every table that is not a partition (day partitions are made
 * for the dates of the run, not by the migrations' text).
 */
async function postgresSchema(db: DataSource): Promise<string[]> {
  const tables = `SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition`;
  const columns: { relname: string; attname: string; type: string; notnull: boolean; dflt: string | null }[] = await db.query(
    `SELECT t.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS dflt
     FROM (${tables}) t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
     LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum ORDER BY t.relname, a.attnum`,
  );
  const indexes: { relname: string; indexdef: string }[] = await db.query(
    `SELECT t.relname, pg_get_indexdef(i.indexrelid) AS indexdef FROM (${tables}) t JOIN pg_index i ON i.indrelid = t.oid ORDER BY t.relname, 2`,
  );
  const constraints: { relname: string; conname: string; def: string }[] = await db.query(
    `SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) AS def FROM (${tables}) t JOIN pg_constraint c ON c.conrelid = t.oid ORDER BY t.relname, c.conname`,
  );
  const partitioning: { relname: string; def: string }[] = await db.query(
    `SELECT t.relname, pg_get_partkeydef(t.oid) AS def FROM (${tables}) t WHERE pg_get_partkeydef(t.oid) IS NOT NULL ORDER BY t.relname`,
  );
  return [
    ...columns.map((c) => `column ${c.relname}.${c.attname}: ${c.type}${c.notnull ? " NOT NULL" : ""}${c.dflt === null ? "" : ` DEFAULT ${c.dflt}`}`),
    ...indexes.map((i) => `index ${i.relname}: ${i.indexdef}`),
    ...constraints.map((c) => `constraint ${c.relname}.${c.conname}: ${c.def}`),
    ...partitioning.map((p) => `partitioned ${p.relname}: ${p.def}`),
  ];
}

export function describeFrozenMigrationsSuite(kind: StoreKind): void {
  describe(`migrations on ${kind}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "dgg-migrations-"));
    const configFor = async (name: string): Promise<DatabaseConfig> =>
      kind === "sqlite" ? { type: "sqlite", file: join(dir, `${name}.sqlite`) } : { type: "postgres", url: await freshPostgresDatabase(testDatabaseName(`migrations_${name}`)) };
    const schemaOf = (db: DataSource) => (kind === "sqlite" ? sqliteSchema(db) : postgresSchema(db));

    for (const [name, migrations] of Object.entries(MIGRATIONS)) {
      it(`${name}: a new store gets exactly the recorded schema, and undoing every migration empties it`, async () => {
        const db = await openDataSource(createDataSource(await configFor(name), { entities: [], migrations }));
        try {
          const applied: { name: string }[] = await db.query("SELECT name FROM migrations ORDER BY id");
          expect(applied.map((row) => row.name)).toEqual(migrations.map((migration) => new migration().name));
          expect(await schemaOf(db)).toMatchSnapshot();
          for (let i = 0; i < migrations.length; i += 1) await db.undoLastMigration({ transaction: "each" });
          const left = (await schemaOf(db)).filter((line) => !/\bmigrations\b/.test(line.split(":")[0]!));
          expect(left).toEqual([]);
        } finally {
          await db.destroy();
        }
      });
    }
  });
}
