import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { DataSource, QueryRunner } from "typeorm";
import { DAY_MS } from "@dgg/common";
import { listPartitions, PARENT_TABLE } from "./partitions";
import type { Partition } from "./partitions";

/** Telemetry is kept 30 days after it occurred. */
export const TELEMETRY_RETENTION_MS = 30 * DAY_MS;
/** Rows per DELETE statement: bounds each statement's lock time and write-ahead log. */
export const PURGE_BATCH = 5000;
/** Expired partitions dropped per transaction: bounds how long the parent's exclusive lock is held. */
const PARTITIONS_PER_TRANSACTION = 32;
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
 * Drops partitions that lie wholly before the cut-off. A partition that also holds rows of
 * held users is rebuilt with only those rows (cost proportional to the held rows, not to
 * the day), and one holding nothing but held rows is left as it is.
 */
async function dropExpiredPartitions(runner: QueryRunner, chunk: Partition[], heldUserIds: string[]): Promise<number> {
  const names = chunk.map((partition) => `"${partition.name}"`).join(", ");
  // SHARE: late inserts into these days wait, reads do not, so the counts stay exact.
  await runner.query(`LOCK TABLE ${names} IN SHARE MODE`);
  let purged = 0;
  const drop: string[] = [];
  const rebuild: Partition[] = [];
  for (const partition of chunk) {
    const [counts] = (await runner.query(
      `SELECT COUNT(*) FILTER (WHERE NOT (user_id = ANY($1::varchar[]))) AS expired, COUNT(*) FILTER (WHERE user_id = ANY($1::varchar[])) AS held
         FROM "${partition.name}"`,
      [heldUserIds],
    )) as { expired: string; held: string }[];
    const expired = Number(counts?.expired ?? 0);
    const held = Number(counts?.held ?? 0);
    purged += expired;
    if (held === 0) drop.push(`"${partition.name}"`);
    else if (expired > 0) rebuild.push(partition);
  }
  if (drop.length > 0) await runner.query(`DROP TABLE ${drop.join(", ")}`);
  for (const partition of rebuild) {
    const kept = `${partition.name}_held`;
    await runner.query(`CREATE TABLE "${kept}" (LIKE "${PARENT_TABLE}" INCLUDING DEFAULTS)`);
    await runner.query(`INSERT INTO "${kept}" SELECT * FROM "${partition.name}" WHERE user_id = ANY($1::varchar[])`, [heldUserIds]);
    await runner.query(`DROP TABLE "${partition.name}"`);
    await runner.query(`ALTER TABLE "${kept}" RENAME TO "${partition.name}"`);
    await runner.query(`ALTER TABLE "${PARENT_TABLE}" ATTACH PARTITION "${partition.name}" FOR VALUES FROM (${partition.from}) TO (${partition.to})`);
  }
  return purged;
}

/** The day that straddles the cut-off: bounded DELETE batches of the expired rows only. */
async function deleteInPartition(db: DataSource, partition: Partition, { cutoffMs, heldUserIds }: TelemetryPurge): Promise<number> {
  let purged = 0;
  for (;;) {
    const affected = await execute(
      db,
      `DELETE FROM "${partition.name}" WHERE id IN (
         SELECT id FROM "${partition.name}" WHERE occurred_at < $1 AND NOT (user_id = ANY($2::varchar[])) LIMIT ${PURGE_BATCH})`,
      [cutoffMs, heldUserIds],
    );
    purged += affected;
    if (affected < PURGE_BATCH) return purged;
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
