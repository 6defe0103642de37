import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { DataSource } from "typeorm";
import { DAY_MS } from "@dgg/common";
import { deleteCounted } from "./day-counts";
import { detachExpiredPartitions, dropDetachedPartitions } from "./partition-expiry";
import { listPartitions, PARENT_TABLE } from "./partitions";
import type { Partition } from "./partitions";

/** Telemetry is kept 30 days after it occurred. */
export const TELEMETRY_RETENTION_MS = 30 * DAY_MS;
/** PostgreSQL: rows per DELETE statement in the boundary day; bounds each statement's locks and write-ahead log. */
export const PURGE_BATCH = 5000;

export interface TelemetryPurge {
  /** Rows strictly older than this (epoch ms) expire. */
  cutoffMs: number;
  /** Rows of these users are kept whatever their age (legal hold). */
  heldUserIds: string[];
}

/**
 * Expires telemetry older than the cut-off without loading a row into the process: on
 * PostgreSQL whole day partitions are detached at once (and dropped afterwards by
 * `dropDetachedPartitions`) and only the day that straddles the cut-off is deleted row by row; on SQLite, time-bounded batches on the occurred_at index, pausing
 * between batches so requests are served meanwhile. Returns rows removed.
 */
export async function purgeExpiredTelemetry(db: DataSource, purge: TelemetryPurge): Promise<number> {
  if (db.options.type === "postgres") return purgePartitions(db, purge);
  return purgeSqliteBatches(db, purge);
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

async function purgePartitions(db: DataSource, purge: TelemetryPurge): Promise<number> {
  // Leftovers of an earlier purge whose clean-up did not finish (a restart) go first.
  await dropDetachedPartitions(db);
  const partitions = await listPartitions(db);
  const expired = partitions.filter((partition) => partition.to <= purge.cutoffMs);
  let purged = await detachExpiredPartitions(db, expired, purge.heldUserIds);
  const boundary = partitions.find((partition) => partition.from < purge.cutoffMs && purge.cutoffMs < partition.to);
  if (boundary) purged += await deleteInPartition(db, boundary, purge);
  return purged;
}

/** The day that straddles the cut-off: bounded DELETE batches of the expired rows only, counted in SQL. */
async function deleteInPartition(db: DataSource, partition: Partition, { cutoffMs, heldUserIds }: TelemetryPurge): Promise<number> {
  let purged = 0;
  for (;;) {
    const deleted = await deleteCounted(
      db,
      partition.name,
      `id IN (SELECT id FROM "${partition.name}" WHERE occurred_at < $1 AND NOT (user_id = ANY($2::varchar[])) LIMIT ${PURGE_BATCH})`,
      [cutoffMs, heldUserIds],
    );
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
