import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { DataSource, QueryRunner } from "typeorm";
import { DAY_MS } from "@dgg/common";
import { deleteCounted, rowsInDays, setRowsInDays } from "./day-counts";
import { listPartitions, PARENT_TABLE } from "./partitions";
import type { Partition } from "./partitions";

/** Telemetry is kept 30 days after it occurred. */
export const TELEMETRY_RETENTION_MS = 30 * DAY_MS;
/** Rows per DELETE statement: bounds each statement's lock time and write-ahead log. */
export const PURGE_BATCH = 5000;
/** Expired partitions dropped per transaction: bounds how long the parent's exclusive lock is held. */
const PARTITIONS_PER_TRANSACTION = 64;
/** How long a purge waits for a lock before giving up this attempt (live queries go first). */
const LOCK_TIMEOUT = "5s";
const LOCK_RETRIES = 5;

export interface TelemetryPurge {
  /** Rows strictly older than this (epoch ms) expire. */
  cutoffMs: number;
  /** Rows of these users are kept whatever their age (legal hold). */
  heldUserIds: string[];
}

/**
 * Expires telemetry older than the cut-off without loading a row into the process: on
 * PostgreSQL whole day partitions go at once and only the day that straddles the cut-off
 * is deleted row by row; on SQLite, bounded batches on the occurred_at index, yielding to
 * the event loop between batches so requests are served meanwhile. Returns rows removed.
 */
export async function purgeExpiredTelemetry(db: DataSource, purge: TelemetryPurge): Promise<number> {
  if (db.options.type === "postgres") return purgePartitions(db, purge);
  return purgeSqliteBatches(db, purge);
}

async function purgeSqliteBatches(db: DataSource, { cutoffMs, heldUserIds }: TelemetryPurge): Promise<number> {
  let purged = 0;
  for (;;) {
    const affected = await execute(
      db,
      `DELETE FROM "${PARENT_TABLE}" WHERE rowid IN (
         SELECT rowid FROM "${PARENT_TABLE}" WHERE occurred_at < ? AND user_id NOT IN (SELECT value FROM json_each(?)) LIMIT ${PURGE_BATCH})`,
      [cutoffMs, JSON.stringify(heldUserIds)],
    );
    purged += affected;
    if (affected < PURGE_BATCH) return purged;
    // better-sqlite3 is synchronous: without this, ingestion would wait for the whole purge.
    await yieldToEventLoop();
  }
}

async function purgePartitions(db: DataSource, purge: TelemetryPurge): Promise<number> {
  const partitions = await listPartitions(db);
  const expired = partitions.filter((partition) => partition.to <= purge.cutoffMs);
  let purged = 0;
  for (let start = 0; start < expired.length; start += PARTITIONS_PER_TRANSACTION) {
    const chunk = expired.slice(start, start + PARTITIONS_PER_TRANSACTION);
    purged += await withLockRetries(db, (runner) => dropExpiredPartitions(runner, chunk, purge.heldUserIds));
  }
  const boundary = partitions.find((partition) => partition.from < purge.cutoffMs && purge.cutoffMs < partition.to);
  if (boundary) purged += await deleteInPartition(db, boundary, purge);
  return purged;
}

/**
 * Drops partitions that lie wholly before the cut-off; their row counts come from the day
 * counts, not from scanning them. A partition that also holds rows of held users is rebuilt
 * with only those rows (cost proportional to the held rows, not to the day), and one holding
 * nothing but held rows is left as it is.
 */
async function dropExpiredPartitions(runner: QueryRunner, chunk: Partition[], heldUserIds: string[]): Promise<number> {
  const names = chunk.map((partition) => `"${partition.name}"`).join(", ");
  // SHARE: late inserts and erasures in these days wait (so the counts stay exact), reads do not.
  await runner.query(`LOCK TABLE ${names} IN SHARE MODE`);
  const held = await heldRowsPerPartition(runner, chunk, heldUserIds);
  let purged = 0;
  const drop: Partition[] = [];
  const rebuild: Partition[] = [];
  for (const partition of chunk) {
    const total = await rowsInDays(runner, partition.from, partition.to);
    const keep = held.get(partition.name) ?? 0;
    purged += total - keep;
    if (keep === 0) drop.push(partition);
    else if (total > keep) rebuild.push(partition);
  }
  if (drop.length > 0) {
    await runner.query(`DROP TABLE ${drop.map((partition) => `"${partition.name}"`).join(", ")}`);
    for (const partition of drop) await setRowsInDays(runner, partition.from, partition.to, 0);
  }
  for (const partition of rebuild) {
    const kept = `${partition.name}_held`;
    await runner.query(`CREATE TABLE "${kept}" (LIKE "${PARENT_TABLE}" INCLUDING DEFAULTS)`);
    await runner.query(`INSERT INTO "${kept}" SELECT * FROM "${partition.name}" WHERE user_id = ANY($1::varchar[])`, [heldUserIds]);
    await runner.query(`DROP TABLE "${partition.name}"`);
    await runner.query(`ALTER TABLE "${kept}" RENAME TO "${partition.name}"`);
    await runner.query(`ALTER TABLE "${PARENT_TABLE}" ATTACH PARTITION "${partition.name}" FOR VALUES FROM (${partition.from}) TO (${partition.to})`);
    await setRowsInDays(runner, partition.from, partition.to, held.get(partition.name) ?? 0);
  }
  return purged;
}

/** Rows of held users per partition of the chunk, found through the user index (holds are few). */
async function heldRowsPerPartition(runner: QueryRunner, chunk: Partition[], heldUserIds: string[]): Promise<Map<string, number>> {
  if (heldUserIds.length === 0 || chunk.length === 0) return new Map();
  const rows = (await runner.query(
    `SELECT tableoid::regclass::text AS name, COUNT(*) AS n FROM "${PARENT_TABLE}"
      WHERE user_id = ANY($1::varchar[]) AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1`,
    [heldUserIds, chunk[0]!.from, chunk[chunk.length - 1]!.to],
  )) as { name: string; n: string }[];
  return new Map(rows.map((row) => [row.name.replace(/"/g, ""), Number(row.n)]));
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

/** SQLSTATEs worth another attempt: lock_timeout expired, deadlock with a late insert. */
const RETRYABLE = new Set(["55P03", "40P01"]);

async function withLockRetries(db: DataSource, work: (runner: QueryRunner) => Promise<number>): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    const runner = db.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      const code = (error as { driverError?: { code?: string } }).driverError?.code;
      if (!code || !RETRYABLE.has(code) || attempt >= LOCK_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    } finally {
      await runner.release();
    }
  }
}
