import { DATA_SUBGRAPH_NAMES, REGIONS } from "@dgg/common";
import type { SubgraphName, TestSystem } from "./system";

/**
 * Every alias the data stores keep `id` under, in every region (docs/decisions/0051). Take
 * them BEFORE an erasure: it destroys the links, and a row left behind under an alias could
 * no longer be told apart from anyone else's.
 */
export function aliasesOf(system: TestSystem, id: string): string[] {
  return DATA_SUBGRAPH_NAMES.flatMap((name) => REGIONS.map((region) => system.subjectKeys(name, region).aliasOf(id))).filter((alias): alias is string => alias !== undefined);
}

/**
 * Opens every table of the named stores directly and lists "store.table" wherever a row still
 * names `needle`, in either of two views:
 * - as stored: any column's text contains the needle or one of `aliases` (the aliases `needle`
 *   was stored under, taken before the erasure);
 * - as the services read it: every row loaded as its entity (sealed content opened with the
 *   keys that still exist, ids in place of aliases that still lead somewhere) and written out
 *   as JSON contains the needle, in any case.
 * Used to prove an erased user is gone everywhere.
 */
export async function storesMentioning(system: TestSystem, needle: string, names: SubgraphName[], aliases: readonly string[] = []): Promise<string[]> {
  const hits: string[] = [];
  for (const name of names) {
    for (const { region, db } of system.stores[name]) {
      for (const entity of db.entityMetadatas) {
        const columns = entity.columns.map((column) => column.databaseName);
        const text = columns.map((column) => `COALESCE(CAST("${column}" AS TEXT), '')`).join(" || ' ' || ");
        const placeholder = db.options.type === "postgres" ? "$1" : "?";
        let found = false;
        for (const value of [needle, ...aliases]) {
          const rows: unknown[] = await db.query(`SELECT 1 FROM "${entity.tableName}" WHERE ${text} LIKE ${placeholder}`, [`%${value}%`]);
          found ||= rows.length > 0;
        }
        if (!found) {
          const lower = needle.toLowerCase();
          found = (await db.getRepository(entity.target).find()).some((row) => JSON.stringify(row).toLowerCase().includes(lower));
        }
        if (found) hits.push(`${name}${region ? `[${region}]` : ""}.${entity.tableName}`);
      }
    }
  }
  return hits;
}
