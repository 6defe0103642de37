import type { DataSource } from "typeorm";
import { REGIONS } from "./enums";
import type { Region } from "./enums";
import { BadUserInputError, quote } from "./errors";
import { assertServiceIdentity, parseContractLimit, parseSubjectsAfter } from "./personal-data-contract";
import type { PersonalDataSubjectsPage } from "./personal-data-contract";
import type { RegionalStores } from "./regional-stores";
import type { InternalRoute } from "./subgraph-server";
import { isAlias, withVerbatimRunner } from "./subject-keys";
import type { SubjectKeyStore } from "./subject-keys";

/**
 * One page of the distinct subjects found by `sources` in one store (SELECTs that each
 * yield a column named `subject` and one named `tenant`), in the order of their stored
 * values, each with its tenant. Stored values are read as they are, so that the page can
 * continue after the last one: a user's id is stored under an alias (docs/decisions/0051),
 * named here by the id it stands for; an alias whose person was erased names nobody and is
 * left out. The database does the grouping and the paging, so a store with a million rows
 * about one user still sends one subject.
 */
export async function listSubjects(
  db: DataSource,
  keys: SubjectKeyStore,
  sources: readonly string[],
  after: string | null,
  limit: number,
): Promise<{ subjects: { userId: string; tenantId: string | null }[]; last: string | null; more: boolean }> {
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
  const rows = await withVerbatimRunner(db, (runner) => runner.query(sql, params) as Promise<{ subject: string; tenant: string | null }[]>);
  const page = rows.slice(0, limit);
  const subjects: { userId: string; tenantId: string | null }[] = [];
  for (const row of page) {
    const userId = isAlias(row.subject) ? keys.clearOf(row.subject) : row.subject;
    if (userId !== undefined) subjects.push({ userId, tenantId: row.tenant ?? null });
  }
  return { subjects, last: page.at(-1)?.subject ?? null, more: rows.length > limit };
}

/** Where each region's listing stands: after which stored subject, or done. */
type SubjectsCursor = Partial<Record<Region, string | false>>;

function parseCursor(raw: string | null): SubjectsCursor {
  if (raw === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  const valid =
    typeof parsed === "object" &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.entries(parsed).every(([region, at]) => (REGIONS as readonly string[]).includes(region) && (at === false || typeof at === "string"));
  if (!valid) throw new BadUserInputError(`after must be the nextCursor of a previous page, got ${quote(raw)}`, "after");
  return parsed as SubjectsCursor;
}

/**
 * The `GET /personal-data-subjects` route of a data subgraph, over its own `sources` in
 * EVERY regional store (a restored backup may bring someone back in any region): the regions
 * are listed one after the other, and the opaque cursor says where each stands.
 */
export function personalDataSubjectsRoute(stores: () => RegionalStores, sources: readonly string[]): InternalRoute {
  return {
    method: "get",
    path: "/personal-data-subjects",
    async handler({ viewer, query }): Promise<PersonalDataSubjectsPage> {
      assertServiceIdentity(viewer);
      const cursor = parseCursor(parseSubjectsAfter(query.after));
      const limit = parseContractLimit(query.limit);
      const found = new Map<string, string | null>();
      for (const [region, db] of stores().entries()) {
        const at = cursor[region];
        if (at === false) continue;
        if (found.size >= limit) break;
        const page = await listSubjects(db, stores().keys(region), sources, at ?? null, limit - found.size);
        for (const subject of page.subjects) if (!found.has(subject.userId) || found.get(subject.userId) === null) found.set(subject.userId, subject.tenantId);
        cursor[region] = page.more ? page.last! : false;
      }
      const done = stores().entries().every(([region]) => cursor[region] === false);
      return { userIds: [...found.keys()], tenantIds: [...found.values()], nextCursor: done ? null : JSON.stringify(cursor) };
    },
  };
}
