/**
 * The main scenario of the product, walked as a client would through the gateway:
 * a tenant in EUROPE, a user with devices and telemetry; personalData shows every
 * category, its residency and retention dates; restrictProcessing exports, verifies and
 * erases; afterwards nothing in any store names the user. Another tenant's admin learns
 * nothing at any step. Shared by the SQLite and PostgreSQL suites.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { viewer } from "@dgg/common/testkit";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import { aliasesOf, storesMentioning } from "../support/store-scan";
import { waitForRequest } from "../support/privacy";

const PERSONAL_DATA = `query($user: ID!) {
  personalData(user: $user) {
    userId tenantId
    account { id userPrincipalName email managementState }
    devices(first: 10) { totalCount edges { node { id deviceName } } }
    telemetry(first: 5) { totalCount edges { node { id kind occurredAt } } pageInfo { hasNextPage endCursor } }
    auditLog(first: 100) { totalCount edges { node { action actor subjectUserId } } }
    residency { region locations { category kind region } }
    retention { category policy purgeAfter }
    processing { isoCertifiedSystems usedForProfiling usedForMarketing }
  }
}`;

export function describeGraph(kind: StoreKind): void {
  describe(`the federated graph on ${kind}`, () => {
    let system: TestSystem;
    let operator: string;
    let adminA: string;
    let adminB: string;
    let tenantA: string;
    let tenantB: string;

    const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => response.body.errors?.[0]?.extensions?.code;

    async function createTenant(name: string, region: string): Promise<string> {
      const response = await system.gql(operator, `mutation($i: CreateTenantInput!) { createTenant(input: $i) { id storageRegion } }`, {
        i: { name, storageRegion: region },
      });
      expect(response.body.errors).toBeUndefined();
      return response.body.data!.createTenant.id as string;
    }

    async function createUser(token: string, tenantId: string, name: string): Promise<string> {
      const response = await system.gql(token, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
        i: { tenantId, userPrincipalName: `${name}@example.com`, displayName: name, email: `${name}@example.com` },
      });
      expect(response.body.errors).toBeUndefined();
      return response.body.data!.createUser.id as string;
    }

    async function enroll(token: string, userId: string, count: number): Promise<void> {
      for (let i = 0; i < count; i += 1) {
        const response = await system.gql(token, `mutation($i: EnrollDeviceInput!) { enrollDevice(input: $i) { id } }`, {
          i: { userId, deviceName: `device-${i}`, operatingSystem: "Windows 11", serialNumber: `SN-${i}` },
        });
        expect(response.body.errors).toBeUndefined();
      }
    }

    async function ingest(token: string, userId: string, count: number, ageMs = 0): Promise<void> {
      const now = system.clock.now().getTime();
      const events = Array.from({ length: count }, (_, i) => ({
        userId,
        kind: ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"][i % 3],
        occurredAt: new Date(now - ageMs - i * 60_000).toISOString(),
        payload: { sequence: i },
      }));
      const response = await system.gql(token, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, { e: events });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.ingestTelemetry.accepted).toBe(count);
    }

    beforeAll(async () => {
      system = await startTestSystem(kind, { regionCacheTtlMs: 10 * 60_000 });
      operator = await system.token(viewer("operator", { subject: "ops@platform" }));
      tenantA = await createTenant(`Contoso ${kind}`, "EUROPE");
      tenantB = await createTenant(`Fabrikam ${kind}`, "NORTH_AMERICA");
      adminA = await system.token(viewer("tenant-admin", { tenantId: tenantA, subject: "admin@contoso" }));
      adminB = await system.token(viewer("tenant-admin", { tenantId: tenantB, subject: "admin@fabrikam" }));
    });

    afterAll(async () => {
      await system?.stop();
    });

    it("walks the contract: personalData shows everything, restrictProcessing exports then erases", async () => {
      const userId = await createUser(adminA, tenantA, `walk-${kind}`);
      await enroll(adminA, userId, 2);
      await ingest(adminA, userId, 500);

      const before = await system.gql(adminA, PERSONAL_DATA, { user: userId });
      expect(before.body.errors).toBeUndefined();
      const data = before.body.data!.personalData;
      expect(data.tenantId).toBe(tenantA);
      expect(data.account.id).toBe(userId);
      expect(data.devices.totalCount).toBe(2);
      expect(data.telemetry.totalCount).toBe(500);
      expect(data.telemetry.edges).toHaveLength(5);
      expect(data.telemetry.pageInfo.hasNextPage).toBe(true);
      expect(data.auditLog.totalCount).toBeGreaterThanOrEqual(5);
      expect(data.auditLog.edges.map((edge: { node: { action: string } }) => edge.node.action)).toEqual(
        expect.arrayContaining(["USER_CREATED", "DEVICE_ENROLLED", "TELEMETRY_INGESTED", "PERSONAL_DATA_READ"]),
      );
      expect(data.residency.region).toBe("EUROPE");
      expect(data.residency.locations).toHaveLength(4);
      expect(new Set(data.residency.locations.map((location: { region: string }) => location.region))).toEqual(new Set(["EUROPE"]));
      const retention = Object.fromEntries(data.retention.map((status: { category: string; purgeAfter: string | null }) => [status.category, status.purgeAfter]));
      expect(retention.ACCOUNT).toBeNull();
      expect(new Date(retention.TELEMETRY).getTime()).toBeGreaterThan(system.clock.now().getTime());
      expect(new Date(retention.AUDIT_LOG).getTime()).toBeGreaterThan(system.clock.now().getTime() + 364 * 86_400_000);
      expect(data.processing).toEqual({ isoCertifiedSystems: true, usedForProfiling: false, usedForMarketing: false });

      const aliases = aliasesOf(system, userId);
      expect(aliases.length).toBeGreaterThanOrEqual(3);
      const restricted = await system.gql(adminA, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "user asked") { id status userId dueAt } }`, { u: userId });
      expect(restricted.body.errors).toBeUndefined();
      expect(restricted.body.data!.restrictProcessing.status).toBe("RECEIVED");
      const request = await waitForRequest(
        system,
        adminA,
        restricted.body.data!.restrictProcessing.id,
        `id status error userId tenantId
         export { region location format sha256 byteSize counts { category records } }
         erasures { category erased } completedAt`,
      );
      expect(request.status).toBe("COMPLETED");
      const counts = Object.fromEntries(request.export.counts.map((count: { category: string; records: number }) => [count.category, count.records]));
      expect(counts).toEqual({ ACCOUNT: 1, SERVICE_DATA: 2, TELEMETRY: 500, AUDIT_LOG: data.auditLog.totalCount });
      expect(request.export.region).toBe("EUROPE");
      const manifestPath = fileURLToPath(request.export.location);
      expect(manifestPath.startsWith(`${system.blobRoot}/EUROPE/`)).toBe(true);
      const manifestBytes = readFileSync(manifestPath);
      expect(createHash("sha256").update(manifestBytes).digest("hex")).toBe(request.export.sha256);
      const manifest = JSON.parse(manifestBytes.toString("utf8"));
      let fileBytes = 0;
      // Every category file, and report.html (listed apart: it is not a category).
      for (const file of [...manifest.files, manifest.report]) {
        const bytes = readFileSync(join(dirname(manifestPath), file.file));
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
        fileBytes += bytes.length;
      }
      expect(request.export.byteSize).toBe(manifestBytes.length + fileBytes);
      expect(existsSync(join(dirname(manifestPath), "telemetry.ndjson"))).toBe(true);
      const erased = Object.fromEntries(request.erasures.map((count: { category: string; erased: number }) => [count.category, count.erased]));
      expect(erased).toMatchObject({ ACCOUNT: 1, SERVICE_DATA: 2, TELEMETRY: 500 });

      const after = await system.gql(adminA, PERSONAL_DATA, { user: userId });
      expect(code(after)).toBe("NOT_FOUND");
      expect(await storesMentioning(system, userId, ["users", "telemetry", "audit", "storage-regions"], aliases)).toEqual([]);

      const again = await system.gql(adminA, `query($id: ID!) { privacyRequest(id: $id) { id status userId } }`, { id: request.id });
      expect(again.body.data!.privacyRequest).toEqual({ id: request.id, status: "COMPLETED", userId });
      const foreign = await system.gql(adminB, `query($id: ID!) { privacyRequest(id: $id) { id } }`, { id: request.id });
      expect(code(foreign)).toBe("FORBIDDEN");
    });

    it("gives another tenant's admin FORBIDDEN for everything, the same as for an unknown id", async () => {
      const userId = await createUser(adminA, tenantA, `private-${kind}`);
      await enroll(adminA, userId, 1);
      const unknown = randomUUID();
      const attempts = [
        [PERSONAL_DATA, { user: userId }, { user: unknown }],
        [`mutation($user: ID!) { restrictProcessing(user: $user) { id } }`, { user: userId }, { user: unknown }],
        [`mutation($user: ID!) { removeUserFromManagement(user: $user) { id } }`, { user: userId }, { user: unknown }],
        [`mutation($user: ID!) { enrollDevice(input: { userId: $user, deviceName: "x", operatingSystem: "y" }) { id } }`, { user: userId }, { user: unknown }],
      ] as const;
      for (const [query, real, fake] of attempts) {
        const forReal = await system.gql(adminB, query, real);
        const forFake = await system.gql(adminB, query, fake);
        expect(code(forReal)).toBe("FORBIDDEN");
        expect(forReal.body.data?.[Object.keys(forReal.body.data ?? {})[0] ?? ""] ?? null).toBeNull();
        expect(forReal.body.errors![0]!.message.replace(userId, "<id>")).toBe(forFake.body.errors![0]!.message.replace(unknown, "<id>"));
      }
      const byName = await system.gql(adminB, `query { userByPrincipalName(userPrincipalName: "private-${kind}@example.com") { id } }`);
      expect(code(byName)).toBe("NOT_FOUND");
      expect(JSON.stringify(byName.body)).not.toContain(userId);
      const ingestB = await system.token(viewer("ingest", { tenantId: tenantB }));
      const telemetry = await system.gql(ingestB, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, {
        e: [{ userId, kind: "ERROR", occurredAt: system.clock.now().toISOString(), payload: {} }],
      });
      expect(code(telemetry)).toBe("NOT_FOUND");
      const mine = await system.gql(adminA, PERSONAL_DATA, { user: userId });
      expect(mine.body.data!.personalData.devices.totalCount).toBe(1);
      expect(mine.body.data!.personalData.telemetry.totalCount).toBe(0);
    });

    it("issues the same number of SQL statements per subgraph for 1,000 events and 100 devices as for 1 of each", async () => {
      const small = await createUser(adminA, tenantA, `small-${kind}`);
      const large = await createUser(adminA, tenantA, `large-${kind}`);
      await enroll(adminA, small, 1);
      await ingest(adminA, small, 1);
      await enroll(adminA, large, 100);
      await ingest(adminA, large, 1000);
      // The storage-regions directory also answers the data subgraphs' cached region lookups
      // and the residency mover's polling, whose numbers depend on timing, not on data: counted apart.
      const directoryLookups: number[] = [];
      const measure = async (userId: string) => {
        Object.values(system.counters).forEach((counter) => counter.reset());
        const response = await system.gql(adminA, PERSONAL_DATA, { user: userId });
        expect(response.body.errors).toBeUndefined();
        const background = system.counters["storage-regions"].statements.filter((sql) => /"tenant_move"/.test(sql) || (/FROM "tenant"/.test(sql) && !/IN \(/.test(sql)));
        directoryLookups.push(background.filter((sql) => !/"tenant_move"/.test(sql)).length);
        const lookups = background;
        return Object.fromEntries(
          Object.entries(system.counters).map(([name, counter]) => [name, name === "storage-regions" ? counter.count - lookups.length : counter.count]),
        );
      };
      // The privacy workers and the webhook dispatcher poll in the background; their statements are not the request's.
      await system.governance.workers.stop();
      await system.governance.webhooks.stop();
      const smallCounts = await measure(small);
      const largeCounts = await measure(large);
      system.governance.workers.start();
      system.governance.webhooks.start();
      expect(largeCounts).toEqual(smallCounts);
      // At most one lookup per data subgraph and governance, whatever the volume (the cache outlives the request).
      expect(Math.max(...directoryLookups)).toBeLessThanOrEqual(5);
      console.log(`[${kind}] SQL statements per personalData request: ${JSON.stringify(smallCounts)}`);
    });

    it("lets a data subject read only its own personal data", async () => {
      const userId = await createUser(adminA, tenantA, `self-${kind}`);
      const other = await createUser(adminA, tenantA, `neighbour-${kind}`);
      const subject = await system.token(viewer("data-subject", { tenantId: tenantA, userId }));
      const own = await system.gql(subject, PERSONAL_DATA, { user: userId });
      expect(own.body.errors).toBeUndefined();
      expect(own.body.data!.personalData.account.id).toBe(userId);
      const theirs = await system.gql(subject, PERSONAL_DATA, { user: other });
      expect(code(theirs)).toBe("FORBIDDEN");
      const create = await system.gql(subject, `mutation { createUser(input: { tenantId: "${tenantA}", userPrincipalName: "x@y.z", displayName: "x" }) { id } }`);
      expect(code(create)).toBe("FORBIDDEN");
    });

    it("refuses a request without a token, or with a forged one, before any subgraph is called", async () => {
      const anonymous = await system.gql(null, `{ retentionPolicies { category } }`);
      expect(anonymous.status).toBe(401);
      expect(code(anonymous)).toBe("UNAUTHENTICATED");
      const forged = await system.gql(`${operator.slice(0, -4)}AAAA`, `{ retentionPolicies { category } }`);
      expect(code(forged)).toBe("UNAUTHENTICATED");
      const introspection = await system.gql(null, `{ __schema { queryType { name } } }`);
      expect(introspection.body.data!.__schema.queryType.name).toBe("Query");
      const direct = await fetch(`${system.urls.users}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${operator}` },
        body: JSON.stringify({ query: `{ _entities(representations: [{ __typename: "PersonalData", userId: "x" }]) { __typename } }` }),
      });
      expect(direct.status).toBe(401);
    });
  });
}
