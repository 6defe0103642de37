/**
 * Scenario: the gateway composes the audit subgraph into the supergraph. Its SDL must
 * offer the contract's audit types (plus the access audit's actorRole and outcome), one
 * query of its own (the caller's tenant's trail), no mutation (the trail is append-only),
 * and still be a valid subgraph.
 */
import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { graphql, Kind, parse, print } from "graphql";
import type { DocumentNode, ObjectTypeDefinitionNode } from "graphql";
import { buildAuditSchema } from "../src/schema";

/** The audit part of the public API contract, verbatim (descriptions aside). */
const CONTRACT = `
type AuditLogEntry { id: ID! tenantId: ID! actor: String! actorRole: String! outcome: AuditOutcome! action: String! subjectUserId: ID occurredAt: DateTime! details: JSONObject }
type AuditLogEdge { cursor: String! node: AuditLogEntry! }
type AuditLogConnection { edges: [AuditLogEdge!]! pageInfo: PageInfo! totalCount: Int! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type PersonalData { userId: ID! auditLog(first: Int = 50, after: String): AuditLogConnection! }
type Query { tenantAuditLog(first: Int = 50, after: String, outcome: AuditOutcome): AuditLogConnection! }
`;

/** Each object type as `name(args): Type` lines, in order, without descriptions or directives. */
function shapes(document: DocumentNode): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const node of document.definitions) {
    if (node.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    result[node.name.value] = (node as ObjectTypeDefinitionNode).fields!.map((field) => {
      const args = (field.arguments ?? []).map((arg) => `${arg.name.value}: ${print(arg.type)}${arg.defaultValue ? ` = ${print(arg.defaultValue)}` : ""}`);
      return `${field.name.value}${args.length ? `(${args.join(", ")})` : ""}: ${print(field.type)}`;
    });
  }
  return result;
}

describe("audit: schema", () => {
  it("prints the contract's audit types, PersonalData keyed by userId and the shareable PageInfo", async () => {
    const { sdl } = await buildAuditSchema();
    expect(shapes(parse(sdl))).toEqual(shapes(parse(CONTRACT)));
    expect(sdl).toContain('type PersonalData @key(fields: "userId")');
    expect(sdl).toContain("type PageInfo @shareable");
  });

  it("has one query (the tenant's trail) and no mutation, yet builds and composes as a subgraph", async () => {
    const { sdl, schema } = await buildAuditSchema();
    expect(sdl).not.toMatch(/type Mutation\b/);
    expect(() => buildSubgraphSchema({ typeDefs: parse(sdl) })).not.toThrow();

    const introspection = await graphql({ schema, source: "{ __schema { mutationType { name } queryType { fields { name } } } }" });
    expect(introspection.data).toEqual({
      __schema: { mutationType: null, queryType: { fields: [{ name: "tenantAuditLog" }, { name: "_entities" }, { name: "_service" }] } },
    });

    const owner = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
      type PersonalData @key(fields: "userId") { userId: ID! tenantId: ID! }
      type PageInfo @shareable { hasNextPage: Boolean! endCursor: String }
      type Query { personalData(user: ID!): PersonalData }`;
    const composed = composeServices([
      { name: "audit", typeDefs: parse(sdl), url: "http://audit.invalid/graphql" },
      { name: "governance", typeDefs: parse(owner), url: "http://governance.invalid/graphql" },
    ]);
    expect(composed.errors).toBeUndefined();
    expect(composed.supergraphSdl).toContain("auditLog(first: Int = 50, after: String): AuditLogConnection!");
  });
});
