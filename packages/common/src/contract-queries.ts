import type { DataSource, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import type { DataCategory } from "./enums";
import { decodeCursor, encodeCursor, keysetAfter } from "./pagination";
import type { ExportPage } from "./personal-data-contract";

/**
 * One page of the internal export, oldest first, keyset on (time column, id), so a page
 * costs the same however deep into a user's data it is. `qb` selects the user's rows
 * under `alias`; `time` names the time as a column and as the entity's field; each row is
 * exported as its `fields` (see exportRecord).
 */
export async function keysetExportPage<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  options: {
    alias: string;
    time: { column: string; field: keyof T & string };
    fields: readonly (keyof T & string)[];
    category: DataCategory;
    after: string | null | undefined;
    limit: number;
  },
): Promise<ExportPage> {
  const { alias, limit } = options;
  const timeColumn = options.time.column;
  qb.orderBy(`${alias}.${timeColumn}`, "ASC").addOrderBy(`${alias}.id`, "ASC").take(limit + 1);
  const cursor = decodeCursor(options.after, ["number", "string"]);
  if (cursor) {
    const [at, id] = cursor as [number, string];
    qb.andWhere(keysetAfter(`${alias}.${timeColumn}`, `${alias}.id`, "ASC"), { at, id });
  }
  const rows = await qb.getMany();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    category: options.category,
    records: page.map((row) => exportRecord(row, options.fields)),
    nextCursor: rows.length > limit && last ? encodeCursor([(last[options.time.field] as Date).getTime(), last.id]) : null,
  };
}

/**
 * The earliest of `MIN(...) AS oldest` over several stores (each region's), as an ISO time
 * or null: `build` returns the query for one store.
 */
export async function earliestAcross(stores: DataSource[], build: (db: DataSource) => SelectQueryBuilder<ObjectLiteral>): Promise<string | null> {
  let oldest: number | null = null;
  for (const db of stores) {
    const row: { oldest: string | number | null } | undefined = await build(db).getRawOne();
    if (row?.oldest != null && (oldest === null || Number(row.oldest) < oldest)) oldest = Number(row.oldest);
  }
  return oldest === null ? null : new Date(oldest).toISOString();
}

/** What one category holds about a user: its count, its earliest time and the tenant it is in. */
export interface HoldingStats {
  records: number;
  /** ISO time, or null when there is nothing. */
  oldestAt: string | null;
  /** The tenant of the rows, or null when there is nothing. */
  tenantId: string | null;
}

/**
 * Counts the rows `qb` selects under `alias` (a user's rows, filtered by the caller) in one
 * aggregate query, with the earliest `timeColumn` (epoch ms) and their `tenant_id`.
 */
export async function holdingStats(qb: SelectQueryBuilder<ObjectLiteral>, alias: string, timeColumn: string): Promise<HoldingStats> {
  const row: { total: string | number; oldest: string | number | null; tenant_id: string | null } | undefined = await qb
    .select("COUNT(*)", "total")
    .addSelect(`MIN(${alias}.${timeColumn})`, "oldest")
    .addSelect(`MAX(${alias}.tenant_id)`, "tenant_id")
    .getRawOne();
  return {
    records: Number(row?.total ?? 0),
    oldestAt: row?.oldest == null ? null : new Date(Number(row.oldest)).toISOString(),
    tenantId: row?.tenant_id ?? null,
  };
}

/**
 * An adapter's `oldest` for one kind of row: the earliest `alias.timeColumn` across `stores`
 * among what `rows` selects, within the tenant (every tenant's when null), leaving out the
 * rows of held users: `notExcluded` is the condition over `:...exclude` that keeps the rest.
 */
export function earliestUnheld(
  stores: DataSource[],
  query: { rows: (db: DataSource) => SelectQueryBuilder<ObjectLiteral>; alias: string; timeColumn: string; notExcluded: string },
  tenantId: string | null,
  exclude: readonly string[],
): Promise<string | null> {
  const { alias } = query;
  return earliestAcross(stores, (db) => {
    const qb = query.rows(db).select(`MIN(${alias}.${query.timeColumn})`, "oldest");
    if (tenantId) qb.andWhere(`${alias}.tenant_id = :tenantId`, { tenantId });
    if (exclude.length > 0) qb.andWhere(query.notExcluded, { exclude });
    return qb;
  });
}

/**
 * A row as an export record: the named fields in that order, times as ISO strings and
 * missing values as null, so every subgraph's archive writes times the same way.
 */
export function exportRecord<T extends object>(row: T, fields: readonly (keyof T & string)[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((field) => {
      const value: unknown = row[field];
      return [field, value instanceof Date ? value.toISOString() : (value ?? null)];
    }),
  );
}
