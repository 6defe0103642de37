import { ArgsType, Directive, Field, Int, ObjectType } from "type-graphql";
import type { ClassType } from "type-graphql";
import { BadUserInputError, quote } from "./errors";

export const MAX_PAGE_SIZE = 1000;

/** Shared by every subgraph that returns a connection, hence @shareable. */
@Directive("@shareable")
@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** The page size when a request names none: the contract's `first: Int = 50`. */
export const DEFAULT_PAGE_SIZE = 50;

/**
 * The arguments of every page of a connection, `first: Int = 50, after: String`, in the
 * contract's order and nullability. An args class (not two `@Arg`s) so the SDL lists them
 * in that order; `first` stays nullable with its default, as the contract has it. A page with
 * filters extends it: type-graphql lists the inherited `first` and `after` before the filters.
 */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE })
  first!: number | null;

  @Field(() => String, { nullable: true })
  after!: string | null;
}

/**
 * The Relay-style pair of types for paging `node`: `<name>Edge { cursor node }` and
 * `<name>Connection { edges pageInfo totalCount }`, written once for every connection of
 * every subgraph. Use the classes as values (type-graphql) and `Connection<T>` as the type.
 *
 * @example
 * export const { Edge: DeviceEdge, Connection: DeviceConnection } = connectionTypes("Device", Device);
 */
export function connectionTypes<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }

  return { Edge: EdgeType, Connection: ConnectionType };
}

/** What a connection resolver returns for nodes of type T. */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** `first` must be 1..1000; the message names the value received. */
export function parseFirst(first: number | null | undefined, fallback = DEFAULT_PAGE_SIZE): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE_SIZE}, got ${value}`, "first");
  }
  return value;
}

/** Opaque keyset cursor: base64url of a JSON tuple (for example `[occurredAtMs, id]`). */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");
}

/**
 * Decodes a cursor made by `encodeCursor` whose tuple has the given shape;
 * anything else is BAD_USER_INPUT naming the cursor.
 */
export function decodeCursor(cursor: string | null | undefined, shape: readonly ("string" | "number")[]): (string | number)[] | null {
  if (cursor === null || cursor === undefined) return null;
  const invalid = () => new BadUserInputError(`after is not a valid cursor: ${quote(cursor)}`, "after");
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) throw invalid();
  parsed.forEach((part, index) => {
    const expected = shape[index];
    if (typeof part !== expected || (expected === "number" && !Number.isFinite(part))) throw invalid();
  });
  return parsed as (string | number)[];
}

/** Builds edges and pageInfo from a page fetched with `first + 1` rows. */
export function toConnection<T>(rows: T[], first: number, cursorOf: (row: T) => string, totalCount: number) {
  const hasNextPage = rows.length > first;
  const page = hasNextPage ? rows.slice(0, first) : rows;
  const edges = page.map((node) => ({ node, cursor: cursorOf(node) }));
  return {
    edges,
    totalCount,
    pageInfo: { hasNextPage, endCursor: edges.length > 0 ? edges[edges.length - 1]!.cursor : null },
  };
}

/**
 * The keyset condition "after the cursor (:at, :id)" of a list ordered by `timeColumn`, then
 * `idColumn`, in `direction`. It repeats the bound on the time column alone: PostgreSQL does
 * not derive an index range from the OR (SQLite does), so without it every page scanned the
 * index from the list's first row, and exporting a user with 300,000 events read the rows
 * before each page again (docs/benchmarks/privacy.md; test/integration/keyset-pages.test.ts).
 * `idParameter` names the id's parameter when `:id` is taken.
 */
export function keysetAfter(timeColumn: string, idColumn: string, direction: "ASC" | "DESC", idParameter = "id"): string {
  const past = direction === "ASC" ? ">" : "<";
  return `(${timeColumn} ${past}= :at AND (${timeColumn} ${past} :at OR (${timeColumn} = :at AND ${idColumn} ${past} :${idParameter})))`;
}
