import type { DataSource } from "typeorm";
import { assertServiceIdentity, parseContractLimit, parseSubjectsAfter } from "./personal-data-contract";
import type { PersonalDataSubjectsPage } from "./personal-data-contract";
import type { RegionalStores } from "./regional-stores";
import type { InternalRoute } from "./subgraph-server";

/**
 * One page of the distinct user ids found by `sources` in one store (SELECTs that each
 * yield a column named `subject` and one named `tenant`), ascending, each with its tenant.
 * The database does the grouping and the paging, so a store with a million rows about one
 * user still sends one id.
 */
export async function listSubjects(
  db: DataSource,
  sources: readonly string[],
  after: string | null,
  limit: number,
): Promise<{ subjects: { userId: string; tenantId: string | null }[]; more: boolean }> {
  const postgres = db.options.type === "postgres";
  const params: unknown[] = [];
  const placeholder = () => (postgres ? `$${params.length}` : "?");
  let where = "subject IS NOT NULL";
  if (after !== null) {
    params.push(after);
    where += ` AND subject > ${placeholder()}`;
  }
  params.push(limit + 1);
  const sql = `SELECT subject, MIN(tenant) AS tenant FROM (${sources.join(" UNION ")}) s WHERE ${where} GROUP BY subject ORDER BY subject LIMIT ${placeholder()}`;
  const rows: { subject: string; tenant: string | null }[] = await db.query(sql, params);
  return { subjects: rows.slice(0, limit).map((row) => ({ userId: row.subject, tenantId: row.tenant ?? null })), more: rows.length > limit };
}

/**
 * The `GET /personal-data-subjects` route of a data subgraph, over its own `sources` in
 * EVERY regional store (a restored backup may bring someone back in any region): each
 * store is paged from the same cursor and the pages are merged, so the ids stay ascending
 * and distinct across regions.
 */
export function personalDataSubjectsRoute(stores: () => RegionalStores, sources: readonly string[]): InternalRoute {
  return {
    method: "get",
    path: "/personal-data-subjects",
    async handler({ viewer, query }): Promise<PersonalDataSubjectsPage> {
      assertServiceIdentity(viewer);
      const after = parseSubjectsAfter(query.after);
      const limit = parseContractLimit(query.limit);
      const pages = await Promise.all(stores().entries().map(([, db]) => listSubjects(db, sources, after, limit)));
      const merged = new Map<string, string | null>();
      for (const page of pages) {
        for (const subject of page.subjects) {
          if (!merged.has(subject.userId) || merged.get(subject.userId) === null) merged.set(subject.userId, subject.tenantId);
        }
      }
      const ordered = [...merged.keys()].sort();
      const page = ordered.slice(0, limit);
      const more = ordered.length > limit || pages.some((candidate) => candidate.more);
      return {
        userIds: page,
        tenantIds: page.map((userId) => merged.get(userId) ?? null),
        nextCursor: more && page.length > 0 ? page[page.length - 1]! : null,
      };
    },
  };
}
