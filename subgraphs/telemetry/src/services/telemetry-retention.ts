import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { DataSource, QueryRunner } from "typeorm";
import { deleteCounted } from "./day-counts";
import { moveHeldEventsSqlite, purgeReleasedEvents } from "./held-events";
import { detachExpiredPartitions, surveyExpiry } from "./partition-expiry";
import { PARENT_TABLE } from "./partitions";
import type { Partition } from "./partitions";

/** PostgreSQL: rows per DELETE statement in the boundary day; bounds each statement's locks and write-ahead log. */
export const PURGE_BATCH = 10_000;

export interface TelemetryPurge {
  /** Rows strictly older than this (epoch ms) expire. */
  cutoffMs: number;
  /** Rows of these users are kept whatever their age (legal hold). */
  heldUserIds: string[];
  /** Filled with how long each step took (ms) and how many lock attempts it needed, for the service's log. */
  timings?: Record<string, number>;
}

/** Runs `step` and adds its duration to `timings[name]`. */
async function timed<T>(timings: Record<string, number> | undefined, name: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    if (timings) timings[name] = Math.round((timings[name] ?? 0) + performance.now() - started);
  }
}

/**
 * Expires telemetry older than the cut-off without loading a row into the process. Held
 * users' expired events move to the held table first (docs/decisions/0023). Then, on
 * PostgreSQL, whole expired months and days are detached at once (and dropped afterwards by
 * `dropDetachedPartitions`) and only the day that straddles the cut-off is deleted row by
 * row; on SQLite, time-bounded batches on the occurred_at index, pausing between batches so
 * requests are served meanwhile. Last, the held table loses the events of users whose hold
 * was lifted. Returns rows removed.
 */
export async function purgeExpiredTelemetry(db: DataSource, purge: TelemetryPurge): Promise<number> {
  // One connection held for the whole purge (PostgreSQL takes a second one for the boundary
  // day only): a quiet store has few warm connections, and opening one costs tens of ms under load.
  const runner = db.createQueryRunner();
  try {
    await runner.connect();
    if (db.options.type === "postgres") return await purgePartitions(db, runner, purge);
    return (await purgeSqliteBatches(db, purge)) + (await timed(purge.timings, "releasedMs", () => purgeReleasedEvents(runner, purge.heldUserIds)));
  } finally {
    await runner.release();
  }
}

/** SQLite: how long one DELETE batch may hold the (synchronous) driver, and the batch size limits. */
export const SQLITE_BATCH_TARGET_MS = 50;
export const SQLITE_MIN_BATCH = 200;
export const SQLITE_MAX_BATCH = 20_000;

/**
 * SQLite: DELETE batches sized to take about SQLITE_BATCH_TARGET_MS each (better-sqlite3
 * blocks the process while a statement runs), then as long again asleep, so that ingestion
 * and reads get at least half of the time whatever the size of the backlog.
 */
async function purgeSqliteBatches(db: DataSource, { cutoffMs, heldUserIds }: TelemetryPurge): Promise<number> {
  if (heldUserIds.length > 0) await db.transaction((manager) => moveHeldEventsSqlite(manager.queryRunner!, cutoffMs, heldUserIds));
  let purged = 0;
  let batch = SQLITE_MIN_BATCH;
  for (;;) {
    const started = performance.now();
    const affected = await execute(
      db,
      `DELETE FROM "${PARENT_TABLE}" WHERE rowid IN (
         SELECT rowid FROM "${PARENT_TABLE}" WHERE occurred_at < ? AND user_id NOT IN (SELECT value FROM json_each(?)) LIMIT ${batch})`,
      [cutoffMs, JSON.stringify(heldUserIds)],
    );
    const elapsed = performance.now() - started;
    purged += affected;
    if (affected < batch) return purged;
    batch = Math.min(SQLITE_MAX_BATCH, Math.max(SQLITE_MIN_BATCH, Math.round((batch * SQLITE_BATCH_TARGET_MS) / Math.max(1, elapsed))));
    await sleep(Math.ceil(elapsed));
  }
}

/**
 * One survey of the catalog and counts, then only the steps it calls for: the expired months
 * and days in one locked transaction and, side by side on a second connection, the boundary
 * day's expired rows, deleted in that day's partition directly so that the two never wait
 * for each other (the transaction locks the parent and the detached tables, the delete only
 * the boundary day, and they touch different days' counts); last, the released held rows.
 */
async function purgePartitions(db: DataSource, runner: QueryRunner, purge: TelemetryPurge): Promise<number> {
  const survey = await timed(purge.timings, "surveyMs", () => surveyExpiry(runner, purge.cutoffMs));
  if (purge.timings) Object.assign(purge.timings, { monthsDetached: survey.months.length, daysDetached: survey.days.length });
  const detached = timed(purge.timings, "detachMs", () => detachExpiredPartitions(runner, survey, purge.cutoffMs, purge.heldUserIds, purge.timings));
  const { boundary } = survey;
  const deleted =
    boundary && survey.boundaryRows > 0
      ? timed(purge.timings, "boundaryMs", async () => {
          const second = db.createQueryRunner();
          try {
            return await deleteInBoundaryDay(second, boundary, survey.boundaryRows, purge);
          } finally {
            await second.release();
          }
        })
      : Promise.resolve(0);
  // Both settle before the caller releases the first connection.
  const [whole, partial] = await Promise.allSettled([detached, deleted]);
  if (whole.status === "rejected") throw whole.reason;
  if (partial.status === "rejected") throw partial.reason;
  let purged = whole.value + partial.value;
  if (survey.heldEvents) purged += await timed(purge.timings, "releasedMs", () => purgeReleasedEvents(runner, purge.heldUserIds));
  return purged;
}

/**
 * The day that straddles the cut-off: its expired rows only, counted in SQL, in that day's
 * partition. A day holding at most PURGE_BATCH rows (`dayRows`, from the counts) goes in one
 * plain DELETE; a bigger one in DELETE batches of PURGE_BATCH rows, to bound each statement's
 * locks and write-ahead log. Held users' rows are moved aside meanwhile; the condition keeps
 * them all the same.
 */
async function deleteInBoundaryDay(runner: QueryRunner, day: Partition, dayRows: number, { cutoffMs, heldUserIds }: TelemetryPurge): Promise<number> {
  const expired = "occurred_at < $1 AND NOT (user_id = ANY($2::varchar[]))";
  const parameters = [cutoffMs, heldUserIds];
  if (dayRows <= PURGE_BATCH) return deleteCounted(runner, day.name, expired, parameters);
  let purged = 0;
  for (;;) {
    const deleted = await deleteCounted(runner, day.name, `id IN (SELECT id FROM "${day.name}" WHERE ${expired} LIMIT ${PURGE_BATCH})`, parameters);
    purged += deleted;
    if (deleted < PURGE_BATCH) return purged;
  }
}

/** Runs one statement in its own (auto-committed) transaction and returns the rows it changed. */
async function execute(db: DataSource, sql: string, parameters: unknown[]): Promise<number> {
  const runner = db.createQueryRunner();
  try {
    return (await runner.query(sql, parameters, true)).affected ?? 0;
  } finally {
    await runner.release();
  }
}
