import DataLoader from "dataloader";
import type { DataSource, DeepPartial, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { decodeCursor, encodeCursor, keysetAfter, toConnection } from "./pagination";
import type { Connection } from "./pagination";
import { openEntity } from "./subject-keys/sealed-entities";
import type { SubjectKeyStore } from "./subject-keys/key-store";

/** One page of one user's rows: what every per-user connection (devices, telemetry, audit log) is asked for. */
export interface UserPageKey {
  userId: string;
  /** Only this tenant's rows; null for the service, which sees every tenant. */
  tenantId: string | null;
  first: number;
  /** A cursor already checked with `decodeCursor` by the resolver. */
  after: string | null;
}

/** What a subgraph says about its table; the loader does the rest. */
export interface KeysetPageSource<K extends UserPageKey, R> {
  /** The table, or a parenthesised subquery; asked once per batch, so the count and the pages read the same rows. */
  from: () => string;
  userColumn: string;
  /** The ordering column (epoch ms); ties are broken by `id`, in the same direction. */
  timeColumn: string;
  /** ASC: oldest first; DESC: newest first. */
  order: "ASC" | "DESC";
  /** Extra columns the batch's COUNT groups by, for `counts` to choose among (e.g. `kind`). */
  countColumns?: string[];
  /** Whether a grouped count row (user and tenant already matched) counts for this key. */
  counts?: (row: Record<string, unknown>, key: K) => boolean;
  /** Extra conditions on the page query, from the key's own arguments (e.g. kinds). */
  narrow?: (query: SelectQueryBuilder<ObjectLiteral>, alias: string, key: K) => void;
  /** A raw row as the node the connection returns (hydrated, opened when sealed). */
  node: (raw: Record<string, unknown>) => R;
  userOf: (node: R) => string;
  cursorOf: (node: R) => string;
}

/**
 * A `node` for rows of an entity sealed per subject: the raw row `hydrate`d onto `entity`,
 * then opened with the store's subject keys (`keysOf`, resolved at first use like the store).
 */
export function openedNode<E extends ObjectLiteral>(
  db: DataSource,
  keysOf: () => SubjectKeyStore,
  entity: new () => E,
  hydrate: (raw: Record<string, unknown>) => NoInfer<DeepPartial<E>>,
): (raw: Record<string, unknown>) => E {
  return (raw) => openEntity(keysOf(), entity, db.getRepository(entity).create(hydrate(raw)));
}

/** The properties of `E` whose values are `V`s. */
type PropertyOf<E, V> = { [P in keyof E]: E[P] extends V ? P : never }[keyof E] & string;

/** The keyset cursor of an order by the `time` property, ties broken by id: `[epoch ms, id]`. */
export function timeCursorOf<E extends { id: string }>(time: PropertyOf<E, Date>): (row: E) => string {
  return (row) => encodeCursor([(row[time] as Date).getTime(), row.id]);
}

/** An entity's own table, paged per user by one time property (then id), either way. */
export interface EntityPageOrder<E> {
  user: PropertyOf<E, string | null>;
  time: PropertyOf<E, Date>;
  order: "ASC" | "DESC";
}

/**
 * `createKeysetPageLoader` over an entity's own table, sealed per subject (raw rows
 * `hydrate`d and opened, see openedNode): its table and columns are the entity's, and its
 * cursor is `timeCursorOf(by.time)`.
 */
export function createEntityPageLoader<K extends UserPageKey, E extends ObjectLiteral & { id: string }>(
  db: DataSource,
  keysOf: () => SubjectKeyStore,
  entity: new () => E,
  hydrate: (raw: Record<string, unknown>) => NoInfer<DeepPartial<E>>,
  by: EntityPageOrder<E>,
): DataLoader<K, Connection<E>, string> {
  // The store is asked at batch time only, never when the loader is made: a viewer without a
  // tenant gets a store that refuses every use (storeForViewer), and its resolvers refuse first.
  const column = (property: string): string => {
    const found = db.getMetadata(entity).findColumnWithPropertyName(property);
    if (!found) throw new Error(`${entity.name} has no column for ${property}`);
    return found.databaseName;
  };
  return createKeysetPageLoader<K, E>(db, {
    from: () => db.getMetadata(entity).tableName,
    get userColumn() {
      return column(by.user);
    },
    get timeColumn() {
      return column(by.time);
    },
    order: by.order,
    node: openedNode(db, keysOf, entity, hydrate),
    userOf: (row) => row[by.user],
    cursorOf: timeCursorOf<E>(by.time),
  });
}

/** The same key, however its object was built: fields in a fixed order. */
const stable = (value: object): string => JSON.stringify(Object.keys(value).sort().map((field) => [field, (value as Record<string, unknown>)[field]]));
/** Keys that differ only by user share one page query. */
const pageArguments = ({ userId: _userId, ...rest }: UserPageKey): string => stable(rest);

const ALIAS = "t";

/**
 * Per-user keyset connections for many users in a fixed number of statements per batch,
 * whatever the number of rows: one grouped COUNT, then one windowed page query (ROW_NUMBER
 * per user) per group of keys that share page arguments. Pages are filed per user and page
 * arguments: one request may ask for the same user twice (aliases with other `first`/`after`),
 * and those pages must not mix.
 */
export function createKeysetPageLoader<K extends UserPageKey, R>(db: DataSource, source: KeysetPageSource<K, R>): DataLoader<K, Connection<R>, string> {
  return new DataLoader<K, Connection<R>, string>(
    async (keys) => {
      const from = source.from();
      const counts = await countRows(db, source, from, keys);
      const groups = new Map<string, K[]>();
      for (const key of keys) groups.set(pageArguments(key), [...(groups.get(pageArguments(key)) ?? []), key]);
      const pages = new Map<string, R[]>();
      for (const [group, members] of groups) {
        for (const node of await pageRows(db, source, from, [...new Set(members.map((key) => key.userId))], members[0]!)) {
          const slot = `${group}|${source.userOf(node)}`;
          pages.set(slot, [...(pages.get(slot) ?? []), node]);
        }
      }
      return keys.map((key, index) => toConnection(pages.get(`${pageArguments(key)}|${key.userId}`) ?? [], key.first, source.cursorOf, counts[index]!));
    },
    { cacheKeyFn: stable },
  );
}

/** One grouped COUNT for the whole batch; each key then sums the rows of its user and tenant it may see. */
async function countRows<K extends UserPageKey, R>(db: DataSource, source: KeysetPageSource<K, R>, from: string, keys: readonly K[]): Promise<number[]> {
  const userIds = [...new Set(keys.map((key) => key.userId))];
  const query = db.createQueryBuilder().from(from, ALIAS).select(`${ALIAS}.${source.userColumn}`, "user_id").addSelect(`${ALIAS}.tenant_id`, "tenant_id");
  for (const column of source.countColumns ?? []) query.addSelect(`${ALIAS}.${column}`, column);
  query.addSelect("COUNT(*)", "total").where(`${ALIAS}.${source.userColumn} IN (:...userIds)`, { userIds }).groupBy(`${ALIAS}.${source.userColumn}`).addGroupBy(`${ALIAS}.tenant_id`);
  for (const column of source.countColumns ?? []) query.addGroupBy(`${ALIAS}.${column}`);
  const rows: Record<string, unknown>[] = await query.getRawMany();
  return keys.map((key) =>
    rows
      .filter((row) => row.user_id === key.userId && (key.tenantId === null || row.tenant_id === key.tenantId) && (source.counts?.(row, key) ?? true))
      .reduce((sum, row) => sum + Number(row.total), 0),
  );
}

async function pageRows<K extends UserPageKey, R>(db: DataSource, source: KeysetPageSource<K, R>, from: string, userIds: string[], page: K): Promise<R[]> {
  const { userColumn, timeColumn, order } = source;
  const inner = db
    .createQueryBuilder()
    .from(from, ALIAS)
    .select(`${ALIAS}.*`)
    .addSelect(`ROW_NUMBER() OVER (PARTITION BY ${ALIAS}.${userColumn} ORDER BY ${ALIAS}.${timeColumn} ${order}, ${ALIAS}.id ${order})`, "rn")
    .where(`${ALIAS}.${userColumn} IN (:...userIds)`, { userIds });
  if (page.tenantId) inner.andWhere(`${ALIAS}.tenant_id = :tenantId`, { tenantId: page.tenantId });
  source.narrow?.(inner, ALIAS, page);
  const cursor = decodeCursor(page.after, ["number", "string"]);
  if (cursor) {
    // The next page holds what comes after the cursor in the connection's order.
    const [at, id] = cursor as [number, string];
    inner.andWhere(keysetAfter(`${ALIAS}.${timeColumn}`, `${ALIAS}.id`, order), { at, id });
  }
  const raw: Record<string, unknown>[] = await db
    .createQueryBuilder()
    .select("p.*")
    .from(`(${inner.getQuery()})`, "p")
    .where("p.rn <= :limit")
    .orderBy(`p.${timeColumn}`, order)
    .addOrderBy("p.id", order)
    .setParameters({ ...inner.getParameters(), limit: page.first + 1 })
    .getRawMany();
  return raw.map((row) => source.node(row));
}
