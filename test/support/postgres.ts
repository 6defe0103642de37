import { Client } from "pg";

/** The PostgreSQL server the suites use (trust auth on the project's machines; see STACK.md). */
export const PG_BASE_URL = process.env.DGG_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432";

/**
 * Whether the PostgreSQL suites must run. They always run unless DGG_TEST_POSTGRES=off is
 * set explicitly; an unreachable server is then a failure, never a silent skip.
 */
export const postgresDisabled = process.env.DGG_TEST_POSTGRES === "off" && process.env.CI !== "true";

/**
 * Declares `describeSuite` on PostgreSQL, or, when the suites are opted out, one test that
 * records the opt-out (so a skipped engine shows in the report instead of vanishing).
 * `suite` names it in the opt-out test, e.g. "PostgreSQL <suite> was opted out ...".
 */
export function describeOnPostgres(suite: string, describeSuite: () => void): void {
  if (!postgresDisabled) {
    describeSuite();
    return;
  }
  console.warn(`\n*** PostgreSQL ${suite} DISABLED by DGG_TEST_POSTGRES=off: only SQLite was tested ***\n`);
  test(`PostgreSQL ${suite} was opted out with DGG_TEST_POSTGRES=off`, () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
}

/**
 * Test database names: `<prefix>_w<jest worker>_<store>`, so suites running in parallel
 * (jest workers, or several checkouts on one machine via DGG_TEST_DB_PREFIX) never share one.
 */
export function testDatabaseName(store: string): string {
  const prefix = process.env.DGG_TEST_DB_PREFIX ?? "dgg_test";
  return `${prefix}_w${process.env.JEST_WORKER_ID ?? "0"}_${store}`.replace(/[^a-z0-9_]/gi, "_").toLowerCase();
}

/** Creates (if needed) and empties a test database; returns its URL. */
export async function freshPostgresDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: `${PG_BASE_URL}/postgres` });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_BASE_URL} (${String(error)}). The PostgreSQL suite cannot run: ` +
        "start the server (see README) or set DGG_TEST_POSTGRES=off to opt out locally.",
    );
  }
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = `${PG_BASE_URL}/${name}`;
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query("DROP SCHEMA IF EXISTS public CASCADE");
    await db.query("CREATE SCHEMA public");
  } finally {
    await db.end();
  }
  return url;
}
