import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { DataSource, QueryRunner } from "typeorm";
import { DAY_MS } from "@dgg/common";
import { DAY_ROWS_TABLE, forgetDaysBefore } from "./day-counts";
import { HELD_TABLE, moveHeldEventsPostgres } from "./held-events";
import { PARENT_TABLE } from "./partitions";
import type { Partition, Queryable } from "./partitions";

/**
 * Detached months and days keep their names until `dropDetachedPartitions` drops them: a
 * table named like a partition that is no longer one is expired by construction (only
 * expiry detaches). Renaming them inside the transaction would hold the parent's lock
 * longer. Earlier versions renamed them with this prefix; leftovers are dropped too.
 */
const DETACHED_NAME = `^${PARENT_TABLE}_[pm][0-9]+$`;
const EARLIER_EXPIRED_PREFIX = "telemetry_expired_";
/**
 * Lock waits: short attempts first, so that a detach queued behind a slow statement never
 * holds up the queries that arrive after it for long; then one patient attempt.
 */
const QUICK_LOCK_TIMEOUT_MS = 200;
const QUICK_ATTEMPTS = 50;
const PATIENT_LOCK_TIMEOUT_MS = 10_000;
/** SQLSTATEs worth another attempt: lock_timeout expired, deadlock with a late insert. */
const RETRYABLE = new Set(["55P03", "40P01"]);

/** What a purge has to do in one store, read before it takes any lock. */
export interface ExpirySurvey {
  /** Wholly before the cut-off: months, and days of the month that straddles it. */
  months: Partition[];
  days: (Partition & { month: string })[];
  /** The day partition that straddles the cut-off, if any, and the rows counted in it (0: no boundary delete to run). */
  boundary: Partition | null;
  boundaryRows: number;
  /** Whether the held table holds anything (if not, no released rows to purge). */
  heldEvents: boolean;
}

const FROM_BOUND = `substring(bound FROM 'FROM \\(''?(-?[0-9]+)')::bigint`;
const TO_BOUND = `substring(bound FROM 'TO \\(''?(-?[0-9]+)')::bigint`;

/**
 * One query: what lies wholly before `cutoffMs`, from the catalog's bounds (not from names),
 * deparsing only the months' bounds and the straddling month's days', not a year of days;
 * and whether the boundary day and the held table hold anything, so that a store with
 * nothing to purge (a quiet region) costs this one round trip.
 */
export async function surveyExpiry(db: Queryable, cutoffMs: number): Promise<ExpirySurvey> {
  const rows = (await db.query(
    `WITH months AS (
       SELECT oid, name, ${FROM_BOUND} AS from_ms, ${TO_BOUND} AS to_ms
         FROM (SELECT c.oid, c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
                 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = '"${PARENT_TABLE}"'::regclass) listed),
     days AS (
       SELECT name, month, ${FROM_BOUND} AS from_ms, ${TO_BOUND} AS to_ms
         FROM (SELECT c.relname AS name, m.name AS month, pg_get_expr(c.relpartbound, c.oid) AS bound
                 FROM months m JOIN pg_inherits i ON i.inhparent = m.oid JOIN pg_class c ON c.oid = i.inhrelid
                WHERE m.from_ms < $1 AND $1 < m.to_ms) listed)
     SELECT (SELECT COALESCE(json_agg(json_build_object('name', name, 'from', from_ms, 'to', to_ms)), '[]') FROM months WHERE to_ms <= $1) AS months,
            (SELECT COALESCE(json_agg(json_build_object('name', name, 'month', month, 'from', from_ms, 'to', to_ms)), '[]') FROM days WHERE to_ms <= $1) AS days,
            (SELECT json_build_object('name', name, 'from', from_ms, 'to', to_ms) FROM days WHERE from_ms < $1 AND $1 < to_ms) AS boundary,
            (SELECT COALESCE(SUM(rows), 0) FROM "${DAY_ROWS_TABLE}" WHERE day = $2) AS boundary_rows,
            EXISTS (SELECT 1 FROM "${HELD_TABLE}") AS held_events`,
    [cutoffMs, Math.floor(cutoffMs / DAY_MS)],
  )) as {
    months: Partition[] | string;
    days: (Partition & { month: string })[] | string;
    boundary: Partition | string | null;
    boundary_rows: string | number;
    held_events: boolean;
  }[];
  const row = rows[0]!;
  const parse = <T>(value: T | string): T => (typeof value === "string" ? (JSON.parse(value) as T) : value);
  return {
    months: parse(row.months),
    days: parse(row.days),
    boundary: row.boundary === null ? null : parse(row.boundary),
    boundaryRows: Number(row.boundary_rows),
    heldEvents: row.held_events,
  };
}

/**
 * In one transaction that holds the parent's lock: moves the held users' expired rows to the
 * held table, then detaches every expired month and day at once (about a millisecond of
 * catalog work each) for `dropDetachedPartitions` to drop afterwards, outside any lock on
 * the parent, and returns how many rows left the table, read from the day counts: nothing
 * is scanned. Without held users the whole transaction is one round trip (the parent stays
 * locked for the server's work only, not for the network and the event loop); with them,
 * three. `expired` comes from the catalog read just before: partitions are only ever
 * removed by this function, and it runs under the retention lease, one at a time.
 */
