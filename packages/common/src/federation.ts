import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";

import { printSchemaWithDirectives } from "@graphql-tools/utils";
import type { GraphQLSchema } from "graphql";
import { parse } from "graphql";
import { buildSchema, createResolversMap } from "type-graphql";
import type { NonEmptyArray } from "type-graphql";
import { scalarsMap } from "./scalars";
import { withoutEmptyQuery } from "./sdl-cleanup";

/** The federation spec every subgraph links; composition needs each used directive imported. */
export const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@inaccessible"])';

export interface FederatedSchema {
  /** The executable subgraph schema (with _service and _entities). */
  schema: GraphQLSchema;
  /** The subgraph SDL with federation directives, as committed under schema/. */
  sdl: string;
}

/** Resolvers for entity types, keyed by type name, e.g. `{ Device: { __resolveReference } }`. */
export type ReferenceResolvers = Record<string, { __resolveReference: (reference: never, context: never) => unknown }>;

/**
 * Builds a Federation 2 subgraph from type-graphql resolvers.
 *
 * type-graphql's own schema check rejects a subgraph that extends types it does
 * not own, so it is skipped; `printSchemaWithDirectives` keeps `@key` and friends
 * (plain `printSchema` drops them and composition then fails).
 *
 * @example
 * const { schema, sdl } = await buildFederatedSchema(
 *   { resolvers: [DeviceResolver], orphanedTypes: [Device] },
 *   { Device: { __resolveReference: (ref, ctx) => ctx.loaders.device.load(ref.id) } },
 * );
 */
export async function buildFederatedSchema(
  options: { resolvers: NonEmptyArray<Function>; orphanedTypes?: Function[] },
  referenceResolvers: ReferenceResolvers = {},
): Promise<FederatedSchema> {
  const typeGraphqlSchema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    scalarsMap,
    skipCheck: true,
    validate: false,
    emitSchemaFile: false,
  });
  const sdl = withoutEmptyQuery(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeGraphqlSchema)}\n`);
  const resolvers = createResolversMap(typeGraphqlSchema) as Record<string, Record<string, unknown>>;
  for (const [typeName, reference] of Object.entries(referenceResolvers)) {
    resolvers[typeName] = { ...(resolvers[typeName] ?? {}), ...reference };
  }
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as GraphQLResolverMap<unknown> });
  return { schema, sdl };
}
