/**
 * Scenario: a store's rows name people only by alias (docs/decisions/0051). Someone with the
 * store's files, or with the rows as the database returns them, finds no user or device id;
 * every query the services write (find options, query builders, raw SQL with `= $1`,
 * `= ANY($1)` or `json_each(?)`) still finds the person's rows by their id; erasing the person
 * leaves their rows' aliases leading nowhere, with no byte of the id left in the key file; a
 * row written before aliases is converted once, at start-up.
 * The operations are a random interleaving (fast-check commands) of writes, reads and erasures.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Column, Entity, In, PrimaryColumn } from "typeorm";
import type { DataSource, MigrationInterface, QueryRunner } from "typeorm";
import {
  ALIAS_PREFIX,
  isAlias,
  markIdsAliased,
  Region,
  RegionalStores,
  REGIONS,
  scanFilesForNeedles,
  sealedCopies,
  sealedCopiesUnderAliases,
  sealedEntity,
  sqliteStoreFiles,
  withVerbatimRunner,
} from "@dgg/common";
import type { DatabaseConfig } from "@dgg/common";
import { freshPostgresDatabase, testDatabaseName } from "../support/postgres";
import type { StoreKind } from "../support/system";

@Entity({ name: "gadget" })
class Gadget {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ name: "tenant_id", type: "varchar", length: 36 })
  tenantId!: string;

  @Column({ name: "user_id", type: "varchar", length: 36 })
  userId!: string;

  @Column({ name: "label", type: "text" })
  label!: string;
}

// As the users subgraph declares devices: the gadget's id and its user's id stored under aliases owned by the user.
sealedEntity(Gadget, { subject: "userId", tenant: "tenantId", aliases: { id: "userId", userId: "userId" } });

class CreateGadget1700000000000 implements MigrationInterface {
  name = "CreateGadget1700000000000";
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "gadget" ("id" varchar(36) PRIMARY KEY, "tenant_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "label" text NOT NULL)`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "gadget"`);
  }
}

const TENANT = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

interface Model {
  /** user id -> its gadgets' ids */
  gadgets: Map<string, string[]>;
  erased: Set<string>;
}

interface Real {
  db: DataSource;
  stores: RegionalStores;
  postgres: boolean;
}

const placeholder = (postgres: boolean, index: number) => (postgres ? `$${index}` : "?");

/** The person's gadgets, asked for in every way the services ask. */
async function gadgetsOf(real: Real, userId: string): Promise<string[][]> {
  const repo = real.db.getRepository(Gadget);
  const byFind = (await repo.find({ where: { userId }, order: { label: "ASC" } })).map((gadget) => gadget.id);
  const byIn = (await repo.find({ where: { userId: In([userId]) }, order: { label: "ASC" } })).map((gadget) => gadget.id);
  const byBuilder = (await repo.createQueryBuilder("g").where("g.user_id = :userId", { userId }).orderBy("g.label", "ASC").getMany()).map((gadget) => gadget.id);
  const list = real.postgres ? `user_id = ANY($1::varchar[])` : `user_id IN (SELECT value FROM json_each(?))`;
  const listed = (await real.db.query<{ id: string }[]>(`SELECT id FROM gadget WHERE ${list} ORDER BY label`, [real.postgres ? [userId] : JSON.stringify([userId])])).map(
    (row) => row.id,
  );
  const raw = (await real.db.query<{ id: string; user_id: string }[]>(`SELECT id, user_id FROM gadget WHERE user_id = ${placeholder(real.postgres, 1)} ORDER BY label`, [userId])).map((row) => {
    expect(row.user_id).toBe(userId);
    return row.id;
  });
  return [byFind, byIn, byBuilder, listed, raw];
}

class Enroll implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly gadgets: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const userId = [...model.gadgets.keys()][this.user % Math.max(1, model.gadgets.size)];
    const owner = userId === undefined || model.erased.has(userId) || this.user >= model.gadgets.size ? randomUUID() : userId;
    const rows = Array.from({ length: this.gadgets }, (_, index) => ({ id: randomUUID(), tenantId: TENANT, userId: owner, label: `${owner}-${String((model.gadgets.get(owner) ?? []).length + index).padStart(3, "0")}` }));
    // Through the subscriber (save) and in a transaction, as the services write.
    await real.db.transaction((manager) => manager.getRepository(Gadget).save(rows));
    model.gadgets.set(owner, [...(model.gadgets.get(owner) ?? []), ...rows.map((row) => row.id)]);
  }
  toString = () => `enroll(${this.user}, ${this.gadgets})`;
}

