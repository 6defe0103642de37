import type { DataSource, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import type { DataCategory } from "./enums";
import { decodeCursor, encodeCursor, keysetAfter } from "./pagination";
import type { ExportPage } from "./personal-data-contract";

/**
 * One page of the internal export, oldest first, keyset on (time column, id), so a page
 * costs the same however deep into a user's data it is. `qb` selects the user's rows
 * under `alias`; `timeColumn` is the column name, `timeOf` reads it from an entity.
 */
export async function keysetExportPage<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  options: {
    alias: string;
    timeColumn: string;
    timeOf: (row: T) => Date;
    category: DataCategory;
    after: string | null | undefined;
    limit: number;
    toRecord: (row: T) => Record<string, unknown>;
  },
): Promise<ExportPage> {
  const { alias, timeColumn, limit } = options;
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
    records: page.map(options.toRecord),
    nextCursor: rows.length > limit && last ? encodeCursor([options.timeOf(last).getTime(), last.id]) : null,
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
