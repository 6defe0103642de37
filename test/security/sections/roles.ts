/**
 * Roles x operations: every public operation called by every role (and by nobody). The
 * allowed calls, in the caller's own tenant or about itself, succeed; the others are
 * FORBIDDEN (or UNAUTHENTICATED without a token), return no data, change no store, and
 * leave an ACCESS_DENIED entry with the caller's role.
 */
import { randomUUID } from "node:crypto";
import { getIntrospectionQuery } from "graphql";
import { viewer } from "@dgg/common/testkit";
import { OPERATION_ROLES } from "@dgg/common";
import { readmeAccessTable, TABLE_ROLES } from "../support/access-table";
import type { TableRole } from "../support/access-table";
import { storeFingerprint } from "../support/store-fingerprint";
import type { Tally } from "../support/tally";
import type { World } from "../support/world";
import type { SubgraphName } from "../../support/system";
import { countAcross } from "../../support/system";
import { internalToken, postGraphQL } from "@dgg/common/testkit";
import { decodeJwt } from "jose";
import type { Role } from "@dgg/common";

/** `asUser`: the user a data subject's token is for, when the call names a request rather than a user. */
type Call = { query: string; variables?: Record<string, unknown>; asUser?: string };
type Builder = (w: World, role: TableRole) => Promise<Call>;

async function freshUser(w: World): Promise<string> {
  const response = await w.system.gql(w.a.admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
    i: { tenantId: w.a.id, userPrincipalName: `u-${randomUUID().slice(0, 8)}@contoso.example.com`, displayName: "Fresh" },
  });
  return response.body.data!.createUser.id as string;
}

/**
 * A restriction of a fresh user of tenant A, filed by `filer`; with `awaiting`, put in
 * AWAITING_APPROVAL by hand (the workers are stopped while the matrix runs), as a tenant
 * whose policy requires approval would have it.
 */
async function requestToDecide(w: World, filer: string, awaiting: boolean): Promise<{ id: string; userId: string }> {
  const userId = await freshUser(w);
  const filed = await w.system.gql(filer, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: userId });
  const id = filed.body.data!.restrictProcessing.id as string;
  if (awaiting) {
    const p = w.system.kind === "postgres" ? ["$1", "$2"] : ["?", "?"];
    await w.system.stores.governance[0]!.db.query(`UPDATE privacy_request SET status = ${p[0]} WHERE id = ${p[1]}`, ["AWAITING_APPROVAL", id]);
  }
  return { id, userId };
}

const DECIDERS: readonly TableRole[] = ["tenant-admin", "privacy-officer"];

/**
 * A move of tenant A that only the calls see: recorded directly, claimed by nobody who runs
 * (so no mover ever acts on it and the stores stay still), the tenant left ACTIVE. Newest,
 * so residencyMove returns it and cancelResidencyMove has a move to cancel.
 */
async function pendingMove(w: World): Promise<void> {
  const db = w.system.stores["storage-regions"][0]!.db;
  const p = w.system.kind === "postgres" ? (n: number) => `$${n}` : () => "?";
  const [tenant] = (await db.query(`SELECT storage_region FROM tenant WHERE id = ${p(1)}`, [w.a.id])) as { storage_region: string }[];
  const to = tenant!.storage_region === "EUROPE" ? "ASIA_PACIFIC" : "EUROPE";
  const now = Date.now();
  const far = now + 24 * 3600_000;
  await db.query(
    `INSERT INTO tenant_move (id, tenant_id, from_region, to_region, phase, freeze_until, claimed_by, lease_until, requested_by, requested_at, updated_at)
     VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(p).join(", ")})`,
    [randomUUID(), w.a.id, tenant!.storage_region, to, "REQUESTED", far, "security-suite (never runs)", far, "security-suite", now, now],
  );
}

/** A webhook of tenant A, registered by its admin, posting to the discard port (nothing listens: deliveries just fail and retry). */
async function tenantWebhook(w: World): Promise<string> {
  const created = await w.system.gql(w.a.admin, `mutation($t: ID!, $i: CreateWebhookInput!) { createWebhook(tenantId: $t, input: $i) { webhook { id } } }`, {
    t: w.a.id,
    i: { url: "http://127.0.0.1:9/security-suite", events: ["REQUEST_RECEIVED"] },
  });
  if (created.body.errors) throw new Error(`createWebhook failed: ${JSON.stringify(created.body.errors)}`);
  return created.body.data!.createWebhook.webhook.id as string;
}