class Read implements fc.AsyncCommand<Model, Real> {
  constructor(readonly user: number) {}
  check = (model: Readonly<Model>) => model.gadgets.size > 0;
  async run(model: Model, real: Real): Promise<void> {
    const userId = [...model.gadgets.keys()][this.user % model.gadgets.size]!;
    const expected = model.erased.has(userId) ? [] : model.gadgets.get(userId)!;
    for (const found of await gadgetsOf(real, userId)) expect(found).toEqual(expected);
  }
  toString = () => `read(${this.user})`;
}

class Erase implements fc.AsyncCommand<Model, Real> {
  constructor(readonly user: number) {}
  check = (model: Readonly<Model>) => model.gadgets.size > 0;
  async run(model: Model, real: Real): Promise<void> {
    const userId = [...model.gadgets.keys()][this.user % model.gadgets.size]!;
    // As the contract's erase route does: the rows by the id, then the person's keys and aliases.
    await real.db.getRepository(Gadget).delete({ userId, tenantId: TENANT });
    real.stores.keys(Region.EUROPE).destroy(TENANT, [userId]);
    model.erased.add(userId);
    expect(real.stores.keys(Region.EUROPE).aliasOf(userId)).toBeUndefined();
    for (const gadget of model.gadgets.get(userId)!) expect(real.stores.keys(Region.EUROPE).aliasOf(gadget)).toBeUndefined();
  }
  toString = () => `erase(${this.user})`;
}

