/**
 * Direct subgraph calls: a caller who reaches a subgraph port gets UNAUTHENTICATED and
 * nothing else, whatever it sends (no identity, a client token, a forged or expired
 * internal identity), for normal fields, `_entities`, `_service` and the internal
 * contract; the contract also refuses a valid forwarded identity that is not governance's.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { INTERNAL_AUDIENCE, INTERNAL_TOKEN_HEADER } from "@dgg/common";
import { generateTestKeyPair, internalToken, viewer } from "@dgg/common/testkit";
import { SUBGRAPHS } from "../../support/system";
import { storeFingerprint } from "../support/store-fingerprint";
import type { Tally } from "../support/tally";
import { unsignedToken } from "../support/token-attacks";
import type { World } from "../support/world";

const QUERIES = [
  `{ _service { sdl } }`,
  `{ _entities(representations: [{ __typename: "PersonalData", userId: "00000000-0000-4000-8000-000000000001" }]) { __typename } }`,
  `{ __typename }`,
];

/** The internal routes of every subgraph: [subgraph, method, path, body]. */
function internalRoutes(w: World): [string, "GET" | "POST", string, unknown][] {
  const user = w.a.userId;
  const contract = (name: string, category: string): [string, "GET" | "POST", string, unknown][] => [
    [name, "GET", `/internal/personal-data/${user}`, undefined],
    [name, "GET", `/internal/personal-data/${user}/export?category=${category}`, undefined],
    [name, "POST", `/internal/personal-data/${user}/erase`, { pseudonym: `pseudonym:${randomUUID()}` }],
    [name, "POST", "/internal/retention/oldest", {}],
  ];
  return [
    ...contract("users", "ACCOUNT"),
    ...contract("telemetry", "TELEMETRY"),
    ...contract("audit", "AUDIT_LOG"),
    ["users", "GET", "/internal/retention/removed-users?before=2100-01-01T00:00:00Z", undefined],
    ["telemetry", "POST", "/internal/retention/purge", { asOf: "2100-01-01T00:00:00Z" }],
    ["audit", "POST", "/internal/retention/purge", { asOf: "2100-01-01T00:00:00Z" }],
    // Governance states the layout in every archive's report; nobody else reads it from here.
    ["storage-regions", "GET", "/internal/storage-layout", undefined],
  ];
}

/** Routes any forwarded identity may call; without one they too are closed. */
function forwardedRoutes(w: World): [string, "GET" | "POST", string, unknown][] {
  return [
    ["storage-regions", "GET", `/internal/tenants/${w.a.id}`, undefined],
    ["users", "POST", "/internal/users/lookup", { ids: [w.a.userId] }],
    ["audit", "POST", "/internal/audit/entries", { entries: [{ tenantId: w.a.id, action: "FORGED" }] }],
    ["audit", "POST", "/internal/audit/denials", { denials: [{ operation: "x", reason: "y" }] }],
  ];
}

export function directSubgraphSection(world: () => World, tally: Tally): void {
  it("refuses every subgraph's GraphQL endpoint to anyone but the gateway and governance", async () => {
    const w = world();
    const now = Math.floor(w.system.clock.now().getTime() / 1000);
    const stranger = await generateTestKeyPair();
    const who = viewer("service", { subject: "service:governance" });
    const credentials: [string, Record<string, string>][] = [
      ["nothing", {}],
      ["a client bearer token", { authorization: `Bearer ${w.a.admin}` }],
      ["a client token as internal identity", { [INTERNAL_TOKEN_HEADER]: w.a.admin }],
      ["an internal identity signed by another key", { [INTERNAL_TOKEN_HEADER]: await internalToken(stranger, who, w.system.clock.now()) }],
      ["an expired internal identity", { [INTERNAL_TOKEN_HEADER]: await internalToken(w.system.internalKeys, who, new Date(w.system.clock.now().getTime() - 600_000)) }],
      ["alg none", { [INTERNAL_TOKEN_HEADER]: unsignedToken({ sub: "x", role: "service", aud: INTERNAL_AUDIENCE, exp: now + 60 }) }],
      [
        "the wrong audience",
        { [INTERNAL_TOKEN_HEADER]: await new SignJWT({ role: "service", sub: "x" }).setProtectedHeader({ alg: "ES256" }).setAudience("dgg-gateway").setExpirationTime(now + 60).sign(w.system.internalKeys.privateKey) },
      ],
    ];
    const before = await storeFingerprint(w.system);
    const problems: string[] = [];
    for (const name of SUBGRAPHS) {
      for (const [label, headers] of credentials) {
        for (const query of QUERIES) {
          const response = await w.send(`${w.system.urls[name]}/graphql`, { headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
          tally.add("direct subgraph");
          const body = JSON.parse(response.text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
          if (response.status !== 401 || body.errors?.[0]?.extensions?.code !== "UNAUTHENTICATED" || body.data) problems.push(`${name} with ${label}: ${response.status} ${response.text.slice(0, 200)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await storeFingerprint(w.system)).toEqual(before);
  });

  it("refuses the internal contract without an identity (401) and to any identity but governance's service (403)", async () => {
    const w = world();
    const forwardedAdmin = await internalToken(w.system.internalKeys, viewer("tenant-admin", { tenantId: w.a.id, subject: "admin" }), w.system.clock.now());
    const forwardedOperator = await internalToken(w.system.internalKeys, viewer("operator", { subject: "ops" }), w.system.clock.now());
    const before = await storeFingerprint(w.system);
    const problems: string[] = [];
    const call = async (name: string, method: string, path: string, body: unknown, token: string | null) =>
      w.send(`${w.system.urls[name as keyof typeof w.system.urls]}${path}`, {
        method,
        headers: { "content-type": "application/json", ...(token ? { [INTERNAL_TOKEN_HEADER]: token } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    for (const [name, method, path, body] of internalRoutes(w)) {
      for (const [label, token, status] of [["no identity", null, 401], ["a tenant admin's forwarded identity", forwardedAdmin, 403], ["an operator's forwarded identity", forwardedOperator, 403]] as const) {
        const response = await call(name, method, path, body, token);
        tally.add("direct subgraph");
        if (response.status !== status) problems.push(`${name} ${method} ${path} with ${label}: ${response.status} ${response.text.slice(0, 200)}`);
      }
    }
    for (const [name, method, path, body] of forwardedRoutes(w)) {
      const response = await call(name, method, path, body, null);
      tally.add("direct subgraph");
      if (response.status !== 401) problems.push(`${name} ${method} ${path} without identity: ${response.status}`);
    }
    expect(problems).toEqual([]);
    expect(await storeFingerprint(w.system)).toEqual(before);
  });
}
