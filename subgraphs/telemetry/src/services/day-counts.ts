import { randomInt } from "node:crypto";
import { DAY_MS } from "@dgg/common";
import type { Queryable } from "./partitions";

/**
 * PostgreSQL only: how many telemetry rows each day partition holds, kept exact in the same
 * transaction as every insert and delete, so that expiry can report what it dropped without
 * counting millions of rows (docs/decisions/0020). Each day's count is spread over a few
 * shards so concurrent ingestion does not queue on one counter row.
 */
export const DAY_ROWS_TABLE = "telemetry_day_rows";
const SHARDS = 8;
const DAY_OF_SQL = `floor(occurred_at::numeric / ${DAY_MS})::bigint`;
const EVENT_COLUMNS = "id, tenant_id, user_id, kind, occurred_at, payload";

/** Adds `delta` rows to each day: `deltas` maps a day number to a signed row count. */
async function addToDays(db: Queryable, deltas: Map<number, number>): Promise<void> {
  const entries = [...deltas].filter(([, delta]) => delta !== 0);
  if (entries.length === 0) return;
  const shard = randomInt(SHARDS);
  const values = entries.map((_, i) => `($${i * 2 + 1}::bigint, ${shard}, $${i * 2 + 2}::bigint)`).join(", ");
  await db.query(
    `INSERT INTO "${DAY_ROWS_TABLE}" (day, shard, rows) VALUES ${values}
     ON CONFLICT (day, shard) DO UPDATE SET rows = "${DAY_ROWS_TABLE}".rows + EXCLUDED.rows`,
    entries.flat(),
  );
}

/** Counts rows just inserted (epoch-ms times); call inside the inserting transaction. */
export async function countInserted(db: Queryable, times: readonly number[]): Promise<void> {
  const deltas = new Map<number, number>();
  for (const time of times) {
    const day = Math.floor(time / DAY_MS);
    deltas.set(day, (deltas.get(day) ?? 0) + 1);
  }
  await addToDays(db, deltas);
}

/**
 * Deletes the telemetry rows matching `where` (SQL over telemetry_event, `$n` parameters) and
 * takes them off their days' counts in one statement: the deleted rows never leave the database.
 * With `copyTo`, the same statement first copies them into that table (retention moving held
 * users' rows aside). Returns how many were deleted.
 */
export async function deleteCounted(db: Queryable, table: string, where: string, parameters: unknown[], copyTo?: string): Promise<number> {
  const shard = randomInt(SHARDS);
  const copy = copyTo ? `copied AS (INSERT INTO "${copyTo}" (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM gone),` : "";
  const rows = (await db.query(
    `WITH gone AS (DELETE FROM "${table}" WHERE ${where} RETURNING ${copyTo ? EVENT_COLUMNS : "occurred_at"}), ${copy}
          per_day AS (SELECT ${DAY_OF_SQL} AS day, COUNT(*) AS n FROM gone GROUP BY 1),
          counted AS (
            INSERT INTO "${DAY_ROWS_TABLE}" (day, shard, rows) SELECT day, ${shard}, -n FROM per_day
            ON CONFLICT (day, shard) DO UPDATE SET rows = "${DAY_ROWS_TABLE}".rows + EXCLUDED.rows)
     SELECT COALESCE(SUM(n), 0) AS deleted FROM per_day`,
    parameters,
  )) as { deleted: string | number }[];
  return Number(rows[0]?.deleted ?? 0);
}

/** Rows held by the days in [fromMs, toMs), from the counts (no table scan). */
export async function rowsInDays(db: Queryable, fromMs: number, toMs: number): Promise<number> {
  const rows = (await db.query(`SELECT COALESCE(SUM(rows), 0) AS n FROM "${DAY_ROWS_TABLE}" WHERE day >= $1 AND day < $2`, [
    Math.floor(fromMs / DAY_MS),
    Math.ceil(toMs / DAY_MS),
  ])) as { n: string | number }[];
  return Number(rows[0]?.n ?? 0);
}

/**
 * The statement that forgets the counts of every day before `day` (their partitions were
 * detached whole), as SQL text with the day number inlined, to be sent with the detaches.
 */
export function forgetDaysBefore(day: number): string {
  if (!Number.isSafeInteger(day)) throw new Error(`day ${day} is not an integer`);
  return `DELETE FROM "${DAY_ROWS_TABLE}" WHERE day < ${day}`;
}

/** Recomputes every count from the rows (the migration; also a repair tool). */
export async function recountDays(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM "${DAY_ROWS_TABLE}"`);
  await db.query(`INSERT INTO "${DAY_ROWS_TABLE}" (day, shard, rows) SELECT ${DAY_OF_SQL}, 0, COUNT(*) FROM telemetry_event GROUP BY 1`);
}
