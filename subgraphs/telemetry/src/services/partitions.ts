import { DAY_MS } from "@dgg/common";

/**
 * PostgreSQL keeps telemetry in one partition per UTC day of `occurred_at` (declarative
 * range partitioning on the epoch-ms column), so expiry drops whole days instead of
 * deleting rows one by one (docs/decisions/0020). SQLite has no partitions; nothing here
 * runs there.
 */
export const PARENT_TABLE = "telemetry_event";
/** The key PostgreSQL requires of a partitioned table: it must contain the partition column. */
export const PRIMARY_KEY = `CONSTRAINT "pk_telemetry_event" PRIMARY KEY ("id", "occurred_at")`;

/** The secondary indexes, declared on the parent so every partition gets them. */
export const TELEMETRY_INDEXES = [
  // PersonalData.telemetry pages and the export walk one user's events by time. Tenant and
  // kind ride along so that a person's counts are index-only scans: with a year of days not
  // yet expired, reads otherwise visit every row's heap page in every partition.
  `CREATE INDEX "ix_telemetry_event_user_occurred" ON "${PARENT_TABLE}" ("user_id", "occurred_at", "id") INCLUDE ("tenant_id", "kind")`,
  // Expiry deletes by age inside the day that straddles the cut-off.
  `CREATE INDEX "ix_telemetry_event_occurred" ON "${PARENT_TABLE}" ("occurred_at")`,
  `CREATE INDEX "ix_telemetry_event_tenant_occurred" ON "${PARENT_TABLE}" ("tenant_id", "occurred_at")`,
];

/** Days of partitions kept ready after today, so ingestion never waits for DDL. */
export const PARTITIONS_AHEAD_DAYS = 7;

/** Anything that runs SQL with `$n` parameters: a TypeORM DataSource, QueryRunner or EntityManager, or a `pg` client. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** One day partition: rows with `from <= occurred_at < to`. */
export interface Partition {
  name: string;
  from: number;
  to: number;
}

/** The day number (days since the epoch, UTC) of a moment in epoch ms. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** `telemetry_event_p20250131` for the day that starts at that UTC midnight. */
export function partitionName(day: number): string {
  return `${PARENT_TABLE}_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, "")}`;
}

const BOUND = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/;

/** The partitions that exist now, oldest first, with bounds read from the catalog (not from names). */
export async function listPartitions(db: Queryable): Promise<Partition[]> {
  const rows = (await db.query(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = '${PARENT_TABLE}'::regclass`,
  )) as { name: string; bound: string }[];
  return rows
    .map((row) => {
      const match = BOUND.exec(row.bound);
      if (!match) throw new Error(`telemetry partition ${row.name} has an unexpected bound ${row.bound}`);
      return { name: row.name, from: Number(match[1]), to: Number(match[2]) };
    })
    .sort((a, b) => a.from - b.from);
}

/** SQLSTATEs of a partition that another process created at the same moment. */
const ALREADY_CREATED = new Set(["42P07", "23505", "42P17"]);

/**
 * Creates the day partitions for `days` that do not exist yet. Several replicas may race
 * to create the same day: the loser's error is ignored once the day is found to exist.
 */
export async function createDayPartitions(db: Queryable, days: Iterable<number>): Promise<void> {
  for (const day of days) {
    try {
      await db.query(
        `CREATE TABLE IF NOT EXISTS "${partitionName(day)}" PARTITION OF "${PARENT_TABLE}" FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`,
      );
    } catch (error) {
      const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
      const exists = (await listPartitions(db)).some((partition) => partition.from <= day * DAY_MS && partition.to > day * DAY_MS);
      if (!(code && ALREADY_CREATED.has(code) && exists)) throw error;
    }
  }
}

/**
 * Remembers which days have a partition, so ingestion asks the catalog only for days it
 * has not seen; creates missing days on demand (late events) and keeps days ahead ready.
 */
export class PartitionCatalog {
  private readonly known = new Set<number>();

  constructor(private readonly db: Queryable) {}

  /** Makes sure every moment in `times` (epoch ms) has its partition. */
  async ensureFor(times: Iterable<number>): Promise<void> {
    const days = new Set<number>();
    for (const time of times) days.add(dayOf(time));
    const missing = [...days].filter((day) => !this.known.has(day));
    if (missing.length === 0) return;
    await this.refresh();
    const stillMissing = missing.filter((day) => !this.known.has(day));
    if (stillMissing.length === 0) return;
    await createDayPartitions(this.db, stillMissing);
    stillMissing.forEach((day) => this.known.add(day));
  }

  /** Creates today's partition and PARTITIONS_AHEAD_DAYS more. */
  async ensureAhead(now: Date): Promise<void> {
    const today = dayOf(now.getTime());
    await this.ensureFor(Array.from({ length: PARTITIONS_AHEAD_DAYS + 1 }, (_, i) => (today + i) * DAY_MS));
  }

  /** Re-reads the catalog: after a purge dropped days, or before creating. */
  async refresh(): Promise<void> {
    const partitions = await listPartitions(this.db);
    this.known.clear();
    // Partitions are whole UTC days, so a day is covered when its midnight is.
    for (const partition of partitions) {
      for (let day = Math.ceil(partition.from / DAY_MS); day * DAY_MS < partition.to; day += 1) this.known.add(day);
    }
  }
}