/** The one webhook the refused deleteWebhook calls aim at (refused calls change nothing, so it outlives them all). */
const standingWebhooks = new WeakMap<World, Promise<string>>();
function standingWebhook(w: World): Promise<string> {
  if (!standingWebhooks.has(w)) standingWebhooks.set(w, tenantWebhook(w));
  return standingWebhooks.get(w)!;
}

/** One call per operation; for the role's own tenant (A) or, for a data subject, about itself. */
const CALLS: Record<string, Builder> = {
  createTenant: async () => ({ query: `mutation($n: String!) { createTenant(input: { name: $n, storageRegion: ASIA_PACIFIC }) { id } }`, variables: { n: `T-${randomUUID()}` } }),
  tenant: async (w) => ({ query: `query($id: ID!) { tenant(id: $id) { id storageRegion } }`, variables: { id: w.a.id } }),
  electStorageRegion: async (w) => ({ query: `mutation($t: ID!) { electStorageRegion(tenantId: $t, region: EUROPE) { id } }`, variables: { t: w.a.id } }),
  residencyMove: async (w, role) => {
    if (role === "operator" || role === "tenant-admin") await pendingMove(w);
    return { query: `query($t: ID!) { residencyMove(tenantId: $t) { id phase progress { store copied total } startedAt } }`, variables: { t: w.a.id } };
  },
  cancelResidencyMove: async (w, role) => {
    if (role === "operator" || role === "tenant-admin") await pendingMove(w);
    return { query: `mutation($t: ID!) { cancelResidencyMove(tenantId: $t) { id phase } }`, variables: { t: w.a.id } };
  },
  createUser: async (w) => ({
    query: `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    variables: { i: { tenantId: w.a.id, userPrincipalName: `n-${randomUUID().slice(0, 8)}@contoso.example.com`, displayName: "New" } },
  }),
  enrollDevice: async (w) => ({ query: `mutation($u: ID!) { enrollDevice(input: { userId: $u, deviceName: "d", operatingSystem: "o" }) { id } }`, variables: { u: w.a.userId } }),
  removeUserFromManagement: async (w, role) => ({
    query: `mutation($u: ID!) { removeUserFromManagement(user: $u) { id managementState } }`,
    variables: { u: role === "tenant-admin" ? await freshUser(w) : w.a.userId },
  }),
  userByPrincipalName: async (w) => ({ query: `query($n: String!) { userByPrincipalName(userPrincipalName: $n) { id } }`, variables: { n: w.a.principalName } }),
  ingestTelemetry: async (w) => ({
    query: `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`,
    variables: { e: [{ userId: w.a.userId, kind: "SERVICE_LOG", occurredAt: w.system.clock.now().toISOString(), payload: { n: 1 } }] },
  }),
  personalData: async (w) => ({ query: `query($u: ID!) { personalData(user: $u) { userId account { id } devices { totalCount } } }`, variables: { u: w.a.userId } }),
  restrictProcessing: async (w, role) => {
    const allowed = role === "tenant-admin" || role === "privacy-officer" || role === "data-subject";
    return { query: `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, variables: { u: allowed ? await freshUser(w) : w.a.userId } };
  },
  privacyRequest: async (w) => ({ query: `query($id: ID!) { privacyRequest(id: $id) { id status } }`, variables: { id: w.erased.requestId } }),
  privacyRequests: async (w) => ({ query: `query($t: ID!) { privacyRequests(tenantId: $t, first: 5) { totalCount } }`, variables: { t: w.a.id } }),
  retryPrivacyRequest: async (w, role) => {
    // Only a FAILED request can be retried: the allowed roles get a fresh one, failed by hand (the workers are stopped).
    if (role !== "tenant-admin" && role !== "privacy-officer") return { query: `mutation($id: ID!) { retryPrivacyRequest(id: $id) { id } }`, variables: { id: w.erased.requestId } };
    const filed = await w.system.gql(w.a.admin, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: await freshUser(w) });
    const id = filed.body.data!.restrictProcessing.id as string;
    const p = w.system.kind === "postgres" ? ["$1", "$2"] : ["?", "?"];
    await w.system.stores.governance[0]!.db.query(`UPDATE privacy_request SET status = ${p[0]}, resume_status = 'RECEIVED' WHERE id = ${p[1]}`, ["FAILED", id]);
    return { query: `mutation($id: ID!) { retryPrivacyRequest(id: $id) { id status } }`, variables: { id } };
  },
  requestPersonalDataExport: async (w, role) => {
    const allowed = role === "tenant-admin" || role === "privacy-officer" || role === "data-subject";
    return { query: `mutation($u: ID!) { requestPersonalDataExport(user: $u) { id kind status } }`, variables: { u: allowed ? await freshUser(w) : w.a.userId } };
  },
  approvePrivacyRequest: async (w, role) => {
    const query = `mutation($id: ID!) { approvePrivacyRequest(id: $id) { id status approvedBy } }`;
    if (!DECIDERS.includes(role)) return { query, variables: { id: w.erased.requestId } };
    // Four eyes: filed by the other decider, so the caller is not the requester.
    const { id } = await requestToDecide(w, role === "tenant-admin" ? w.a.officer : w.a.admin, true);
    return { query, variables: { id } };
  },
  denyPrivacyRequest: async (w, role) => {
    const query = `mutation($id: ID!) { denyPrivacyRequest(id: $id, reason: "not verified") { id status } }`;
    if (!DECIDERS.includes(role)) return { query, variables: { id: w.erased.requestId } };
    return { query, variables: { id: (await requestToDecide(w, w.a.admin, true)).id } };
  },
  cancelPrivacyRequest: async (w, role) => {
    const query = `mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "withdrawn") { id status } }`;
    if (!DECIDERS.includes(role) && role !== "data-subject") return { query, variables: { id: w.erased.requestId } };
    const { id, userId } = await requestToDecide(w, w.a.admin, false);
    return { query, variables: { id }, asUser: userId };
  },
  extendPrivacyRequestDeadline: async (w, role) => {
    const query = `mutation($id: ID!) { extendPrivacyRequestDeadline(id: $id, days: 10, reason: "complex request") { id dueAt } }`;
    if (!DECIDERS.includes(role)) return { query, variables: { id: w.erased.requestId } };
    return { query, variables: { id: (await requestToDecide(w, w.a.admin, false)).id } };
  },
  privacyRequestPolicy: async (w) => ({ query: `query($t: ID!) { privacyRequestPolicy(tenantId: $t) { erasureRequiresApproval } }`, variables: { t: w.a.id } }),
  setPrivacyRequestPolicy: async (w) => ({
    query: `mutation($t: ID!) { setPrivacyRequestPolicy(tenantId: $t, input: { erasureRequiresApproval: false, accessRequiresApproval: false }) { tenantId } }`,
    variables: { t: w.a.id },
  }),
  createPrivacyExportDownload: async (w) => ({
    query: `mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url expiresAt } }`,
    variables: { id: w.erased.requestId },
  }),
  retentionPolicies: async () => ({ query: `{ retentionPolicies { category purgeAfter } }` }),
  tenantAuditLog: async () => ({ query: `{ tenantAuditLog(first: 5) { totalCount edges { node { action actorRole outcome } } } }` }),
  runRetention: async () => ({ query: `mutation { runRetention { startedAt } }` }),
  retentionRuns: async () => ({ query: `{ retentionRuns(first: 2) { edges { node { startedAt } } } }` }),
  placeLegalHold: async (w, role) => ({
    query: `mutation($u: ID!) { placeLegalHold(user: $u, reason: "litigation") { reason } }`,
    variables: { u: role === "operator" || role === "privacy-officer" ? await freshUser(w) : w.a.userId },
  }),
  webhooks: async (w) => ({ query: `query($t: ID!) { webhooks(tenantId: $t) { id url events deliveries(first: 5) { totalCount } } }`, variables: { t: w.a.id } }),
  createWebhook: async (w) => ({
    query: `mutation($t: ID!, $i: CreateWebhookInput!) { createWebhook(tenantId: $t, input: $i) { webhook { id } signingSecret } }`,
    variables: { t: w.a.id, i: { url: "http://127.0.0.1:9/security-suite", events: ["REQUEST_RECEIVED", "REQUEST_COMPLETED"] } },
  }),
  deleteWebhook: async (w, role) => {
    // The allowed roles delete a webhook of their own; the others go after the standing one.
    const id = role === "tenant-admin" || role === "privacy-officer" ? await tenantWebhook(w) : await standingWebhook(w);
    return { query: `mutation($id: ID!) { deleteWebhook(id: $id) }`, variables: { id } };
  },
  liftLegalHold: async (w, role) => {
    // Lifting needs a hold to lift: the allowed roles get a fresh user with one placed by the operator.
    if (role !== "operator" && role !== "privacy-officer") return { query: `mutation($u: ID!) { liftLegalHold(user: $u) { reason } }`, variables: { u: w.a.userId } };
    const userId = await freshUser(w);
    await w.system.gql(w.operator, `mutation($u: ID!) { placeLegalHold(user: $u, reason: "to lift") { reason } }`, { u: userId });
    return { query: `mutation($u: ID!) { liftLegalHold(user: $u) { reason } }`, variables: { u: userId } };
  },
};

