import type { SubgraphName, TestSystem } from "../../support/system";
import { SUBGRAPHS } from "../../support/system";

/**
 * Audit actions that record an attempt itself (the access audit), which a refused request
 * is required to leave behind; every other row of every store must stay as it was.
 */
export const ACCESS_AUDIT_ACTIONS = ["ACCESS_DENIED", "PERSONAL_DATA_READ", "PRIVACY_REQUEST_READ", "AUDIT_LOG_READ"];

/** Row counts of every table of every store (each region's), as "store[region].table" -> rows, in one statement per store. */
export async function storeFingerprint(system: TestSystem): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await Promise.all(
    SUBGRAPHS.flatMap((name: SubgraphName) => system.stores[name].map((store) => ({ name, ...store }))).map(async ({ name, region, db }) => {
      const tables = db.entityMetadatas.map((entity) => entity.tableName).sort();
      const parts = tables.map((table, index) => {
        const where = table === "audit_log_entry" ? ` WHERE action NOT IN (${ACCESS_AUDIT_ACTIONS.map((action) => `'${action}'`).join(", ")})` : "";
        return `(SELECT COUNT(*) FROM "${table}"${where}) AS c${index}`;
      });
      const [row]: Record<string, string | number>[] = await db.query(`SELECT ${parts.join(", ")}`);
      tables.forEach((table, index) => {
        counts[`${name}${region ? `[${region}]` : ""}.${table}`] = Number(row![`c${index}`]);
      });
    }),
  );
  // Sorted, so two fingerprints compare equal as JSON whichever store answered first.
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
