/**
 * Keyset pages (exports, connections) on both engines: walking every page returns each row
 * once and in order, ties on the time included, and each page's query starts its index range
 * at the cursor. Without the repeated time bound the range started at the list's first row,
 * so every page read all the rows before it again (docs/benchmarks/privacy.md).
 */
import Database from "better-sqlite3";
import { Client } from "pg";
import { keysetAfter } from "@dgg/common";
import { freshPostgresDatabase, testDatabaseName } from "../support/postgres";

interface Row {
  owner: string;
  at: number;
  id: string;
}

/** 3,000 rows for owner "a" and as many for "b", ten rows per time value (ties), ids in no particular order. */
const ROWS: Row[] = ["a", "b"].flatMap((owner) =>
  Array.from({ length: 3000 }, (_, n) => ({ owner, at: 1_000_000 + Math.floor(n / 10), id: `${owner}-${((n * 7919) % 3000).toString().padStart(4, "0")}` })),
);

const PAGE = 250;
const order = (direction: "ASC" | "DESC") => `ORDER BY t.at ${direction}, t.id ${direction} LIMIT ${PAGE}`;

interface Engine {
  /** Rows of one page: `condition` uses :at and :id. */
  page(condition: string | null, params: { at: number; id: string } | null, direction: "ASC" | "DESC"): Promise<Row[]>;
  /** The plan's text for the query with `condition`. */
  plan(condition: string, direction: "ASC" | "DESC"): Promise<string>;
}

const base = (condition: string | null, direction: "ASC" | "DESC") => `SELECT t.owner, t.at, t.id FROM page_rows t WHERE t.owner = 'a'${condition ? ` AND ${condition}` : ""} ${order(direction)}`;

async function walk(engine: Engine, direction: "ASC" | "DESC"): Promise<Row[]> {
  const seen: Row[] = [];
  let cursor: { at: number; id: string } | null = null;
  for (;;) {
    const rows = await engine.page(cursor ? keysetAfter("t.at", "t.id", direction) : null, cursor, direction);
    seen.push(...rows);
    const last = rows.at(-1);
    if (rows.length < PAGE || !last) return seen;
    cursor = { at: Number(last.at), id: last.id };
  }
}

function expected(direction: "ASC" | "DESC"): string[] {
  const sign = direction === "ASC" ? 1 : -1;
  return ROWS.filter((row) => row.owner === "a")
    .sort((x, y) => sign * (x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)))
    .map((row) => row.id);
}

function behaves(name: string, open: () => Promise<{ engine: Engine; close(): Promise<void> }>, rangeStartsAtCursor: RegExp, orAloneStartsAtFirstRow: boolean) {
  describe(`keyset pages on ${name}`, () => {
    let engine: Engine;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ engine, close } = await open());
    });
    afterAll(() => close());

    it.each(["ASC", "DESC"] as const)("returns every row once, in order, over every page (%s)", async (direction) => {
      expect((await walk(engine, direction)).map((row) => row.id)).toEqual(expected(direction));
    });

    it.each(["ASC", "DESC"] as const)("starts the index range at the cursor (%s)", async (direction) => {
      expect(await engine.plan(keysetAfter("t.at", "t.id", direction), direction)).toMatch(rangeStartsAtCursor);
      // The condition without the repeated bound, as it was. SQLite derives the range from the
      // OR; PostgreSQL does not, and starts at the owner's first row.
      const past = direction === "ASC" ? ">" : "<";
      const orAlone = await engine.plan(`(t.at ${past} :at OR (t.at = :at AND t.id ${past} :id))`, direction);
      if (orAloneStartsAtFirstRow) expect(orAlone).not.toMatch(rangeStartsAtCursor);
      else expect(orAlone).toMatch(rangeStartsAtCursor);
    });
  });
}

behaves(
  "SQLite",
  async () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE page_rows (owner TEXT NOT NULL, at INTEGER NOT NULL, id TEXT NOT NULL PRIMARY KEY)");
    db.exec("CREATE INDEX ix_page_rows_owner_at ON page_rows (owner, at, id)");
    const insert = db.prepare("INSERT INTO page_rows (owner, at, id) VALUES (?, ?, ?)");
    db.transaction(() => ROWS.forEach((row) => insert.run(row.owner, row.at, row.id)))();
    db.exec("ANALYZE");
    const sqlite = (text: string) => text.replace(/:at/g, "@at").replace(/:id/g, "@id");
    const engine: Engine = {
      page: (condition, params, direction) => Promise.resolve(db.prepare(sqlite(base(condition, direction))).all(params ?? {}) as Row[]),
      plan: (condition, direction) =>
        Promise.resolve(
          (db.prepare(`EXPLAIN QUERY PLAN ${sqlite(base(condition, direction))}`).all({ at: 1_000_100, id: "a-0001" }) as { detail: string }[]).map((step) => step.detail).join("\n"),
        ),
    };
    return {
      engine,
      close: () => {
        db.close();
        return Promise.resolve();
      },
    };
  },
  // SQLite names the bounds it searches the index with: owner=? AND at>? (or at<?).
  /USING (?:COVERING )?INDEX ix_page_rows_owner_at \(owner=\? AND at[<>]\?\)/,
  false,
);

behaves(
  "PostgreSQL",
  async () => {
    const client = new Client({ connectionString: await freshPostgresDatabase(testDatabaseName("keyset_pages")) });
    await client.connect();
    await client.query("CREATE TABLE page_rows (owner text NOT NULL, at bigint NOT NULL, id text PRIMARY KEY)");
    await client.query("CREATE INDEX ix_page_rows_owner_at ON page_rows (owner, at, id)");
    for (let start = 0; start < ROWS.length; start += 1000) {
      const chunk = ROWS.slice(start, start + 1000);
      await client.query(`INSERT INTO page_rows (owner, at, id) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])`, [chunk.map((r) => r.owner), chunk.map((r) => r.at), chunk.map((r) => r.id)]);
    }
    await client.query("ANALYZE page_rows");
    const pg = (text: string) => text.replace(/:at/g, "$1").replace(/:id/g, "$2");
    const engine: Engine = {
      page: async (condition, params, direction) => (await client.query<Row>(pg(base(condition, direction)), params ? [params.at, params.id] : [])).rows,
      plan: async (condition, direction) =>
        (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${pg(base(condition, direction))}`, [1_000_100, "a-0001"])).rows.map((row) => row["QUERY PLAN"]).join("\n"),
    };
    return { engine, close: () => client.end() };
  },
  // PostgreSQL puts the bound it starts the range with into the index condition.
  /Index Cond: \(\(owner = 'a'::text\) AND \(at [<>]= (?:'1000100'::bigint|\$1)\)\)/,
  true,
);