/** Which subgraph serves each root field, for calling it directly with a forwarded identity. */
const OWNER: Record<string, SubgraphName> = {
  createTenant: "storage-regions",
  tenant: "storage-regions",
  electStorageRegion: "storage-regions",
  residencyMove: "storage-regions",
  cancelResidencyMove: "storage-regions",
  createUser: "users",
  enrollDevice: "users",
  removeUserFromManagement: "users",
  userByPrincipalName: "users",
  ingestTelemetry: "telemetry",
  personalData: "governance",
  restrictProcessing: "governance",
  privacyRequest: "governance",
  privacyRequests: "governance",
  retryPrivacyRequest: "governance",
  requestPersonalDataExport: "governance",
  approvePrivacyRequest: "governance",
  denyPrivacyRequest: "governance",
  cancelPrivacyRequest: "governance",
  extendPrivacyRequestDeadline: "governance",
  privacyRequestPolicy: "governance",
  setPrivacyRequestPolicy: "governance",
  createPrivacyExportDownload: "governance",
  retentionPolicies: "governance",
  tenantAuditLog: "audit",
  runRetention: "governance",
  retentionRuns: "governance",
  placeLegalHold: "governance",
  liftLegalHold: "governance",
  webhooks: "governance",
  createWebhook: "governance",
  deleteWebhook: "governance",
};

