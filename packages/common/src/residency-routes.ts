import { createHash } from "node:crypto";
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
import { truncateWriteAheadLog } from "./db";
import { BadUserInputError, quote } from "./errors";
import { REGIONS } from "./enums";
import type { Region } from "./enums";
import { assertServiceIdentity } from "./personal-data-contract";
import type { RegionalStores } from "./regional-stores";
import type { InternalRoute } from "./subgraph-server";
import { copyKeysFor } from "./subject-keys";
import { assertId } from "./validation";

/** A table holding tenant rows: every entity has `id` and `tenantId`. Parents before children. */
export type ResidentTable = EntityTarget<ObjectLiteral>;

/**
 * What a subgraph with bookkeeping beside its rows (telemetry's day partitions and day
 * counts) does instead of the plain insert and delete; all optional.
 */
export interface ResidencyHooks {
  /** Once before a store's copy: e.g. create partitions the tenant's rows will need in the target. */
  prepare?(source: DataSource, target: DataSource, tenantId: string): Promise<void>;
  insert?(manager: EntityManager, table: ResidentTable, rows: ObjectLiteral[]): Promise<void>;
  /** Deletes the tenant's rows of every table at once; returns how many (not used by moves, which delete in chunks). */
  deleteTenant?(manager: EntityManager, tenantId: string): Promise<number>;
  /**
   * Deletes up to `limit` of the tenant's rows of one table; returns how many, or null to
   * let the plain delete do it (a move deletes in chunks so no statement runs long).
   */
  deleteRows?(manager: EntityManager, table: ResidentTable, tenantId: string, limit: number): Promise<number | null>;
  /**
   * The time property a table's tenant index orders by (`[tenant_id, <it>]`), when there is
   * no `(tenant_id, id)` index: pages then follow `(<it>, id)`, so each page is an index range
   * read, not a sort of all the tenant's rows (which would make a large move quadratic).
   */
  keysetOf?(table: ResidentTable): string | undefined;
}

/** Rows and SHA-256 over a tenant's rows in one store, in a canonical order and form. */
export interface StoreDigest {
  rows: number;
  checksum: string;
}

/** One chunk of a resumable copy or digest: rows covered, and the id to continue after (null: the table is done). */
export interface ChunkResult {
  rows: number;
  next: string | null;
}

/** The largest chunk a caller may ask for: bounded so every call stays short and within bind-parameter limits. */
export const MAX_CHUNK_ROWS = 5000;

function regionField(body: unknown, name: string): Region {
  const value = (body as Record<string, unknown> | null)?.[name];
  if (typeof value !== "string" || !(REGIONS as readonly string[]).includes(value)) {
    throw new BadUserInputError(`${name} must be one of ${REGIONS.join(", ")}, got ${quote(value)}`, name);
  }
  return value as Region;
}