export async function detachExpiredPartitions(
  runner: QueryRunner,
  expired: Pick<ExpirySurvey, "months" | "days">,
  cutoffMs: number,
  heldUserIds: string[],
  timings?: Record<string, number>,
): Promise<number> {
  const detaching = expired.months.length > 0 || expired.days.length > 0;
  if (!detaching && heldUserIds.length === 0) return 0;
  const firstKeptDay = Math.floor(cutoffMs / DAY_MS);
  const detach = detaching
    ? [
        // Server time since this round trip arrived: how long the lock took (logged).
        `SELECT COALESCE(SUM(rows), 0) AS removed, EXTRACT(EPOCH FROM clock_timestamp() - statement_timestamp()) * 1000 AS locked_after_ms
           FROM "${DAY_ROWS_TABLE}" WHERE day < ${firstKeptDay}`,
        ...expired.months.map((month) => `ALTER TABLE "${PARENT_TABLE}" DETACH PARTITION "${month.name}"`),
        ...expired.days.map((day) => `ALTER TABLE "${day.month}" DETACH PARTITION "${day.name}"`),
        forgetDaysBefore(firstKeptDay),
      ]
    : [];
  return withLockRetries(runner, timings, async (client, lockTimeoutMs) => {
    // The time-out applies to this transaction only. ONLY: without it LOCK TABLE would also
    // lock every partition one by one (hundreds, with a backlog) and wait for whatever holds
    // any of them; every statement on the table takes the parent's lock first anyway.
    const begin = [`BEGIN`, `SET LOCAL lock_timeout = '${lockTimeoutMs}ms'`, `LOCK TABLE ONLY "${PARENT_TABLE}" IN ACCESS EXCLUSIVE MODE`];
    let results: PgResult[];
    if (heldUserIds.length > 0) {
      await client.query(begin.join(";\n"));
      // Held rows of the expired days and of the boundary day alike: none is left behind below the cut-off.
      // Through the runner (the same connection, inside the transaction just begun): its
      // statements put the users' aliases in place of their ids (docs/decisions/0051).
      await moveHeldEventsPostgres(runner, cutoffMs, heldUserIds);
      results = asResults(await client.query([...detach, "COMMIT"].join(";\n")));
    } else {
      // Parameterless, so the driver sends it as one simple query: one round trip.
      results = asResults(await client.query([...begin, ...detach, "COMMIT"].join(";\n")));
    }
    const counted = results.find((result) => result.command === "SELECT");
    if (timings && counted) timings.lockWaitMs = Math.round(Number(counted.rows[0]?.locked_after_ms ?? 0));
    return Number(counted?.rows[0]?.removed ?? 0);
  });
}

/**
 * Drops the detached expired months and days, one day's table per transaction (a detached
 * month's days first, then the month), pausing after each drop as long as it took: removing
 * a year of files is disk work that live queries share, so it gets at most half of the time.
 * Nothing here locks the partitioned table. Returns how many detached tables (months or days) went.
 */
export async function dropDetachedPartitions(db: DataSource): Promise<number> {
  const detached = await db.query<{ relname: string }[]>(
    `SELECT relname FROM pg_class
      WHERE relkind IN ('r', 'p') AND NOT relispartition AND (relname ~ $1 OR starts_with(relname, $2))`,
    [DETACHED_NAME, EARLIER_EXPIRED_PREFIX],
  );
  for (const { relname } of detached) {
    const days = await db.query<{ relname: string }[]>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = (SELECT oid FROM pg_class WHERE relname = $1)`,
      [relname],
    );
    for (const table of [...days.map((day) => day.relname), relname]) {
      const started = performance.now();
      await db.query(`DROP TABLE IF EXISTS "${table}"`);
      await sleep(performance.now() - started);
    }
  }
  return detached.length;
}

/** What node-postgres answers for one statement. */
interface PgResult {
  command: string;
  rows: Record<string, unknown>[];
}
/** The node-postgres client under a TypeORM query runner. */
interface PgClient {
  query(sql: string, parameters?: unknown[]): Promise<PgResult | PgResult[]>;
}
const asResults = (answer: PgResult | PgResult[]): PgResult[] => (Array.isArray(answer) ? answer : [answer]);

/**
 * Runs `work` on the runner's own node-postgres client, again after a lock time-out. `work`
 * opens and commits the transaction itself (several statements per round trip); whatever
 * fails is rolled back here.
 */
async function withLockRetries<T>(
  runner: QueryRunner,
  timings: Record<string, number> | undefined,
  work: (client: PgClient, lockTimeoutMs: number) => Promise<T>,
): Promise<T> {
  const client = (await runner.connect()) as PgClient;
  for (let attempt = 1; ; attempt += 1) {
    if (timings) timings.lockAttempts = attempt;
    const patient = attempt > QUICK_ATTEMPTS;
    try {
      return await work(client, patient ? PATIENT_LOCK_TIMEOUT_MS : QUICK_LOCK_TIMEOUT_MS);
    } catch (error) {
      await client.query("ROLLBACK");
      const code = (error as { code?: string }).code;
      if (!code || !RETRYABLE.has(code) || patient) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 80)));
  }
}
