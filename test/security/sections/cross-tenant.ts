/**
 * Cross-tenant: tenant B's admin, privacy officer, ingest client and data subject go after
 * tenant A's user by id, by principal name and through `_entities` representations. Every
 * attempt is refused and reveals nothing: the same answer whether or not the user exists.
 * Tenant A's admins see the attempt in their trail; it names who tried, nothing of B's data.
 */
import { randomUUID } from "node:crypto";
import { internalToken, postGraphQL, viewer } from "@dgg/common/testkit";
import { decodeJwt } from "jose";
import type { Role } from "@dgg/common";
import type { Tally } from "../support/tally";
import type { World } from "../support/world";
import { codeOf } from "../support/world";

const BY_ID: [string, string][] = [
  ["personalData", `query($u: ID!) { personalData(user: $u) { userId account { id } } }`],
  ["restrictProcessing", `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`],
  ["removeUserFromManagement", `mutation($u: ID!) { removeUserFromManagement(user: $u) { id } }`],
  ["enrollDevice", `mutation($u: ID!) { enrollDevice(input: { userId: $u, deviceName: "x", operatingSystem: "y" }) { id } }`],
];

export function crossTenantSection(world: () => World, tally: Tally): void {
  it("refuses B's roles everything about A's user by id, with the same answer as for an unknown id", async () => {
    const w = world();
    const unknown = randomUUID();
    const problems: string[] = [];
    const view = async () =>
      (await w.system.gql(w.a.admin, `query($u: ID!) { personalData(user: $u) { account { managementState } devices { totalCount } } }`, { u: w.a.userId })).body.data;
    const before = await view();
    const attackers: [string, string][] = [
      ["admin B", w.b.admin],
      ["officer B", w.b.officer],
      ["ingest B", w.b.ingest],
      ["data subject B (naming A's user)", w.b.subject],
    ];
    for (const [who, token] of attackers) {
      for (const [operation, query] of BY_ID) {
        const real = await w.system.gql(token, query, { u: w.a.userId });
        const fake = await w.system.gql(token, query, { u: unknown });
        tally.add("cross-tenant", 2);
        const message = (response: typeof real, id: string) => response.body.errors?.[0]?.message.replace(id, "<id>");
        if (codeOf(real) !== "FORBIDDEN" || real.body.data?.[operation]) problems.push(`${who} ${operation}: ${JSON.stringify(real.body)}`);
        if (codeOf(fake) !== codeOf(real) || message(real, w.a.userId) !== message(fake, unknown)) {
          problems.push(`${who} ${operation}: real and unknown differ: ${message(real, w.a.userId)} / ${message(fake, unknown)}`);
        }
      }
    }
    for (const [query, variables] of [
      [`query($id: ID!) { privacyRequest(id: $id) { id userId } }`, { id: w.erased.requestId }],
      [`query($id: ID!) { tenant(id: $id) { id name } }`, { id: w.a.id }],
      [`mutation($id: ID!) { electStorageRegion(tenantId: $id, region: ASIA_PACIFIC) { id } }`, { id: w.a.id }],
      [`mutation($t: ID!) { createUser(input: { tenantId: $t, userPrincipalName: "plant@evil.example.com", displayName: "x" }) { id } }`, { t: w.a.id }],
      [`query($t: ID!) { webhooks(tenantId: $t) { id url } }`, { t: w.a.id }],
      [`mutation($t: ID!) { createWebhook(tenantId: $t, input: { url: "http://127.0.0.1:9/planted", events: [REQUEST_RECEIVED] }) { signingSecret } }`, { t: w.a.id }],
    ] as const) {
      const response = await w.system.gql(w.b.admin, query, variables);
      tally.add("cross-tenant");
      if (codeOf(response) !== "FORBIDDEN" || Object.values(response.body.data ?? {}).some((value) => value !== null)) problems.push(`${query}: ${JSON.stringify(response.body)}`);
    }
    // A's webhook by id: refused to B exactly as an id nobody has, and left alone.
    const created = await w.system.gql(w.a.admin, `mutation($t: ID!) { createWebhook(tenantId: $t, input: { url: "http://127.0.0.1:9/cross-tenant", events: [REQUEST_RECEIVED] }) { webhook { id } } }`, { t: w.a.id });
    const webhookId = created.body.data!.createWebhook.webhook.id as string;
    for (const [who, token] of attackers) {
      const real = await w.system.gql(token, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: webhookId });
      const fake = await w.system.gql(token, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: unknown });
      tally.add("cross-tenant", 2);
      if (codeOf(real) !== "FORBIDDEN" || real.body.data?.deleteWebhook != null) problems.push(`${who} deleteWebhook: ${JSON.stringify(real.body)}`);
      if (real.body.errors?.[0]?.message.replace(webhookId, "<id>") !== fake.body.errors?.[0]?.message.replace(unknown, "<id>")) problems.push(`${who} deleteWebhook: real and unknown differ`);
    }
    const still = await w.system.gql(w.a.admin, `query($t: ID!) { webhooks(tenantId: $t) { id } }`, { t: w.a.id });
    if (!JSON.stringify(still.body.data?.webhooks).includes(webhookId)) problems.push(`A's webhook is gone: ${JSON.stringify(still.body)}`);
    await w.system.gql(w.a.admin, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: webhookId });
    expect(problems).toEqual([]);
    expect(before?.personalData?.account?.managementState).toBe("MANAGED");
    expect(await view()).toEqual(before);
  });

  it("answers B's lookups by principal name NOT_FOUND, exactly as for a name nobody has", async () => {
    const w = world();
    for (const token of [w.b.admin, w.b.officer]) {
      const real = await w.system.gql(token, `query($n: String!) { userByPrincipalName(userPrincipalName: $n) { id } }`, { n: w.a.principalName });
      const fake = await w.system.gql(token, `query($n: String!) { userByPrincipalName(userPrincipalName: $n) { id } }`, { n: "nobody@contoso.example.com" });
      expect(codeOf(real)).toBe("NOT_FOUND");
      expect(real.body.errors![0]!.message.replace(w.a.principalName, "<n>")).toBe(fake.body.errors![0]!.message.replace("nobody@contoso.example.com", "<n>"));
      expect(JSON.stringify(real.body)).not.toContain(w.a.userId);
      tally.add("cross-tenant", 2);
    }
  });

  it("reveals nothing through _entities: not at the gateway, and not at a subgraph with B's forwarded identity", async () => {
    const w = world();
    const viaGateway = await w.system.gql(w.b.admin, `{ _entities(representations: [{ __typename: "PersonalData", userId: "${w.a.userId}" }]) { __typename } }`);
    expect(codeOf(viaGateway)).toBe("BAD_USER_INPUT");
    expect(viaGateway.body.data ?? null).toBeNull();
    tally.add("cross-tenant");
    const claims = decodeJwt(w.b.admin);
    const forwarded = await internalToken(w.system.internalKeys, viewer(claims.role as Role, { tenantId: w.b.id, subject: String(claims.sub) }), w.system.clock.now());
    const probes: [keyof World["system"]["urls"], string][] = [
      ["users", `query($r: [_Any!]!) { _entities(representations: $r) { ... on PersonalData { account { id userPrincipalName } devices { totalCount edges { node { id } } } } ... on UserAccount { id userPrincipalName } } }`],
      ["telemetry", `query($r: [_Any!]!) { _entities(representations: $r) { ... on PersonalData { telemetry { totalCount edges { node { id payload } } } } } }`],
      ["audit", `query($r: [_Any!]!) { _entities(representations: $r) { ... on PersonalData { auditLog { totalCount edges { node { action } } } } } }`],
    ];
    for (const [subgraph, query] of probes) {
      const answer = async (id: string) => {
        const representations = [{ __typename: "PersonalData", userId: id }, ...(subgraph === "users" ? [{ __typename: "UserAccount", id }] : [])];
        const response = await postGraphQL(w.system.urls[subgraph], forwarded, query, { r: representations });
        return JSON.stringify(response.body).replaceAll(id, "<id>");
      };
      const real = await answer(w.a.userId);
      expect([subgraph, real]).toEqual([subgraph, await answer(randomUUID())]);
      expect(real).not.toContain(w.a.principalName);
      tally.add("cross-tenant", 2);
    }
    const residency = await postGraphQL(
      w.system.urls["storage-regions"],
      forwarded,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on PersonalData { residency { region } } } }`,
      { r: [{ __typename: "PersonalData", userId: w.a.userId, tenantId: w.a.id }] },
    );
    expect(residency.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(JSON.stringify(residency.body)).not.toContain("EUROPE");
    tally.add("cross-tenant");
  });

  it("shows A's admins the refused attempts against A, naming who tried and nothing of B's data", async () => {
    const w = world();
    const trail = await w.system.gql(w.a.admin, `{ tenantAuditLog(first: 500, outcome: DENIED) { edges { node { tenantId actor actorRole outcome subjectUserId details } } } }`);
    expect(trail.body.errors).toBeUndefined();
    const entries = trail.body.data!.tenantAuditLog.edges.map((edge: { node: Record<string, any> }) => edge.node);
    const fromB = entries.filter((entry: Record<string, any>) => entry.details?.actorTenantId === w.b.id);
    expect(fromB).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: w.a.id, actor: `admin@${w.b.name}`, actorRole: "tenant-admin", outcome: "DENIED", subjectUserId: w.a.userId }),
        expect.objectContaining({ actor: `officer@${w.b.name}`, actorRole: "privacy-officer" }),
      ]),
    );
    const visible = JSON.stringify(fromB);
    for (const secret of [w.b.userId, w.b.principalName]) expect(visible).not.toContain(secret);
    // B's own trail holds its attempts, identical for a real and an unknown target, and nothing of A beyond the id B typed.
    const own = await w.system.gql(w.b.admin, `{ tenantAuditLog(first: 500, outcome: DENIED) { edges { node { tenantId subjectUserId details } } } }`);
    const ownEntries = own.body.data!.tenantAuditLog.edges.map((edge: { node: Record<string, any> }) => edge.node);
    expect(ownEntries.length).toBeGreaterThan(0);
    expect(ownEntries.every((entry: Record<string, any>) => entry.tenantId === w.b.id && entry.subjectUserId === null)).toBe(true);
    expect(JSON.stringify(ownEntries)).not.toContain(w.a.principalName);
    tally.add("cross-tenant", 2);
  });
}