function intField(body: unknown, name: string, min: number, max: number): number {
  const value = (body as Record<string, unknown> | null)?.[name];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${name} must be an integer from ${min} to ${max}, got ${quote(value)}`, name);
  }
  return value;
}

function afterField(body: unknown): string | null {
  const value = (body as Record<string, unknown> | null)?.after;
  if (value === null || value === undefined) return null;
  if (typeof value !== "string" || value.length === 0 || value.length > 200) throw new BadUserInputError(`after must be a row id or null, got ${quote(value)}`, "after");
  return value;
}

/** One row as text that is identical on SQLite and PostgreSQL (dates as epoch ms). */
function canonical(db: DataSource, table: ResidentTable, row: ObjectLiteral): string {
  const values = db.getMetadata(table).columns.map((column) => {
    const value: unknown = column.getEntityValue(row);
    return value instanceof Date ? value.getTime() : value ?? null;
  });
  return JSON.stringify(values);
}

/**
 * One keyset page of a tenant's rows of one table, by id or by (`key`, id): the same rows on
 * both sides of a move. With a key the cursor is `[key value as epoch ms, id]` in JSON.
 */
function tenantPage(manager: EntityManager, table: ResidentTable, tenantId: string, after: string | null, limit: number, key: string | undefined): Promise<ObjectLiteral[]> {
  const query = manager.getRepository(table).createQueryBuilder("r").where("r.tenant_id = :tenantId", { tenantId });
  if (!key) {
    if (after !== null) query.andWhere("r.id > :after", { after });
    return query.orderBy("r.id", "ASC").limit(limit).callListeners(false).getMany();
  }
  if (after !== null) {
    const cursor: unknown = (() => {
      try {
        return JSON.parse(after) as unknown;
      } catch {
        return null;
      }
    })();
    if (!Array.isArray(cursor) || typeof cursor[0] !== "number" || typeof cursor[1] !== "string") {
      throw new BadUserInputError(`after must be the cursor a previous chunk returned, got ${quote(after)}`, "after");
    }
    // ">=" first so the index range starts there; the OR then skips the rows of that instant already done.
    query.andWhere(`r.${key} >= :at AND (r.${key} > :at OR r.id > :id)`, { at: cursor[0], id: cursor[1] });
  }
  return query.orderBy(`r.${key}`, "ASC").addOrderBy("r.id", "ASC").limit(limit).callListeners(false).getMany();
}

/**
 * Inserts rows exactly as read from another store: sealed content stays sealed under the
 * same keys (copied beside it), with no opening and sealing again on the way.
 */
export async function insertVerbatim(manager: EntityManager, table: ResidentTable, rows: ObjectLiteral[]): Promise<void> {
  await manager.createQueryBuilder().insert().into(table).values(rows).callListeners(false).updateEntity(false).execute();
}


function nextOf(page: ObjectLiteral[], limit: number, key: string | undefined): string | null {
  if (page.length < limit) return null;
  const last = page[page.length - 1]!;
  if (!key) return String(last.id);
  const at: unknown = last[key];
  return JSON.stringify([at instanceof Date ? at.getTime() : Number(at), String(last.id)]);
}

async function deleteChunk(manager: EntityManager, table: ResidentTable, tenantId: string, limit: number, hooks: ResidencyHooks): Promise<number> {
  const hooked = await hooks.deleteRows?.(manager, table, tenantId, limit);
  if (hooked !== undefined && hooked !== null) return hooked;
  // Any `limit` of the tenant's rows, unordered: the tenant index finds them without sorting all of them.
  const ids = manager.getRepository(table).createQueryBuilder("s").select("s.id").where("s.tenant_id = :tenantId", { tenantId }).limit(limit);
  const result = await manager
    .createQueryBuilder()
    .delete()
    .from(table)
    .where(`id IN (${ids.getQuery()})`)
    .setParameters(ids.getParameters())
    .execute();
  return result.affected ?? 0;
}

/**
 * A data subgraph's side of a tenant move between regional stores (service identity only),
 * in bounded chunks the mover drives and checkpoints (docs/decisions/0043), so no call
 * runs longer than one chunk whatever the tenant's size. Each call is idempotent:
 * - count: the tenant's rows per table in one region (the move's totals; zero proves a purge);
 * - prepare: once per store before copying (telemetry's partitions);
 * - copy-chunk: copies one keyset page of one table, inserting only the rows the target lacks,
 *   so repeating a chunk after a crash adds nothing twice;
 * - digest-chunk: SHA-256 of one page in one region, for a verification page by page on both sides;
 * - delete-chunk: deletes up to `limit` of the tenant's rows in one region, children first
 *   (the purge of the source after the switch, and the clean-up of a target on cancel); the
 *   call that finds nothing left destroys the tenant's keys in that region and truncates its
 *   SQLite log, so what the deleted rows left in WAL, free pages or backups cannot be read.
 */
export function residencyRoutes(stores: RegionalStores, tables: ResidentTable[], hooks: ResidencyHooks = {}): InternalRoute[] {
  const tenantOf = (params: Record<string, string>) => assertId(params.tenantId!, "tenantId");
  const tableOf = (body: unknown) => tables[intField(body, "table", 0, tables.length - 1)]!;
  const limitOf = (body: unknown) => intField(body, "limit", 1, MAX_CHUNK_ROWS);
  const pair = (body: unknown) => {
    const from = regionField(body, "from");
    const to = regionField(body, "to");
    if (from === to) throw new BadUserInputError("from and to must be different regions", "to");
    return { source: stores.get(from), target: stores.get(to), sourceKeys: stores.keys(from), targetKeys: stores.keys(to) };
  };
  return [
    {
      method: "post",
      path: "/residency/:tenantId/count",
      async handler({ viewer, params, body }): Promise<{ tables: number[]; total: number }> {
        assertServiceIdentity(viewer);
        const tenantId = tenantOf(params);
        const db = stores.get(regionField(body, "region"));
        const counts: number[] = [];
        for (const table of tables) counts.push(await db.getRepository(table).createQueryBuilder("r").where("r.tenant_id = :tenantId", { tenantId }).getCount());
        return { tables: counts, total: counts.reduce((sum, n) => sum + n, 0) };
      },
    },
    {
      method: "post",
      path: "/residency/:tenantId/prepare",
      async handler({ viewer, params, body }): Promise<{ prepared: true }> {
        assertServiceIdentity(viewer);
        const tenantId = tenantOf(params);
        const { source, target } = pair(body);
        await hooks.prepare?.(source, target, tenantId);
        return { prepared: true };
      },
    },
    {
      method: "post",
      path: "/residency/:tenantId/copy-chunk",
      async handler({ viewer, params, body }): Promise<ChunkResult & { inserted: number }> {
        assertServiceIdentity(viewer);
        const tenantId = tenantOf(params);
        const { source, target, sourceKeys, targetKeys } = pair(body);
        const table = tableOf(body);
        const limit = limitOf(body);
        const page = await tenantPage(source.manager, table, tenantId, afterField(body), limit, hooks.keysetOf?.(table));
        let inserted = 0;
        if (page.length > 0) {
          copyKeysFor(table, page, tenantId, sourceKeys, targetKeys);
          await target.transaction(async (manager) => {
            const ids = page.map((row) => String(row.id));
            const present = new Set(
              (await manager.getRepository(table).createQueryBuilder("r").select("r.id", "id").where("r.id IN (:...ids)", { ids }).getRawMany<{ id: unknown }>()).map(
                (row) => String(row.id),
              ),
            );
            const missing = page.filter((row) => !present.has(String(row.id)));
            if (missing.length === 0) return;
            if (hooks.insert) await hooks.insert(manager, table, missing);
            else await insertVerbatim(manager, table, missing);
            inserted = missing.length;
          });
        }
        return { rows: page.length, inserted, next: nextOf(page, limit, hooks.keysetOf?.(table)) };
      },
    },
    {
      method: "post",
      path: "/residency/:tenantId/digest-chunk",
      async handler({ viewer, params, body }): Promise<ChunkResult & { checksum: string }> {
        assertServiceIdentity(viewer);
        const tenantId = tenantOf(params);
        const db = stores.get(regionField(body, "region"));
        const table = tableOf(body);
        const limit = limitOf(body);
        const key = hooks.keysetOf?.(table);
        const page = await tenantPage(db.manager, table, tenantId, afterField(body), limit, key);
        const hash = createHash("sha256");
        for (const row of page) hash.update(`${canonical(db, table, row)}\n`);
        return { rows: page.length, checksum: hash.digest("hex"), next: nextOf(page, limit, key) };
      },
    },
    {
      method: "post",
      path: "/residency/:tenantId/delete-chunk",
      async handler({ viewer, params, body }): Promise<{ deleted: number }> {
        assertServiceIdentity(viewer);
        const tenantId = tenantOf(params);
        const region = regionField(body, "region");
        const db = stores.get(region);
        const limit = limitOf(body);
        // Children before parents: a parent table is touched only once its children are gone, so foreign keys hold.
        for (const table of [...tables].reverse()) {
          const deleted = await db.transaction((manager) => deleteChunk(manager, table, tenantId, limit, hooks));
          if (deleted > 0) return { deleted };
        }
        stores.keys(region).destroyTenant(tenantId);
        await truncateWriteAheadLog(db);
        return { deleted: 0 };
      },
    },
  ];
}
