// Scenario: two requests to the same SQLite store open transactions at the same time while
// a third reads and writes without one. TypeORM's better-sqlite3 driver gives all of them
// one connection, so they used to nest into each other: an acknowledged write could be
// rolled back by another request, a partial write committed by someone else's COMMIT.
// createDataSource isolates them (docs/decisions/0041); these tests hold it to that, and
// to the store's durability and secure-delete settings.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import fc from "fast-check";
import type { DataSource } from "typeorm";
import { StatementCounter } from "../src/db";
import { NoteEntity, openNotes } from "./fixtures/notes";
import type { Note } from "./fixtures/notes";

/** Thrown by a transaction that is meant to roll back. */
class RolledBack extends Error {}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dgg-sqlite-tx-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A promise and the function that settles it, to hold a transaction open at a chosen point. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Lets every pending callback and I/O completion run, a few times over. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe("concurrent transactions on one SQLite store", () => {
  let db: DataSource;
  const counter = new StatementCounter();
  beforeAll(async () => {
    db = await openNotes(join(dir, "notes.sqlite"), counter);
  });
  afterAll(() => db.destroy());
  beforeEach(() => db.query(`DELETE FROM "note"`));

  it("keeps another request's plain insert out of an open transaction: the rollback cannot undo it", async () => {
    const held = gate();
    const transaction = db.transaction(async (manager) => {
      await manager.insert(NoteEntity, { id: "t1", writer: "tx" });
      await held.opened;
      throw new RolledBack();
    });
    await settle();
    let acknowledged = false;
    const insert = db
      .getRepository(NoteEntity)
      .insert({ id: "p1", writer: "plain" })
      .then(() => (acknowledged = true));
    const read = db.getRepository(NoteEntity).find();
    await settle();
    // The insert and the read wait for the transaction instead of running inside it.
    expect(acknowledged).toBe(false);
    held.open();
    await expect(transaction).rejects.toBeInstanceOf(RolledBack);
    await insert;
    // Issued after the insert, served after it; never shown the rolled-back row.
    expect((await read).map((n) => n.id)).toEqual(["p1"]);
    expect((await db.getRepository(NoteEntity).find()).map((n) => n.id)).toEqual(["p1"]);
  });

  it("runs the DataSource's statements issued inside the callback in the transaction, and nested calls as savepoints", async () => {
    await expect(
      db.transaction(async (manager) => {
        await manager.insert(NoteEntity, { id: "a", writer: "tx" });
        // Through the DataSource rather than the callback's manager: still this transaction.
        await db.getRepository(NoteEntity).insert({ id: "b", writer: "tx" });
        expect(await db.query(`SELECT COUNT(*) AS n FROM "note"`)).toEqual([{ n: 2 }]);
        await db.transaction((inner) => inner.insert(NoteEntity, { id: "c", writer: "tx" }));
        await manager
          .transaction(async (inner) => {
            await inner.insert(NoteEntity, { id: "d", writer: "tx" });
            throw new RolledBack();
          })
          .catch((error: unknown) => expect(error).toBeInstanceOf(RolledBack));
        throw new RolledBack();
      }),
    ).rejects.toBeInstanceOf(RolledBack);
    expect(await db.getRepository(NoteEntity).count()).toBe(0);

    await db.transaction(async (manager) => {
      await manager.insert(NoteEntity, { id: "a", writer: "tx" });
      await db.transaction((inner) => inner.insert(NoteEntity, { id: "c", writer: "tx" }));
      await manager.transaction(async (inner) => {
        await inner.insert(NoteEntity, { id: "d", writer: "tx" });
        throw new RolledBack();
      }).catch(() => undefined);
    });
    expect((await db.getRepository(NoteEntity).find({ order: { id: "ASC" } })).map((n) => n.id)).toEqual(["a", "c"]);
  });

  it("begins transactions IMMEDIATE, so a read-then-write one takes the write lock up front", async () => {
    counter.reset();
    await db.transaction((manager) => manager.insert(NoteEntity, { id: "i", writer: "tx" }));
    expect(counter.statements).toContain("BEGIN IMMEDIATE TRANSACTION");
    expect(counter.statements).not.toContain("BEGIN TRANSACTION");
  });

  it("frees the store when BEGIN fails because another process holds the write lock", async () => {
    // Another process (a governance replica) in the middle of a write transaction on the same file.
    const other = new Database(join(dir, "notes.sqlite"));
    try {
      other.exec("BEGIN IMMEDIATE");
      await db.query("PRAGMA busy_timeout = 50");
      await expect(db.transaction((manager) => manager.insert(NoteEntity, { id: "lost", writer: "tx" }))).rejects.toThrow(/SQLITE_BUSY|locked/);
      other.exec("ROLLBACK");
    } finally {
      other.close();
      await db.query("PRAGMA busy_timeout = 5000");
    }
    await db.transaction((manager) => manager.insert(NoteEntity, { id: "after", writer: "tx" }));
    expect((await db.getRepository(NoteEntity).find()).map((n) => n.id)).toEqual(["after"]);
  });

  it("never loses an acknowledged write, never keeps a rolled-back one, never shows one request another's uncommitted rows", async () => {
    type Operation =
      | { kind: "insert" }
      | { kind: "read" }
      | { kind: "transaction"; rows: number; fails: boolean; throughDataSource: boolean; nested: "none" | "commit" | "rollback" };
    const operation = fc.oneof(
      fc.constant<Operation>({ kind: "insert" }),
      fc.constant<Operation>({ kind: "read" }),
      fc.record({
        kind: fc.constant("transaction" as const),
        rows: fc.integer({ min: 1, max: 3 }),
        fails: fc.boolean(),
        throughDataSource: fc.boolean(),
        nested: fc.constantFrom("none" as const, "commit" as const, "rollback" as const),
      }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(operation, { minLength: 2, maxLength: 10 }), async (s, operations) => {
        run += 1;
        await db.query(`DELETE FROM "note"`);
        const repository = db.getRepository(NoteEntity);
        // Writers (transactions) whose callback has returned, i.e. about to commit, and those that threw.
        const finished = new Set<string>();
        const failed = new Set<string>();
        const violations: string[] = [];
        /** Every row a reader sees is its own, a plain insert's, or a finished transaction's. */
        const inspect = (rows: Note[], reader: string) => {
          for (const row of rows) {
            if (row.writer === reader || row.writer === "plain") continue;
            if (failed.has(row.writer)) violations.push(`${reader} saw rolled-back ${row.id}`);
            else if (!finished.has(row.writer)) violations.push(`${reader} saw uncommitted ${row.id}`);
          }
        };
        const present: string[] = [];
        const absent: string[] = [];
        const tasks = operations.map(async (op, index): Promise<void> => {
          const name = `r${run}w${index}`;
          await s.schedule(Promise.resolve(), `${name} ${op.kind}`);
          if (op.kind === "insert") {
            await repository.insert({ id: name, writer: "plain" });
            present.push(name);
            return;
          }
          if (op.kind === "read") {
            inspect(await repository.find(), name);
            return;
          }
          const written: string[] = [];
          const rolledBackInside: string[] = [];
          try {
            await db.transaction(async (manager) => {
              for (let k = 0; k < op.rows; k += 1) {
                const id = `${name}-${k}`;
                written.push(id);
                if (op.throughDataSource && k % 2 === 1) await repository.insert({ id, writer: name });
                else await manager.insert(NoteEntity, { id, writer: name });
                await s.schedule(Promise.resolve(), `${name} wrote ${k}`);
                const seen = op.throughDataSource ? await repository.find() : await manager.find(NoteEntity);
                inspect(seen, name);
                if (seen.filter((row) => row.writer === name).length !== k + 1) violations.push(`${name} does not see its own ${k + 1} rows`);
              }
              if (op.nested !== "none") {
                const id = `${name}-nested`;
                await db
                  .transaction(async (inner) => {
                    await inner.insert(NoteEntity, { id, writer: name });
                    await s.schedule(Promise.resolve(), `${name} nested`);
                    if (op.nested === "rollback") throw new RolledBack();
                  })
                  .then(
                    () => written.push(id),
                    () => rolledBackInside.push(id),
                  );
              }
              if (op.fails) {
                failed.add(name);
                throw new RolledBack();
              }
              finished.add(name);
            });
            present.push(...written);
          } catch (error) {
            if (!(error instanceof RolledBack)) throw error;
            absent.push(...written);
          }
          absent.push(...rolledBackInside);
        });
        const outcomes = await s.waitFor(Promise.allSettled(tasks));
        for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
        const stored = new Set((await repository.find()).map((row) => row.id));
        expect(violations).toEqual([]);
        expect(present.filter((id) => !stored.has(id))).toEqual([]);
        expect(absent.filter((id) => stored.has(id))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe("durability and deletion on disk", () => {
  it("keeps every acknowledged write when the process is killed with SIGKILL right after", async () => {
    const file = join(dir, "killed.sqlite");
    const child = spawn(process.execPath, [join(__dirname, "fixtures/acknowledge-writes.js"), file], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    const acknowledged: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      if (!line.startsWith("ack ")) continue;
      acknowledged.push(line.slice("ack ".length));
      if (acknowledged.length === 400) {
        child.kill("SIGKILL");
        break;
      }
    }
    expect(await exited).toBe("SIGKILL");
    expect(stderr).toBe("");
    // The commits were still in the write-ahead log, not checkpointed into the file.
    expect(existsSync(`${file}-wal`)).toBe(true);

    const db = await openNotes(file);
    try {
      const stored = new Set((await db.getRepository(NoteEntity).find()).map((row) => row.id));
      const expected = acknowledged.flatMap((id) => (Number(id.slice(1)) % 2 === 1 ? [id, `${id}b`] : [id]));
      expect(expected.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it("overwrites a deleted row's bytes: neither the file nor its write-ahead log holds them after a checkpoint", async () => {
    const file = join(dir, "deleted.sqlite");
    const db = await openNotes(file);
    try {
      expect(await db.query("PRAGMA secure_delete")).toEqual([{ secure_delete: 1 }]);
      expect(await db.query("PRAGMA synchronous")).toEqual([{ synchronous: 1 }]);
      const marker = `erase-me-${process.pid}-${Date.now()}`;
      const onDisk = () => Buffer.concat([file, `${file}-wal`].filter(existsSync).map((path) => readFileSync(path))).includes(marker);
      await db.getRepository(NoteEntity).insert([
        { id: "keep", writer: "plain", body: "kept" },
        { id: "gone", writer: "plain", body: marker },
      ]);
      await db.query("PRAGMA wal_checkpoint(TRUNCATE)");
      // The check can see the marker when it is there.
      expect(onDisk()).toBe(true);
      await db.getRepository(NoteEntity).delete({ id: "gone" });
      await db.query("PRAGMA wal_checkpoint(TRUNCATE)");
      expect(onDisk()).toBe(false);
    } finally {
      await db.destroy();
    }
  });
});
