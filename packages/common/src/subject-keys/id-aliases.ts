import type { DataSource, QueryRunner } from "typeorm";
import { QueryResult } from "typeorm/query-runner/QueryResult";
import { ALIAS_LENGTH, ALIAS_PREFIX, isUuid } from "./key-store";
import type { SubjectKeyStore } from "./key-store";
import { sealingSpecOf } from "./sealed-entities";

/**
 * Ids of people stored under aliases (docs/decisions/0051). A data subgraph's store never
 * holds a user's id or a device's id: the columns declared with `aliases` in `sealedEntity`
 * hold a random alias instead, and the link lives only in the region's key file, where
 * erasure deletes it physically. What PostgreSQL keeps of an erased person (dead tuples,
 * WAL, base backups) then names an alias that leads nowhere.
 *
 * The translation sits under TypeORM, on every statement of the store, so that no query can
 * forget it:
 * - parameters: a string that is a UUID with an alias here becomes the alias, also inside an
 *   array (`= ANY($1)`) or a JSON array of strings (SQLite's `json_each(?)`);
 * - results: every value that is an alias becomes the id again, before TypeORM builds
 *   entities or the caller reads raw rows.
 * Aliases are made where rows are written (`SealingSubscriber`, `sealedCopies`, moves), never
 * here: an id without an alias passes unchanged and matches nothing aliased. A writer whose
 * rows already carry their aliases (`sealedCopiesUnderAliases`) marks its parameters with
 * `markIdsAliased`, and they go out as given: looking up every other UUID of a bulk insert
 * (event ids, tenant ids, which never have an alias) would be wasted.
 *
 * Two things cannot work and are not done: comparing a declared column with an id hidden
 * inside a longer string (LIKE, concatenation), and taking a lock named by a bare id (the
 * name would change once the id has an alias; lock names carry a prefix).
 */

/** Whether a stored value is an alias (its shape alone; `clearOf` says whether it still leads anywhere). */
export const isAlias = (value: unknown): value is string => typeof value === "string" && value.length === ALIAS_LENGTH && value.startsWith(ALIAS_PREFIX);

function aliasParameter(keys: SubjectKeyStore, value: unknown): unknown {
  if (typeof value === "string") {
    if (value.length === 36 && isUuid(value)) return keys.aliasOf(value) ?? value;
    if (value.startsWith('["') && value.endsWith('"]')) return aliasJsonArray(keys, value);
    return value;
  }
  if (Array.isArray(value)) return value.map((element) => aliasParameter(keys, element));
  return value;
}

function aliasJsonArray(keys: SubjectKeyStore, text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (!Array.isArray(parsed) || !parsed.every((element) => typeof element === "string")) return text;
  return JSON.stringify(parsed.map((element: string) => (isUuid(element) ? keys.aliasOf(element) ?? element : element)));
}

/** The UUIDs among a statement's parameters (arrays included; JSON arrays are few and looked up one by one). */
function uuidsIn(parameters: readonly unknown[], into: string[] = []): string[] {
  for (const value of parameters) {
    if (typeof value === "string" && value.length === 36 && isUuid(value)) into.push(value);
    else if (Array.isArray(value)) uuidsIn(value, into);
  }
  return into;
}

/** The statement's parameters with ids replaced by their aliases (a copy; the caller's array is left as it was). */
export function aliasParameters(keys: SubjectKeyStore, parameters: readonly unknown[] | undefined): unknown[] | undefined {
  if (parameters === undefined) return undefined;
  keys.prefetchAliases(uuidsIn(parameters));
  return parameters.map((value) => aliasParameter(keys, value));
}

/** The aliases in a statement's result (rows in arrays, TypeORM's QueryResult), to look them up at once. */
function aliasesIn(result: unknown, into: string[] = [], depth = 0): string[] {
  if (depth > 3 || result === null || typeof result !== "object" || result instanceof Date || Buffer.isBuffer(result)) return into;
  if (Array.isArray(result)) {
    for (const value of result) {
      if (isAlias(value)) into.push(value);
      else aliasesIn(value, into, depth + 1);
    }
  } else if (result instanceof QueryResult) {
    aliasesIn(result.records, into, depth + 1);
    if (result.raw !== result.records) aliasesIn(result.raw, into, depth + 1);
  } else {
    for (const value of Object.values(result as Record<string, unknown>)) if (isAlias(value)) into.push(value);
  }
  return into;
}

/**
 * Replaces, in place, every alias in a statement's result by the id it stands for: rows
 * (plain objects) in arrays, TypeORM's QueryResult (`records`, `raw`), PostgreSQL's
 * `[rows, count]` of UPDATE and DELETE. An alias whose owner was erased stays as it is.
 */
export function clearResult<T>(keys: SubjectKeyStore, result: T): T {
  const aliases = aliasesIn(result);
  if (aliases.length === 0) return result;
  keys.prefetchIds(aliases);
  replaceAliases(keys, result, 0);
  return result;
}

function replaceAliases(keys: SubjectKeyStore, result: unknown, depth: number): void {
  if (depth > 3 || result === null || typeof result !== "object" || result instanceof Date || Buffer.isBuffer(result)) return;
  if (Array.isArray(result)) {
    for (let index = 0; index < result.length; index += 1) {
      const value: unknown = result[index];
      if (isAlias(value)) result[index] = keys.clearOf(value) ?? value;
      else replaceAliases(keys, value, depth + 1);
    }
    return;
  }
  if (result instanceof QueryResult) {
    replaceAliases(keys, result.records, depth + 1);
    if (result.raw !== result.records) replaceAliases(keys, result.raw, depth + 1);
    return;
  }
  // A row: pg's rows are plain objects, better-sqlite3's have a prototype of their own.
  const row = result as Record<string, unknown>;
  for (const [column, value] of Object.entries(row)) if (isAlias(value)) row[column] = keys.clearOf(value) ?? value;
}

