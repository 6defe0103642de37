// Bulk seeding for the retention benchmark: rows go straight into the telemetry store (the
// API would take hours for ten million), spread evenly over time: N expired rows over the
// `expiredDays` before the cut-off, M live rows over the 30 days after it.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import pg from "pg";
import { ROOT } from "../processes.mjs";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");
const partitions = require(`${ROOT}/subgraphs/telemetry/dist/services/partitions.js`);
const dayCounts = require(`${ROOT}/subgraphs/telemetry/dist/services/day-counts.js`);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const CHUNK = 250_000;

/** The time ranges of both populations, in epoch ms (end exclusive). */
export function ranges({ asOf, expiredDays }) {
  const cutoff = asOf - 30 * DAY;
  return {
    cutoff,
    expired: { from: cutoff - expiredDays * DAY, to: cutoff },
    // An hour of margin: no live row expires while the benchmark runs.
    live: { from: cutoff + HOUR, to: asOf - 60_000 },
  };
}

/** PostgreSQL: day partitions for the whole span, then INSERT ... SELECT generate_series in chunks. */
export async function seedPostgres({ url, tenantId, userIds, expired, live, asOf, expiredDays, log }) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET synchronous_commit = off");
    const span = ranges({ asOf, expiredDays });
    const queryable = { query: async (sql, params) => (await client.query(sql, params)).rows };
    const first = partitions.dayOf(span.expired.from);
    const last = partitions.dayOf(asOf) + partitions.PARTITIONS_AHEAD_DAYS;
    await partitions.createDayPartitions(queryable, Array.from({ length: last - first + 1 }, (_, i) => first + i));
    // Loading then indexing is several times faster than maintaining four indexes row by row;
    // the result is the schema the migrations create (same key, same index definitions).
    await client.query(`ALTER TABLE telemetry_event DROP CONSTRAINT pk_telemetry_event`);
    for (const index of ["ix_telemetry_event_user_occurred", "ix_telemetry_event_occurred", "ix_telemetry_event_tenant_occurred"]) {
      await client.query(`DROP INDEX ${index}`);
    }
    for (const [label, count, range] of [["expired", expired, span.expired], ["live", live, span.live]]) {
      const step = (range.to - range.from) / count;
      for (let start = 0; start < count; start += CHUNK) {
        const end = Math.min(count, start + CHUNK) - 1;
        await client.query(
          `INSERT INTO telemetry_event (id, tenant_id, user_id, kind, occurred_at, payload)
           SELECT gen_random_uuid()::text, $1, ($2::text[])[1 + (g % $3)], (ARRAY['SERVICE_LOG','PERFORMANCE_LOG','ERROR'])[1 + g % 3],
                  $4::bigint + floor(g * $5::float8)::bigint, '{"seq":' || g || '}'
             FROM generate_series($6::bigint, $7::bigint) g`,
          [tenantId, userIds, userIds.length, range.from, step, start, end],
        );
        log(`  seeded ${label} rows ${end + 1}/${count}`);
      }
    }
    log("  building the primary key and indexes, recounting the day counts");
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query(`ALTER TABLE telemetry_event ADD ${partitions.PRIMARY_KEY}`);
    for (const statement of partitions.TELEMETRY_INDEXES) await client.query(statement);
    await dayCounts.recountDays(queryable);
    log("  VACUUM ANALYZE (so that autovacuum does not start in the middle of a measurement)");
    await client.query("VACUUM (ANALYZE) telemetry_event");
  } finally {
    await client.end();
  }
}

/** An identical copy of a PostgreSQL database (file copy; nobody may be connected to the source). */
export async function copyPostgres(adminUrl, source, target) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${target}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${target}" TEMPLATE "${source}" STRATEGY FILE_COPY`);
  } finally {
    await admin.end();
  }
}

/** SQLite: prepared inserts in large transactions, then a checkpoint so the file alone is the whole store. */
export function seedSqlite({ file, tenantId, userIds, expired, live, asOf, expiredDays, log }) {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    const insert = db.prepare("INSERT INTO telemetry_event (id, tenant_id, user_id, kind, occurred_at, payload) VALUES (?, ?, ?, ?, ?, ?)");
    const kinds = ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"];
    const span = ranges({ asOf, expiredDays });
    for (const [label, count, range] of [["expired", expired, span.expired], ["live", live, span.live]]) {
      const step = (range.to - range.from) / count;
      for (let start = 0; start < count; start += CHUNK) {
        const end = Math.min(count, start + CHUNK);
        db.transaction(() => {
          for (let g = start; g < end; g += 1) {
            insert.run(randomUUID(), tenantId, userIds[g % userIds.length], kinds[g % 3], range.from + Math.floor(g * step), `{"seq":${g}}`);
          }
        })();
        log(`  seeded ${label} rows ${end}/${count}`);
      }
    }
    db.exec("ANALYZE");
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}
