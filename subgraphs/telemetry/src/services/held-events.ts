import type { QueryRunner } from "typeorm";
import { deleteCounted } from "./day-counts";
import { PARENT_TABLE } from "./partitions";
import type { Queryable } from "./partitions";

/**
 * Legal holds and telemetry (docs/decisions/0023). When retention finds expired events of a
 * held user, it moves them from telemetry_event into this table instead of purging them, so
 * that telemetry_event only ever holds events within their 30 days (plus the backlog the next
 * run removes) and reads of it can be bounded by time. Reads take the union of both.
 */
export const HELD_TABLE = "telemetry_event_held";
const COLUMNS = "id, tenant_id, user_id, kind, occurred_at, payload";

/**
 * PostgreSQL: moves the held users' events older than `cutoffMs` into the held table in one
 * statement, day counts included. Run it in the transaction that holds the parent's lock, so
 * no late insert escapes. Returns how many moved.
 */
export async function moveHeldEventsPostgres(db: Queryable, cutoffMs: number, heldUserIds: string[]): Promise<number> {
  if (heldUserIds.length === 0) return 0;
  return deleteCounted(db, PARENT_TABLE, "occurred_at < $1 AND user_id = ANY($2::varchar[])", [cutoffMs, heldUserIds], HELD_TABLE);
}

/** SQLite: the same, as a copy then a delete in the caller's transaction on `runner`. */
export async function moveHeldEventsSqlite(runner: QueryRunner, cutoffMs: number, heldUserIds: string[]): Promise<number> {
  if (heldUserIds.length === 0) return 0;
  const where = "occurred_at < ? AND user_id IN (SELECT value FROM json_each(?))";
  const parameters = [cutoffMs, JSON.stringify(heldUserIds)];
  const copied = (await runner.query(`INSERT INTO "${HELD_TABLE}" (${COLUMNS}) SELECT ${COLUMNS} FROM "${PARENT_TABLE}" WHERE ${where}`, parameters, true)) as {
    affected?: number;
  };
  await runner.query(`DELETE FROM "${PARENT_TABLE}" WHERE ${where}`, parameters);
  return copied.affected ?? 0;
}

/** Purges the held table's events of users no longer held (the hold was lifted): all of them expired long ago. */
export async function purgeReleasedEvents(runner: QueryRunner, heldUserIds: string[]): Promise<number> {
  const result =
    runner.connection.options.type === "postgres"
      ? await runner.query(`DELETE FROM "${HELD_TABLE}" WHERE NOT (user_id = ANY($1::varchar[]))`, [heldUserIds], true)
      : await runner.query(`DELETE FROM "${HELD_TABLE}" WHERE user_id NOT IN (SELECT value FROM json_each(?))`, [JSON.stringify(heldUserIds)], true);
  return (result as { affected?: number }).affected ?? 0;
}
