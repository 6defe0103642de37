import { createHash } from "node:crypto";
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
import { ConflictError, BadUserInputError, quote } from "./errors";
import { REGIONS } from "./enums";
import type { Region } from "./enums";
import { assertServiceIdentity } from "./personal-data-contract";
import type { RegionalStores } from "./regional-stores";
import type { InternalRoute } from "./subgraph-server";
import { assertId } from "./validation";

/** A table holding tenant rows: every entity has `id` and `tenantId`. Parents before children. */
export type ResidentTable = EntityTarget<ObjectLiteral>;

/**
 * What a subgraph with bookkeeping beside its rows (telemetry's day partitions and day
 * counts) does instead of the plain insert and delete; all optional.
 */
export interface ResidencyHooks {
  /** Before the copy transaction: e.g. create partitions the tenant's rows will need in the target. */
  prepare?(source: DataSource, target: DataSource, tenantId: string): Promise<void>;
  insert?(manager: EntityManager, table: ResidentTable, rows: ObjectLiteral[]): Promise<void>;
  /** Deletes the tenant's rows of every table; returns how many. */
  deleteTenant?(manager: EntityManager, tenantId: string): Promise<number>;
}

/** Rows and SHA-256 over a tenant's rows in one store, in a canonical order and form. */
export interface StoreDigest {
  rows: number;
  checksum: string;
}

const PAGE = 500;

function regionField(body: unknown, name: string): Region {
  const value = (body as Record<string, unknown> | null)?.[name];
  if (typeof value !== "string" || !(REGIONS as readonly string[]).includes(value)) {
    throw new BadUserInputError(`${name} must be one of ${REGIONS.join(", ")}, got ${quote(value)}`, name);
  }
  return value as Region;
}

/** One row as text that is identical on SQLite and PostgreSQL (dates as epoch ms). */
function canonical(db: DataSource, table: ResidentTable, row: ObjectLiteral): string {
  const values = db.getMetadata(table).columns.map((column) => {
    const value: unknown = column.getEntityValue(row);
    return value instanceof Date ? value.getTime() : value ?? null;
  });
  return JSON.stringify(values);
}

/** Pages through a tenant's rows of one table by id, in a stable order. */
async function* tenantRows(manager: EntityManager, table: ResidentTable, tenantId: string): AsyncGenerator<ObjectLiteral[]> {
  let after = "";
  for (;;) {
    const page = await manager
      .getRepository(table)
      .createQueryBuilder("r")
      .where("r.tenant_id = :tenantId AND r.id > :after", { tenantId, after })
      .orderBy("r.id", "ASC")
      .take(PAGE)
      .getMany();
    if (page.length === 0) return;
    yield page;
    after = String(page[page.length - 1]!.id);
  }
}

async function digest(db: DataSource, tables: ResidentTable[], tenantId: string): Promise<StoreDigest> {
  const hash = createHash("sha256");
  let rows = 0;
  for (const table of tables) {
    for await (const page of tenantRows(db.manager, table, tenantId)) {
      for (const row of page) hash.update(`${canonical(db, table, row)}\n`);
      rows += page.length;
    }
  }
  return { rows, checksum: hash.digest("hex") };
}

async function deleteTenantRows(manager: EntityManager, tables: ResidentTable[], tenantId: string): Promise<number> {
  let deleted = 0;
  // Children before parents, so foreign keys hold at every statement.
  for (const table of [...tables].reverse()) {
    const result = await manager.createQueryBuilder().delete().from(table).where("tenant_id = :tenantId", { tenantId }).execute();
    deleted += result.affected ?? 0;
  }
  return deleted;
}

/**
 * A data subgraph's side of a tenant move between regional stores (service identity only).
 * Each step is idempotent, so the mover can repeat any of them after a crash:
 * - copy: replaces whatever the target holds for the tenant by the source's rows, in one
 *   target transaction, and returns the source digest;
 * - verify: digests of both sides;
 * - purge-source: deletes the source rows, but only if they still match the digest the
 *   copy was verified against (a late write would otherwise be lost).
 */
export function residencyRoutes(stores: RegionalStores, tables: ResidentTable[], hooks: ResidencyHooks = {}): InternalRoute[] {
  const remove = (manager: EntityManager, tenantId: string) => (hooks.deleteTenant ? hooks.deleteTenant(manager, tenantId) : deleteTenantRows(manager, tables, tenantId));
  const tenantOf = (params: Record<string, string>) => assertId(params.tenantId!, "tenantId");
  return [
    {
      method: "post",
      path: "/residency/:tenantId/copy",
      async handler({ viewer, params, body }): Promise<StoreDigest> {
        assertServiceIdentity(viewer);
        const tenantId = tenantOf(params);
        const source = stores.get(regionField(body, "from"));
        const target = stores.get(regionField(body, "to"));
        if (source === target) throw new BadUserInputError("from and to must be different regions", "to");
        await hooks.prepare?.(source, target, tenantId);
        await target.transaction(async (manager) => {
          await remove(manager, tenantId);
          for (const table of tables) {
            for await (const page of tenantRows(source.manager, table, tenantId)) {
              if (hooks.insert) await hooks.insert(manager, table, page);
              else await manager.getRepository(table).insert(page);
            }
          }
        });
        return digest(source, tables, tenantId);
      },
    },
    {
      method: "post",
      path: "/residency/:tenantId/verify",
      async handler({ viewer, params, body }): Promise<{ source: StoreDigest; target: StoreDigest }> {
        assertServiceIdentity(viewer);
        const tenantId = tenantOf(params);
        const [source, target] = await Promise.all([
          digest(stores.get(regionField(body, "from")), tables, tenantId),
          digest(stores.get(regionField(body, "to")), tables, tenantId),
        ]);
        return { source, target };
      },
    },
    {
      method: "post",
      path: "/residency/:tenantId/purge-source",
      async handler({ viewer, params, body }): Promise<{ deleted: number }> {
        assertServiceIdentity(viewer);
        const tenantId = tenantOf(params);
        const source = stores.get(regionField(body, "from"));
        const expected = (body as { checksum?: unknown } | null)?.checksum;
        const current = await digest(source, tables, tenantId);
        if (current.rows === 0) return { deleted: 0 };
        if (current.checksum !== expected) {
          throw new ConflictError(`the ${tenantId} rows in the source region changed after the verified copy; not deleting them`);
        }
        return { deleted: await source.transaction((manager) => remove(manager, tenantId)) };
      },
    },
  ];
}