/** The call as its own subgraph can answer it: personalData's other shares live elsewhere. */
function direct(operation: string, call: Call): Call {
  if (operation !== "personalData") return call;
  return { ...call, query: `query($u: ID!) { personalData(user: $u) { userId tenantId } }` };
}

/** The role's token; a data subject is the user the call is about. */
async function tokenFor(w: World, role: TableRole, call: Call, operation: string): Promise<string> {
  switch (role) {
    case "operator":
      return w.operator;
    case "tenant-admin":
      return w.a.admin;
    case "privacy-officer":
      return w.a.officer;
    case "ingest":
      return w.a.ingest;
    case "data-subject": {
      if (operation === "privacyRequest" || operation === "createPrivacyExportDownload") return w.erased.subject;
      const userId = call.asUser ?? (call.variables?.u as string | undefined) ?? w.a.userId;
      return w.system.token(viewer("data-subject", { tenantId: w.a.id, userId }));
    }
  }
}

export function rolesSection(world: () => World, tally: Tally): void {
  const table = readmeAccessTable();

  it("the README's access table, the gateway's policy and the served API name the same operations and roles", async () => {
    const w = world();
    const introspection = await w.system.gql(null, getIntrospectionQuery());
    const types = introspection.body.data!.__schema.types as { name: string; fields: { name: string }[] | null }[];
    const served = types.filter((type) => type.name === "Query" || type.name === "Mutation").flatMap((type) => type.fields!.map((field) => field.name));
    expect(new Set(served)).toEqual(new Set(table.keys()));
    expect(new Set(Object.keys(OPERATION_ROLES))).toEqual(new Set(table.keys()));
    for (const [operation, roles] of table) expect([operation, new Set((OPERATION_ROLES as Record<string, readonly string[]>)[operation])]).toEqual([operation, roles]);
    expect(Object.keys(CALLS).sort()).toEqual([...table.keys()].sort());
  });

  /**
   * Runs the whole matrix through `send`; the gateway and each subgraph on its own must
   * both hold the table (defence in depth), so each is checked without the other.
   */
  async function matrix(w: World, path: "gateway" | "subgraph"): Promise<string[]> {
    // Requests the allowed calls file would otherwise run in the background and change the stores between fingerprints.
    await w.system.governance.workers.stop();
    try {
      return await matrixOf(w, path);
    } finally {
      w.system.governance.workers.start();
      // Let the requests the allowed calls filed finish now, so later sections see still stores.
      const open = () =>
        w.system.stores.governance[0]!.db.query(`SELECT COUNT(*) AS n FROM privacy_request WHERE status NOT IN ('COMPLETED', 'FAILED', 'DENIED', 'CANCELED', 'AWAITING_APPROVAL')`) as Promise<{ n: string | number }[]>;
      for (let tries = 0; tries < 600 && Number((await open())[0]!.n) > 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function matrixOf(w: World, path: "gateway" | "subgraph"): Promise<string[]> {
    const problems: string[] = [];
    const denied = () => countAcross(w.system, "audit", `SELECT COUNT(*) AS n FROM audit_log_entry WHERE action = 'ACCESS_DENIED'`);
    for (const [operation, allowedRoles] of table) {
      for (const role of [...TABLE_ROLES, null]) {
        const call = await CALLS[operation]!(w, role ?? "operator");
        const before = await storeFingerprint(w.system);
        const deniedBefore = await denied();
        const token = role === null ? null : await tokenFor(w, role, call, operation);
        let response;
        if (path === "gateway") {
          response = await w.system.gql(token, call.query, call.variables);
        } else {
          // The identity the gateway would forward for this caller, sent straight to the owning subgraph.
          const claims = token ? decodeJwt(token) : null;
          const forwarded = claims
            ? await internalToken(
                w.system.internalKeys,
                { subject: String(claims.sub), role: claims.role as Role, tenantId: (claims.tid as string) ?? null, userId: (claims.uid as string) ?? null },
                w.system.clock.now(),
              )
            : null;
          const { query, variables } = direct(operation, call);
          response = await postGraphQL(w.system.urls[OWNER[operation]!], forwarded, query, variables);
        }
        const data = response.body.data?.[operation] ?? null;
        const label = `${path}: ${operation} as ${role ?? "anonymous"}`;
        tally.add("roles x operations");
        if (role !== null && allowedRoles.has(role)) {
          if (response.body.errors || data === null) problems.push(`${label}: expected success, got ${JSON.stringify(response.body.errors)}`);
          continue;
        }
        const expected = role === null ? "UNAUTHENTICATED" : "FORBIDDEN";
        const code = response.body.errors?.[0]?.extensions?.code;
        if (code !== expected || data !== null) problems.push(`${label}: expected ${expected} and no data, got ${JSON.stringify(response.body)}`);
        if (JSON.stringify(await storeFingerprint(w.system)) !== JSON.stringify(before)) problems.push(`${label}: a store changed`);
        if (role !== null && (await denied()) <= deniedBefore) problems.push(`${label}: no ACCESS_DENIED entry`);
      }
    }
    return problems;
  }

  it("through the gateway: every allowed role can call every operation; the rest are refused with nothing changed", async () => {
    expect(await matrix(world(), "gateway")).toEqual([]);
  });

  it("straight to each subgraph with the forwarded identity: the subgraphs hold the same table on their own", async () => {
    expect(await matrix(world(), "subgraph")).toEqual([]);
  });

  it("records refusals with actor, role, tenant and outcome", async () => {
    const w = world();
    const officer = await w.system.gql(w.a.officer, `{ tenantAuditLog(first: 200, outcome: DENIED) { edges { node { tenantId actor actorRole outcome action details } } } }`);
    expect(officer.body.errors).toBeUndefined();
    const nodes = officer.body.data!.tenantAuditLog.edges.map((edge: { node: Record<string, unknown> }) => edge.node);
    expect(nodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: w.a.id, actorRole: "ingest", outcome: "DENIED", action: "ACCESS_DENIED", actor: `ingest@${w.a.name}` }),
        expect.objectContaining({ tenantId: w.a.id, actorRole: "privacy-officer", outcome: "DENIED", actor: `officer@${w.a.name}` }),
      ]),
    );
    tally.add("roles x operations");
  });
}
