import type { SubgraphName, TestSystem } from "./system";

/**
 * Opens every table of the named stores directly and lists "store.table" wherever any
 * column of any row contains `needle`. Used to prove an erased user is gone everywhere.
 */
export async function storesMentioning(system: TestSystem, needle: string, names: SubgraphName[]): Promise<string[]> {
  const hits: string[] = [];
  for (const name of names) {
    for (const { region, db } of system.stores[name]) {
    for (const entity of db.entityMetadatas) {
      const columns = entity.columns.map((column) => column.databaseName);
      const text = columns.map((column) => `COALESCE(CAST("${column}" AS TEXT), '')`).join(" || ' ' || ");
      const placeholder = db.options.type === "postgres" ? "$1" : "?";
      const rows: unknown[] = await db.query(`SELECT 1 FROM "${entity.tableName}" WHERE ${text} LIKE ${placeholder}`, [`%${needle}%`]);
      if (rows.length > 0) hits.push(`${name}${region ? `[${region}]` : ""}.${entity.tableName}`);
    }
    }
  }
  return hits;
}
