import type { DataSource, EntityManager } from "typeorm";

type Queryable = Pick<DataSource, "query" | "options"> | (Pick<EntityManager, "query"> & { connection: Pick<DataSource, "options"> });

const isPostgres = (db: Queryable) => ("connection" in db ? db.connection.options.type : db.options.type) === "postgres";

/**
 * Runs SQL written with `:name` parameters on either engine, and returns the rows: pg
 * answers `[rows, count]` for UPDATE … RETURNING through TypeORM, better-sqlite3 the rows.
 */
export async function queryRows<T>(db: Queryable, sql: string, values: Record<string, unknown>): Promise<T[]> {
  const postgres = isPostgres(db);
  const params: unknown[] = [];
  const text = sql.replace(/:(\w+)/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`no value for :${name}`);
    params.push(values[name]);
    return postgres ? `$${params.length}` : "?";
  });
  const result: unknown = await db.query(text, params);
  const rows = postgres && Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number" ? result[0] : result;
  return rows as T[];
}

/** `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite, where a write takes the whole database's lock. */
export function skipLocked(db: Queryable, alias?: string): string {
  return isPostgres(db) ? ` FOR UPDATE${alias ? ` OF ${alias}` : ""} SKIP LOCKED` : "";
}