const aliasing = new WeakSet<QueryRunner>();
const verbatim = new WeakSet<QueryRunner>();
const idsAliased = new WeakSet<readonly unknown[]>();

/**
 * Marks a statement's parameters as already holding aliases wherever the store keeps them:
 * the store's runners send them as they are, without one lookup per UUID, and translate the
 * result back as usual. Only for values built from `sealedCopiesUnderAliases` (every declared
 * id column holds its alias) in a statement that names people nowhere else: any other id is
 * stored, or compared, as given. Returns `parameters` itself: the mark stays with that array.
 */
export function markIdsAliased<T extends readonly unknown[]>(parameters: T): T {
  idsAliased.add(parameters);
  return parameters;
}

function translate(runner: QueryRunner, keys: SubjectKeyStore): QueryRunner {
  if (aliasing.has(runner)) return runner;
  aliasing.add(runner);
  // TypeORM's overloads (structured result or not) as one untyped call: the wrapper changes values, never shapes.
  const query = runner.query.bind(runner) as (sql: string, parameters?: unknown, useStructuredResult?: boolean) => Promise<unknown>;
  const translated = async (sql: string, parameters?: unknown, useStructuredResult?: boolean): Promise<unknown> => {
    // Results of verbatim runners, and of named parameters (no driver here uses them), pass as they are.
    if (verbatim.has(runner) || (parameters !== undefined && !Array.isArray(parameters))) return query(sql, parameters, useStructuredResult);
    const list = parameters as unknown[] | undefined;
    const sent = list !== undefined && idsAliased.has(list) ? list : aliasParameters(keys, list);
    return clearResult(keys, await query(sql, sent, useStructuredResult));
  };
  runner.query = translated as QueryRunner["query"];
  return runner;
}

/** Makes every query runner of the store translate ids to aliases and back, with `keys` (the region's key file). */
export function storeIdsUnderAliases(dataSource: DataSource, keys: SubjectKeyStore): void {
  const driver = dataSource.driver;
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode) => translate(create(mode), keys);
}

/**
 * Runs `work` on a query runner of its own that reads and writes stored values as they are
 * (aliases as aliases): for the one-time conversion of rows written before aliases. Outside
 * any transaction only (on SQLite, inside one it would wait for the connection forever).
 */
export async function withVerbatimRunner<T>(dataSource: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  verbatim.add(runner);
  try {
    return await work(runner);
  } finally {
    verbatim.delete(runner);
    await runner.release();
  }
}

const LEGACY_STEP = "ids-aliased";

/**
 * Puts aliases in place of the ids of rows written before ids were aliased, once per store
 * (the key file remembers it): for each declared column, each distinct id gets its alias and
 * one UPDATE. Rows are rewritten, so on PostgreSQL the old versions stay in dead tuples and
 * WAL until vacuum and recycling; what is erased from then on leaves only aliases.
 */
export async function aliasIdsWrittenBefore(dataSource: DataSource, keys: SubjectKeyStore): Promise<number> {
  if (keys.stepDone(LEGACY_STEP)) return 0;
  let aliased = 0;
  // A person's own table first (its key aliases itself): other tables reference it, and their
  // foreign keys cascade the update (a key that does not would refuse it).
  const ownsItself = (metadata: (typeof dataSource.entityMetadatas)[number]) =>
    metadata.primaryColumns.some((column) => sealingSpecOf(metadata.target)?.aliases?.[column.propertyName] === column.propertyName);
  const tables = [...dataSource.entityMetadatas].sort((a, b) => Number(ownsItself(b)) - Number(ownsItself(a)));
  await withVerbatimRunner(dataSource, async (runner) => {
    for (const metadata of tables) {
      const spec = sealingSpecOf(metadata.target);
      if (!spec?.aliases) continue;
      const columnOf = (property: string) => {
        const column = metadata.findColumnWithPropertyName(property);
        if (!column) throw new Error(`${metadata.name}.${property} is declared aliased but is no column`);
        return `"${column.databaseName}"`;
      };
      const tenant = columnOf(spec.tenant);
      for (const [property, ownerProperty] of Object.entries(spec.aliases)) {
        const column = columnOf(property);
        const owner = columnOf(ownerProperty ?? property);
        const rows = (await runner.query(
          `SELECT DISTINCT ${column} AS id, ${tenant} AS tenant, ${owner} AS owner FROM "${metadata.tableName}" WHERE ${column} IS NOT NULL AND ${column} NOT LIKE '${ALIAS_PREFIX}%'`,
        )) as { id: string; tenant: string; owner: string | null }[];
        const ids = rows.filter((row) => isUuid(row.id));
        for (const row of ids) {
          const ownerId = row.owner === null ? row.id : isAlias(row.owner) ? keys.clearOf(row.owner) ?? row.owner : row.owner;
          keys.obtainAlias(row.tenant, row.id, ownerId);
        }
        await keys.settle();
        const placeholder = (index: number) => (dataSource.options.type === "postgres" ? `$${index}` : "?");
        for (const row of ids) await runner.query(`UPDATE "${metadata.tableName}" SET ${column} = ${placeholder(1)} WHERE ${column} = ${placeholder(2)}`, [keys.aliasOf(row.id), row.id]);
        aliased += ids.length;
      }
    }
  });
  keys.markStepDone(LEGACY_STEP);
  return aliased;
}