export function describeIdAliasesSuite(kind: StoreKind): void {
  describe(`ids stored under aliases on ${kind}`, () => {
    let dir: string;
    let configs: Record<Region, DatabaseConfig>;
    let keyFiles: Record<Region, string>;
    let real: Real;

    const open = () => RegionalStores.open(configs, { entities: [Gadget], migrations: [CreateGadget1700000000000] }, keyFiles);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "dgg-aliases-"));
      configs = {} as Record<Region, DatabaseConfig>;
      keyFiles = {} as Record<Region, string>;
      for (const region of REGIONS) {
        configs[region] = kind === "sqlite" ? { type: "sqlite", file: join(dir, region, "gadgets.sqlite") } : { type: "postgres", url: await freshPostgresDatabase(testDatabaseName(`gadgets_${region}`)) };
        keyFiles[region] = join(dir, region, "gadgets.subject-keys.sqlite");
      }
      const stores = await open();
      real = { stores, db: stores.get(Region.EUROPE), postgres: kind === "postgres" };
    });

    afterAll(async () => {
      await real?.stores.destroy();
    });

    it("finds every person's rows by their id in every way of asking, stores only aliases, and after an erasure finds nothing and keeps no link", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.commands(
            [
              fc.tuple(fc.nat(5), fc.integer({ min: 1, max: 3 })).map(([user, gadgets]) => new Enroll(user, gadgets)),
              fc.nat(5).map((user) => new Read(user)),
              fc.nat(5).map((user) => new Erase(user)),
            ],
            { maxCommands: 12 },
          ),
          async (commands) => {
            await real.db.query(`DELETE FROM gadget`);
            const model: Model = { gadgets: new Map(), erased: new Set() };
            await fc.asyncModelRun(() => ({ model, real }), commands);
            // As stored: aliases only, never an id of a person or a gadget.
            const stored = await withVerbatimRunner(real.db, (runner) => runner.query(`SELECT id, user_id FROM gadget`) as Promise<{ id: string; user_id: string }[]>);
            for (const row of stored) {
              expect(isAlias(row.id)).toBe(true);
              expect(isAlias(row.user_id)).toBe(true);
            }
            const ids = [...model.gadgets.entries()].flatMap(([user, gadgets]) => [user, ...gadgets]);
            expect(stored.flatMap((row) => [row.id, row.user_id]).filter((value) => ids.includes(value))).toEqual([]);
            // The erased people's ids are gone from the key file and its log as raw bytes; the others' links are there.
            const erasedIds = [...model.erased].flatMap((user) => [user, ...model.gadgets.get(user)!]);
            const keptIds = [...model.gadgets.keys()].filter((user) => !model.erased.has(user));
            const files = sqliteStoreFiles(keyFiles[Region.EUROPE]);
            expect((await scanFilesForNeedles(files, erasedIds)).hits).toEqual([]);
            expect(new Set((await scanFilesForNeedles(files, keptIds)).hits.map((hit) => hit.needle)).size).toBe(keptIds.length);
          },
        ),
        { numRuns: 15 },
      );
    });

    it("sends parameters marked as aliased as they are, ids with an alias included, and still reads results in ids; unmarked ones are translated", async () => {
      await real.db.query(`DELETE FROM gadget`);
      const userId = randomUUID();
      const gadgetId = randomUUID();
      await real.db.transaction((manager) => manager.getRepository(Gadget).save({ id: gadgetId, tenantId: TENANT, userId, label: "saved" }));
      const userAlias = real.stores.keys(Region.EUROPE).aliasOf(userId)!;
      expect(isAlias(userAlias)).toBe(true);
      const byUser = `SELECT id, user_id FROM gadget WHERE user_id = ${placeholder(real.postgres, 1)}`;

      // Marked: the id goes out as given and matches nothing stored under its alias; the alias finds the row, read back in ids.
      expect(await real.db.query(byUser, markIdsAliased([userId]))).toEqual([]);
      expect(await real.db.query(byUser, markIdsAliased([userAlias]))).toEqual([{ id: gadgetId, user_id: userId }]);
      // Unmarked: the id is put under its alias.
      expect(await real.db.query(byUser, [userId])).toEqual([{ id: gadgetId, user_id: userId }]);

      // An INSERT with marked parameters stores what it is given; the same INSERT unmarked stores the alias.
      const insert = `INSERT INTO gadget (id, tenant_id, user_id, label) VALUES (${[1, 2, 3, 4].map((index) => placeholder(real.postgres, index)).join(", ")})`;
      await real.db.query(insert, markIdsAliased([randomUUID(), TENANT, userId, "marked"]));
      await real.db.query(insert, [randomUUID(), TENANT, userId, "unmarked"]);
      const stored = await withVerbatimRunner(real.db, (runner) => runner.query(`SELECT label, user_id FROM gadget WHERE label <> 'saved' ORDER BY label`) as Promise<{ label: string; user_id: string }[]>);
      expect(stored).toEqual([
        { label: "marked", user_id: userId },
        { label: "unmarked", user_id: userAlias },
      ]);
      await real.db.query(`DELETE FROM gadget`);
    });

    it("seals copies under aliases for marked statements, or with ids for the runners to translate, and leaves the rows given as they were", async () => {
      const keys = real.stores.keys(Region.EUROPE);
      const row: Gadget = { id: randomUUID(), tenantId: TENANT, userId: randomUUID(), label: "copied" };
      const given = { ...row };
      const [underAliases] = await sealedCopiesUnderAliases(keys, Gadget, [row]);
      // Made and stored before the copies are handed out, so a row never carries an alias its key file lacks.
      const aliases = { id: keys.aliasRecord(row.id)?.alias, userId: keys.aliasRecord(row.userId)?.alias };
      expect(isAlias(aliases.id) && isAlias(aliases.userId)).toBe(true);
      // Owned by the gadget's user (the owner read before the copy's ids were replaced).
      expect(keys.aliasRecord(row.id)?.ownerId).toBe(row.userId);
      expect(underAliases).toEqual({ ...row, ...aliases });
      expect(await sealedCopies(keys, Gadget, [row])).toEqual([row]);
      expect(row).toEqual(given);
    });

    it("converts rows written before aliases once, at start-up, and finds them by id afterwards", async () => {
      const legacyUser = randomUUID();
      const legacyGadget = randomUUID();
      await real.db.query(`DELETE FROM gadget`);
      // Written as an older version did: ids in clear, bypassing the aliases.
      await withVerbatimRunner(real.db, (runner) =>
        runner.query(`INSERT INTO gadget (id, tenant_id, user_id, label) VALUES (${[1, 2, 3, 4].map((index) => placeholder(real.postgres, index)).join(", ")})`, [legacyGadget, TENANT, legacyUser, "legacy"]),
      );
      // The conversion runs once per store: a store whose key file has no record of it.
      const europeKeys = keyFiles[Region.EUROPE];
      await real.stores.destroy();
      const { rmSync } = await import("node:fs");
      for (const file of sqliteStoreFiles(europeKeys)) rmSync(file, { force: true });
      const stores = await open();
      real = { stores, db: stores.get(Region.EUROPE), postgres: kind === "postgres" };

      const stored = await withVerbatimRunner(real.db, (runner) => runner.query(`SELECT id, user_id FROM gadget`) as Promise<{ id: string; user_id: string }[]>);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.id.startsWith(ALIAS_PREFIX)).toBe(true);
      expect(stored[0]!.user_id.startsWith(ALIAS_PREFIX)).toBe(true);
      for (const found of await gadgetsOf(real, legacyUser)) expect(found).toEqual([legacyGadget]);
      // Owned by the user: erasing them takes the gadget's alias too.
      real.stores.keys(Region.EUROPE).destroy(TENANT, [legacyUser]);
      expect(real.stores.keys(Region.EUROPE).aliasOf(legacyGadget)).toBeUndefined();
    });
  });
}
