import type { DataSource } from "typeorm";
import { assertServiceIdentity, parseContractLimit, parseSubjectsAfter } from "./personal-data-contract";
import type { PersonalDataSubjectsPage } from "./personal-data-contract";
import type { InternalRoute } from "./subgraph-server";

/**
 * One page of the distinct user ids found by `sources` (SELECTs that each yield a column
 * named `subject`), ascending. The database does the DISTINCT and the paging, so a store
 * with a million rows about one user still sends one id.
 */
export async function listSubjects(db: DataSource, sources: readonly string[], after: string | null, limit: number): Promise<PersonalDataSubjectsPage> {
  const postgres = db.options.type === "postgres";
  const params: unknown[] = [];
  const placeholder = () => (postgres ? `$${params.length}` : "?");
  let where = "subject IS NOT NULL";
  if (after !== null) {
    params.push(after);
    where += ` AND subject > ${placeholder()}`;
  }
  params.push(limit + 1);
  const sql = `SELECT DISTINCT subject FROM (${sources.join(" UNION ")}) s WHERE ${where} ORDER BY subject LIMIT ${placeholder()}`;
  const rows: { subject: string }[] = await db.query(sql, params);
  const page = rows.slice(0, limit).map((row) => row.subject);
  return { userIds: page, nextCursor: rows.length > limit ? (page[page.length - 1] ?? null) : null };
}

/** The `GET /personal-data-subjects` route of a data subgraph, over its own `sources`. */
export function personalDataSubjectsRoute(db: () => DataSource, sources: readonly string[]): InternalRoute {
  return {
    method: "get",
    path: "/personal-data-subjects",
    async handler({ viewer, query }): Promise<PersonalDataSubjectsPage> {
      assertServiceIdentity(viewer);
      return listSubjects(db(), sources, parseSubjectsAfter(query.after), parseContractLimit(query.limit));
    },
  };
}
