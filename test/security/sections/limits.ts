/**
 * Query limits: deep, aliased, wide, costly, token-heavy, oversized and batched requests
 * are refused by the gateway before any subgraph is called. A gateway whose subgraphs are
 * counting stand-ins proves "before": the refused requests reach none of them, a normal
 * one does.
 */
import express from "express";
import { listen } from "@dgg/common";
import type { Tally } from "../support/tally";
import { malformation } from "../support/well-formed";
import type { World } from "../support/world";
import { codeOf } from "../support/world";
import { SUBGRAPHS } from "../../support/system";

const nested = (depth: number): string => (depth === 0 ? "id" : `x { ${nested(depth - 1)} }`);
const FULL_AUDIT_PAGE = `auditLog(first: 1000) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id tenantId actor actorRole outcome action subjectUserId occurredAt details } } }`;

export function limitsSection(world: () => World, tally: Tally): void {
  it("refuses abusive queries before any subgraph is called", async () => {
    const w = world();
    const hits = { count: 0 };
    const stub = express();
    stub.post("/graphql", (_req, res) => {
      hits.count += 1;
      res.json({ data: { tenant: null } });
    });
    const stubServer = await listen(stub, 0);
    try {
    const gateway = await w.extraGateway({
      subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${stubServer.url}/graphql`])),
      auditUrl: w.system.urls.audit,
      bodyLimit: "100kb",
    });
    const user = w.a.userId;
    const cases: [string, unknown, number?][] = [
      ["depth 15", { query: `{ personalData(user: "${user}") { ${nested(15)} } }` }],
      ["11 aliases", { query: `{ ${Array.from({ length: 11 }, (_, i) => `t${i}: tenant(id: "${w.a.id}") { id }`).join(" ")} }` }],
      ["cost: four full pages of 1,000 audit entries", { query: `{ ${[1, 2, 3, 4].map((i) => `p${i}: personalData(user: "${user}") { ${FULL_AUDIT_PAGE} }`).join(" ")} }` }],
      [
        "rows: 6,000 through variables",
        {
          query: `query($n: Int) { p1: personalData(user: "${user}") { telemetry(first: $n) { totalCount } devices(first: $n) { totalCount } auditLog(first: $n) { totalCount } } p2: personalData(user: "${user}") { telemetry(first: $n) { totalCount } devices(first: $n) { totalCount } auditLog(first: $n) { totalCount } } }`,
          variables: { n: 1000 },
        },
      ],
      ["1,100 tokens", { query: `{ ${"__typename ".repeat(1100)} }` }],
      ["21 directives", { query: `{ __typename ${"@include(if: true) ".repeat(21)} }` }],
      ["fragment cycle", { query: `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }` }],
      ["40 KB document", { query: `{ __typename } # ${"x".repeat(40_000)}` }, 413],
      ["200 KB body", { query: `{ __typename }`, variables: { pad: "x".repeat(200_000) } }, 413],
      ["batch of two", [{ query: `{ __typename }` }, { query: `{ __typename }` }]],
      ["batch of 1,000", Array.from({ length: 1000 }, () => ({ query: `{ tenant(id: "${w.a.id}") { id } }` }))],
      ["no query", { variables: {} }],
    ];
    const problems: string[] = [];
    for (const [name, body, status] of cases) {
      const response = await w.send(gateway.url, { headers: { "content-type": "application/json", authorization: `Bearer ${w.a.admin}` }, body: JSON.stringify(body) });
      tally.add("limits");
      const wrong = malformation(response);
      const parsed = wrong ? null : (JSON.parse(response.text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] });
      if (wrong || parsed?.errors?.[0]?.extensions?.code !== "BAD_USER_INPUT" || (status && response.status !== status)) {
        problems.push(`${name}: ${response.status} ${wrong ?? ""} ${response.text.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(hits.count).toBe(0);
    // The control: an ordinary query through the same gateway does reach a subgraph.
    await w.send(gateway.url, { headers: { "content-type": "application/json", authorization: `Bearer ${w.a.admin}` }, body: JSON.stringify({ query: `{ tenant(id: "${w.a.id}") { id } }` }) });
    expect(hits.count).toBe(1);
    await gateway.close();
    } finally {
      await stubServer.close();
    }
  });

  it("caps first at 1,000 and accepts a full page within the limits", async () => {
    const w = world();
    const over = await w.system.gql(w.a.admin, `query($u: ID!) { personalData(user: $u) { devices(first: 1001) { totalCount } } }`, { u: w.a.userId });
    expect(codeOf(over)).toBe("BAD_USER_INPUT");
    expect(over.body.errors![0]!.extensions!.argument).toBe("first");
    expect(over.body.errors![0]!.message).toContain("1001");
    const full = await w.system.gql(w.a.admin, `query($u: ID!) { personalData(user: $u) { ${FULL_AUDIT_PAGE} } }`, { u: w.a.userId });
    expect(full.body.errors).toBeUndefined();
    tally.add("limits", 2);
  });
}
