/**
 * The attacker's playground: the whole system on one engine, two tenants with their
 * admins, privacy officers, ingest clients and data subjects, a user with data in each,
 * an erased user with its privacy request, and a loopback OIDC issuer with a gateway
 * that trusts it. Sections of the suite share one World.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, listen } from "@dgg/common";
import type { Viewer } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { OidcVerifier } from "../../../gateway/src/auth/oidc-verifier";
import { createGateway } from "../../../gateway/src/server";
import type { GatewayOptions } from "../../../gateway/src/server";
import { startTestSystem, SUBGRAPHS } from "../../support/system";
import type { GraphQLResponse, StoreKind, TestSystem } from "../../support/system";
import { startTestIssuer } from "./jwks-server";
import type { TestIssuer } from "./jwks-server";
import type { RawResponse } from "./well-formed";

export interface TenantCast {
  id: string;
  name: string;
  admin: string;
  officer: string;
  ingest: string;
  /** The tenant's main user, with a device and telemetry, and its data-subject token. */
  userId: string;
  principalName: string;
  subject: string;
}

export interface World {
  system: TestSystem;
  operator: string;
  a: TenantCast;
  b: TenantCast;
  /** A user of A whose data was erased, the request kept as evidence, and its data-subject token. */
  erased: { userId: string; requestId: string; subject: string };
  issuer: TestIssuer;
  oidcGatewayUrl: string;
  extraGateway(overrides: Partial<GatewayOptions>): Promise<{ url: string; close(): Promise<void> }>;
  /** Every log line of every service so far (JSON). */
  logs: string[];
  send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse>;
  stop(): Promise<void>;
}

const ok = (response: GraphQLResponse, what: string) => {
  if (response.body.errors) throw new Error(`${what} failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data!;
};

export async function buildWorld(kind: StoreKind): Promise<World> {
  // Every service's log lines, as JSON: the production section reads what an operator would.
  const logs: string[] = [];
  const capture = { write: (line: string) => void logs.push(line) };
  const system = await startTestSystem(kind, { logs: capture });
  const closers: (() => Promise<void>)[] = [];
  const token = (who: Viewer) => system.token(who);
  const operator = await token(viewer("operator", { subject: "ops@platform" }));

  async function cast(name: string, region: string): Promise<TenantCast> {
    const created = ok(await system.gql(operator, `mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { name, storageRegion: region } }), "createTenant");
    const id = (created.createTenant as { id: string }).id;
    const admin = await token(viewer("tenant-admin", { tenantId: id, subject: `admin@${name}` }));
    const principalName = `victim@${name.toLowerCase()}.example.com`;
    const user = ok(
      await system.gql(admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { tenantId: id, userPrincipalName: principalName, displayName: "Victim" } }),
      "createUser",
    );
    const userId = (user.createUser as { id: string }).id;
    ok(await system.gql(admin, `mutation($u: ID!) { enrollDevice(input: { userId: $u, deviceName: "laptop", operatingSystem: "Windows 11" }) { id } }`, { u: userId }), "enroll");
    ok(
      await system.gql(admin, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, {
        e: [{ userId, kind: "ERROR", occurredAt: system.clock.now().toISOString(), payload: { code: 7 } }],
      }),
      "ingest",
    );
    return {
      id,
      name,
      admin,
      officer: await token(viewer("privacy-officer", { tenantId: id, subject: `officer@${name}` })),
      ingest: await token(viewer("ingest", { tenantId: id, subject: `ingest@${name}` })),
      userId,
      principalName,
      subject: await token(viewer("data-subject", { tenantId: id, userId })),
    };
  }

  const a = await cast(`Contoso-${kind}`, "EUROPE");
  const b = await cast(`Fabrikam-${kind}`, "NORTH_AMERICA");
  const gone = ok(
    await system.gql(a.admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { tenantId: a.id, userPrincipalName: "gone@contoso.example.com", displayName: "Gone" } }),
    "createUser",
  );
  const goneId = (gone.createUser as { id: string }).id;
  ok(await system.gql(a.admin, `mutation($u: ID!) { enrollDevice(input: { userId: $u, deviceName: "x", operatingSystem: "y" }) { id } }`, { u: goneId }), "enroll");
  const restricted = ok(await system.gql(a.admin, `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, { u: goneId }), "restrictProcessing");
  const requestId = (restricted.restrictProcessing as { id: string }).id;
  // The request runs in governance's workers: wait until the user is really gone and the archive verified.
  for (let tries = 0; ; tries += 1) {
    const followed = await system.gql(a.admin, `query($id: ID!) { privacyRequest(id: $id) { status } }`, { id: requestId });
    const status = (followed.body.data?.privacyRequest as { status: string } | null)?.status;
    if (status === "COMPLETED") break;
    if (tries >= 600 || status === "FAILED") throw new Error(`the erased user's privacy request did not complete: ${JSON.stringify(followed.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  async function extraGateway(overrides: Partial<GatewayOptions>) {
    const gateway = await createGateway({
      supergraphSdl: readFileSync(join(__dirname, "..", "..", "..", "schema", "supergraph.graphql"), "utf8"),
      subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${system.urls[name]}/graphql`])),
      issuerPublicKey: system.issuerKeys.publicKey,
      internalPrivateKey: system.internalKeys.privateKey,
      clock: system.clock,
      production: false,
      log: createLogger("gateway", { LOG_FORMAT: "json", LOG_LEVEL: "trace" }, capture),
      ...overrides,
    });
    const listener = await listen(gateway.app, 0);
    const close = async () => {
      await listener.close();
      await gateway.stop();
    };
    closers.push(close);
    return { url: `${listener.url}/graphql`, close };
  }

  const issuer = await startTestIssuer();
  closers.push(issuer.close);
  const oidc = await extraGateway({
    tokenVerifier: new OidcVerifier(
      {
        issuer: issuer.issuer,
        audience: issuer.audience,
        claims: { role: "role", tenant: "tid", user: "uid", subject: "sub" },
        clockSkewSeconds: 30,
        jwksMaxAgeMs: 600_000,
        jwksCooldownMs: 0,
      },
      system.clock,
    ),
  });

  return {
    system,
    operator,
    a,
    b,
    erased: { userId: goneId, requestId, subject: await token(viewer("data-subject", { tenantId: a.id, userId: goneId })) },
    issuer,
    oidcGatewayUrl: oidc.url,
    extraGateway,
    logs,
    async send(url, init) {
      const response = await fetch(url, { method: init.method ?? "POST", headers: init.headers, body: init.body });
      return { status: response.status, contentType: response.headers.get("content-type") ?? "", text: await response.text() };
    },
    async stop() {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      await system.stop();
    },
  };
}

/** POSTs an operation to any gateway URL with a bearer token (or none). */
export async function gqlAt(
  url: string,
  bearer: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as GraphQLResponse["body"] };
}

export const codeOf = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions?.code;
