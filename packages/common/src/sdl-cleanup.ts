import { Kind, parse, print } from "graphql";
import type { DefinitionNode } from "graphql";

/**
 * type-graphql always emits a `Query` root, even when a subgraph has no query fields of
 * its own (audit only extends PersonalData, telemetry has only a mutation): the printed SDL then holds `type Query`
 * with no fields and `schema { query: Query }`, which GraphQL validation rejects
 * ("Type Query must define one or more fields"). A Federation 2 subgraph may omit
 * Query altogether (`buildSubgraphSchema` adds `_entities`/`_service` itself), so both
 * definitions are dropped from the SDL. The executable schema is unaffected.
 */
export function withoutEmptyQuery(sdl: string): string {
  const document = parse(sdl);
  const isEmptyQuery = (node: DefinitionNode) =>
    node.kind === Kind.OBJECT_TYPE_DEFINITION && node.name.value === "Query" && (node.fields?.length ?? 0) === 0;
  if (!document.definitions.some(isEmptyQuery)) return sdl;
  const definitions: DefinitionNode[] = [];
  for (const node of document.definitions) {
    if (isEmptyQuery(node)) continue;
    if (node.kind === Kind.SCHEMA_DEFINITION) {
      // Keep the other roots (none today) and drop only the pointer to the removed type.
      const operationTypes = node.operationTypes.filter((operation) => operation.type.name.value !== "Query");
      if (operationTypes.length > 0) definitions.push({ ...node, operationTypes });
      continue;
    }
    definitions.push(node);
  }
  return `${print({ ...document, definitions })}\n`;
}
