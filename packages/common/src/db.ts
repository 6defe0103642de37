import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { Column, DataSource } from "typeorm";
import type { ColumnOptions, EntityManager, Logger, MixedList, EntitySchema, ValueTransformer } from "typeorm";
import { dataDir } from "./keys";
import { isolateSqliteTransactions } from "./sqlite-transactions";
import { markIdsAliased } from "./subject-keys/id-aliases";

/** Where a subgraph keeps its rows: an embedded SQLite file, or a PostgreSQL database. */
export type DatabaseConfig = { type: "sqlite"; file: string } | { type: "postgres"; url: string };

/** The prefix of a service's store variables: `storage-regions` → `STORAGE_REGIONS` (`STORAGE_REGIONS_DATABASE_URL`). */
export function storeVariablePrefix(service: string): string {
  return service.toUpperCase().replace(/-/g, "_");
}

/**
 * Reads `<PREFIX>_DATABASE_URL`: a `postgres://` URL selects PostgreSQL, a
 * `sqlite:<path>` or nothing selects the embedded default `.data/<name>.sqlite`.
 */
export function databaseConfigFromEnv(prefix: string, name: string, env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env[`${prefix}_DATABASE_URL`];
  if (!url) return { type: "sqlite", file: join(dataDir(env), `${name}.sqlite`) };
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return { type: "postgres", url };
  if (url.startsWith("sqlite:")) return { type: "sqlite", file: url.slice("sqlite:".length) };
  throw new Error(`${prefix}_DATABASE_URL must start with postgres://, postgresql:// or sqlite:, got ${JSON.stringify(url)}`);
}

/** Counts the SQL statements a DataSource sends; tests assert batching with it. */
export class StatementCounter implements Logger {
  count = 0;
  readonly statements: string[] = [];
  logQuery(query: string): void {
    this.count += 1;
    this.statements.push(query);
  }
  reset(): void {
    this.count = 0;
    this.statements.length = 0;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export interface DataSourceOptions {
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  logger?: Logger;
}

/**
 * Creates a subgraph's DataSource. Schemas come from migrations only, never `synchronize`.
 * SQLite (docs/decisions/0041): WAL with a busy timeout so a reader never fails on a writer;
 * synchronous=NORMAL, under which a committed write survives a killed process (not a power
 * cut); secure_delete so that deleted rows do not stay readable in free pages; and
 * concurrent transactions isolated from each other and from other requests' statements.
 */
export function createDataSource(config: DatabaseConfig, options: DataSourceOptions): DataSource {
  const common = {
    entities: options.entities,
    migrations: options.migrations,
    synchronize: false,
    migrationsRun: false,
    logger: options.logger ?? { logQuery() {}, logQueryError() {}, logQuerySlow() {}, logSchemaBuild() {}, logMigration() {}, log() {} },
  };
  if (config.type === "postgres") {
    // `min`: connections kept open however idle, so a store without traffic (another region)
    // or an hourly job does not pay PostgreSQL's connection start-up, tens of ms under load.
    return new DataSource({ ...common, type: "postgres", url: config.url, extra: { max: 10, min: 2 } });
  }
  if (config.file !== ":memory:") mkdirSync(join(config.file, ".."), { recursive: true });
  const dataSource = new DataSource({
    ...common,
    type: "better-sqlite3",
    database: config.file,
    enableWAL: true,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      // Explicit rather than better-sqlite3's build default. A commit is in the OS's cache
      // when acknowledged, so a killed process loses nothing; FULL would also survive a power
      // cut but costs an fsync, 1-2 ms, per commit (docs/decisions/0041).
      db.pragma("synchronous = NORMAL");
      // Deleted rows are overwritten rather than left readable in free pages.
      db.pragma("secure_delete = ON");
    },
  });
  return isolateSqliteTransactions(dataSource);
}

/** Initialises the DataSource and applies pending migrations, each in its own transaction. */
export async function openDataSource(dataSource: DataSource): Promise<DataSource> {
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: "each" });
  return dataSource;
}

/**
 * Times are stored as epoch milliseconds (bigint): the same column type, ordering and
 * exact comparisons on SQLite and PostgreSQL (see docs/decisions/0003).
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null) => (value === null || value === undefined ? value : new Date(Number(value))),
};

/** A DateTime column stored as epoch milliseconds. */
export function TimeColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ ...options, type: "bigint", transformer: epochMs });
}

/** Rows per INSERT statement: below SQLite's and PostgreSQL's bound-parameter limits for our widest table. */
export const INSERT_CHUNK = 500;

/**
 * Inserts rows given as column values, INSERT_CHUNK rows per statement. For the busiest
 * writers (telemetry events, audit entries), whose rows are already sealed: TypeORM's insert
 * builder spends more CPU per row (metadata, escaping, listener bookkeeping) than the sealing
 * does. The values must be what the columns store (epoch ms for times, JSON text for JSON
 * columns); a regional store's runners still put ids under their aliases, unless `idsAliased`
 * says the values already hold them (rows from `sealedCopiesUnderAliases`), in which case
 * they go out as given (`markIdsAliased`). Such rows go to PostgreSQL as one JSON parameter
 * per statement, typed by the table's own row type: binding and sending ten parameters per
 * row cost pg more CPU than the insert itself. The runners would not look inside the JSON
 * for ids, so rows that need their lookups keep one parameter per value.
 */
export async function insertValues(
  manager: EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  options: { idsAliased?: boolean } = {},
): Promise<void> {
  const postgres = manager.connection.options.type === "postgres";
  const asJson = postgres && options.idsAliased === true;
  const names = columns.map((column) => `"${column}"`).join(", ");
  const keys = columns.map((column) => `${JSON.stringify(column)}:`);
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK);
    for (const values of chunk) {
      if (values.length !== columns.length) throw new Error(`insertValues: ${values.length} values for the ${columns.length} columns of ${table}`);
    }
    if (asJson) {
      const objects = chunk.map((values) => `{${values.map((value, index) => `${keys[index]}${value === undefined ? "null" : JSON.stringify(value)}`).join(",")}}`);
      await manager.query(`INSERT INTO "${table}" (${names}) SELECT ${names} FROM json_populate_recordset(NULL::"${table}", $1)`, markIdsAliased([`[${objects.join(",")}]`]));
      continue;
    }
    const parameters: unknown[] = [];
    const tuples = chunk.map((values) => {
      const first = parameters.length;
      parameters.push(...values);
      return `(${values.map((_, offset) => (postgres ? `$${first + offset + 1}` : "?")).join(", ")})`;
    });
    await manager.query(`INSERT INTO "${table}" (${names}) VALUES ${tuples.join(", ")}`, options.idsAliased ? markIdsAliased(parameters) : parameters);
  }
}

/**
 * After deleting personal data from a SQLite store: copies the write-ahead log into the
 * database file and truncates it, so the deleted rows' bytes (zeroed in the file's pages by
 * `secure_delete`) do not live on in the log until the next automatic checkpoint. A reader
 * in another process can keep part of the log alive until it finishes; the next call
 * catches up. PostgreSQL needs other means (docs/decisions/0042): a no-op there.
 */
export async function truncateWriteAheadLog(db: DataSource): Promise<void> {
  if (db.options.type === "postgres") return;
  await db.query("PRAGMA wal_checkpoint(TRUNCATE)");
}
