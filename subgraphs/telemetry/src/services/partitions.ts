import { DAY_MS } from "@dgg/common";

/**
 * PostgreSQL keeps telemetry in two levels of declarative range partitions on the epoch-ms
 * `occurred_at`: one partition per UTC month, itself partitioned into one partition per UTC
 * day. Expiry detaches whole months, then the whole days of the month that straddles the
 * cut-off, and deletes rows only in the day that straddles it, so a year of backlog costs
 * about 40 catalog changes rather than 365 (docs/decisions/0020). SQLite has no partitions;
 * nothing here runs there.
 */
export const PARENT_TABLE = "telemetry_event";
/** The key PostgreSQL requires of a partitioned table: it must contain the partition column. */
export const PRIMARY_KEY = `CONSTRAINT "pk_telemetry_event" PRIMARY KEY ("id", "occurred_at")`;

/** The secondary indexes, declared on the parent so every partition gets them. */
export const TELEMETRY_INDEXES = [
  // PersonalData.telemetry pages and the export walk one user's events by time. Tenant and
  // kind ride along so that a person's counts are index-only scans.
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

/** One partition: rows with `from <= occurred_at < to`. */
export interface Partition {
  name: string;
  from: number;
  to: number;
}

/** A month partition and its day partitions, oldest first. */
export interface MonthPartition extends Partition {
  days: Partition[];
}

/** The day number (days since the epoch, UTC) of a moment in epoch ms. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** The UTC month of a moment: its first and next month's first millisecond. */
export function monthOf(ms: number): { from: number; to: number } {
  const date = new Date(ms);
  return {
    from: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
    to: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
  };
}

/** `telemetry_event_p20250131` for the day that starts at that UTC midnight. */
export function partitionName(day: number): string {
  return `${PARENT_TABLE}_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, "")}`;
}

/** `telemetry_event_m202501` for the month that starts at `from`. */
export function monthPartitionName(from: number): string {
  return `${PARENT_TABLE}_m${new Date(from).toISOString().slice(0, 7).replace(/-/g, "")}`;
}

const BOUND = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/;

/** The range of a partition from its catalog bound, `FOR VALUES FROM (a) TO (b)` (`pg_get_expr` of relpartbound). */
export function boundOf(name: string, bound: string): { from: number; to: number } {
  const match = BOUND.exec(bound);
  if (!match) throw new Error(`telemetry partition ${name} has an unexpected bound ${bound}`);
  return { from: Number(match[1]), to: Number(match[2]) };
}

/**
 * The months and their days that exist now, oldest first, with bounds read from the catalog
 * (not from names). One catalog query, whatever the number of partitions.
 */
export async function listMonths(db: Queryable): Promise<MonthPartition[]> {
  const rows = (await db.query(
    `SELECT c.relname AS name, p.relname AS parent, t.level, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_partition_tree('${PARENT_TABLE}'::regclass) t
       JOIN pg_class c ON c.oid = t.relid
       JOIN pg_class p ON p.oid = t.parentrelid
      WHERE t.level IN (1, 2)`,
  )) as { name: string; parent: string; level: number; bound: string }[];
  const months = new Map<string, MonthPartition>();
  for (const row of rows.filter((entry) => Number(entry.level) === 1)) {
    months.set(row.name, { name: row.name, ...boundOf(row.name, row.bound), days: [] });
  }
  for (const row of rows.filter((entry) => Number(entry.level) === 2)) {
    const month = months.get(row.parent);
    if (!month) throw new Error(`telemetry day partition ${row.name} hangs under ${row.parent}, which is not a month`);
    month.days.push({ name: row.name, ...boundOf(row.name, row.bound) });
  }
  const sorted = [...months.values()].sort((a, b) => a.from - b.from);
  for (const month of sorted) month.days.sort((a, b) => a.from - b.from);
  return sorted;
}

/** Every day partition, oldest first. */
export async function listPartitions(db: Queryable): Promise<Partition[]> {
  return (await listMonths(db)).flatMap((month) => month.days);
}

/** SQLSTATEs of a partition that another process created at the same moment. */
const ALREADY_CREATED = new Set(["42P07", "23505", "42P17"]);

/** Runs `create`; if another process created the same partition at the same moment, that is success. */
async function createOnce(db: Queryable, create: string, exists: () => Promise<boolean>): Promise<void> {
  try {
    await db.query(create);
  } catch (error) {
    const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
    if (!(code && ALREADY_CREATED.has(code) && (await exists()))) throw error;
  }
}

/**
 * Creates the day partitions for `days` that do not exist yet, and their months first.
 * Several replicas may race to create the same month or day: the loser's error is ignored
 * once the partition is found to exist.
 */
export async function createDayPartitions(db: Queryable, days: Iterable<number>): Promise<void> {
  const wanted = [...new Set(days)].sort((a, b) => a - b);
  if (wanted.length === 0) return;
  const existing = await listMonths(db);
  const months = new Map(existing.map((month) => [month.from, month.name]));
  const covered = new Set(existing.flatMap((month) => month.days.map((day) => dayOf(day.from))));
  for (const day of wanted) {
    if (covered.has(day)) continue;
    const month = monthOf(day * DAY_MS);
    if (!months.has(month.from)) {
      const name = monthPartitionName(month.from);
      await createOnce(
        db,
        `CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF "${PARENT_TABLE}" FOR VALUES FROM (${month.from}) TO (${month.to}) PARTITION BY RANGE ("occurred_at")`,
        async () => (await listMonths(db)).some((found) => found.from === month.from),
      );
      months.set(month.from, name);
    }
    await createOnce(
      db,
      `CREATE TABLE IF NOT EXISTS "${partitionName(day)}" PARTITION OF "${months.get(month.from)!}" FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`,
      async () => (await listPartitions(db)).some((found) => found.from <= day * DAY_MS && found.to > day * DAY_MS),
    );
    covered.add(day);
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

  /** Forgets the days wholly before `cutoffMs`: a purge detached them. No query. */
  forgetBefore(cutoffMs: number): void {
    for (const day of this.known) if ((day + 1) * DAY_MS <= cutoffMs) this.known.delete(day);
  }

  /** Re-reads the catalog before creating. */
  async refresh(): Promise<void> {
    const partitions = await listPartitions(this.db);
    this.known.clear();
    // Day partitions are whole UTC days, so a day is covered when its midnight is.
    for (const partition of partitions) this.known.add(dayOf(partition.from));
  }
}
