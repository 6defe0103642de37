import type { DataSource, QueryRunner } from "typeorm";
import { rowsInDays, setRowsInDays } from "./day-counts";
import { PARENT_TABLE } from "./partitions";
import type { Partition } from "./partitions";

/** Name prefix of expired day tables that were detached and wait to be dropped. */
export const EXPIRED_PREFIX = "telemetry_expired_";
/**
 * Lock waits: short attempts first, so that a detach queued behind a slow read never holds
 * up the queries that arrive after it for long; then one patient attempt.
 */
const QUICK_LOCK_TIMEOUT_MS = 200;
const QUICK_ATTEMPTS = 50;
const PATIENT_LOCK_TIMEOUT_MS = 10_000;
/** SQLSTATEs worth another attempt: lock_timeout expired, deadlock with a late insert. */
const RETRYABLE = new Set(["55P03", "40P01"]);

/**
 * Detaches every day partition that lies wholly before the cut-off, in one transaction, and
 * returns how many rows left the table (from the day counts: nothing is scanned). The
 * detached tables are renamed `telemetry_expired_*` and dropped afterwards by
 * `dropDetachedPartitions`, outside any lock on the parent. A day that holds rows of held
 * users gets a new partition holding only those rows (or keeps its own if it holds nothing
 * else), so held rows never leave the table (docs/decisions/0020).
 */
export async function detachExpiredPartitions(db: DataSource, expired: Partition[], heldUserIds: string[]): Promise<number> {
  if (expired.length === 0) return 0;
  return withLockRetries(db, async (runner) => {
    for (const partition of expired) {
      await runner.query(`ALTER TABLE "${PARENT_TABLE}" DETACH PARTITION "${partition.name}"`);
    }
    let purged = 0;
    for (const partition of expired) {
      // Detached, the day is locked exclusively: its count cannot move under us.
      const total = await rowsInDays(runner, partition.from, partition.to);
      const held = await heldRows(runner, partition.name, heldUserIds);
      purged += total - held;
      if (held > 0 && held === total) {
        await attach(runner, partition.name, partition);
        continue;
      }
      await runner.query(`ALTER TABLE "${partition.name}" RENAME TO "${EXPIRED_PREFIX}${partition.name}"`);
      if (held > 0) {
        await runner.query(`CREATE TABLE "${partition.name}" (LIKE "${PARENT_TABLE}" INCLUDING DEFAULTS)`);
        await runner.query(`INSERT INTO "${partition.name}" SELECT * FROM "${EXPIRED_PREFIX}${partition.name}" WHERE user_id = ANY($1::varchar[])`, [
          heldUserIds,
        ]);
        await attach(runner, partition.name, partition);
      }
      await setRowsInDays(runner, partition.from, partition.to, held);
    }
    return purged;
  });
}

/** Drops the detached expired days, each in its own short transaction that locks nothing else. Returns how many. */
export async function dropDetachedPartitions(db: DataSource): Promise<number> {
  const rows = (await db.query(`SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE $1`, [`${EXPIRED_PREFIX}%`])) as { relname: string }[];
  for (const { relname } of rows) await db.query(`DROP TABLE IF EXISTS "${relname}"`);
  return rows.length;
}

async function heldRows(runner: QueryRunner, table: string, heldUserIds: string[]): Promise<number> {
  if (heldUserIds.length === 0) return 0;
  const [row] = (await runner.query(`SELECT COUNT(*) AS n FROM "${table}" WHERE user_id = ANY($1::varchar[])`, [heldUserIds])) as { n: string }[];
  return Number(row?.n ?? 0);
}

async function attach(runner: QueryRunner, table: string, partition: Partition): Promise<void> {
  await runner.query(`ALTER TABLE "${PARENT_TABLE}" ATTACH PARTITION "${table}" FOR VALUES FROM (${partition.from}) TO (${partition.to})`);
}

async function withLockRetries<T>(db: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const patient = attempt > QUICK_ATTEMPTS;
    const runner = db.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL lock_timeout = '${patient ? PATIENT_LOCK_TIMEOUT_MS : QUICK_LOCK_TIMEOUT_MS}ms'`);
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      const code = (error as { driverError?: { code?: string } }).driverError?.code;
      if (!code || !RETRYABLE.has(code) || patient) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 80)));
    } finally {
      await runner.release();
    }
  }
}
